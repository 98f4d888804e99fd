"""The ``spelled`` view: spelled-out and defanged separators and spelled-out digits.

``john at gmail dot com`` -> ``john@gmail.com``, ``d3pop[.]com`` -> ``d3pop.com``,
``hxxp://`` -> ``http://``, ``seven seven double oh nine`` -> ``77009``.
"""

from __future__ import annotations

import re

from trustwatch.normalize.view import Edit, View, rewrite
from trustwatch.normalize.wordset import WordSet


def has_digit(text: str) -> bool:
    """Whether ``text`` holds an ASCII digit (most finders need one). Ten substring tests,
    written out, beat a regex (2x) and a generator over the digits (3x)."""
    return (
        "0" in text
        or "1" in text
        or "2" in text
        or "3" in text
        or "4" in text
        or "5" in text
        or "6" in text
        or "7" in text
        or "8" in text
        or "9" in text
    )


# Top-level domains common enough in scams that "x dot <tld>" is read as a domain.
COMMON_TLDS = (
    "com|net|org|co|uk|io|me|ly|info|biz|xyz|ru|cn|de|fr|es|nl|pl|eu|us|ca|au|in|it|ie"
    "|app|site|online|shop|store|top|club|link|live|click|cc|tk|ml|ga|cf|gq|pw|ws|su|vip"
    "|icu|buzz|fun|gd|to|gl|be|at|ch|se|dk|no|fi|pt|gr|tv|gg|sh|im|ai|so|page|dev|cloud"
    "|help|support|services|center|email|tech|bond|sbs|cfd|rest|lol|mobi|website|space"
)
# Mail providers whose name alone after "at" makes an address: "john at gmail".
MAIL_PROVIDERS = (
    "gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|aol|protonmail|gmx|yandex|btinternet"
)

# TLDs that are not also everyday words, for "depop . com" (a bare spaced full stop).
_PLAIN_TLDS = "|".join(
    t
    for t in COMMON_TLDS.split("|")
    if t not in {"so", "it", "be", "at", "in", "to", "no", "us", "me"}
)
_DOT_WORD = r"(?:\s*[\[({]\s*(?:dot|\.)\s*[\])}]\s*|\s+dot\s+)"
_AT_WORD = r"(?:\s*[\[({]\s*(?:at|@)\s*[\])}]\s*)"
_DOT_BRACKET = r"(?:\s*[\[({]\s*(?:dot|\.)\s*[\])}]\s*)"
# A name after a spaced "[at]" that no domain or mail provider follows: a handle (not a
# time: "(at) 5pm").
_HANDLE_AFTER = re.compile(
    rf"(?!(?:{MAIL_PROVIDERS})\b)[a-z_][\w-]*(?!{_DOT_WORD}|{_AT_WORD}|[\w-]|\.\w|@)"
)

# Words before a spelled "at" that make it the English word: "verify at depop dot com".
_NOT_LOCAL = frozenset(
    (  # noqa: SIM905
        "us me it them him her in up on online here there verify visit look shop buy sell sold"
        " check available found go login log signup sign register confirm site website page"
        " link profile store listed email mail contact reach find message text dm order items"
        " live details pay paid payment or and but"
    ).split()
)
_WORD_BEFORE = re.compile(r"[\w.+-]*$")
_BRACKET_HINT = re.compile(r"[\[({]\s*(?:\.|dot|at|@|:)\s*[\])}]")
# "at" is an address's "@" before a mail provider or a domain spelled with "dot";
# "verify at depop.com" is the English word.
_AT_HINT = re.compile(rf"at\s+(?:(?:{MAIL_PROVIDERS})\b|[\w-]+{_DOT_WORD}(?:{COMMON_TLDS})\b)")
_NUMBER_WORDS = (
    "zero", "oh", "nought", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "double", "triple",
)  # fmt: skip
_WORD_ANCHOR = re.compile(r"\s(?:dot|at|@|\.|slash|forward)\s")
_BRACKET_ANCHOR = re.compile(r"[\[({]\s*(?:dot|\.|at|@)\s*[\])}]")
_SEPARATOR = re.compile(
    rf"(?P<hxxp>\bhxxp(?=s?(?:://|\[:\]//)))"
    rf"|(?P<colon>\[:\](?=//))"
    rf"|(?<=[\w\])])(?P<dot>{_DOT_WORD})(?=[\w-]+(?:{_DOT_WORD}[\w-]+){{0,4}}"
    rf"{_DOT_WORD}(?:{COMMON_TLDS})\b|(?:{COMMON_TLDS})\b"
    # a dot in an address's local part: "jane dot doe at gmail"
    rf"|[\w-]+(?:{_DOT_WORD}[\w-]+){{0,4}}(?:\s+(?:at|@)\s+|{_AT_WORD}|@)"
    rf"(?:(?:{MAIL_PROVIDERS})\b|[\w-]+(?:{_DOT_WORD}|\.)(?:{COMMON_TLDS})\b))"
    # an IP address spelled out: "155 dot 45 dot 42 dot 49"
    rf"|(?<=\d)(?P<ipdot>\s+dot\s+)(?=\d)"
    rf"|(?<=\w)(?P<slash>\s+(?:forward\s+)?slash\s+)(?=\w)"
    rf"|(?<=[\w\])])(?P<dotb>{_DOT_BRACKET})(?=\w)"
    rf"|(?<=\w)(?P<sdot>\s+\.\s+)(?=(?:{_PLAIN_TLDS})\b)"
    rf"|(?<=\w)(?P<at>{_AT_WORD})(?=\w)"
    rf"|(?<=[\w.])(?P<atw>\s+(?:at|@)\s+)(?=(?:{MAIL_PROVIDERS})\b|[\w-]+{_DOT_WORD}"
    rf"(?:{COMMON_TLDS})\b)"
)

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_NUM = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|nought|nil|o|\d{1,6})\b"
_NUM_TOKEN = rf"(?:(?:double|triple)[ \t-]+{_NUM}|{_NUM})"
_NUM_RUN = re.compile(rf"(?<![\w+])(?:plus[ \t]+)?{_NUM_TOKEN}(?:[ \t,-]+{_NUM_TOKEN})*(?![\w])")
_NUM_PART = re.compile(rf"plus|(?:(double|triple)[ \t-]+)?({_NUM})")
_REAL_WORD = re.compile(
    r"\b(?:zero|nought|one|two|three|four|five|six|seven|eight|nine|double|triple)\b"
)


def _word_before(text: str, end: int) -> str:
    found = _WORD_BEFORE.search(text, 0, end)
    return found.group(0) if found else ""


def _local_part(word: str) -> bool:
    """Whether the word before a spelled "at" can be an address's local part: not an
    English word that takes "at" ("verify at"), not a number ("€1.99 at")."""
    return word not in _NOT_LOCAL and any(c.isalpha() for c in word)


_NUMBER_WORD_SET = WordSet(_NUMBER_WORDS)


def _digit_edits(text: str) -> list[Edit]:
    """Runs of spelled digits: at least three digits, and two spelled words, a "double" or
    "triple", or one word among seven digits or more ("07700 nine 00123", not "1205 one")."""
    edits: list[Edit] = []
    for m in _NUM_RUN.finditer(text):
        run = m.group(0)
        words = _REAL_WORD.findall(run)
        if not words:
            continue
        parts: list[Edit] = []
        digits = 0
        prev_end = m.start()
        prev_written = True
        for p in _NUM_PART.finditer(run):
            start, end = m.start() + p.start(), m.start() + p.end()
            written = p.group(0).isdigit()
            if p.group(0) == "plus":
                repl = "+"
            else:
                num = p.group(2)
                single = _DIGIT_WORDS.get(num, num)
                repl = single * {"double": 2, "triple": 3}.get(p.group(1) or "", 1)
                digits += len(repl)
            # Spelled digits close up; a gap next to written digits stays, so a number
            # beside a phone number ("… three 10") stays a separate group.
            if start > prev_end and not written and not prev_written:
                parts.append((prev_end, start, ""))
            parts.append((start, end, repl))
            prev_end = end
            prev_written = written
        if digits >= 3 and (len(words) >= 2 or words[0] in ("double", "triple") or digits >= 7):
            edits.extend(e for e in parts if text[e[0] : e[1]] != e[2])
    return edits


# Letters standing in for digits inside a number: "O7700 9OO123", "O77OO 9l23". A run
# of groups that each hold a digit, with more digits than letters in all.
_LETTERED_NUMBER = re.compile(
    r"(?<![\w])[oil]*[0-9][0-9oil]*(?:[ \-.][oil]*[0-9][0-9oil]*)*(?![\w])"
)
_AS_DIGIT = str.maketrans("oil", "011")
# A digit beside an "o", "i" or "l"; digit-first, so the regex engine scans for the digit
# (four times faster than "[0-9][oil]|[oil][0-9]", which tries both at every char).
_HAS_LETTERED = re.compile(r"[0-9](?:(?<=[oil].)|(?=[oil]))")


def _lettered_digit_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for m in _LETTERED_NUMBER.finditer(text):
        run = m.group(0)
        digits = sum(c.isdigit() for c in run)
        letters = sum(c in "oil" for c in run)
        if letters and digits >= 4 and digits > letters:
            edits.append((m.start(), m.end(), run.translate(_AS_DIGIT)))
    return edits


def spelled_view(src: View) -> View | None:
    """Returns None when the text has no spelled or defanged separator or digit."""
    text = src.text
    separators = (
        "dot" in text
        or "slash" in text
        or "hxxp" in text
        or " . " in text
        or " @ " in text
        or _BRACKET_HINT.search(text) is not None
        or (" at " in text and _AT_HINT.search(text) is not None)
    )
    numbers = _NUMBER_WORD_SET.any_in(text)
    digits = has_digit(text)
    lettered = _lettered_digit_edits(text) if digits and _HAS_LETTERED.search(text) else []
    if not separators and not numbers and not lettered:
        return None
    edits: list[Edit] = []
    for m in _separators(text) if separators else ():
        kind = m.lastgroup
        if kind == "hxxp":
            edits.append((m.start(), m.end(), "http"))
        elif kind == "colon":
            edits.append((m.start(), m.end(), ":"))
        elif kind in ("dot", "dotb", "sdot", "ipdot"):
            edits.append((m.start(), m.end(), "."))
        elif kind == "slash":
            # Only after a domain: "paypal dot me slash jess", not "either slash or".
            if edits and edits[-1][2] == "." and m.start() - edits[-1][1] < 30:
                edits.append((m.start(), m.end(), "/"))
        elif kind == "at" and m.group(0)[0].isspace() and _HANDLE_AFTER.match(text, m.end()):
            # "tg [at]cheapvault48", "the gram (at) deals_hub": a handle, not an address;
            # the space before it stays.
            bracket = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            edits.append((bracket, m.end(), "@"))
        elif kind == "at" or _local_part(_word_before(text, m.start())):
            edits.append((m.start(), m.end(), "@"))
    digit_edits = _digit_edits(text) if numbers else []
    if digit_edits:
        edits = _merge(edits, digit_edits)
    if lettered:
        edits = _merge(edits, lettered)
    return rewrite(src, "spelled", edits) if edits else None


def _separators(text: str) -> list[re.Match[str]]:
    """``_SEPARATOR`` matches, tried only where one can start: the regex is too slow to
    scan a whole text with, so cheap literal- or class-first anchors pick the places."""
    starts: set[int] = set()
    for anchor in (*_WORD_ANCHOR.finditer(text), *_BRACKET_ANCHOR.finditer(text)):
        # The separator takes in the whole whitespace run before it.
        start = anchor.start()
        while start > 0 and text[start - 1].isspace():
            start -= 1
        starts.add(start)
    for literal in ("hxxp", "[:]"):
        at = text.find(literal)
        while at >= 0:
            starts.add(at)
            at = text.find(literal, at + 1)
    found: list[re.Match[str]] = []
    end = -1
    for start in sorted(starts):
        if start < end:
            continue
        m = _SEPARATOR.match(text, start)
        if m is not None:
            found.append(m)
            end = m.end()
    return found


def _merge(first: list[Edit], second: list[Edit]) -> list[Edit]:
    """Both edit lists, sorted; an edit overlapping an earlier kept one is dropped."""
    out: list[Edit] = []
    last_end = -1
    for edit in sorted(first + second, key=lambda e: (e[0], e[1])):
        if edit[0] >= last_end or (edit[0] == edit[1] == last_end):
            out.append(edit)
            last_end = max(last_end, edit[1])
    return out

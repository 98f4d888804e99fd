"""The ``joined`` view (spaced-out letters joined) and the ``leet`` view (digits and
symbols read as the letters they stand for)."""

from __future__ import annotations

import re
from collections import Counter

from trustwatch.normalize.letters import other_reading
from trustwatch.normalize.view import Edit, View, rewrite

# One isolated char of a spaced-out word, and what may sit between two of them.
_SINGLE = r"[a-z0-9$@]"
_SEP = r"(?:[ \t]{1,3}|[ \t]?[.\-_*·•~+/'’]{1,3}[ \t]?)"
# Not after an apostrophe: the "s" of "it's a m" is not a spelled-out letter. An
# underscore may touch the run: it is a gap ("#_m_i_u", "f_o_l_l_o_w_s_?"), not a letter.
_SPACED = re.compile(rf"(?<![^\W_]|[$@'’]){_SINGLE}(?:{_SEP}{_SINGLE}){{2,}}(?![^\W_]|[$@])")
# Two chars of a spaced-out run; literal- or class-first, so the regexes scan fast.
_SPACED_HINT = re.compile(rf" {_SINGLE} {{1,3}}{_SINGLE}(?![\w$@])")
_DOTTED_HINT = re.compile(rf"[.\-_*·•~+/]{_SINGLE}[.\-_*·•~+/]")
_LETTER = re.compile(r"[a-z]")
# Gap chars that belong to the word itself, not to the disguise: "wa.me", "number's".
_OWN = "./-'’"
_GAP = re.compile(r"[^a-z0-9$@]+")

_LEET_CHAR = re.compile(r"[013457$@!|]")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789$@!|")
# No 8 or 9: "gr8", "l8r", "w8" are text-speak, not disguised letters.
_DIGIT_TABLE = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t"}
# Not leetspeak: numbers with a unit or ordinal, hex, digit runs with a 2, 6, 8 or 9 in
# them (years, ids, prices like "1299"), and prices written with a currency ("a$140").
_NOT_LEET = re.compile(
    r"\d*(?:1st|2nd|3rd|[04-9]th|1[0-9]th)|\d+(?:am|pm|k|m|x|gb|mb|tb|ml|cl|cm|mm|km|kg|g|mg|mcg"
    r"|lb|lbs|oz|p|ft|in|yo"
    r"|yrs?|s|hrs?|mins?|secs?|days?|wks?|mths?|d|h|w|y)|x\d+"
    r"|0x[0-9a-f]+|.*(?:[2689][0-9]|[0-9][2689]).*|[a-z]{0,2}[$£€][0-9.,]+"
)
_VOWELS = frozenset("aeiouy")
# Two-letter words a disguised chat phrase is made of ("my numb3r 1s", "h1t m3 up 0n 1g").
_SHORT_WORDS = frozenset(
    [
        "is",
        "me",
        "on",
        "ig",
        "in",
        "it",
        "my",
        "at",
        "to",
        "so",
        "no",
        "of",
        "or",
        "us",
        "up",
        "we",
        "be",
        "do",
        "go",
        "if",
        "an",
        "as",
        "by",
        "hi",
        "ok",
    ]
)
_RARE_BEFORE_L = frozenset("rdtnmvwhjz")
_BANG_WORDS = frozenset({"!5", "!$", "!7"})  # "is", "it"
# Letters as "a", leet chars as "#", "!" as itself, dots kept, the rest as spaces: a text
# whose shape has none of _SHAPE_HITS has no leet worth reading.
_SHAPE = str.maketrans(
    {
        **{chr(c): " " for c in range(128)},
        **dict.fromkeys("abcdefghijklmnopqrstuvwxyz", "a"),
        **dict.fromkeys("013457$@|", "#"),
        "!": "!",
        ".": ".",
        # An apostrophe as a letter, so "numb3r'5" and "number'$" (an "'s") hit "a#".
        "'": "a",
        "’": "a",
    }
)
_SHAPE_HITS = ("a#", "#a", "!a", "!#", "#.a")
# The chars _SHAPE reads as "#" or "!".
_LEET_OR_BANG = re.compile(r"[013457$@|!]")
# What a leet char next to a "1" reads as, to judge the "1" by its neighbour.
_READS_AS = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "!": "i", "$": "s"}
_LEET_SECOND = frozenset("03457$!|1")


def joined_view(src: View) -> View | None:
    """Join words spelled out one char at a time: ``w h a t s a p p`` -> ``whatsapp``.

    Returns None when the text has no run of at least three isolated chars.
    """
    text = src.text
    if _SPACED_HINT.search(text) is None and _DOTTED_HINT.search(text) is None:
        return None
    edits: list[Edit] = []
    for m in _SPACED.finditer(text):
        run = m.group(0)
        if len(_LETTER.findall(run)) < 3:
            continue  # "u r 2", "2 c u": text-speak, not a spelled-out word
        gaps = [
            (m.start() + g.start(), m.start() + g.end(), g.group(0)) for g in _GAP.finditer(run)
        ]
        # Dashed or dotted words with spaces between ("s-u-p-e-r c.l.o.n.e") are joined
        # word by word; a run whose spaces part single chars ("w a . m e") is one word.
        symbol_gaps = sum(1 for g in gaps if g[2].strip())
        dotted = symbol_gaps > len(gaps) - symbol_gaps
        usual_gap = Counter(g[2] for g in gaps).most_common(1)[0][0]
        words: list[list[tuple[int, int, str]]] = [[]]
        for found in gaps:
            gap = found[2]
            # In dotted text a symbol then a space, unlike the usual gap, ends a sentence
            # ("p-r-i-n-t-. T*a*g*g*e*d"): a word break, left as written.
            stop = dotted and gap != usual_gap and gap[0] not in " \t" and gap[-1] in " \t"
            if gap.strip() and not stop:
                words[-1].append(found)
            else:
                words.append([])
        if any(not word for word in words) and dotted:
            # Mostly dotted/dashed letters ("s-e-n-d m-e t*h*e 6 c.o.d.e"): the plain
            # spaces are word breaks, and a one-letter word ("6") stays as it is.
            words = [word for word in words if word]
        elif any(not word for word in words):
            words = [gaps]
            widths = {len(g[2]) for g in gaps if not g[2].strip()}
            if len(widths) > 1:
                # Letters one space apart, words further apart ("c h e c k  y o u r"):
                # the wider gaps are word breaks and stay as one space.
                narrow = min(widths)
                for start, end, gap in gaps:
                    own = [c for c in _OWN if c in gap]  # "w a . m e", "n u m b e r ' s"
                    edits.append((start, end, own[0] if own else "" if len(gap) == narrow else " "))
                continue
        for word in words:
            counts = Counter(g[2] for g in word)
            # The usual gap; on a tie a dot-free one ("t . m e"), then the shortest
            # ("t...m.e": the word's own dot is the usual gap plus a dot).
            usual = max(counts, key=lambda g: (counts[g], "." not in g, -len(g)))
            for start, end, gap in word:
                # A dot, slash, dash or apostrophe unlike the usual gap is the word's own:
                # "w a . m e / 4 4" -> "wa.me/44", "d*e*p*o*p*-*h*e*l*p" -> "depop-help",
                # "w.a...m.e" -> "wa.me".
                keep = ""
                if gap != usual:
                    new = [c for c in _OWN if c in gap and c not in usual]
                    more = [c for c in _OWN if gap.count(c) > usual.count(c)]
                    keep = (new or more or [""])[0]
                edits.append((start, end, keep))
            after = m.end() + len(usual)
            if (
                word[-1] is gaps[-1]
                and usual.strip()
                and text.startswith(usual, m.end())
                and (after == len(text) or not text[after].isalnum())
            ):
                # The gap after the last letter is the disguise's, not the writer's
                # ("f_o_l_l_o_w_s_?" -> "follows?"), and a "_" there would glue on a word.
                edits.append((m.end(), after, ""))
    return rewrite(src, "joined", edits) if edits else None


def _read_one(token: str, chars: list[str], i: int) -> str:
    """Whether the "1" at ``token[i]`` reads "i" or "l"; ``chars`` after it are read.

    "l" before a vowel (te1egram, c1ick) but "-tion" (ver1f1cat10n) or after a letter that
    rarely precedes an "l" (fr1ends, cour1er); "l" before an "l" after a vowel, a double
    "l" (f01l0w, fo11ow, se1l), but not after an "a", where the mail words win (gm41l,
    3m411); at a word's end "l" after a vowel (paypa1, emai1); else "i" (1nsta, gucc1).
    """
    n = len(token)
    if i + 1 == n:
        prev = token[i - 1] if i else ""
        return "l" if prev in _VOWELS or prev in "1!|430@" else "i"
    prev = _READS_AS.get(token[i - 1], token[i - 1]) if i else ""
    nxt = chars[i + 1]
    tion = prev in ("t", "s") and "".join(chars[i + 1 : i + 3]) == "on"
    if nxt in _VOWELS and not tion and prev not in _RARE_BEFORE_L:
        return "l"
    run_end = i + 1
    while run_end < n and token[run_end] == "1":
        run_end += 1
    mail = prev == "a" and (token[i + 1] != "1" or run_end == n)
    return "l" if nxt == "l" and prev in _VOWELS and not mail else "i"


def _deleet(token: str, label: bool = False) -> tuple[str, str]:
    """Read one token's digits and symbols as letters: (by context, the other reading)."""
    chars = list(token)
    n = len(chars)
    # A trailing "@" is a letter after a word or when the word is leet elsewhere too
    # ("replic@", "repl!c@"); a leading one (a handle) only in a domain label ("w@.me")
    # or the other reading.
    other_leet = label or sum(c in _DIGIT_TABLE or c in "1!|@$" for c in token) >= 2
    # Right to left, so a "1" can look at the letter the next "1" became.
    for i in range(n - 1, -1, -1):
        ch = token[i]
        if ch in _DIGIT_TABLE:
            chars[i] = _DIGIT_TABLE[ch]
        elif ch == "!":
            if i < n - 1:
                chars[i] = "i"
        elif ch == "1":
            chars[i] = _read_one(token, chars, i)
        elif ch == "|":
            chars[i] = "l"
        elif ch == "$":
            # Also leading ("$uper"): a cashtag is still read from the base view.
            if i > 0 or other_leet or (n > 1 and token[1] in _LETTERS):
                chars[i] = "s"
        elif ch == "@" and (
            (0 < i < n - 1 and token[i - 1] != "@")
            or (i == n - 1 and (other_leet or (n > 3 and token[i - 1] in _LETTERS)))
            or label
        ):
            chars[i] = "a"
    by_context = "".join(chars)
    # The other reading: a leading "@" an "a" ("@uthentic"); else the likeliest other mix of
    # "i" and "l" by letter trigrams, as several "1"s may need both letters ("b413nc1@g4":
    # "l" then "i"), or the word's own reading when every other is implausible ("dr1nk5").
    if token[0] == "@" and n > 2 and (token[1] in _LETTERS or token[1] in _LEET_SECOND):
        return by_context, "a" + by_context[1:]
    ones = tuple(i for i, c in enumerate(token) if c == "1")
    other = other_reading(by_context, ones) if ones else None
    if other is not None:
        return by_context, other
    # Too many "1"s to weigh every mix: each lone one flipped, a run of them all "l".
    alt = list(chars)
    for i in ones:
        in_run = (i > 0 and token[i - 1] == "1") or (i + 1 < n and token[i + 1] == "1")
        alt[i] = "l" if in_run or chars[i] == "i" else "i"
    return by_context, "".join(alt)


def leet_views(src: View) -> list[View]:
    """Undo leetspeak inside words: ``p4yp4l`` -> ``paypal``, ``ca$h`` -> ``cash``.

    Only tokens with a letter change, and not numbers with units (``10am``, ``32gb``),
    hex, or digit runs with a 2 or 6 (years, ids), so prices, sizes, years and phone
    numbers stay as they are. Returns ``leet`` and, when it differs, ``leet_alt``, the
    other reading (a leading "@" as "a", else each word's likeliest other mix of "i" and
    "l" for its "1"s: ``@uthentic``, ``balenc1aga``, ``b413nc1@g4``); none when nothing
    changes.
    """
    text = src.text
    # Fast exits: no leet char or "!" at all (most texts: one class scan), or none touches
    # a letter ("7.me" aside, which has a dot). Every shape hit holds a "#" or a "!".
    if _LEET_OR_BANG.search(text) is None:
        return []
    shape = text.translate(_SHAPE)
    if not (
        "a#" in shape or "#a" in shape or "!a" in shape or "!#" in shape or "#.a" in shape
    ):  # _SHAPE_HITS, written out: a generator over them costs more than the tests
        return []
    edits: list[Edit] = []
    alt_edits: list[Edit] = []
    done = 0
    n = len(text)
    for hit in _LEET_CHAR.finditer(text):
        i = hit.start()
        if i < done:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < n else ""
        first_label = after == "." and i + 2 < n and text[i + 2] in _LETTERS  # "7.me"
        if (
            hit.group(0) in "5$"
            and before in "'’"
            and i > 1
            and text[i - 2] in _LETTERS
            and after not in _TOKEN_CHARS
            and not after.isalnum()
        ):
            # "numb3r'5", "number'$": the "'s" of a word.
            edits.append((i, i + 1, "s"))
            alt_edits.append((i, i + 1, "s"))
            done = i + 1
            continue
        # A word of "!" and a digit or symbol standing alone: "my numb3r !5 0770…" ("is").
        bang_word = (
            before in ("", " ", "\t")
            and text[i : i + 2] in _BANG_WORDS
            and (i + 2 == n or not text[i + 2].isalnum())
        )
        if before not in _LETTERS and after not in _LETTERS and not first_label and not bang_word:
            continue
        if hit.group(0) == "!" and not after.isalnum() and after not in "$@|":
            continue  # sentence punctuation, not a letter
        start = i
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        end = i + 1
        while end < n and text[end] in _TOKEN_CHARS:
            end += 1
        done = end
        token = text[start:end]
        label = (start > 0 and text[start - 1] == ".") or (end < n and text[end] == ".")
        # A short all-leet first label of a domain: "7.me", "w4.me"; not "1.5" or "25.99".
        host_label = (
            len(token) <= 2
            and all(c in _DIGIT_TABLE or c in "1!|@$" for c in token)
            and end + 1 < n
            and text[end] == "."
            and text[end + 1] in _LETTERS
            and (start == 0 or text[start - 1] in "/@ \t")
        )
        # Two-char tokens only as a domain label ("wa.m3") or when they read as a common
        # short word ("m3", "1s", "0n", "!g"); "b4" and "2u" are text-speak.
        # (The base view keeps "1g" as a gram; this view only adds the other reading.)
        short_word = len(token) == 2 and _deleet(token)[0] in _SHORT_WORDS
        short = len(token) < 3 and not (len(token) == 2 and label) and not host_label
        has_letter = _LETTER.search(token) is not None or host_label
        if not short_word and (short or not has_letter or _NOT_LEET.fullmatch(token)):
            continue
        local, at, domain = token.partition("@")
        if (
            at
            and local
            and domain
            and end + 1 < n
            and text[end] == "."
            and text[end + 1] in _TOKEN_CHARS
        ):
            # An address ("d03@gm41l.c0m"), not a sentence's end ("c4t@10gu3. "): its "@"
            # stays, each side is read on its own.
            local_reads = _deleet(local) if len(local) > 1 else (local, local)
            domain_reads = _deleet(domain, label=True)
            by_context = local_reads[0] + "@" + domain_reads[0]
            all_l = local_reads[1] + "@" + domain_reads[1]
        else:
            by_context, all_l = _deleet(token, label)
        if by_context != token:
            edits.append((start, end, by_context))
        if all_l != token:
            alt_edits.append((start, end, all_l))
    if not edits and not alt_edits:
        return []
    views = [rewrite(src, "leet", edits)] if edits else []
    if alt_edits != edits:
        views.append(rewrite(src, "leet_alt", alt_edits))
    return views

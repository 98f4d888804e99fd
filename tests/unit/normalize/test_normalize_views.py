"""Each view undoes its evasion and maps matches back to exactly the disguised text."""

from __future__ import annotations

import re

import pytest

from trustwatch.normalize import VIEW_NAMES, View, fold, normalize
from trustwatch.normalize.letters import other_reading


def found_in(text: str, word: str) -> set[tuple[str, str]]:
    """(view name, original text) for every match of ``word`` in every view of ``text``."""
    out = set()
    for view in normalize(text).views:
        for m in re.finditer(re.escape(word), view.text):
            start, end = view.to_original(m.start(), m.end())
            out.add((view.name, text[start:end]))
    return out


def originals(text: str, word: str) -> set[str]:
    return {original for _, original in found_in(text, word)}


def test_base_view_is_always_first_and_case_folded():
    n = normalize("Hello WORLD")
    assert n.views[0].name == "base"
    assert n.base.text == "hello world"
    assert [v.name for v in n.views] == ["base"]


def test_plain_ascii_text_gets_only_the_base_view_with_identity_map():
    n = normalize("Is this bomber jacket still available? Size 10, £25.99, posted 2019.")
    assert [v.name for v in n.views] == ["base"]
    assert n.base.is_identity


def test_view_names_are_documented_in_order():
    assert VIEW_NAMES == ("base", "skeleton", "joined", "leet", "leet_alt", "spelled")
    n = normalize("р4уpal w h a t s a p p c11ck john at gmail dot com")
    assert [v.name for v in n.views] == list(VIEW_NAMES)


def test_a_view_equal_to_an_earlier_one_is_left_out():
    n = normalize("ＰＡＹＰＡＬ please")  # fullwidth: base already undoes it
    assert [v.name for v in n.views] == ["base"]
    texts = [v.text for v in normalize("раураl p4ypal").views]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    ("disguised", "word"),
    [
        ("ＰａｙＰａｌ", "paypal"),  # fullwidth
        ("ⓅⒶⓎⓅⒶⓁ", "paypal"),  # circled
        ("🅿🅰🆈🅿🅰🅻", "paypal"),  # negative squared
        ("🄿🄰🅈🄿🄰🄻", "paypal"),  # squared
        ("🇵🇦🇾🇵🇦🇱", "paypal"),  # regional indicators
        ("𝐩𝐚𝐲𝐩𝐚𝐥", "paypal"),  # mathematical bold
        ("𝓅𝒶𝓎𝓅𝒶𝓁", "paypal"),  # mathematical script
        ("⒫⒜⒴⒫⒜⒧", "paypal"),  # parenthesized
        ("p\u200ba\u200cy\u200dp\u2060a\ufeffl", "paypal"),  # zero-width
        ("pay\u202epal", "paypal"),  # bidi override
        ("pay\u00adpal", "paypal"),  # soft hyphen
    ],
)
def test_base_view_undoes_unicode_letter_tricks(disguised, word):
    assert (("base", disguised)) in found_in(f"send it via {disguised} now", word)


@pytest.mark.parametrize(
    ("disguised", "word"),
    [
        ("раураl", "paypal"),  # Cyrillic
        ("РАУРАL", "paypal"),  # Cyrillic capitals
        ("wһаtѕарр", "whatsapp"),  # Cyrillic shha, dze
        ("tеlеgrаm", "telegram"),
        ("ΒΙΤϹΟΙΝ", "bitcoin"),  # Greek capitals and a lunate sigma
        ("vіntеd", "vinted"),
        ("gucсі", "gucci"),
        ("pàypål", "paypal"),  # accents
        ("pa\u0301ypal", "paypal"),  # combining accent
    ],
)
def test_skeleton_view_folds_lookalikes_to_latin(disguised, word):
    assert ("skeleton", disguised) in found_in(f"pay on {disguised} thanks", word)


@pytest.mark.parametrize(
    ("disguised", "word"),
    [
        ("w h a t s a p p", "whatsapp"),
        ("p.a.y.p.a.l", "paypal"),
        ("p-a-y-p-a-l", "paypal"),
        ("c a s h a p p", "cashapp"),
        ("p_a_y_p_a_l", "paypal"),
        ("p*a*y*p*a*l", "paypal"),
        ("t  e  l  e  g  r  a  m", "telegram"),
        ("W H A T S A P P", "whatsapp"),
    ],
)
def test_joined_view_joins_spaced_out_letters(disguised, word):
    assert ("joined", disguised) in found_in(f"msg me on {disguised} ok", word)


@pytest.mark.parametrize(
    ("disguised", "word"),
    [
        ("p4yp4l", "paypal"),
        ("p4yp41", "paypal"),
        ("PAYPA1", "paypal"),
        ("ca$h", "cash"),
        ("wh@tsapp", "whatsapp"),
        ("te1egram", "telegram"),
        ("1nstagram", "instagram"),
        ("b1tc0in", "bitcoin"),
        ("d3pop", "depop"),
        ("wh4t5app", "whatsapp"),
        ("7elegram", "telegram"),
        ("s!gnal", "signal"),
        ("paypa|", "paypal"),
        ("3m41l", "email"),
        ("g1ft", "gift"),
        ("gucc1", "gucci"),
        ("fr1ends", "friends"),
        ("cour1er", "courier"),
        ("lou!$", "louis"),
        ("fo11ow", "follow"),
        ("f01l0w", "follow"),
        ("fam11y", "family"),
        ("w4113t", "wallet"),
        ("ver1f!c4t10n", "verification"),
        ("repl!c@", "replica"),
        ("replic@", "replica"),
        ("$uper", "super"),
        ("45be$7os", "asbestos"),
        ("4sb3$705", "asbestos"),
    ],
)
def test_leet_view_reads_digits_and_symbols_as_letters(disguised, word):
    assert ("leet", disguised) in found_in(f"use {disguised} pls", word)


@pytest.mark.parametrize(
    "plain", ["u r 2 late", "2 c u soon", "plan a or b", "e.g. this", "it's a m and fits"]
)
def test_joined_view_leaves_text_speak_and_abbreviations_alone(plain):
    assert normalize(plain).view("joined") is None


def test_leet_alt_view_reads_ambiguous_1s_and_a_leading_at_the_other_way():
    n = normalize("w4113t and 1ink, n07 @uthentic, balenc1aga")
    assert n.view("leet").text == "wallet and link, not @uthentic, balenclaga"
    # "w4113t" has two "1"s: its other reading is the likeliest other mix (see below).
    assert n.view("leet_alt").text.endswith(" and iink, not authentic, balenciaga")
    assert normalize("thanks @jess").view("leet_alt").text == "thanks ajess"
    assert normalize("thanks @jess").view("leet") is None
    assert normalize("@cc0unt").view("leet").text == "@ccount"
    assert normalize("@cc0unt").view("leet_alt").text == "account"
    assert normalize("n0t @u7h3n71c").view("leet_alt").text == "not authentic"


@pytest.mark.parametrize(
    ("disguised", "word"),
    [
        ("b413nc1@g4", "balenciaga"),
        ("ba1enc1aga", "balenciaga"),
        ("mu1t1p1e", "multiple"),
        ("bre1t1ing", "breitling"),
        ("a1coho1", "alcohol"),
        ("ava11ab1e", "available"),
        ("s11denaf11", "sildenafil"),
    ],
)
def test_a_word_needing_both_readings_of_1_is_read_in_one_view(disguised, word):
    views = [v.text for v in normalize(f"a {disguised} b").views]
    assert f"a {word} b" in views


@pytest.mark.parametrize(
    ("disguised", "phrase"),
    [
        ("a1c0h011c dr1nk5", "alcoholic drinks"),
        ("ach111e5 1ow", "achilles low"),
        ("a11 c01or5 av411able", "all colors available"),
    ],
)
def test_a_word_with_no_plausible_other_reading_keeps_its_reading_in_leet_alt(disguised, phrase):
    # "dr1nk5" could only be "drlnks" the other way: leet_alt keeps "drinks", so the
    # phrase is whole where "alcoholic" takes its other reading.
    assert phrase in [v.text for v in normalize(disguised).views]
    assert other_reading("drinks", (2,)) == "drinks"
    assert other_reading("balenclaga", (2, 6)) == "balenciaga"


def test_joined_view_keeps_a_dot_unlike_the_other_gaps():
    assert normalize("w a . m e").view("joined").text == "wa.me"
    assert normalize("w*a*.*m*e").view("joined").text == "wa.me"
    assert normalize("p.a.y.p.a.l").view("joined").text == "paypal"


def test_joined_view_keeps_spaces_between_dashed_or_dotted_words():
    assert normalize("s-u-p-e-r c.l.o.n.e").view("joined").text == "super clone"
    assert normalize("f*a*k*e f.u.r").view("joined").text == "fake fur"


def test_leet_reads_two_char_domain_labels():
    assert normalize("w4.m3/x").view("leet").text == "wa.me/x"
    assert normalize("b4 2u").view("leet") is None


def test_leet_applies_to_joined_letters():
    assert "p 4 y p 4 l" in originals("on p 4 y p 4 l now", "paypal")


@pytest.mark.parametrize(
    "plain",
    [
        "size 10",
        "£25.99",
        "2019",
        "10am",
        "iphone 11",
        "call 07700 900123",
        "32gb",
        "x10 tins",
        "1mg",
        "a$140 posted",
        "US$140 posted",
        "zara_818310700@gmail.com",
        "hello!",
        "wow!! great",
        "3rd",
        "order #12345678",
    ],
)
def test_leet_view_leaves_numbers_units_and_punctuation_alone(plain):
    assert normalize(plain).view("leet") is None


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        ("john at gmail dot com", "john@gmail.com"),
        ("john[at]gmail[dot]com", "john@gmail.com"),
        ("john (at) gmail (dot) com", "john@gmail.com"),
        ("john{at}gmail{.}com", "john@gmail.com"),
        ("JOHN AT GMAIL DOT COM", "john@gmail.com"),
        ("depop dot com", "depop.com"),
        ("d3pop-secure[.]com", "d3pop-secure.com"),
        ("d3pop-secure(.)com", "d3pop-secure.com"),
        ("hxxp://evil[.]xyz", "http://evil.xyz"),
        ("hxxps[:]//evil.xyz", "https://evil.xyz"),
        ("gmail dot co dot uk", "gmail.co.uk"),
        ("jo at hotmail", "jo@hotmail"),
    ],
)
def test_spelled_view_reads_spelled_separators(written, reads):
    text = f"contact {written} today"
    spelled = normalize(text).view("spelled")
    assert spelled is not None
    i = spelled.text.index(reads)
    start, end = spelled.to_original(i, i + len(reads))
    assert text[start:end] == written


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        ("seven seven double oh nine", "77009"),
        ("oh seven seven", "077"),
        ("triple 5", "555"),
        ("oh seven seven double oh nine double oh one two three", "07700900123"),
        ("zero 7 seven 00 nine 00123", "0 7 7 00 9 00123"),  # gaps by written digits stay
        ("plus four four seven seven", "+4477"),
    ],
)
def test_spelled_view_reads_spelled_digits(written, reads):
    text = f"ring {written} after six"
    spelled = normalize(text).view("spelled")
    assert spelled is not None
    i = spelled.text.index(reads)
    start, end = spelled.to_original(i, i + len(reads))
    assert text[start:end] == written


@pytest.mark.parametrize(
    "plain",
    [
        "look at me",
        "meet at the station at 5",
        "connect the dots",
        "one of a kind",
        "two or three items",
        "oh no",
        "I have one left, size 10",
        "bomber jacket",
        "That . So dont rush",
        "the 1120 to 1205 one?",
        "oil 1000 and lol 11",
        "sign up or at the shop",
        "verify your identity at depop.com.secure-v9cc.top now",
        "reschedule at tinyurl.com/qn5YXQ",
    ],
)
def test_spelled_view_leaves_everyday_words_alone(plain):
    assert normalize(plain).view("spelled") is None


def test_everyday_text_is_unchanged_in_every_view():
    text = "Lovely bomber jacket, size 10, worn twice. £25 or offers. Posted 2019 from Leeds!"
    assert {v.text for v in normalize(text).views} == {text.lower()}


def test_fold_undoes_every_lookalike_evasion():
    assert fold("Р4У-Р4L") == "pay-pal"
    assert fold("ⓓ3ⓟ0ⓟ") == "depop"


def test_to_original_clamps_and_handles_empty_spans():
    view = normalize("ab\u200bcd").base
    assert view.text == "abcd"
    assert view.to_original(0, 4) == (0, 5)
    assert view.to_original(2, 2) == (3, 3)
    assert view.to_original(-5, 99) == (0, 5)
    assert view.to_original(4, 4) == (5, 5)


def test_view_keeps_the_starts_and_ends_interface():
    view = View("x", "ab", (0, 2), (2, 3))
    assert view.starts == (0, 2)
    assert view.ends == (2, 3)
    assert view.to_original(1, 2) == (2, 3)
    identity = View("base", "abc")
    assert identity.starts == (0, 1, 2)
    assert identity.ends == (1, 2, 3)
    with pytest.raises(ValueError, match="one entry per char"):
        View("x", "ab", (0,), (1,))

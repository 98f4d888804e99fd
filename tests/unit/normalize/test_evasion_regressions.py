"""Evasions found by the evasion benchmark: each stays undone by a normalized view."""

import pytest

from trustwatch.entities import extract
from trustwatch.normalize import normalize


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("my numb3r 1s on my bio", "my number is on my bio"),
        ("h17 m3 up 0n 1G", "hit me up on ig"),
        ("wh4t5 y0ur !G?", "whats your ig?"),
        ("my numb3r !5 07700 900", "my number is 07700 900"),
        ("dm f0r c4t@10gu3. cheaper", "dm for catalogue. cheaper"),
        ("my number !$ on my bio", "my number is on my bio"),
    ],
)
def test_short_leet_words_are_read(text, reads):
    assert reads in [v.text for v in normalize(text).views]


@pytest.mark.parametrize("text", ["b4 2u gr8", "size 10 in uk", "5s and 7s"])
def test_text_speak_and_numbers_stay_as_written(text):
    assert [v.name for v in normalize(text).views] == ["base"]


def test_a_digit_glued_to_a_word_does_not_hide_the_phone_number_after_it():
    found = [(e.kind, e.text) for e in extract(normalize("whats@pp m3 07700 900 836"))]
    assert found == [("phone", "07700 900 836")]


def test_spaced_letters_with_wider_gaps_between_words_keep_the_word_breaks():
    views = [v.text for v in normalize("c h e c k  y o u r  e m a i l now").views]
    assert "check your email now" in views


def test_dotted_words_separated_by_spaces_are_joined_word_by_word():
    text = "s-e-n-d m-e t*h*e 6 d-i-g-i-t c.o.d.e"
    assert "send me the 6 digit code" in [v.text for v in normalize(text).views]


def test_a_leet_word_that_looks_like_a_wrong_ordinal_is_read():
    assert "please send me the code" in [v.text for v in normalize("please 53nd m3 7h3 c0de").views]
    assert [v.name for v in normalize("the 2nd, 3rd, 21st and 11th").views] == ["base"]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("help: http://verify-stripe DOT help/payout", "http://verify-stripe.help/payout"),
        ("refund via http://155 DOT 45 DOT 42 DOT 49/order", "http://155.45.42.49/order"),
    ],
)
def test_spelled_dots_in_scam_tlds_and_ip_addresses_are_read(text, url):
    assert [e.value for e in extract(normalize(text)) if e.kind == "url"] == [url]


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("#_m_i_u_m_i_u", "#_miumiu"),
        ("w*a*n*t f_r_e_e f_o_l_l_o_w_e_r_s_? now", "want free followers? now"),
        ("a*i*s*h*a*! g_i_v_e_a_w_a_y_!", "aisha! giveaway!"),
    ],
)
def test_underscored_letters_and_the_gap_after_the_last_letter_are_undone(text, reads):
    assert normalize(text).folded.text == reads


def test_a_sentence_end_between_dotted_words_stays_a_word_break():
    text = "l-e-o-p-a-r-d p-r-i-n-t-. T*a*g*g*e*d U-K"
    assert normalize(text).folded.text == "leopard print-. tagged uk"


@pytest.mark.parametrize("plain", ["snake_case_name", "size_10 a_b", "file_v2_final"])
def test_underscores_between_whole_words_are_left_alone(plain):
    assert normalize(plain).view("joined") is None


@pytest.mark.parametrize(
    "text",
    [
        "my numb3r'5 in my bio",
        "my number'$ in my bio",
        "m y  n u m b e r ' s in my bio",
        "m.y n-u-m-b-e-r-'-s in my bio",
    ],
)
def test_a_disguised_apostrophe_s_is_read(text):
    assert "my number's in my bio" in [v.text for v in normalize(text).views]


@pytest.mark.parametrize("text", ["model is 5'8 and he's 5'5", "size 5'5"])
def test_heights_in_feet_stay_as_written(text):
    assert [v.name for v in normalize(text).views] == ["base"]


def test_a_dot_between_spaced_words_stays_with_its_word():
    assert normalize("c h e c k  w a . m e  n o w").view("joined").text == "check wa.me now"


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("reply slow on here, tg [at]cheapvault48", "[at]cheapvault48"),
        ("add me on the gram  (at) dealshub78, more pics there", "(at) dealshub78"),
    ],
)
def test_a_spelled_at_before_a_bare_name_is_a_handle(text, handle):
    found = [(e.kind, e.text) for e in extract(normalize(text))]
    assert found == [("social_handle", handle)]


def test_a_spelled_at_before_a_mail_provider_or_domain_is_still_an_address():
    for text in ("john [at] gmail dot com", "jane (at) mysite dot co dot uk"):
        assert [e.kind for e in extract(normalize(text))] == ["email"]


def test_an_apostrophe_s_glued_to_more_leet_is_read_once():
    # The "5" is not an "'s" here: the "!" after it belongs to the same leet token.
    views = normalize("p?l'5!pe link").views
    assert all(len(v.starts) == len(v.text) for v in views)


def test_a_spelled_at_before_a_time_is_not_a_handle():
    assert extract(normalize("collection (at) 5pm tomorrow")) == []

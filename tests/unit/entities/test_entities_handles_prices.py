"""Messaging and social handles with their platform; prices with amount and currency."""

from __future__ import annotations

import random

import pytest
from extracted import of_kind
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import mutate
from trustwatch.entities import KINDS, extract
from trustwatch.normalize import normalize


@pytest.mark.parametrize(
    ("text", "written", "platform", "handle"),
    [
        ("msg me wa.me/447700900123", "wa.me/447700900123", "whatsapp", "447700900123"),
        (
            "https://api.whatsapp.com/send?phone=447700900123",
            "https://api.whatsapp.com/send?phone=447700900123",
            "whatsapp",
            "447700900123",
        ),
        ("join t.me/jess_deals", "t.me/jess_deals", "telegram", "jess_deals"),
        ("add me on insta @jess_99", "@jess_99", "instagram", "jess_99"),
        ("my ig is @jess.vintage", "@jess.vintage", "instagram", "jess.vintage"),
        ("@jess99 on snapchat", "@jess99", "snapchat", "jess99"),
        ("telegram @jessdeals", "@jessdeals", "telegram", "jessdeals"),
        ("hit me up on tg: @jessdeals", "jessdeals", "telegram", "jessdeals"),
        ("insta: jess_99", "jess_99", "instagram", "jess_99"),
        ("snap - jess99", "jess99", "snapchat", "jess99"),
        ("kik @jessb", "@jessb", "kik", "jessb"),
        ("signal @jessb", "@jessb", "signal", "jessb"),
        ("discord @jessb", "@jessb", "discord", "jessb"),
        ("discord.gg/abcd12", "discord.gg/abcd12", "discord", "abcd12"),
        ("instagram.com/jess_99", "instagram.com/jess_99", "instagram", "jess_99"),
        ("whatsapp me @jessb", "@jessb", "whatsapp", "jessb"),
        ("my insta is jess_vintage", "jess_vintage", "instagram", "jess_vintage"),
        ("snap me jessb99 x", "jessb99", "snapchat", "jessb99"),
        ("add me on ig jess.b", "jess.b", "instagram", "jess.b"),
    ],
)
def test_social_handles_name_their_platform(text, written, platform, handle):
    found = of_kind(text, "social_handle")
    assert [(e.text, e.value, e.attrs["platform"]) for e in found] == [(written, handle, platform)]


@pytest.mark.parametrize(
    ("text", "kind", "platform"),
    [
        ("add me on 1nst4 @jess_b", "social_handle", "instagram"),
        ("sn4p: jess99", "social_handle", "snapchat"),
        ("wh@ts@pp me @jessb", "social_handle", "whatsapp"),
        ("pay on r3v0lut @jessb", "payment_handle", "revolut"),
    ],
)
def test_platform_named_in_leetspeak_still_names_the_handle(text, kind, platform):
    found = [e for e in extract(normalize(text)) if e.kind in ("social_handle", "payment_handle")]
    assert len(found) == 1
    assert found[0].kind == kind
    assert platform in (found[0].attrs.get("platform"), found[0].attrs.get("provider"))


def test_the_gram_is_instagram():
    found = of_kind("message the gram @depop.helpdesk today", "social_handle")
    assert [(e.value, e.attrs["platform"]) for e in found] == [("depop.helpdesk", "instagram")]


@pytest.mark.parametrize(
    "text",
    [
        "PayPal: You have received a payment of $116 from Mateo.",
        "insta: please message me here",
        "insta is private sorry",
        "signal 5g bars and snap 10am",
        "paypal is fine at 25.99",
        "can I use PayPal at c_h_e_c_k_o_u_t?",
        "Hi, I prefer fam11y @nd fr13nds to avoid the fees",
    ],
)
def test_sentences_after_a_platform_name_are_not_handles(text):
    found = [e for e in extract(normalize(text)) if e.kind in ("social_handle", "payment_handle")]
    assert found == []


def test_bare_at_handle_has_no_platform():
    found = of_kind("thanks @jess_b, posting today", "social_handle")
    assert [(e.value, e.attrs["platform"]) for e in found] == [("jess_b", None)]


def test_platform_word_in_another_sentence_does_not_count():
    found = of_kind("I left instagram. Thanks @jess_b!", "social_handle")
    assert [e.attrs["platform"] for e in found] == [None]


def test_email_is_not_a_handle():
    assert of_kind("insta or jess@gmail.com", "social_handle") == []


@pytest.mark.parametrize(
    ("written", "amount", "currency"),
    [
        ("£25", 25.0, "GBP"),
        ("£ 25.50", 25.5, "GBP"),
        ("25 quid", 25.0, "GBP"),
        ("$30", 30.0, "USD"),
        ("30 GBP", 30.0, "GBP"),
        ("GBP 30", 30.0, "GBP"),
        ("30€", 30.0, "EUR"),
        ("€30", 30.0, "EUR"),
        ("25.99", 25.99, None),
        ("50p", 0.5, "GBP"),
        ("£1,250.00", 1250.0, "GBP"),
        ("£1.5k", 1500.0, "GBP"),
        ("40 pounds", 40.0, "GBP"),
        ("20 euros", 20.0, "EUR"),
        ("£２５", 25.0, "GBP"),
    ],
)
def test_prices(written, amount, currency):
    found = of_kind(f"selling for {written} ono", "price")
    assert [(e.text, e.attrs["amount"], e.attrs["currency"]) for e in found] == [
        (written, amount, currency)
    ]


@pytest.mark.parametrize(
    "text",
    ["size 10", "worn 2019", "10am pickup", "order 12345678", "version 1.2.30", "20% off"],
)
def test_numbers_that_are_not_prices(text):
    assert of_kind(text, "price") == []


@pytest.mark.parametrize(
    "text",
    ["Lovely bomber jacket, barely worn, size 10", "Is this still available? x", ""],
)
def test_plain_text_has_no_entities(text):
    assert extract(normalize(text)) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_entities_of_any_text_have_valid_original_spans(text):
    for e in extract(normalize(text)):
        assert e.kind in KINDS
        assert 0 <= e.start <= e.end <= len(text)
        assert text[e.start : e.end] == e.text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "pay",
                "me",
                "at",
                "dot",
                "com",
                "@jess",
                "£25",
                "07700 900123",
                "seven",
                "double",
                "oh",
                "bit.ly/x",
                "hxxp://a[.]com",
                "gmail",
                "$cash",
                "insta:",
                "20-00-00",
                "12345678",
                "раураl",
                "p 4 y",
                "\u200b",
            ]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_entities_of_entity_like_noise_have_valid_original_spans(text):
    for e in extract(normalize(text)):
        assert 0 <= e.start <= e.end <= len(text)
        assert text[e.start : e.end] == e.text


# (contact as written plainly, entity kind, what the entity must read)
CONTACTS = [
    ("jane.doe@gmail.com", "email", "jane.doe@gmail.com"),
    ("07700 900123", "phone", "+447700900123"),
    ("+44 7700 900123", "phone", "+447700900123"),
    ("depop-help.com", "domain", "depop-help.com"),
    ("wa.me/447700900123", "url", "wa.me/447700900123"),
    ("bit.ly/abc12", "url", "bit.ly/abc12"),
]
CONTACT_MUTATIONS = ("separators", "zero_width", "fullwidth", "case", "spaced", "dotted")
context_words = st.lists(
    st.sampled_from(["hi", "thanks", "msg", "me", "on", "or", "pls", "ok", "size", "10"]),
    max_size=4,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(CONTACTS),
    st.sampled_from(CONTACT_MUTATIONS),
    context_words,
    context_words,
    st.integers(0, 2**16),
)
def test_disguised_contact_in_context_is_found_at_exactly_the_disguise(
    contact, mutation, before, after, seed
):
    written, kind, reads = contact
    disguised = mutate(mutation, written, random.Random(seed), [written])
    text = f"{before} {disguised} {after}"
    found = [e for e in extract(normalize(text)) if e.kind == kind and e.text == disguised]
    assert found, (mutation, disguised)
    readings = {e.value.lower() for e in found} | {str(e.attrs.get("host")) for e in found}
    assert reads in readings, (disguised, readings)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CONTACTS[1:3]), context_words, context_words, st.integers(0, 2**16))
def test_phone_numbers_spelled_out_in_context_are_found(contact, before, after, seed):
    written, _, e164 = contact
    disguised = mutate("spelled_digits", written, random.Random(seed), [written])
    text = f"{before} {disguised} {after}"
    found = of_kind(text, "phone")
    assert [e.value for e in found] == [e164], disguised
    assert disguised.strip() in found[0].text or found[0].text in disguised

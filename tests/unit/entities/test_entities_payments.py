"""Payment handles with their provider, bank details with checksums, crypto addresses."""

from __future__ import annotations

import pytest
from extracted import of_kind

from trustwatch.entities.payments import iban_valid


@pytest.mark.parametrize(
    ("text", "written", "provider", "handle"),
    [
        ("send to paypal.me/JessB please", "paypal.me/JessB", "paypal", "jessb"),
        (
            "https://www.paypal.com/paypalme/jessb",
            "https://www.paypal.com/paypalme/jessb",
            "paypal",
            "jessb",
        ),
        ("paypal: jess@gmail.com", "jess@gmail.com", "paypal", "jess@gmail.com"),
        ("pay me on pp jess at gmail dot com", "jess at gmail dot com", "paypal", "jess@gmail.com"),
        ("cash app $JessB99 ok", "$JessB99", "cashapp", "jessb99"),
        ("venmo @jess-b", "@jess-b", "venmo", "jess-b"),
        ("my venmo is @jessb", "@jessb", "venmo", "jessb"),
        ("revolut @jessb", "@jessb", "revolut", "jessb"),
        ("revolut.me/jessb", "revolut.me/jessb", "revolut", "jessb"),
        ("monzo.me/jessb/25", "monzo.me/jessb/25", "monzo", "jessb"),
        ("cash.app/$jessb", "cash.app/$jessb", "cashapp", "jessb"),
    ],
)
def test_payment_handles_name_their_provider(text, written, provider, handle):
    found = [e for e in of_kind(text, "payment_handle") if e.attrs["provider"] == provider]
    assert [(e.text, e.value) for e in found] == [(written, handle)]


def test_prices_are_not_cashtags():
    assert of_kind("it's $30 or $25.50 with $USD conversion", "payment_handle") == []


def test_email_without_paypal_nearby_is_not_a_paypal_handle():
    assert of_kind("email jess@gmail.com for sizes", "payment_handle") == []


@pytest.mark.parametrize(
    ("written", "iban"),
    [
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("GB82WEST12345698765432", "GB82WEST12345698765432"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
    ],
)
def test_iban_with_valid_checksum(written, iban):
    found = of_kind(f"bank transfer to {written} thanks", "payment_handle")
    assert [(e.text, e.value) for e in found] == [(written, iban)]
    assert found[0].attrs == {
        "provider": "bank_transfer",
        "scheme": "iban",
        "country": iban[:2],
    }


def test_iban_with_wrong_checksum_is_ignored():
    assert not iban_valid("GB83WEST12345698765432")
    assert of_kind("to GB83 WEST 1234 5698 7654 32", "payment_handle") == []


@pytest.mark.parametrize(
    "written",
    [
        "20-00-00 12345678",
        "sort code 200000 account 12345678",
        "sort code: 20 00 00 acc no 12345678",
        "s/c 20-00-00, a/c 12345678",
    ],
)
def test_uk_sort_code_and_account(written):
    found = of_kind(f"pay by bank {written} cheers", "payment_handle")
    assert len(found) == 1
    assert found[0].attrs["sort_code"] == "20-00-00"
    assert found[0].attrs["account_number"] == "12345678"
    assert found[0].attrs["provider"] == "bank_transfer"


def test_numbers_without_sort_code_shape_are_not_bank_details():
    assert of_kind("order 200000 12345678", "payment_handle") == []


@pytest.mark.parametrize(
    ("address", "chain", "fmt"),
    [
        ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "btc", "base58"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc", "base58"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "btc", "bech32"),
        ("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", "btc", "bech32"),
        ("0x52908400098527886e0f7030069857d2e4169ee7", "eth", "hex"),
        ("TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "trx", "base58"),
    ],
)
def test_crypto_addresses(address, chain, fmt):
    found = of_kind(f"send usdt to {address} asap", "crypto_address")
    assert [e.text for e in found] == [address]
    assert found[0].attrs["chain"] == chain
    assert found[0].attrs["format"] == fmt


@pytest.mark.parametrize(
    ("address", "checksum"),
    [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", True),
        ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", True),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", False),  # last letter's case flipped
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", None),  # one case: no checksum
    ],
)
def test_ethereum_addresses_carry_their_eip55_checksum(address, checksum):
    found = of_kind(f"eth: {address}", "crypto_address")
    assert found[0].value == address.lower()
    assert found[0].attrs["checksum"] is checksum


@pytest.mark.parametrize(
    "text",
    [
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyU",  # checksum broken
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx",  # checksum broken
        "my order ref 1AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_invalid_crypto_addresses_are_ignored(text):
    assert of_kind(text, "crypto_address") == []


def test_a_dollar_sign_glued_to_an_at_sign_is_leet_not_a_cashtag():
    # "$c@n" is "scan" written in leet, not the cashtag $c next to a handle.
    assert of_kind("$c@n the QR code", "payment_handle") == []
    assert [e.value for e in of_kind("pay me at $cann now", "payment_handle")] == ["cann"]

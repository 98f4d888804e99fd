"""Phone numbers in UK, US and international formats, also spelled out; not prices, dates,
sizes, years or order numbers."""

from __future__ import annotations

import pytest
from extracted import of_kind


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900 123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("07911-123456", "+447911123456"),
        ("020 7946 0958", "+442079460958"),
        ("(212) 555-0123", "+12125550123"),
        ("+1 415 555 2671", "+14155552671"),
        ("+49 151 23456789", "+4915123456789"),
        ("０７７００ ９００１２３", "+447700900123"),
    ],
)
def test_phone_formats(written, e164):
    found = of_kind(f"call me on {written} tonight", "phone")
    assert [p.value for p in found] == [e164]
    assert found[0].text == written


def test_ten_digits_without_a_trunk_zero_read_as_north_american():
    assert [p.value for p in of_kind("text 702 555 0176 now", "phone")] == ["+17025550176"]
    assert [p.value for p in of_kind("text 718.555.0127", "phone")] == ["+17185550127"]


def test_phone_attrs():
    phone = of_kind("text 07911 123456", "phone")[0]
    assert phone.attrs["country_code"] == 44
    assert phone.attrs["type"] == "mobile"
    assert phone.attrs["valid"] is True
    assert phone.attrs["obfuscated"] is False
    reserved = of_kind("text 07700 900123", "phone")[0]
    assert reserved.attrs["valid"] is False  # Ofcom's drama range: still a phone number


@pytest.mark.parametrize(
    "written",
    [
        "oh seven seven double oh nine double oh one two three",
        "zero seven seven zero zero nine zero zero one two three",
        "07700 nine double oh 123",
        "zero 7 seven 00 nine 00123",
        "0 7 7 0 0 9 0 0 1 2 3",
        "0*7*7*0*0 9*0*0*1*2*3",
        "O7700 9OO123",
        "0️⃣7️⃣7️⃣0️⃣0️⃣ 9️⃣0️⃣0️⃣1️⃣2️⃣3️⃣",
        "⓪⑦⑦⓪⓪ ⑨⓪⓪①②③",
        "077OO 9OOl23",
        "0_7_7_0_0_9_0_0_1_2_3",
    ],
)
def test_spelled_out_and_split_phone_numbers(written):
    found = of_kind(f"ring {written} after six", "phone")
    assert [p.value for p in found] == ["+447700900123"]
    assert found[0].text == written
    assert found[0].attrs["obfuscated"] is True


def test_numbers_jammed_against_labels_or_other_numbers():
    assert [p.text for p in of_kind("To claim, call09050000327", "phone")] == ["09050000327"]
    assert [p.text for p in of_kind("CustCare:08718720201.", "phone")] == ["08718720201"]
    assert [p.text for p in of_kind("call free on 08000407165 (18+) 2 stop", "phone")] == [
        "08000407165"
    ]
    assert of_kind("ref ABC12345678901", "phone") == []


@pytest.mark.parametrize(
    "text",
    [
        "only £25.99 or £1,250.00 for both",
        "size 10, worn in 2019 and 2020",
        "order 12345678 shipped",
        "order #123456789 was refunded",
        "posted on 12/05/2019 and 12.05.2019",
        "price 1500 was 2000",
        "tracking number 12345678901",
        "bought 2019-2020 season",
        "sort code 20-00-00 account 12345678",
        "IBAN GB82 WEST 1234 5698 7654 32",
    ],
)
def test_numbers_that_are_not_phones(text):
    assert of_kind(text, "phone") == []

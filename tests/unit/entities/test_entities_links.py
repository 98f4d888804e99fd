"""URLs, bare domains and emails: found also when defanged or spelled out, with host attrs."""

from __future__ import annotations

import socket

import pytest
from extracted import of_kind, one

from trustwatch.entities import extract
from trustwatch.entities.hosts import _extractor, host_attrs
from trustwatch.normalize import normalize


def test_url_with_scheme_has_host_parts():
    url = one("Log in at https://login.secure.depop-help.co.uk/verify?id=1 now.", "url")
    assert url.text == "https://login.secure.depop-help.co.uk/verify?id=1"
    assert url.value == url.text
    assert url.attrs["scheme"] == "https"
    assert url.attrs["host"] == "login.secure.depop-help.co.uk"
    assert url.attrs["registrable_domain"] == "depop-help.co.uk"
    assert url.attrs["subdomain"] == "login.secure"
    assert url.attrs["tld"] == "co.uk"
    assert url.attrs["path"] == "/verify?id=1"
    assert url.attrs["obfuscated"] is False
    assert url.attrs["is_shortener"] is False


def test_url_keeps_the_paths_case():
    assert one("see bit.ly/AbC12", "url").value == "bit.ly/AbC12"


@pytest.mark.parametrize(
    ("text", "written", "host"),
    [
        (
            "go to hxxp://d3pop-secure[.]com/login",
            "hxxp://d3pop-secure[.]com/login",
            "d3pop-secure.com",
        ),
        ("hxxps[:]//evil[.]xyz/a", "hxxps[:]//evil[.]xyz/a", "evil.xyz"),
        ("visit ｄｅｐｏｐ-help.com/x", "ｄｅｐｏｐ-help.com/x", "depop-help.com"),
        ("visit pay\u200bpal-help.com/x", "pay\u200bpal-help.com/x", "paypal-help.com"),
    ],
)
def test_obfuscated_urls_are_found_and_flagged(text, written, host):
    url = one(text, "url")
    assert url.text == written
    assert url.attrs["host"] == host
    assert url.attrs["obfuscated"] is True


@pytest.mark.parametrize(
    "written",
    [
        "https://w a . m e/447700900123",
        "w*a*.*m*e/447700900123",
        "https://w4.m3/447700900123",
        "https://wа.me/447700900123",  # Cyrillic а
    ],
)
def test_links_spelled_out_only_in_folded_views_are_found(written):
    text = f"msg me {written} x"
    urls = [u for u in of_kind(text, "url") if u.attrs["host"] == "wa.me"]
    assert [u.text for u in urls] == [written]
    assert urls[0].attrs["obfuscated"] is True
    assert urls[0].attrs["view"] in ("skeleton", "joined", "leet")
    handles = of_kind(text, "social_handle")
    assert [(h.value, h.attrs["platform"]) for h in handles] == [("447700900123", "whatsapp")]


def test_leet_domain_is_found_through_the_leet_view():
    domain = one("go to d3p0p-s3cur3.c0m now", "domain")
    assert domain.text == "d3p0p-s3cur3.c0m"
    assert domain.attrs["host"] == "depop-secure.com"
    assert domain.attrs["view"] == "leet"


def test_defanged_url_is_flagged_defanged():
    assert one("hxxp://evil.xyz/a", "url").attrs["defanged"] is True


@pytest.mark.parametrize(
    ("text", "written", "host"),
    [
        ("verify at d3pop-secure[.]com today", "d3pop-secure[.]com", "d3pop-secure.com"),
        ("go to depop dot com", "depop dot com", "depop.com"),
        ("go to depop (dot) com", "depop (dot) com", "depop.com"),
        ("site: depop.com.", "depop.com", "depop.com"),
    ],
)
def test_bare_domains_are_domain_entities(text, written, host):
    domain = one(text, "domain")
    assert domain.text == written
    assert domain.attrs["host"] == host
    assert domain.attrs["registrable_domain"] == host
    assert domain.attrs["obfuscated"] is (written != host)


def test_spelled_slash_after_a_domain():
    url = one("pay at paypal dot me slash jess pls", "url")
    assert url.text == "paypal dot me slash jess"
    assert url.value == "paypal.me/jess"
    assert normalize("either slash or").view("spelled") is None


@pytest.mark.parametrize(
    ("text", "written"),
    [("try bit.ly/abc", "bit.ly/abc"), ("at www.x.co.uk", "www.x.co.uk")],
)
def test_urls_without_scheme(text, written):
    url = one(text, "url")
    assert url.text == written
    assert url.attrs["scheme"] is None


@pytest.mark.parametrize(
    "host",
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "is.gd",
        "cutt.ly",
        "rb.gy",
        "ow.ly",
        "shorturl.at",
        "tiny.cc",
    ],
)
def test_link_shorteners_are_flagged(host):
    assert one(f"click {host}/x1", "url").attrs["is_shortener"] is True


def test_ip_hosts_are_flagged():
    v4 = one("open http://192.168.0.1:8080/admin", "url")
    assert v4.attrs["is_ip"] is True
    assert v4.attrs["port"] == 8080
    v6 = one("open http://[2001:db8::1]/x", "url")
    assert v6.attrs["is_ip"] is True
    assert v6.attrs["host"] == "2001:db8::1"
    bare = one("open 45.12.3.9/login", "url")
    assert bare.attrs["is_ip"] is True


def test_mixed_script_host_is_flagged_with_punycode_and_skeleton():
    url = one("pay at http://раураl.com/x", "url")
    idn = url.attrs["idn"]
    assert idn["mixed_script"] is True
    assert idn["ascii"].startswith("xn--")
    assert idn["skeleton"] == "paypal.com"
    assert url.attrs["mixed_script"] is True


def test_punycode_host_is_decoded():
    domain = one("see xn--pypal-4ve.com", "domain")
    assert domain.attrs["host"] == "pаypal.com"  # the Cyrillic а is the point
    assert domain.attrs["idn"]["mixed_script"] is True


def test_userinfo_trick_keeps_the_real_host():
    url = one("https://depop.com@evil.xyz/login", "url")
    assert url.attrs["host"] == "evil.xyz"
    assert url.attrs["userinfo"] is True
    assert of_kind("https://depop.com@evil.xyz/login", "email") == []


@pytest.mark.parametrize(
    "text",
    [
        "look at me. thanks.so much",
        "e.g. this one",
        "it's size 10.5 and 25.99",
        "the file photo.jpg",
        "ok.bye",
        "bomber jacket",
        "version 1.2.3",
    ],
)
def test_sentence_punctuation_is_not_a_domain(text):
    found = extract(normalize(text))
    assert [e for e in found if e.kind in ("url", "domain")] == []


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("mail john.smith+x@gmail.com pls", "john.smith+x@gmail.com", "john.smith+x@gmail.com"),
        ("john at gmail dot com", "john at gmail dot com", "john@gmail.com"),
        ("john[at]gmail[dot]com", "john[at]gmail[dot]com", "john@gmail.com"),
        ("JOHN AT HOTMAIL DOT CO DOT UK", "JOHN AT HOTMAIL DOT CO DOT UK", "john@hotmail.co.uk"),
        ("john at gmail", "john at gmail", None),
        ("jane dot doe at gmail dot com", "jane dot doe at gmail dot com", "jane.doe@gmail.com"),
        ("jane dot doe@gmail.com", "jane dot doe@gmail.com", "jane.doe@gmail.com"),
        ("j4n3.d03@gm41l.c0m", "j4n3.d03@gm41l.c0m", "jane.doe@gmail.com"),
        ("ｊａｎｅ＠ｇｍａｉｌ．ｃｏｍ", "ｊａｎｅ＠ｇｍａｉｌ．ｃｏｍ", "jane@gmail.com"),
    ],
)
def test_emails_also_spelled_out(text, written, value):
    found = of_kind(text, "email")
    if value is None:
        assert found == []
        return
    assert len(found) == 1
    assert found[0].text == written
    assert found[0].value == value
    assert found[0].attrs["registrable_domain"] == value.split("@")[1]


def test_a_price_before_a_spelled_at_is_not_an_address():
    text = "pay the small insurance fee of €1.99 at safe-paypal DOT net"
    assert of_kind(text, "email") == []
    assert one(text, "domain").attrs["host"] == "safe-paypal.net"


def test_email_domain_is_not_also_a_domain_entity():
    kinds = [e.kind for e in extract(normalize("write to jo@depop.com"))]
    assert kinds == ["email"]


def test_public_suffix_list_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the public-suffix list tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    _extractor.cache_clear()
    host_attrs.cache_clear()
    try:
        assert host_attrs("a.b.example.co.uk")["registrable_domain"] == "example.co.uk"
    finally:
        _extractor.cache_clear()
        host_attrs.cache_clear()

"""Entity extraction with spans in the original text.

Interface (stable): ``extract(normalized) -> list[Entity]``, sorted by position. Finders
read the ``spelled`` view (else ``base``), so defanged and spelled-out entities are
found; links, emails and handle platforms are also read from the folded views
(``skeleton``, ``joined``, ``leet``, ``leet_alt``: ``w a . m e``, ``wа.me`` with a
Cyrillic а, ``d3p0p.c0m``, ``1nst4 @jess``). ``start``/``end``/``text`` are always in the
ORIGINAL text; ``value`` is the normalized reading.

Kinds and their ``attrs``:

``url``
    ``scheme`` (None when written without one), ``host``, ``registrable_domain``
    (offline public-suffix list), ``subdomain``, ``tld``, ``port``, ``path``, ``is_ip``,
    ``is_private_ip``, ``is_shortener``, ``idn`` (None, or ``unicode``, ``ascii``
    punycode, ``mixed_script``, ``scripts``, ``skeleton``), ``obfuscated`` (written
    differently from how it reads: ``hxxp``, ``[.]``, ``dot``, invisible or fullwidth
    chars), ``defanged``, ``userinfo`` (``http://paypal.com@evil.com``), ``view`` (the
    folded view it was read from, when only a folded view spells it out). A link that
    names a payment or messaging handle (``paypal.me/x``, ``wa.me/447…``, ``t.me/x``)
    also yields that ``payment_handle`` / ``social_handle`` over the same span.
``domain``
    A host written bare in text (``depop.com``, ``d3pop-secure[.]com``): the host
    attrs above.
``email``
    ``local``, ``domain``, ``registrable_domain``, ``idn`` (as for hosts), ``obfuscated``.
``phone``
    ``e164``, ``country_code``, ``region``, ``type``, ``valid`` (False for reserved
    ranges such as 07700 900xxx), ``obfuscated`` (spelled-out digits).
``payment_handle``
    ``provider``: paypal, cashapp, venmo, revolut, monzo, zelle, bank_transfer;
    ``via``: link, cashtag, email, at, label, named. IBANs (mod-97 checked) carry ``scheme``
    "iban" and ``country``; UK bank details ``scheme`` "uk_sort_code", ``sort_code``,
    ``account_number``.
``crypto_address``
    ``chain`` (btc, eth, ltc, trx), ``format`` (base58, bech32, hex); base58 and bech32
    checksums are verified (invalid ones are not reported); Ethereum addresses carry
    ``checksum``: the EIP-55 result for mixed case, None when written in one case.
``social_handle``
    ``platform`` (whatsapp, telegram, instagram, snapchat, kik, signal, discord, …, or
    None for a bare ``@handle``), ``via`` (link, at, label, named).
``price``
    ``amount`` (float), ``currency`` (ISO code, None for a bare ``25.99``).
"""

from __future__ import annotations

from trustwatch.entities.crypto import find_crypto
from trustwatch.entities.entity import Entity, Scan
from trustwatch.entities.handles import find_handles
from trustwatch.entities.links import find_bare_links, find_emails, find_schemed_links
from trustwatch.entities.payments import find_bank_details, find_cashtags, paypal_emails
from trustwatch.entities.phones import find_phones
from trustwatch.entities.prices import find_prices
from trustwatch.normalize import Normalized

__all__ = ["KINDS", "Entity", "extract"]

KINDS = (
    "url",
    "domain",
    "email",
    "phone",
    "payment_handle",
    "crypto_address",
    "social_handle",
    "price",
)


_FOLDED_VIEWS = frozenset({"skeleton", "joined", "leet", "leet_alt"})


def extract(normalized: Normalized) -> list[Entity]:
    scan = Scan(normalized)
    folded_scans = [
        Scan(normalized, view, shared=scan)
        for view in normalized.views
        if view.name in _FOLDED_VIEWS
    ]
    find_schemed_links(scan)
    emails = find_emails(scan)
    find_bare_links(scan)
    for folded in folded_scans:
        # Links spelled out only once the look-alikes are folded: "w a . m e", "wа.me".
        if "." in folded.text:
            find_schemed_links(folded, folded=True)
            emails += find_emails(folded)
            find_bare_links(folded, folded=True)
    if emails:
        paypal_emails(scan, emails)
    find_crypto(scan)
    find_bank_details(scan)
    find_cashtags(scan)
    find_handles(scan)
    for folded in folded_scans:
        # Platforms named only once folded: "1nst4 @jess", "sn4p: jess99".
        find_handles(folded, folded=True)
    find_phones(scan)
    find_prices(scan)
    seen: set[tuple[str, int, int, str]] = set()
    out: list[Entity] = []
    for entity in sorted(scan.found, key=lambda e: (e.start, -e.end, e.kind)):
        key = (entity.kind, entity.start, entity.end, entity.value)
        if key not in seen:
            seen.add(key)
            out.append(entity)
    return out

"""Crypto addresses: Bitcoin and Litecoin (base58check, bech32/bech32m), Tron (base58check)
and Ethereum (hex, EIP-55 mixed-case checksum), each validated where the format allows."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from trustwatch.entities.entity import Scan

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
# Class- or literal-first patterns scan fast; the left word boundary is checked after.
_BASE58 = re.compile(r"[13LMT][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])")
_BECH32 = re.compile(r"(?:bc1|BC1|ltc1|LTC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}(?![A-Za-z0-9])")
_ETH = re.compile(r"0x[0-9a-fA-F]{40}(?![A-Za-z0-9])")
# base58check version byte -> chain
_B58_VERSIONS = {0x00: "btc", 0x05: "btc", 0x30: "ltc", 0x32: "ltc", 0x41: "trx"}
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _base58check_chain(address: str) -> str | None:
    num = 0
    for c in address:
        num = num * 58 + _B58_INDEX[c]
    raw = num.to_bytes((num.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(address) - len(address.lstrip("1"))) + raw
    if len(raw) != 25:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return _B58_VERSIONS.get(payload[0])


def _bech32_valid(address: str) -> bool:
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    values = [_BECH32_CHARSET.find(c) for c in data]
    if not hrp or len(values) < 6 or -1 in values:
        return False
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk in (1, 0x2BC830A3)  # bech32, bech32m


# Keccak-f[1600] round constants and rotation offsets (FIPS 202); hashlib's sha3_256 pads
# differently from the Keccak-256 that Ethereum uses, so the permutation is written out.
_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_ROT = (
    (0, 36, 3, 41, 18), (1, 44, 10, 45, 2), (62, 6, 43, 15, 61), (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)  # fmt: skip
_MASK = (1 << 64) - 1


def _keccak_f(a: list[list[int]]) -> None:
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [
            c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
            for x in range(5)
        ]
        for x in range(5):
            for y in range(5):
                a[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                r = _ROT[x][y]
                v = a[x][y]
                b[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & _MASK if r else v
        for x in range(5):
            for y in range(5):
                a[x][y] = b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y])
        a[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (the pre-standard padding Ethereum uses)."""
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\x00" * (rate - 1 - len(data) % rate)
    padded[-1] |= 0x80  # one pad byte short of a block: 0x01 and 0x80 share it
    state = [[0] * 5 for _ in range(5)]
    for block in range(0, len(padded), rate):
        for i in range(rate // 8):
            lane = int.from_bytes(padded[block + 8 * i : block + 8 * i + 8], "little")
            state[i % 5][i // 5] ^= lane
        _keccak_f(state)
    return b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


@lru_cache(maxsize=1024)
def eip55_checksum(address: str) -> bool | None:
    """True/False for a mixed-case address's EIP-55 checksum; None when all one case."""
    hex_part = address[2:]
    if hex_part == hex_part.lower() or hex_part == hex_part.upper():
        return None
    digest = keccak256(hex_part.lower().encode("ascii")).hex()
    return all(
        (c.upper() if int(h, 16) >= 8 else c.lower()) == c
        for c, h in zip(hex_part, digest, strict=False)
        if c.isalpha()
    )


def find_crypto(scan: Scan) -> None:
    """Matched on the original text: base58 addresses are case-sensitive."""
    if not scan.has_digit:
        return
    text = scan.original
    for m in _BASE58.finditer(text):
        if m.start() and text[m.start() - 1].isalnum():
            continue
        chain = _base58check_chain(m.group(0))
        if chain is not None:
            scan.add_original(
                "crypto_address", m.group(0), m.start(), m.end(), chain=chain, format="base58"
            )
    for m in _BECH32.finditer(text) if "1" in text else ():
        address = m.group(0)
        if m.start() and text[m.start() - 1].isalnum():
            continue
        if address != address.lower() and address != address.upper():
            continue
        if _bech32_valid(address):
            chain = "ltc" if address.lower().startswith("ltc") else "btc"
            scan.add_original(
                "crypto_address", address.lower(), m.start(), m.end(), chain=chain, format="bech32"
            )
    for m in _ETH.finditer(text) if "0x" in text else ():
        if m.start() and text[m.start() - 1].isalnum():
            continue
        address = m.group(0)
        scan.add_original(
            "crypto_address",
            address.lower(),
            m.start(),
            m.end(),
            chain="eth",
            format="hex",
            checksum=eip55_checksum(address),
        )

"""API keys: who is calling (authentication, cached) and how fast they may call (rate limits).

What a caller may do (authorization) is decided in one place, the use-case layer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from trustwatch.api.problems import Problem
from trustwatch.store.sql import ApiKey, hash_api_key

_NEGATIVE_TTL_S = 2.0


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    key_id: str
    name: str
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        return f"api_key:{self.key_id}:{self.name}"


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0.0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class Authenticator:
    """Verifies keys against the store, caching each answer for ``ttl_s`` (revocation lag)."""

    def __init__(
        self,
        lookup: Callable[[str], ApiKey | None],
        *,
        ttl_s: float,
        rate_per_s: float,
        burst: int,
    ) -> None:
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._rate = rate_per_s
        self._burst = burst
        self._cache: dict[str, tuple[ApiKey | None, float]] = {}
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def authenticate(self, authorization: str | None, api_key_header: str | None) -> Principal:
        key = _presented_key(authorization, api_key_header)
        digest = hash_api_key(key)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is None or cached[1] < now:
            record = self._lookup(digest)
            ttl = self._ttl_s if record is not None else min(self._ttl_s, _NEGATIVE_TTL_S)
            self._cache[digest] = (record, now + ttl)
        else:
            record = cached[0]
        if record is None:
            raise Problem(
                401,
                "Unknown API key",
                "the API key is not known or was revoked; create one with "
                "`trustwatch keys create --name NAME --scopes check,read`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        self._limit(record)
        return Principal(record.id, record.name, record.scopes)

    def _limit(self, record: ApiKey) -> None:
        bucket = self._buckets.get(record.id)
        if bucket is None:
            with self._lock:
                rate = record.rate_limit_per_s or self._rate
                bucket = self._buckets.setdefault(
                    record.id, TokenBucket(rate, max(float(self._burst), rate))
                )
        wait = bucket.take()
        if wait > 0.0:
            raise Problem(
                429,
                "Rate limit exceeded",
                f"API key {record.id} is limited to {bucket.rate:g} requests/s; "
                f"retry after {wait:.2f}s",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )

    def forget(self) -> None:
        """Drop cached answers (after a key is revoked through this process)."""
        self._cache.clear()


def _presented_key(authorization: str | None, api_key_header: str | None) -> str:
    if api_key_header:
        return api_key_header.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    raise Problem(
        401,
        "API key required",
        "send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`",
        headers={"WWW-Authenticate": "Bearer"},
    )

"""Synthetic marketplace users: ids, account ages, countries, usernames.

Scammers skew to new accounts (most violating accounts are days old), with a tail of
older accounts that stand for compromised or long-game sellers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from trustwatch.synth.vocab import FIRST_NAMES, HANDLE_WORDS, LOCALES, Locale


@dataclass(slots=True)
class Person:
    id: str
    created_at: datetime
    locale: Locale
    username: str
    name: str
    bad: bool = False
    sent: int = field(default=0)

    def actor(self) -> dict[str, str]:
        return {
            "id": self.id,
            "created_at": iso(self.created_at),
            "country": self.locale.country,
        }


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def username(rng: random.Random, first_name: str) -> str:
    name = first_name.lower()
    shape = rng.random()
    if shape < 0.3:
        return f"{name}{rng.choice(('', '_', '.'))}{rng.choice(HANDLE_WORDS)}"
    if shape < 0.55:
        return f"{rng.choice(HANDLE_WORDS)}by{name}"
    if shape < 0.8:
        return f"{name}{rng.choice(('', '_', '.'))}{rng.randint(1, 99):02d}"
    return f"{name}{rng.choice(('x', 'xo', 'xx', 'jade', 'rose', 'lou', 'mae'))}"


def scam_username(rng: random.Random, first_name: str) -> str:
    """Throwaway names: random strings, digits, or borrowed brand/support words."""
    shape = rng.random()
    if shape < 0.4:
        return username(rng, first_name) + str(rng.randint(100, 9999))
    if shape < 0.7:
        letters = "abcdefghijklmnopqrstuvwxyz"
        return "".join(rng.choice(letters) for _ in range(rng.randint(6, 10))) + str(
            rng.randint(1, 999)
        )
    return (
        rng.choice(("luxury", "designer", "authentic", "cheap", "deals", "outlet"))
        + rng.choice(("_", ".", ""))
        + rng.choice(("plug", "store", "supply", "uk", "hub", "vault"))
        + str(rng.randint(1, 99))
    )


class Population:
    """Users created on demand and reused, so conversations and repeat offenders connect."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.good: list[Person] = []
        self.bad: list[Person] = []
        self._next = 0

    def _new_id(self) -> str:
        self._next += 1
        return f"u_{4_100_000 + self._next * 37 + self.rng.randrange(37)}"

    def _names(self, make: Callable[[random.Random, str], str]) -> tuple[str, str]:
        first_name = self.rng.choice(FIRST_NAMES)
        return make(self.rng, first_name), first_name

    def _locale(self) -> Locale:
        return self.rng.choices([loc for loc, _ in LOCALES], [w for _, w in LOCALES])[0]

    def member(self, now: datetime, exclude: Person | None = None) -> Person:
        """A legitimate user, usually one seen before (never ``exclude``)."""
        if len(self.good) > 1 and self.rng.random() < 0.75:
            person = self.rng.choice(self.good[-2000:])
            if person is not exclude:
                return person
        # Legitimate account ages: lognormal, median ~ 14 months, a few brand-new users.
        days = (
            0.5 + self.rng.random() * 6
            if self.rng.random() < 0.06
            else math.exp(self.rng.gauss(math.log(420), 1.0))
        )
        person = Person(
            self._new_id(),
            now - timedelta(days=min(days, 4000)),
            self._locale(),
            *self._names(username),
        )
        self.good.append(person)
        return person

    def offender(self, now: datetime) -> Person:
        """A violating user: usually a fresh account, sometimes a repeat or an aged one."""
        if self.bad and self.rng.random() < 0.25:
            return self.rng.choice(self.bad[-300:])
        roll = self.rng.random()
        if roll < 0.7:
            age = timedelta(minutes=self.rng.uniform(5, 14 * 24 * 60))
        elif roll < 0.9:
            age = timedelta(days=self.rng.uniform(14, 180))
        else:
            age = timedelta(days=math.exp(self.rng.gauss(math.log(700), 0.6)))
        person = Person(
            self._new_id(), now - age, self._locale(), *self._names(scam_username), bad=True
        )
        self.bad.append(person)
        return person

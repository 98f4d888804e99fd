"""The synthetic marketplace: episodes (a conversation, a listing, a spam blast) scheduled
on one clock and emitted as labelled events in time order."""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from trustwatch.errors import ConfigError
from trustwatch.synth import catalogue as cat
from trustwatch.synth import chat, contacts, vocab
from trustwatch.synth.evasion import disguise
from trustwatch.synth.grammar import Segment, Slots, SlotValue
from trustwatch.synth.grammar import expand as expand_template
from trustwatch.synth.noise import add_typos, casual, frame, sentence_case
from trustwatch.synth.people import Person, Population, iso

POLICIES = ("off_platform", "phishing", "counterfeit", "prohibited", "spam")
# Share of each policy among positive events, roughly what a fashion marketplace sees.
POLICY_SHARES = {
    "off_platform": 0.28,
    "phishing": 0.16,
    "counterfeit": 0.22,
    "prohibited": 0.16,
    "spam": 0.18,
}
DEFAULT_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BATCHES = ("LJR", "PK", "OG", "GX", "H12", "M", "DT", "Top Dreamer", "GET", "FK")


@lru_cache(maxsize=1)
def recalled_products() -> tuple[str, ...]:
    """Product names from US CPSC recalls (public domain), shipped with the package."""
    text = resources.files("trustwatch.synth").joinpath("data/recalled_products.txt").read_text()
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _stock_photos() -> tuple[tuple[str, str], ...]:
    """Known-fake stock photos reused across counterfeit listings: (sha256, pdq)."""
    rng = random.Random("trustwatch-known-fake-stock-photos")
    return tuple(
        (f"{rng.getrandbits(256):064x}", f"{rng.getrandbits(256):064x}") for _ in range(24)
    )


KNOWN_FAKE_PHOTOS = _stock_photos()


@dataclass(slots=True)
class _Draft:
    """An event before its id and timestamp: body fields may still hold segments."""

    offset: float
    type: str
    actor: Person
    body: dict[str, Any]
    texts: dict[str, list[Segment]]
    labels: list[str]
    template: str
    hard_negative: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _ListingRef:
    id: str
    seller: Person
    item: vocab.Item | None
    title: str
    description: str
    price: float
    currency: str
    category: str
    brand: str | None
    images: list[dict[str, str]]
    labels: list[str]


@dataclass(slots=True)
class _ItemListing:
    """A catalogue item put up for sale: its asking price, slots and written texts."""

    item: vocab.Item
    price: float
    slots: dict[str, SlotValue]
    title: list[Segment]
    description: list[Segment]


class _Marketplace:
    def __init__(
        self,
        rng: random.Random,
        positive_rate: float,
        evasion_rate: float,
        policies: tuple[str, ...],
        hard_negative_rate: float,
    ) -> None:
        self.rng = rng
        self.positive_rate = positive_rate
        self.evasion_rate = evasion_rate
        self.policies = policies
        self.hard_negative_rate = hard_negative_rate
        self.people = Population(rng)
        self.listings: deque[_ListingRef] = deque(maxlen=500)
        self.targets: deque[tuple[float, str, str, list[str]]] = deque(maxlen=400)
        self.made = 0
        self.made_positive = 0
        self.by_policy = dict.fromkeys(policies, 0)
        self._ids = 0
        # Seconds since the start, and the wall time, of what is being generated now.
        self.clock = 0.0
        self.moment = DEFAULT_START

    # ------------------------------------------------------------------ ids and slots
    def next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}_{self._ids * 7919 % 1_000_003 + self._ids * 1_000_003:x}"

    def slots(
        self,
        me: Person,
        item: vocab.Item | None = None,
        price: float | None = None,
        category: str | None = None,
        currency: str | None = None,
    ) -> dict[str, SlotValue]:
        rng = self.rng
        eng = me.locale.english
        cur = currency or me.locale.currency
        brand = item.brand.name if item else vocab.pick_brand(rng).name
        fair = (
            price
            if price is not None
            else vocab.round_price(rng, (item.fair_gbp if item else 30.0) * vocab.RATES[cur])
        )
        category = category or (item.category if item else "tops")
        size = vocab.size_for(rng, category, eng)
        colour = vocab.words(eng, rng.choice(vocab.COLOURS))
        carrier_pool = (
            ("Royal Mail", "Royal Mail", "Evri", "InPost") if eng == "GB" else ("USPS", "UPS")
        )
        carrier = rng.choice(carrier_pool)
        tracking = contacts.tracking_number(rng, carrier)
        base = me.username

        def money(factor: float) -> SlotValue:
            return lambda r: vocab.format_money(vocab.round_price(r, fair * factor), cur, r)

        return {
            "brand": brand,
            "item": item.name if item else rng.choice(("top", "jacket", "jeans", "dress", "bag")),
            "title": f"{brand} {item.name}" if item else brand,
            "size": size,
            "colour": colour,
            "era": lambda r: r.choice(vocab.ERAS),
            "condition": lambda r: vocab.condition_for(r, category),
            "english": eng,
            "price": vocab.format_money(fair, cur),
            "amount_extra": money(rng.uniform(1.5, 3.0)),
            "offer": money(rng.uniform(0.7, 0.9)),
            "counter": money(rng.uniform(0.85, 0.95)),
            "lowball": money(rng.uniform(0.25, 0.45)),
            "discount": lambda r: vocab.format_money(float(r.choice((3, 5, 5, 10, 10, 15))), cur),
            "cur": vocab.SYMBOLS[cur],
            "postage": "postage" if eng == "GB" else "shipping",
            "post": "post" if eng == "GB" else "ship",
            "carrier": carrier,
            "tracking": tracking,
            "tracking_url": contacts.tracking_url(rng, carrier, tracking),
            "day": lambda r: r.choice(
                ("tomorrow", "today", "Monday", "first thing tomorrow", "this afternoon")
            ),
            "x": (lambda r: r.choice(("", "", " x", " xx", " :)", "!")))
            if eng == "GB"
            else (lambda r: r.choice(("", "!", " :)"))),
            "name": me.name,
            "batch": lambda r: r.choice(_BATCHES),
            "phone": lambda r: contacts.phone(r, eng),
            "wa_link": lambda r: contacts.wa_link(r, eng),
            "email": lambda r: contacts.email(r, base),
            "handle": lambda r: "@" + contacts.handle_name(r, base),
            "cashtag": lambda r: "$" + contacts.handle_name(r, base),
            "whatsapp": lambda r: r.choice(
                ("WhatsApp", "whatsapp", "whats app", "WA", "watsapp", "whatsap", "Whatsapp")
            ),
            "insta": lambda r: r.choice(("insta", "instagram", "IG", "ig", "the gram", "Insta")),
            "telegram": lambda r: r.choice(("telegram", "Telegram", "tele", "TG", "telegrm")),
            "ff": lambda r: r.choice(
                (
                    "friends and family",
                    "F&F",
                    "FnF",
                    "ff",
                    "friends & family",
                    "f and f",
                    "family and friends",
                )
            ),
            "bank": lambda r: (
                r.choice(
                    ("bank transfer", "BACS", "direct bank transfer", "faster payment", "bank")
                )
                if eng == "GB"
                else r.choice(("Zelle", "wire transfer", "bank transfer", "direct deposit"))
            ),
            "cashapp": lambda r: r.choice(
                ("Cash App", "Venmo", "Zelle", "Revolut", "Monzo", "cashapp", "Wise")
            ),
            "giftcard": lambda r: r.choice(
                (
                    "an Amazon gift card",
                    "Apple gift cards",
                    "a Steam card",
                    "Google Play cards",
                    "a Visa gift card",
                )
            ),
            "crypto": lambda r: r.choice(("BTC", "USDT", "crypto", "bitcoin", "ETH", "USDT TRC20")),
            "wallet": contacts.crypto_address,
            "sortcode": lambda r: contacts.sort_code_account(r),
            "iban": contacts.iban,
            "phish_url": contacts.phishing_url,
            "domain": contacts.lookalike_domain,
            "short_url": lambda r: "bit.ly/" + contacts.short_code(r),
            "depop_url": lambda r: contacts.depop_url(
                r, base, f"{brand} {item.name if item else 'top'}"
            ),
            "recalled": lambda r: r.choice(recalled_products()),
            "contraband": lambda r: r.choice(cat.CONTRABAND),
            "referral": lambda r: contacts.short_code(r, r.randint(5, 8)).upper(),
        }

    # ------------------------------------------------------------------ episode choice
    def episode(self) -> list[_Draft]:
        deficit = self.positive_rate * self.made - self.made_positive
        p = min(1.0, max(0.0, self.positive_rate + deficit / 20))
        if self.policies and self.rng.random() < p:
            drafts = self.positive_episode(self.pick_policy())
        else:
            drafts = self.clean_episode()
        for d in drafts:
            self.made += 1
            if d.labels:
                self.made_positive += 1
                for label in d.labels:
                    if label in self.by_policy:
                        self.by_policy[label] += 1
        return drafts

    def pick_policy(self) -> str:
        total = sum(self.by_policy.values())
        share_total = sum(POLICY_SHARES[p] for p in self.policies)
        weights = [
            max(0.02, POLICY_SHARES[p] / share_total * (total + 10) - self.by_policy[p])
            for p in self.policies
        ]
        return self.rng.choices(self.policies, weights)[0]

    def positive_episode(self, policy: str) -> list[_Draft]:
        rng = self.rng
        if policy == "off_platform":
            return rng.choices(
                (
                    self.off_platform_seller_chat,
                    self.off_platform_buyer_chat,
                    self.off_platform_listing,
                    self.off_platform_edit,
                    self.bad_profile,
                ),
                (0.42, 0.2, 0.15, 0.08, 0.15),
            )[0](policy)
        if policy == "phishing":
            return rng.choices((self.phishing_chat, self.bad_profile), (0.92, 0.08))[0](policy)
        if policy == "counterfeit":
            return rng.choices(
                (self.counterfeit_listing, self.counterfeit_chat, self.bad_profile),
                (0.75, 0.19, 0.06),
            )[0](policy)
        if policy == "prohibited":
            return rng.choices(
                (self.prohibited_listing, self.prohibited_chat, self.bad_profile),
                (0.84, 0.08, 0.08),
            )[0](policy)
        return rng.choices(
            (self.spam_blast, self.stuffed_listing, self.repeated_listings, self.bad_profile),
            (0.35, 0.35, 0.18, 0.12),
        )[0](policy)

    def clean_episode(self) -> list[_Draft]:
        rng = self.rng
        hard = rng.random() < self.hard_negative_rate
        if hard:
            return rng.choices(
                (self.hard_chat, self.clean_listing, self.clean_profile, self.autoreplies),
                (0.55, 0.3, 0.08, 0.07),
            )[0](hard=True)
        return rng.choices(
            (self.clean_chat, self.clean_listing, self.price_drop, self.clean_profile, self.report),
            (0.53, 0.25, 0.08, 0.06, 0.08),
        )[0](hard=False)

    # ------------------------------------------------------------------ building blocks
    def now(self) -> datetime:
        return self.moment

    def delay(self, median: float, sigma: float = 1.1, cap: float = 2 * 86400) -> float:
        return min(cap, math.exp(self.rng.gauss(math.log(median), sigma)))

    def say(self, group: dict[str, tuple[str, ...]], name: str, prefix: str) -> tuple[str, str]:
        options = group[name]
        i = self.rng.randrange(len(options))
        return options[i], f"{prefix}.{name}.{i}"

    def message(
        self,
        offset: float,
        sender: Person,
        recipient: Person,
        conversation: str,
        template: tuple[str, str],
        slots: Slots,
        labels: list[str],
        *,
        listing_id: str | None = None,
        hard: bool = False,
        first: bool = True,
    ) -> _Draft:
        rate = 0.15 if labels else 0.4
        segments = frame(self.rng, expand(template[0], self.rng, slots), rate, greet=first)
        segments = casual(self.rng, segments, pushy=bool(labels))
        body: dict[str, Any] = {
            "id": self.next_id("m"),
            "conversation_id": conversation,
            "recipient_id": recipient.id,
        }
        if listing_id:
            body["listing_id"] = listing_id
        return _Draft(
            offset, "message.sent", sender, body, {"text": segments}, labels, template[1], hard
        )

    def pick_item(self, person: Person, tiers: tuple[str, ...] | None = None) -> vocab.Item:
        return vocab.pick_item(self.rng, vocab.pick_brand(self.rng, tiers), person.locale.english)

    def seller(self, offender_share: float) -> Person:
        """A seller who is a repeat offender with this probability, else an ordinary member."""
        if self.rng.random() < offender_share:
            return self.people.offender(self.now())
        return self.people.member(self.now())

    def conversation(
        self,
        script: list[tuple[str, str, tuple[str, str]]],
        buyer: Person,
        seller: Person,
        item: vocab.Item | None,
        listing: _ListingRef | None,
        *,
        hard_roles: str = "",
        extra_slots: dict[str, str] | None = None,
    ) -> list[_Draft]:
        """Turn (role, labels, template) steps into messages with realistic reply delays."""
        conv = self.next_id("c")
        price = listing.price if listing else None
        drafts: list[_Draft] = []
        offset = 0.0
        for role, label, template in script:
            sender, recipient = (buyer, seller) if role == "b" else (seller, buyer)
            slots = self.slots(sender, item, price, currency=seller.locale.currency)
            slots.update(extra_slots or {})
            drafts.append(
                self.message(
                    offset,
                    sender,
                    recipient,
                    conv,
                    template,
                    slots,
                    [label] if label else [],
                    listing_id=listing.id if listing else None,
                    hard=role in hard_roles,
                    first=not drafts,
                )
            )
            offset += self.delay(150)
        return drafts

    def clean_listing_ref(self) -> _ListingRef | None:
        clean = [ref for ref in list(self.listings)[-60:] if not ref.labels]
        return self.rng.choice(clean) if clean and self.rng.random() < 0.8 else None

    # ------------------------------------------------------------------ clean episodes
    _SCRIPTS: tuple[tuple[str, ...], ...] = (
        ("b:ask_available", "s:reply_available", "b?:offer", "s?:counter", "b?:bought"),
        ("b:ask_size", "s:reply_size", "b?:ack", "b?:thanks"),
        ("b:ask_condition", "s:reply_condition", "b?:ack", "b?:offer"),
        ("b:ask_postage", "s:reply_postage", "b?:bought", "s?:thanks"),
        ("b:offer", "s:counter", "b?:bought", "s?:thanks"),
        ("b:lowball", "s:decline"),
        ("b:bundle", "s:bundle_reply", "b?:bought"),
        ("s:shipped", "b?:received"),
        ("b:ask_available", "s:sold"),
        ("b:long_question", "s:reply_size", "b?:offer"),
        ("b:ask_available",),
        ("b:offer",),
        ("b:ask_real", "s:reply_condition"),
    )
    _SCRIPT_WEIGHTS = (0.2, 0.12, 0.07, 0.08, 0.1, 0.05, 0.04, 0.08, 0.06, 0.04, 0.08, 0.05, 0.03)

    def chat_about_listing(
        self, tiers: tuple[str, ...] | None = None
    ) -> tuple[_ListingRef | None, Person, Person, vocab.Item | None]:
        """Listing, seller, buyer and item of a chat: mostly about a recent clean listing."""
        listing = self.clean_listing_ref()
        seller = listing.seller if listing else self.people.member(self.now())
        buyer = self.people.member(self.now(), exclude=seller)
        item = listing.item if listing else self.pick_item(seller, tiers)
        return listing, seller, buyer, item

    def clean_chat(self, hard: bool = False) -> list[_Draft]:
        rng = self.rng
        listing, seller, buyer, item = self.chat_about_listing()
        script = rng.choices(self._SCRIPTS, self._SCRIPT_WEIGHTS)[0]
        steps: list[tuple[str, str, tuple[str, str]]] = []
        for step in script:
            role, name = step.split(":")
            if role.endswith("?"):
                if rng.random() < 0.4:
                    break
                role = role[0]
            steps.append((role, "", self.say(chat.CLEAN, name, "clean")))
        return self.conversation(steps, buyer, seller, item, listing)

    def hard_chat(self, hard: bool = True) -> list[_Draft]:
        rng = self.rng
        listing, seller, buyer, item = self.chat_about_listing(("luxury", "hype", "mid"))
        group = rng.choice(tuple(chat.HARD_NEGATIVE))
        line = self.say(chat.HARD_NEGATIVE, group, "hard_negative")
        if group == "authentic":
            steps = [("b", "", self.say(chat.CLEAN, "ask_real", "clean")), ("s", "", line)]
            roles = "s"
        elif group == "legit_links":
            steps = [("s", "", line)]
            roles = "s"
        else:
            steps = [("b", "", line)]
            if rng.random() < 0.5:
                steps.append(("s", "", self.say(chat.CLEAN, "reply_available", "clean")))
            roles = "b"
        return self.conversation(steps, buyer, seller, item, listing, hard_roles=roles)

    def autoreplies(self, hard: bool = True) -> list[_Draft]:
        """A seller thanking several buyers with the same words: repetition that is not spam."""
        seller = self.people.member(self.now())
        template = self.rng.choice(chat.SELLER_AUTOREPLY)
        index = chat.SELLER_AUTOREPLY.index(template)
        drafts = []
        offset = 0.0
        for _ in range(self.rng.randint(2, 4)):
            buyer = self.people.member(self.now(), exclude=seller)
            drafts.append(
                self.message(
                    offset,
                    seller,
                    buyer,
                    self.next_id("c"),
                    (template, f"hard_negative.autoreply.{index}"),
                    self.slots(seller),
                    [],
                    hard=True,
                )
            )
            offset += self.delay(3600, 0.8)
        return drafts

    def listing_texts(
        self, seller: Person, item: vocab.Item, slots: Slots
    ) -> tuple[list[Segment], list[Segment]]:
        rng = self.rng
        title = expand(rng.choice(cat.TITLE), rng, slots)
        if rng.random() < 0.15:
            return title, expand(rng.choice(cat.EMOJI_LAYOUT), rng, slots)
        parts = [rng.choice(cat.OPENER)]
        if rng.random() < 0.3:
            parts.extend(rng.sample(cat.STORY_LINE, rng.choice((1, 1, 2, 3))))
        for pool, p in ((cat.SIZE_LINE, 0.75), (cat.CONDITION_LINE, 0.8)):
            if rng.random() < p:
                parts.append(rng.choice(pool))
        if item.category in cat.MEASURE and rng.random() < 0.5:
            parts.append(rng.choice(cat.MEASURE[item.category]))
        if rng.random() < 0.6:
            parts.append(rng.choice(cat.POSTAGE_LINE))
        parts.extend(rng.sample(cat.EXTRA_LINE, rng.choice((0, 1, 1, 2, 3))))
        sep = rng.choice((" ", "\n", "\n\n", "\n- "))
        description: list[Segment] = []
        for i, part in enumerate(parts):
            if i:
                description.append(Segment(sep))
            description.extend(expand(part, rng, slots))
        if rng.random() < 0.55:
            tags = rng.sample(vocab.STYLE_TAGS, rng.randint(1, cat.HASHTAGS_MAX))
            description.append(Segment("\n\n" + " ".join(tags)))
        if rng.random() < 0.8:
            description = sentence_case(description)
        if rng.random() < 0.15:
            description = [
                Segment(add_typos(rng, s.text, 0.04), s.key) if not s.key else s
                for s in description
            ]
        return title, description

    def item_listing(self, seller: Person, tiers: tuple[str, ...] | None = None) -> _ItemListing:
        """A catalogue item at a plausible resale price, with its title and description."""
        item = self.pick_item(seller, tiers)
        price = vocab.resale_price(self.rng, item.fair_gbp, seller.locale.currency)
        slots = self.slots(seller, item, price)
        title, description = self.listing_texts(seller, item, slots)
        return _ItemListing(item, price, slots, title, description)

    def item_draft(
        self,
        offset: float,
        seller: Person,
        listing: _ItemListing,
        labels: list[str],
        template: str,
        *,
        images: list[dict[str, str]] | None = None,
        listing_id: str | None = None,
    ) -> _Draft:
        """A listing draft whose category and brand are its catalogue item's."""
        return self.listing_draft(
            offset,
            seller,
            # Each draft owns its segment lists: repeated listings post one text many times.
            list(listing.title),
            list(listing.description),
            item=listing.item,
            category=listing.item.category,
            brand=listing.item.brand.name,
            price=listing.price,
            labels=labels,
            template=template,
            images=images,
            listing_id=listing_id,
        )

    def listing_draft(
        self,
        offset: float,
        seller: Person,
        title: list[Segment],
        description: list[Segment],
        *,
        item: vocab.Item | None,
        category: str,
        brand: str | None,
        price: float,
        labels: list[str],
        template: str,
        hard: bool = False,
        images: list[dict[str, str]] | None = None,
        listing_id: str | None = None,
        event_type: str = "listing.created",
    ) -> _Draft:
        lid = listing_id or self.next_id("l")
        if images is None:
            images = self.images(lid, self.rng.randint(1, 6))
        body: dict[str, Any] = {"id": lid, "category": category}
        if brand:
            body["brand"] = brand
        body["price"] = {"amount": price, "currency": seller.locale.currency}
        body["images"] = images
        ref = _ListingRef(
            lid,
            seller,
            item,
            "",
            "",
            price,
            seller.locale.currency,
            category,
            brand,
            images,
            labels,
        )
        draft = _Draft(
            offset,
            event_type,
            seller,
            body,
            {"title": title, "description": description},
            labels,
            template,
            hard,
        )
        draft.extra["ref"] = ref
        return draft

    def images(self, listing_id: str, count: int) -> list[dict[str, str]]:
        return [
            {
                "url": f"https://media.trustwatch.example/listings/{listing_id}/{i}.jpg",
                "sha256": f"{self.rng.getrandbits(256):064x}",
                "pdq": f"{self.rng.getrandbits(256):064x}",
            }
            for i in range(count)
        ]

    def clean_listing(self, hard: bool = False) -> list[_Draft]:
        rng = self.rng
        seller = self.people.member(self.now())
        if hard:
            i = rng.randrange(len(cat.HARD_NEGATIVE_LISTINGS))
            title_t, desc_t, category, brand_t = cat.HARD_NEGATIVE_LISTINGS[i]
            tiers = ("luxury",) if brand_t == "$brand" else None
            item = self.pick_item(seller, tiers)
            if brand_t == "$brand":
                category = item.category
            slots = self.slots(seller, item, category=category)
            title = expand(title_t, rng, slots)
            description = sentence_case(expand(desc_t, rng, slots))
            brand = item.brand.name if brand_t == "$brand" else brand_t
            fair = item.fair_gbp if brand_t == "$brand" else 25.0
            price = vocab.resale_price(rng, fair, seller.locale.currency)
            return [
                self.listing_draft(
                    0.0,
                    seller,
                    title,
                    description,
                    item=item,
                    category=category,
                    brand=brand,
                    price=price,
                    labels=[],
                    template=f"hard_negative.listing.{i}",
                    hard=True,
                )
            ]
        return [self.item_draft(0.0, seller, self.item_listing(seller), [], "clean.listing")]

    def price_drop(self, hard: bool = False) -> list[_Draft]:
        listing = self.clean_listing_ref()
        if listing is None:
            return self.clean_listing()
        new_price = vocab.round_price(self.rng, listing.price * self.rng.uniform(0.7, 0.92))
        draft = self.listing_draft(
            0.0,
            listing.seller,
            [Segment(listing.title)],
            [Segment(listing.description)],
            item=listing.item,
            category=listing.category,
            brand=listing.brand,
            price=new_price,
            labels=[],
            template="clean.price_drop",
            images=listing.images,
            listing_id=listing.id,
            event_type="listing.updated",
        )
        return [draft]

    def clean_profile(self, hard: bool = False) -> list[_Draft]:
        person = self.people.member(self.now())
        pool = cat.BIO_HARD_NEGATIVE if hard else cat.BIO_CLEAN
        i = self.rng.randrange(len(pool))
        prefix = "hard_negative" if hard else "clean"
        return [self.profile_draft(person, pool[i], f"{prefix}.bio.{i}", [], hard)]

    def profile_draft(
        self, person: Person, template: str, template_id: str, labels: list[str], hard: bool
    ) -> _Draft:
        bio = expand(template, self.rng, self.slots(person))
        body = {
            "id": person.id,
            "username": person.username,
            "display_name": person.name,
        }
        return _Draft(0.0, "profile.updated", person, body, {"bio": bio}, labels, template_id, hard)

    def report(self, hard: bool = False) -> list[_Draft]:
        """A user report on something earlier: mostly on real violations, some mistaken."""
        rng = self.rng
        reporter = self.people.member(self.now())
        seen = [t for t in self.targets if t[0] <= self.clock]
        bad = [t for t in seen if t[3]]
        good = [t for t in seen if not t[3]]
        pool = bad if bad and (rng.random() < 0.75 or not good) else good
        if not pool:
            return self.clean_chat()
        _, target_type, target_id, labels = rng.choice(pool[-200:])
        reason_policy = labels[0] if labels else "clean"
        texts = cat.REPORT_TEXT[reason_policy]
        i = rng.randrange(len(texts))
        text = expand(texts[i], rng, self.slots(reporter))
        body = {
            "id": self.next_id("r"),
            "target_type": target_type,
            "target_id": target_id,
            "reason": cat.REPORT_REASON.get(
                reason_policy, rng.choice(("not_as_described", "other", "scam"))
            ),
        }
        draft = _Draft(
            0.0,
            "report.filed",
            reporter,
            body,
            {"text": text},
            [],
            f"report.{reason_policy}.{i}",
            hard_negative=bool(labels),
        )
        draft.extra["target_labels"] = list(labels)
        return [draft]

    # ------------------------------------------------------------------ positive episodes
    def off_platform_seller_chat(self, policy: str) -> list[_Draft]:
        rng = self.rng
        seller = self.people.offender(self.now())
        buyer = self.people.member(self.now())
        item = self.pick_item(seller)
        opener = rng.choice(("ask_available", "offer", "ask_size", "ask_postage"))
        steps = [("b", "", self.say(chat.CLEAN, opener, "clean"))]
        if rng.random() < 0.1:
            number = contacts.phone(rng, seller.locale.english)
            gaps = [k for k, ch in enumerate(number) if ch in " -." and 3 <= k <= len(number) - 3]
            cut = rng.choice(gaps) if gaps else rng.randint(4, len(number) - 4)
            i = rng.randrange(len(chat.OFF_PLATFORM_SPLIT))
            for part in chat.OFF_PLATFORM_SPLIT[i]:
                steps.append(("s", policy, (part, f"{policy}.split.{i}")))
            halves = {"phone_a": number[:cut].strip(" -."), "phone_b": number[cut:].strip(" -.")}
            return self.conversation(steps, buyer, seller, item, None, extra_slots=halves)
        steps.append(
            (
                "s",
                policy,
                self.say(chat.OFF_PLATFORM, rng.choice(("seller_pay", "seller_contact")), policy),
            )
        )
        if rng.random() < 0.45:
            i = rng.randrange(len(chat.OFF_PLATFORM_PUSHBACK))
            steps.append(("b", "", (chat.OFF_PLATFORM_PUSHBACK[i], f"clean.pushback.{i}")))
            if rng.random() < 0.6:
                steps.append(("s", policy, self.say(chat.OFF_PLATFORM, "push", policy)))
        return self.conversation(steps, buyer, seller, item, None, hard_roles="")

    def off_platform_buyer_chat(self, policy: str) -> list[_Draft]:
        seller = self.people.member(self.now())
        buyer = self.people.offender(self.now())
        listing = self.clean_listing_ref()
        if listing:
            seller = listing.seller
        item = listing.item if listing else self.pick_item(seller)
        steps = [("b", policy, self.say(chat.OFF_PLATFORM, "buyer", policy))]
        roles = ""
        if self.rng.random() < 0.4:
            steps.append(("s", "", self.say(chat.HARD_NEGATIVE, "payment_talk", "hard_negative")))
            roles = "s"
        return self.conversation(steps, buyer, seller, item, listing, hard_roles=roles)

    def with_off_platform_line(
        self, seller: Person, description: list[Segment], labels: list[str]
    ) -> None:
        if "off_platform" in self.policies and self.rng.random() < 0.12:
            line = expand(self.rng.choice(cat.OFF_PLATFORM_LINES), self.rng, self.slots(seller))
            description.append(Segment("\n"))
            description.extend(line)
            labels.append("off_platform")

    def off_platform_listing(self, policy: str) -> list[_Draft]:
        rng = self.rng
        seller = self.people.offender(self.now())
        listing = self.item_listing(seller)
        i = rng.randrange(len(cat.OFF_PLATFORM_LINES))
        clean_until = len(listing.description)
        listing.description = [
            *listing.description,
            Segment(rng.choice((" ", "\n", "\n\n"))),
            *expand(cat.OFF_PLATFORM_LINES[i], rng, listing.slots),
        ]
        draft = self.item_draft(0.0, seller, listing, [policy], f"{policy}.listing.{i}")
        draft.extra["clean_until"] = clean_until
        return [draft]

    def off_platform_edit(self, policy: str) -> list[_Draft]:
        """A listing that passed review, then gained contact details in an edit."""
        first = self.off_platform_listing(policy)[0]
        description = first.texts["description"][: first.extra.pop("clean_until")]
        clean = _Draft(
            0.0,
            "listing.created",
            first.actor,
            dict(first.body),
            {"title": first.texts["title"], "description": description},
            [],
            "clean.listing",
        )
        clean.extra["ref"] = first.extra["ref"]
        first.offset = self.delay(3 * 3600, 1.0)
        first.type = "listing.updated"
        first.template = first.template.replace(".listing.", ".edit.")
        return [clean, first]

    def bad_profile(self, policy: str) -> list[_Draft]:
        person = self.people.offender(self.now())
        pool = cat.BIO_POSITIVE[policy]
        i = self.rng.randrange(len(pool))
        return [self.profile_draft(person, pool[i], f"{policy}.bio.{i}", [policy], False)]

    def phishing_chat(self, policy: str) -> list[_Draft]:
        rng = self.rng
        scammer = self.people.offender(self.now())
        listing = self.clean_listing_ref()
        seller = listing.seller if listing else self.people.member(self.now())
        item = listing.item if listing else self.pick_item(seller)
        kind = rng.choices(
            ("fake_paid", "fake_paypal", "fake_support", "fake_courier", "qr", "credential"),
            (0.33, 0.15, 0.2, 0.12, 0.1, 0.1),
        )[0]
        steps: list[tuple[str, str, tuple[str, str]]] = []
        if kind != "fake_support" and rng.random() < 0.6:
            steps.append(("b", "", self.say(chat.CLEAN, "ask_available", "clean")))
            if rng.random() < 0.7:
                steps.append(("s", "", self.say(chat.CLEAN, "reply_available", "clean")))
        steps.append(("b", policy, self.say(chat.PHISHING, kind, policy)))
        if rng.random() < 0.35:
            steps.append(("s", "", self.say(chat.CLEAN, "doubt", "clean")))
        if rng.random() < 0.15 and "off_platform" in self.policies:
            steps.append(
                ("b", "off_platform", self.say(chat.OFF_PLATFORM, "seller_contact", "off_platform"))
            )
        return self.conversation(
            steps, scammer, seller, item, listing if kind != "fake_support" else None
        )

    def counterfeit_chat(self, policy: str) -> list[_Draft]:
        rng = self.rng
        seller = self.people.offender(self.now())
        buyer = self.people.member(self.now())
        item = self.pick_item(seller, ("luxury", "hype"))
        if rng.random() < 0.7:
            steps = [
                ("b", "", self.say(chat.CLEAN, "ask_real", "clean")),
                ("s", policy, self.say(chat.COUNTERFEIT, "admit", policy)),
            ]
        else:
            steps = [("s", policy, self.say(chat.COUNTERFEIT, "pitch", policy))]
        return self.conversation(steps, buyer, seller, item, None)

    def counterfeit_listing(self, policy: str) -> list[_Draft]:
        rng = self.rng
        seller = self.people.offender(self.now())
        kind = rng.choices(("replica", "price_only", "wholesale"), (0.6, 0.27, 0.13))[0]
        item = self.pick_item(seller, ("luxury", "hype"))
        cur = seller.locale.currency
        low, high = (0.08, 0.3) if kind == "wholesale" else (0.04, 0.2)
        price = vocab.round_price(rng, item.fair_gbp * rng.uniform(low, high) * vocab.RATES[cur])
        slots = self.slots(seller, item, price)
        if kind == "replica":
            ti, di = rng.randrange(len(cat.REPLICA_TITLE)), rng.randrange(len(cat.REPLICA_DESC))
            title = expand(cat.REPLICA_TITLE[ti], rng, slots)
            description = expand(cat.REPLICA_DESC[di], rng, slots)
            if rng.random() < 0.5:
                _, extra = self.listing_texts(seller, item, slots)
                description = (
                    [*extra, Segment(" "), *description]
                    if rng.random() < 0.5
                    else [*description, Segment("\n"), *extra]
                )
            template = f"{policy}.replica.{ti}"
        elif kind == "price_only":
            di = rng.randrange(len(cat.PRICE_ONLY_DESC))
            title = expand(rng.choice(cat.TITLE).replace("$brand", "«$brand»"), rng, slots)
            description = expand(cat.PRICE_ONLY_DESC[di], rng, slots)
            template = f"{policy}.price_only.{di}"
        else:
            ti, di = rng.randrange(len(cat.WHOLESALE_TITLE)), rng.randrange(len(cat.WHOLESALE_DESC))
            title = expand(cat.WHOLESALE_TITLE[ti], rng, slots)
            description = expand(cat.WHOLESALE_DESC[di], rng, slots)
            template = f"{policy}.wholesale.{ti}"
        labels = [policy]
        self.with_off_platform_line(seller, description, labels)
        lid = self.next_id("l")
        images = self.images(lid, rng.randint(1, 5))
        if rng.random() < 0.5:
            sha, pdq = rng.choice(KNOWN_FAKE_PHOTOS)
            images[0] = {
                "url": images[0]["url"],
                "sha256": sha,
                "pdq": _flip_bits(rng, pdq, rng.randint(0, 6)),
            }
        listing = _ItemListing(item, price, slots, title, description)
        return [
            self.item_draft(0.0, seller, listing, labels, template, images=images, listing_id=lid)
        ]

    def prohibited_listing(self, policy: str) -> list[_Draft]:
        rng = self.rng
        seller = self.people.offender(self.now())
        kinds = list(cat.PROHIBITED_WEIGHTS)
        kind = rng.choices(kinds, [cat.PROHIBITED_WEIGHTS[k] for k in kinds])[0]
        i = rng.randrange(len(cat.PROHIBITED_ITEMS[kind]))
        title_t, desc_t = cat.PROHIBITED_ITEMS[kind][i]
        price = vocab.round_price(
            rng,
            _PROHIBITED_MEDIAN[kind]
            * math.exp(rng.gauss(0, 0.5))
            * vocab.RATES[seller.locale.currency],
        )
        slots = self.slots(seller, None, price)
        title = expand(title_t, rng, slots)
        description = expand(desc_t, rng, slots)
        if rng.random() < 0.35:
            description.extend(expand(" " + rng.choice(cat.EXTRA_LINE), rng, slots))
        labels = [policy]
        self.with_off_platform_line(seller, description, labels)
        draft = self.listing_draft(
            0.0,
            seller,
            title,
            description,
            item=None,
            category=rng.choice(_PROHIBITED_CATEGORY[kind]),
            brand=None,
            price=price,
            labels=labels,
            template=f"{policy}.{kind}.{i}",
        )
        draft.extra["subcategory"] = kind
        return [draft]

    def prohibited_chat(self, policy: str) -> list[_Draft]:
        seller = self.people.offender(self.now())
        buyer = self.people.member(self.now())
        item = self.pick_item(seller)
        steps = [("s", policy, self.say(chat.PROHIBITED, "offer", policy))]
        return self.conversation(steps, buyer, seller, item, None)

    def spam_blast(self, policy: str) -> list[_Draft]:
        """One account sends the same pitch, lightly edited, to many people within minutes."""
        rng = self.rng
        spammer = self.people.offender(self.now())
        i = rng.randrange(len(chat.SPAM["blast"]))
        template = chat.SPAM["blast"][i]
        drafts = []
        offset = 0.0
        greetings: tuple[str, ...] = ("", "", "hey {$name|babe|hun|lovely}! ", "hi $name ", "Hiii ")
        if template.lower().startswith(("hi", "hey")):
            greetings = ("",)
        for _ in range(rng.randint(4, 14)):
            recipient = self.people.member(self.now())
            slots = self.slots(spammer)
            slots["name"] = recipient.name
            drafts.append(
                self.message(
                    offset,
                    spammer,
                    recipient,
                    self.next_id("c"),
                    (rng.choice(greetings) + template, f"{policy}.blast.{i}"),
                    slots,
                    [policy],
                    first=False,
                )
            )
            offset += rng.uniform(3, 45)
        return drafts

    def stuffed_listing(self, policy: str) -> list[_Draft]:
        rng = self.rng
        seller = self.seller(offender_share=0.5)
        listing = self.item_listing(seller, ("high_street", "mid"))
        words = rng.sample(cat.STUFFING, rng.randint(18, 40))
        hashtag = rng.random() < 0.5
        stuffing = " ".join(("#" + w.replace(" ", "")) if hashtag else w for w in words)
        listing.description.extend((Segment("\n\n"), Segment(stuffing, key=False)))
        if rng.random() < 0.4:
            listing.title.append(Segment(" " + " ".join(words[:5])))
        return [self.item_draft(0.0, seller, listing, [policy], f"{policy}.stuffing")]

    def repeated_listings(self, policy: str) -> list[_Draft]:
        """The same listing posted again and again to stay at the top of search."""
        rng = self.rng
        seller = self.seller(offender_share=0.6)
        listing = self.item_listing(seller)
        images = self.images(self.next_id("img"), rng.randint(1, 4))
        drafts = []
        offset = 0.0
        for copy in range(rng.randint(3, 7)):
            drafts.append(
                self.item_draft(
                    offset,
                    seller,
                    listing,
                    [policy] if copy else [],
                    f"{policy}.repeat" if copy else "clean.listing",
                    images=images,
                )
            )
            offset += rng.uniform(60, 900)
        return drafts

    # ------------------------------------------------------------------ emission
    def finish(self, draft: _Draft, at: datetime) -> dict[str, Any]:
        rng = self.rng
        evasions: list[str] = []
        texts = draft.texts
        if draft.labels and rng.random() < self.evasion_rate:
            texts, evasions = _disguise_fields(rng, texts)
        body = dict(draft.body)
        rendered = {name: "".join(s.text for s in segs).strip() for name, segs in texts.items()}
        key = _BODY[draft.type]
        body.update(rendered)
        if key == "listing":
            body = {
                "id": body.pop("id"),
                "title": body.pop("title"),
                "description": body.pop("description"),
                **body,
            }
        ref = draft.extra.get("ref")
        if isinstance(ref, _ListingRef) and draft.type == "listing.created":
            ref.title, ref.description = rendered["title"], rendered["description"]
            self.listings.append(ref)
        event: dict[str, Any] = {
            "id": "evt_" + _ulid(rng, at),
            "type": draft.type,
            "occurred_at": iso(at),
            "actor": draft.actor.actor(),
            key: body,
        }
        synthetic: dict[str, Any] = {
            "labels": sorted(set(draft.labels)),
            "evasions": evasions,
            "hard_negative": draft.hard_negative,
            "template": draft.template,
        }
        for extra in ("target_labels", "subcategory"):
            if extra in draft.extra:
                synthetic[extra] = draft.extra[extra]
        event["synthetic"] = synthetic
        target_type = {"message": "message", "listing": "listing", "profile": "user"}.get(key)
        if target_type:
            target_id = draft.actor.id if key == "profile" else body["id"]
            self.targets.append((self.clock, target_type, target_id, synthetic["labels"]))
        return event


# Relative activity by UTC hour: quiet nights, a lunchtime bump, busy evenings.
_ACTIVITY = (
    0.45,
    0.3,
    0.2,
    0.15,
    0.15,
    0.2,
    0.35,
    0.6,
    0.8,
    0.9,
    1.0,
    1.05,
    1.15,
    1.1,
    1.0,
    1.0,
    1.05,
    1.2,
    1.45,
    1.65,
    1.75,
    1.6,
    1.2,
    0.75,
)
_BODY = {
    "message.sent": "message",
    "listing.created": "listing",
    "listing.updated": "listing",
    "profile.updated": "profile",
    "report.filed": "report",
}
_PROHIBITED_MEDIAN = {
    "weapons": 25,
    "drugs": 20,
    "alcohol": 30,
    "tobacco_vapes": 15,
    "medicines": 60,
    "wildlife": 150,
    "recalled": 25,
    "adult": 20,
    "hazardous": 25,
}
_PROHIBITED_CATEGORY = {
    "weapons": ("other", "accessories", "sports"),
    "drugs": ("home", "other", "accessories"),
    "alcohol": ("other", "home"),
    "tobacco_vapes": ("other", "electronics"),
    "medicines": ("beauty", "other"),
    "wildlife": ("jewellery", "home", "coats", "accessories"),
    "recalled": ("home", "kids", "electronics", "sports"),
    "adult": ("other", "lingerie"),
    "hazardous": ("other", "home"),
}


def expand(template: str, rng: random.Random, slots: Slots) -> list[Segment]:
    """Expand a template and resolve ``gb~us`` word pairs for the writer's English."""
    english = slots.get("english", "GB")
    assert isinstance(english, str)
    return [
        Segment(vocab.words(english, seg.text), seg.key) if "~" in seg.text else seg
        for seg in expand_template(template, rng, slots)
    ]


def _flip_bits(rng: random.Random, hex_hash: str, count: int) -> str:
    """A near-duplicate perceptual hash: a re-encoded copy of the same photo."""
    value = int(hex_hash, 16)
    for _ in range(count):
        value ^= 1 << rng.randrange(256)
    return f"{value:064x}"


def _disguise_fields(
    rng: random.Random, texts: dict[str, list[Segment]]
) -> tuple[dict[str, list[Segment]], list[str]]:
    names = list(texts)
    flat: list[Segment] = []
    owner: list[str] = []
    for name in names:
        flat.extend(texts[name])
        owner.extend([name] * len(texts[name]))
    mutated, used = disguise(rng, flat)
    out: dict[str, list[Segment]] = {name: [] for name in names}
    for seg, name in zip(mutated, owner, strict=True):
        out[name].append(seg)
    return out, used


def _ulid(rng: random.Random, at: datetime) -> str:
    millis = int(at.timestamp() * 1000)
    time_part = "".join(_CROCKFORD[(millis >> shift) & 31] for shift in range(45, -1, -5))
    return time_part + "".join(_CROCKFORD[rng.getrandbits(5)] for _ in range(16))


def stream(
    *,
    seed: int,
    positive_rate: float = 0.35,
    evasion_rate: float = 0.3,
    start: datetime | None = None,
    policies: tuple[str, ...] | list[str] | None = None,
    hard_negative_rate: float = 0.15,
    mean_gap_seconds: float = 8.0,
) -> Iterator[dict[str, Any]]:
    """An endless, time-ordered stream of labelled synthetic events (deterministic per seed).

    ``mean_gap_seconds`` is the mean time between episodes (a conversation, a listing, a
    spam burst) at average activity; activity follows a daily cycle (quiet nights, busy
    evenings, UTC) and bursts keep their own pace, so the stream has realistic spikes.
    """
    chosen = tuple(POLICIES if policies is None else policies)
    unknown = sorted(set(chosen) - set(POLICIES))
    if unknown:
        raise ConfigError(f"unknown policies {unknown}; choose from {list(POLICIES)}")
    for name, value in (
        ("positive_rate", positive_rate),
        ("evasion_rate", evasion_rate),
        ("hard_negative_rate", hard_negative_rate),
    ):
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{name} must be between 0 and 1, got {value}")
    if mean_gap_seconds <= 0:
        raise ConfigError(f"mean_gap_seconds must be positive, got {mean_gap_seconds}")
    begin = (start or DEFAULT_START).astimezone(UTC)
    rng = random.Random(seed)
    market = _Marketplace(
        rng, positive_rate if chosen else 0.0, evasion_rate, chosen, hard_negative_rate
    )
    heap: list[tuple[float, int, _Draft]] = []
    seq = 0
    next_episode = 0.0
    while True:
        while not heap or heap[0][0] > next_episode:
            market.clock = next_episode
            market.moment = begin + timedelta(seconds=next_episode)
            for draft in market.episode():
                heapq.heappush(heap, (next_episode + draft.offset, seq, draft))
                seq += 1
            hour = (begin + timedelta(seconds=next_episode)).hour
            next_episode += rng.expovariate(_ACTIVITY[hour] / mean_gap_seconds)
        at, _, draft = heapq.heappop(heap)
        market.clock = at
        yield market.finish(draft, begin + timedelta(seconds=round(at, 3)))


def generate(
    n: int,
    *,
    seed: int,
    positive_rate: float = 0.35,
    evasion_rate: float = 0.3,
    start: datetime | None = None,
    policies: tuple[str, ...] | list[str] | None = None,
    hard_negative_rate: float = 0.15,
) -> Iterator[dict[str, Any]]:
    """The first ``n`` events of :func:`stream`: same seed, same events.

    ``positive_rate`` is the share of events that violate a policy; ``evasion_rate`` the
    share of those whose key words get disguised (keyword-stuffed and repeated listings
    have none); ``hard_negative_rate`` the share of clean episodes built to look suspicious.
    """
    if n < 0:
        raise ConfigError(f"n must be zero or more, got {n}")
    events = stream(
        seed=seed,
        positive_rate=positive_rate,
        evasion_rate=evasion_rate,
        start=start,
        policies=policies,
        hard_negative_rate=hard_negative_rate,
    )
    for _ in range(n):
        yield next(events)

"""The synthetic generator: deterministic, valid events with honest, useful ground truth."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from trustwatch.adversarial import MUTATIONS
from trustwatch.errors import ConfigError
from trustwatch.events import parse_event
from trustwatch.synth import KNOWN_FAKE_PHOTOS, POLICIES, generate, stream
from trustwatch.synth.generator import recalled_products
from trustwatch.synth.stats import describe, template_family

N = 4000


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(generate(N, seed=11))


def _texts(event: dict[str, Any]) -> str:
    body = event[event["type"].split(".")[0].replace("user", "profile")]
    return " ".join(str(body.get(k, "")) for k in ("title", "description", "text", "bio"))


def test_same_seed_gives_the_same_events_and_another_seed_does_not() -> None:
    first = list(generate(400, seed=5))
    assert first == list(generate(400, seed=5))
    assert first != list(generate(400, seed=6))


def test_every_event_passes_the_event_contract(sample: list[dict[str, Any]]) -> None:
    for event in sample:
        parsed = parse_event(event)
        assert parsed.model_extra is not None and "synthetic" in parsed.model_extra


def test_positive_share_is_near_the_requested_rate(sample: list[dict[str, Any]]) -> None:
    assert describe(sample).positive_rate == pytest.approx(0.35, abs=0.02)
    for rate in (0.1, 0.6):
        assert describe(generate(1200, seed=2, positive_rate=rate)).positive_rate == pytest.approx(
            rate, abs=0.03
        )


def test_every_policy_is_well_represented_among_positives(sample: list[dict[str, Any]]) -> None:
    summary = describe(sample)
    for policy in POLICIES:
        assert summary.labels[policy] / summary.positives > 0.1, policy


def test_policies_option_limits_the_violations_generated() -> None:
    labels = Counter(
        label
        for event in generate(1000, seed=3, policies=["phishing", "spam"])
        for label in event["synthetic"]["labels"]
    )
    assert set(labels) == {"phishing", "spam"}
    assert not any(e["synthetic"]["labels"] for e in generate(500, seed=3, positive_rate=0.0))


def test_unknown_policies_and_bad_rates_are_refused_with_the_valid_choices() -> None:
    with pytest.raises(ConfigError, match="off_platform"):
        next(generate(1, seed=1, policies=["scams"]))
    with pytest.raises(ConfigError, match="between 0 and 1"):
        next(generate(1, seed=1, positive_rate=1.5))


def test_evasions_come_from_the_adversarial_module_at_about_the_requested_share(
    sample: list[dict[str, Any]],
) -> None:
    summary = describe(sample)
    assert set(summary.evasions) <= set(MUTATIONS)
    assert len(summary.evasions) >= 8
    assert 0.2 < summary.evaded / summary.positives < 0.35
    assert all(not e["synthetic"]["evasions"] for e in sample if not e["synthetic"]["labels"])
    assert not describe(generate(1000, seed=4, evasion_rate=0.0)).evaded


def test_evaded_text_really_is_disguised(sample: list[dict[str, Any]]) -> None:
    evaded = [e for e in sample if set(e["synthetic"]["evasions"]) & {"homoglyph", "zero_width"}]
    assert evaded
    assert all(
        any(ord(ch) > 0x2000 or 0x370 <= ord(ch) < 0x530 for ch in _texts(e)) for e in evaded
    )


def test_hard_negatives_are_clean_and_contain_the_known_collisions(
    sample: list[dict[str, Any]],
) -> None:
    hard = [e for e in sample if e["synthetic"]["hard_negative"]]
    assert len(hard) / len(sample) > 0.04
    assert all(not e["synthetic"]["labels"] for e in hard)
    text = " ".join(_texts(e).lower() for e in hard)
    for phrase in ("paypal", "depop.com", "receipt", "royal mail"):
        assert phrase in text, phrase
    collisions = ("bomber", "knife pleat", "killer heels", "gunmetal", "ivory", "faux fur", "70s")
    assert sum(phrase in text for phrase in collisions) >= 4


def test_text_lengths_look_like_real_chat_and_listings(sample: list[dict[str, Any]]) -> None:
    summary = describe(sample)
    messages = summary.lengths["message.text"]
    assert 20 <= statistics.median(messages) <= 60
    assert summary.length_quantiles("message.text")["p90"] < 150
    assert 0.01 < sum(n > 150 for n in messages) / len(messages) < 0.1
    assert 60 <= statistics.median(summary.lengths["listing.description"]) <= 300
    assert max(summary.lengths["listing.title"]) < 160


def test_events_are_in_time_order_and_accounts_predate_their_events(
    sample: list[dict[str, Any]],
) -> None:
    times = [e["occurred_at"] for e in sample]
    assert times == sorted(times)
    assert all(e["actor"]["created_at"] <= e["occurred_at"] for e in sample)


def test_violating_accounts_are_mostly_new(sample: list[dict[str, Any]]) -> None:
    def age_days(event: dict[str, Any]) -> float:
        made = datetime.fromisoformat(event["actor"]["created_at"])
        return (datetime.fromisoformat(event["occurred_at"]) - made).total_seconds() / 86400

    bad = [age_days(e) for e in sample if e["synthetic"]["labels"]]
    good = [age_days(e) for e in sample if not e["synthetic"]["labels"]]
    assert statistics.median(bad) < 14 < statistics.median(good)


def test_messages_go_to_someone_else_and_reports_point_at_earlier_items(
    sample: list[dict[str, Any]],
) -> None:
    seen: set[str] = set()
    for event in sample:
        if event["type"] == "message.sent":
            assert event["message"]["recipient_id"] != event["actor"]["id"]
            seen.add(event["message"]["id"])
        elif event["type"].startswith("listing"):
            seen.add(event["listing"]["id"])
        elif event["type"] == "profile.updated":
            seen.add(event["actor"]["id"])
        else:
            assert event["report"]["target_id"] in seen
            assert "target_labels" in event["synthetic"]


def test_stream_has_spam_bursts_from_one_account(sample: list[dict[str, Any]]) -> None:
    blasts: dict[str, list[str]] = defaultdict(list)
    for event in sample:
        if event["synthetic"]["template"].startswith("spam.blast"):
            blasts[event["actor"]["id"]].append(event["message"]["recipient_id"])
    assert max(len(set(recipients)) for recipients in blasts.values()) >= 5


def test_counterfeits_reuse_known_stock_photos_and_recalls_use_real_names(
    sample: list[dict[str, Any]],
) -> None:
    fakes = {sha for sha, _ in KNOWN_FAKE_PHOTOS}
    listings = [e for e in sample if e["type"] == "listing.created"]
    reused = [e for e in listings if any(i["sha256"] in fakes for i in e["listing"]["images"])]
    assert reused and all("counterfeit" in e["synthetic"]["labels"] for e in reused)
    recalled = [e for e in listings if e["synthetic"].get("subcategory") == "recalled"]
    names = set(recalled_products())
    assert recalled and any(any(n in e["listing"]["title"] for n in names) for e in recalled)


def test_stream_runs_on_with_increasing_time_from_its_start() -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    events = list(itertools.islice(stream(seed=9, start=start), 1000))
    stamps = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert stamps[0] >= start and stamps == sorted(stamps) and stamps[-1] > stamps[0]


def test_prices_follow_brand_tiers_and_counterfeits_are_impossibly_cheap(
    sample: list[dict[str, Any]],
) -> None:
    from trustwatch.synth.vocab import BRANDS, RATES

    tier = {b.name: b.tier for b in BRANDS}
    gbp: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for event in sample:
        listing = event.get("listing")
        if event["type"] != "listing.created" or listing.get("brand") not in tier:
            continue
        fake = "counterfeit" in event["synthetic"]["labels"]
        price = listing["price"]["amount"] / RATES[listing["price"]["currency"]]
        gbp[(tier[listing["brand"]], fake)].append(price)
    clean_lux = statistics.median(gbp[("luxury", False)])
    assert clean_lux > 10 * statistics.median(gbp[("high_street", False)])
    assert statistics.median(gbp[("luxury", True)]) < clean_lux / 4


def test_conversations_stay_between_two_people(sample: list[dict[str, Any]]) -> None:
    people: dict[str, set[str]] = defaultdict(set)
    for event in sample:
        if event["type"] == "message.sent":
            message = event["message"]
            people[message["conversation_id"]] |= {event["actor"]["id"], message["recipient_id"]}
    assert all(len(members) == 2 for members in people.values())
    assert sum(1 for e in sample if e["type"] == "message.sent") > 1.5 * len(people)


def test_template_families_group_expansions_of_one_template(sample: list[dict[str, Any]]) -> None:
    assert template_family("off_platform.seller_pay.3") == "off_platform.seller_pay"
    assert template_family("spam.stuffing") == "spam.stuffing"
    families = describe(sample).families
    assert len(families) >= 60
    assert sum(1 for f in families if not f.startswith(("clean", "hard_negative", "report"))) >= 30

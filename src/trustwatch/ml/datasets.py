"""Loaders for the public datasets, labelled event files and review labels.

Every loader deduplicates exact repeats (dropping texts whose repeats disagree on the
label), groups near-duplicates, and splits by a hash of the group so a template never
straddles train and test and the split is the same on every machine.
"""

from __future__ import annotations

import csv
import email
import email.policy
import gzip
import hashlib
import html
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from trustwatch.errors import ConfigError

Split = Literal["train", "val", "test"]
SPLITS: tuple[Split, ...] = ("train", "val", "test")
# Percent of groups in each split, by a stable hash of the group key.
TEST_PCT = 20
VAL_PCT = 10

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text. ``kind`` says which event it becomes (message text or a URL)."""

    text: str
    label: str
    group: str
    split: Split
    source: str
    kind: Literal["text", "url", "listing"] = "text"


@dataclass
class Dataset:
    name: str
    examples: list[Example]
    labels: tuple[str, ...]
    dropped_duplicates: int = 0
    dropped_conflicts: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    def split(self, which: Split | Iterable[Split]) -> list[Example]:
        wanted = {which} if isinstance(which, str) else set(which)
        return [e for e in self.examples if e.split in wanted]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for e in self.examples:
            out.setdefault(e.split, {}).setdefault(e.label, 0)
            out[e.split][e.label] += 1
        return out


def data_dir() -> Path:
    """``TRUSTWATCH_DATA_DIR`` or ``../shared/data`` next to the repository."""
    configured = os.environ.get("TRUSTWATCH_DATA_DIR")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    _refuse_holdout(path)
    return path


def _refuse_holdout(path: Path) -> None:
    if "holdout" in path.resolve().parts:
        raise ConfigError(
            f"{path}: the holdout set is sealed; point TRUSTWATCH_DATA_DIR at shared/data"
        )


_WS = re.compile(r"\s+")
_NON_LETTER = re.compile(r"[^a-z]+")
_DIGIT = re.compile(r"\d")


def exact_key(text: str) -> str:
    return _WS.sub(" ", text.casefold()).strip()


def skeleton(text: str) -> str:
    """Letters only, lower case: numbers, names' punctuation and spacing stop mattering."""
    return _NON_LETTER.sub("", _DIGIT.sub("", text.casefold()))


def split_of(group: str) -> Split:
    bucket = int(hashlib.sha1(group.encode()).hexdigest()[:8], 16) % 100
    if bucket < TEST_PCT:
        return "test"
    if bucket < TEST_PCT + VAL_PCT:
        return "val"
    return "train"


def group_key(text: str, prefix: int = 50) -> str:
    """Near-duplicate group: the first ``prefix`` letters of the skeleton.

    One key per text and no dataset in it, so a message that two datasets share lands
    in the same split in both.
    """
    sk = skeleton(text) or exact_key(text)
    return hashlib.sha1(sk[:prefix].encode()).hexdigest()[:16]


def build(
    name: str,
    rows: Iterable[tuple[str, str]],
    *,
    kind: Literal["text", "url", "listing"] = "text",
) -> Dataset:
    """Deduplicate ``(text, label)`` rows, group near-duplicates and split by group."""
    labels_by_key: dict[str, set[str]] = {}
    first_text: dict[str, str] = {}
    total = 0
    for text, label in rows:
        total += 1
        key = exact_key(text)
        if not key:
            continue
        labels_by_key.setdefault(key, set()).add(label)
        first_text.setdefault(key, text)
    conflicts = [k for k, labels in labels_by_key.items() if len(labels) > 1]
    kept = [(first_text[k], next(iter(v))) for k, v in labels_by_key.items() if len(v) == 1]
    groups = [group_key(t) for t, _ in kept]
    examples = [
        Example(text, label, g, split_of(g), name, kind)
        for (text, label), g in zip(kept, groups, strict=True)
    ]
    return Dataset(
        name=name,
        examples=examples,
        labels=tuple(sorted({e.label for e in examples})),
        dropped_duplicates=total - len(labels_by_key),
        dropped_conflicts=len(conflicts),
        stats={"rows": total, "groups": len(set(groups))},
    )


def _sms_spam_uci(root: Path) -> Dataset:
    path = root / "sms_spam_uci" / "SMSSpamCollection"
    rows = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            label, _, text = line.rstrip("\n").partition("\t")
            if text:
                rows.append((text, label.strip().lower()))
    return build("sms_spam_uci", rows)


def _sms_phishing_mendeley(root: Path) -> Dataset:
    path = root / "sms_phishing_mendeley" / "Dataset_5971.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = [(r["TEXT"], r["LABEL"].strip().lower()) for r in csv.DictReader(fh)]
    return build("sms_phishing_mendeley", rows)


def _youtube_spam_uci(root: Path) -> Dataset:
    rows = []
    for path in sorted((root / "youtube_spam_uci").glob("Youtube0*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            for r in csv.DictReader(fh):
                rows.append((r["CONTENT"], "spam" if r["CLASS"].strip() == "1" else "ham"))
    return build("youtube_spam_uci", rows)


_TAG = re.compile(r"<[^>]+>")


def email_text(raw: str, max_chars: int = 4000) -> str:
    """Subject plus the readable body of a raw mail, headers dropped (they leak the label)."""
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    parts: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            body = payload.decode(part.get_content_charset() or "latin-1", errors="replace")
        except LookupError:
            body = payload.decode("latin-1")
        if ctype == "text/html":
            body = html.unescape(_TAG.sub(" ", body))
        parts.append(body)
    body = _WS.sub(" ", " ".join(parts)).strip()
    subject = _WS.sub(" ", str(msg.get("Subject", "") or "")).strip()
    return f"{subject}\n{body}"[:max_chars]


def _email_spamassassin(root: Path) -> Dataset:
    path = root / "email_spamassassin" / "spamassassin.csv.gz"
    csv.field_size_limit(1 << 26)
    with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        rows = [(email_text(r["text"]), r["label"].strip().lower()) for r in csv.DictReader(fh)]
    return build("email_spamassassin", rows)


def _phishing_urls_hannousse(root: Path) -> Dataset:
    path = root / "phishing_urls_hannousse" / "dataset_phishing.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = [(r["url"].strip(), r["status"].strip().lower()) for r in csv.DictReader(fh)]
    return _build_urls("phishing_urls_hannousse", rows)


def _build_urls(name: str, rows: list[tuple[str, str]]) -> Dataset:
    """URLs are grouped by host, so one site's pages never straddle the split."""
    seen: dict[str, set[str]] = {}
    first: dict[str, str] = {}
    for url, label in rows:
        seen.setdefault(url, set()).add(label)
        first.setdefault(url, url)
    examples = []
    for url, labels in seen.items():
        if len(labels) != 1:
            continue
        host = re.sub(r"^[a-z]+://", "", url.lower()).split("/")[0].split(":")[0]
        host = host.removeprefix("www.")
        examples.append(Example(url, next(iter(labels)), host, split_of(host), name, "url"))
    return Dataset(
        name=name,
        examples=examples,
        labels=tuple(sorted({e.label for e in examples})),
        dropped_duplicates=len(rows) - len(seen),
        dropped_conflicts=sum(1 for v in seen.values() if len(v) > 1),
        stats={"rows": len(rows), "groups": len({e.group for e in examples})},
    )


def _toxic_davidson(root: Path) -> Dataset:
    path = root / "toxic_davidson" / "labeled_data.csv"
    names = {"0": "hate", "1": "offensive", "2": "neither"}
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = [(r["tweet"], names[r["class"].strip()]) for r in csv.DictReader(fh)]
    return build("toxic_davidson", rows)


def _cpsc_recalls(root: Path) -> Dataset:
    """Recalled products (positives only): titles become listing probes."""
    path = root / "cpsc_recalls" / "cpsc_recalls.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = [(r["title"], "recalled") for r in csv.DictReader(fh) if r.get("title")]
    return build("cpsc_recalls", rows, kind="listing")


SYNTH_EVENTS = 6000
SYNTH_SEED = 20261122


def _synth_marketplace(_root: Path) -> Dataset:
    """SYNTHETIC marketplace messages and listings from ``trustwatch.synth``.

    Labels are the policies violated joined by ``+`` (``clean`` when none). Grouped and
    split by template, so test texts come from templates never trained on.
    """
    from trustwatch.synth import generate

    examples: list[Example] = []
    seen: set[str] = set()
    dropped = 0
    for event in generate(SYNTH_EVENTS, seed=SYNTH_SEED, positive_rate=0.4):
        text, kind = event_text(event)
        key = exact_key(text)
        if not key or key in seen or event.get("type") == "report.filed":
            dropped += 1
            continue
        seen.add(key)
        truth = event["synthetic"]
        label = "+".join(sorted(truth["labels"])) or "clean"
        template = str(truth.get("template", ""))
        examples.append(
            Example(text, label, template, split_of(template), "synth_marketplace", kind)
        )
    return Dataset(
        name="synth_marketplace",
        examples=examples,
        labels=tuple(sorted({e.label for e in examples})),
        dropped_duplicates=dropped,
        stats={"rows": SYNTH_EVENTS, "groups": len({e.group for e in examples}), "synthetic": 1},
    )


LOADERS: dict[str, Callable[[Path], Dataset]] = {
    "sms_spam_uci": _sms_spam_uci,
    "sms_phishing_mendeley": _sms_phishing_mendeley,
    "youtube_spam_uci": _youtube_spam_uci,
    "email_spamassassin": _email_spamassassin,
    "phishing_urls_hannousse": _phishing_urls_hannousse,
    "toxic_davidson": _toxic_davidson,
    "cpsc_recalls": _cpsc_recalls,
    "synth_marketplace": _synth_marketplace,
}

_CACHE: dict[tuple[str, str], Dataset] = {}


def load(name: str, root: Path | None = None) -> Dataset:
    """Load one public dataset by its folder name (cached per process)."""
    if name not in LOADERS:
        raise ConfigError(f"unknown dataset {name!r}; one of {', '.join(sorted(LOADERS))}")
    base = root if root is not None else data_dir()
    _refuse_holdout(base)
    key = (name, str(base))
    if key not in _CACHE:
        if name != "synth_marketplace" and not (base / name).is_dir():
            raise ConfigError(f"{base / name}: dataset folder not found; set TRUSTWATCH_DATA_DIR")
        _CACHE[key] = LOADERS[name](base)
    return _CACHE[key]


def event_text(event: dict[str, Any]) -> tuple[str, Literal["text", "url", "listing"]]:
    """The text a labelled event contributes: message text, or listing title + description."""
    if isinstance(event.get("message"), dict):
        return str(event["message"].get("text", "")), "text"
    listing = event.get("listing")
    if isinstance(listing, dict):
        return f"{listing.get('title', '')}\n{listing.get('description', '')}", "listing"
    profile = event.get("profile")
    if isinstance(profile, dict):
        return str(profile.get("bio", "")), "text"
    return "", "text"


def event_labels(event: dict[str, Any]) -> list[str] | None:
    """The policies a labelled event violates: ``labels`` or ``synthetic.labels``."""
    for holder in (event, event.get("synthetic") or {}):
        if isinstance(holder, dict) and isinstance(holder.get("labels"), list):
            return [str(x) for x in holder["labels"]]
    return None


def load_events(path: Path | Iterable[dict[str, Any]], name: str, policy: str) -> Dataset:
    """Labelled event JSONL as a binary dataset for ``policy`` (label ``policy`` or ``clean``).

    Events without labels are skipped; labels are a list of the policies the event violates.
    """
    events: Iterable[dict[str, Any]]
    if isinstance(path, Path):
        _refuse_holdout(path)
        events = _read_jsonl(path)
    else:
        events = path
    rows: list[tuple[str, str]] = []
    kinds: Counter[str] = Counter()
    for event in events:
        labels = event_labels(event)
        text, kind = event_text(event)
        if labels is None or not text.strip():
            continue
        kinds[kind] += 1
        rows.append((text, policy if policy in labels else "clean"))
    kind_of = kinds.most_common(1)[0][0] if kinds else "text"
    return build(name, rows, kind="listing" if kind_of == "listing" else "text")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_review_labels(rows: Iterable[dict[str, Any]], name: str, policy: str) -> Dataset:
    """Review-console decisions (``{"event": {...}, "policy": p, "decision": "confirm"|...}``).

    A reviewer's ``confirm`` makes the event a positive for its policy; ``dismiss`` a negative.
    """
    out: list[dict[str, Any]] = []
    for row in rows:
        if row.get("policy") != policy or not isinstance(row.get("event"), dict):
            continue
        decision = str(row.get("decision", "")).lower()
        if decision not in ("confirm", "dismiss"):
            continue
        event = dict(row["event"])
        event["labels"] = [policy] if decision == "confirm" else []
        out.append(event)
    return load_events(out, name, policy)


def labelled_targets(event: dict[str, Any], policies: Iterable[str]) -> dict[str, int]:
    """What a labelled event says per policy: a review decision (``label``: one policy,
    ``value`` 0 or 1, as ``trustwatch labels export`` writes it) or ``labels`` (the policies
    it violates; every other policy of the pack is a negative)."""
    policies = list(policies)
    label = event.get("label")
    if isinstance(label, dict) and label.get("policy") in policies:
        return {str(label["policy"]): int(bool(label.get("value")))}
    found = event_labels(event)
    if found is None:
        return {}
    return {p: int(p in found) for p in policies}


def review_examples(events: Iterable[dict[str, Any]], policy: str) -> list[tuple[Example, int]]:
    """Labelled events for ``policy`` as training examples (label 1 violation, 0 not)."""
    out: list[tuple[Example, int]] = []
    for event in events:
        target = labelled_targets(event, [policy]).get(policy)
        text, kind = event_text(event)
        if target is None or not text.strip():
            continue
        group = group_key(text)
        out.append(
            (Example(text, policy if target else "clean", group, "train", "labels", kind), target)
        )
    return out

"""The service's use cases. HTTP handlers stay thin and call these; every use case checks
the caller's scope in one place (``_authorize``) before doing anything.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import Field, TypeAdapter
from sqlalchemy import text

from trustwatch.api.auth import Authenticator, Principal
from trustwatch.api.packs import as_shadow, pack_from_yaml
from trustwatch.api.problems import Problem
from trustwatch.api.writer import VerdictWriter, WriterFullError
from trustwatch.counters import CounterStore, InMemoryCounters
from trustwatch.enforcement import EnforcementAction, actions_for
from trustwatch.engine import Engine
from trustwatch.errors import InvalidEventError, PackErrors
from trustwatch.events import Event, parse_event
from trustwatch.observability import (
    EVENTS_ACCEPTED,
    REJECTED,
    observe_verdict,
    span,
    watch_engine,
)
from trustwatch.policy.pack import Pack, load_pack
from trustwatch.settings import Settings
from trustwatch.store.sql import (
    EntityKind,
    PackVersion,
    Recorded,
    SqlStore,
    StoreConflictError,
    StoreNotFoundError,
)
from trustwatch.verdicts import Mode, Verdict

log = logging.getLogger(__name__)

# Largest integer column value on every backend (PostgreSQL INTEGER).
MAX_INT = 2**31 - 1

# The one table of who may do what; ``admin`` may do everything.
REQUIRED_SCOPE: dict[str, str] = {
    "check": "check",
    "ingest": "ingest",
    "read_verdict": "read",
    "read_history": "read",
    "list_packs": "read",
    "get_pack": "read",
    "validate_pack": "read",
    "upload_pack": "admin",
    "promote_pack": "admin",
    "read_audit": "admin",
}


@dataclass(frozen=True)
class LivePack:
    engine: Engine
    ref: str
    origin: str


class CheckResponse(Verdict):
    """The verdict plus the enforcement the marketplace should carry out."""

    enforcement: list[EnforcementAction] = Field(default_factory=list)


class TrustService:
    """Holds the live engine, the store, the verdict writer and the bus producer."""

    def __init__(self, settings: Settings, store: SqlStore | None = None) -> None:
        self.settings = settings
        if store is None and settings.store_url.startswith("sqlite:///"):
            settings.ensure_data_dir()
        self.store = store or SqlStore(settings.store_url)
        self.authenticator = Authenticator(
            self.store.find_api_key,
            ttl_s=settings.key_cache_ttl_s,
            rate_per_s=settings.rate_limit_per_s,
            burst=settings.rate_limit_burst,
        )
        self.writer = VerdictWriter(
            self.store,
            batch_max=settings.store_batch_max,
            batch_wait_ms=settings.store_batch_wait_ms,
        )
        self._pack_lock = threading.Lock()
        # Velocity counts outlive pack promotions: every live API engine shares these.
        self._api_counters = self.counters()
        self.live = self._initial_live()
        watch_engine("api", lambda: self.live.engine)
        self.writer.shadow_engines = self._stored_shadow_engines()
        # Called with a fresh engine whenever a pack is promoted (the embedded worker listens).
        self.engine_listeners: list[Callable[[Callable[[], Engine]], None]] = []
        self._bus: Any = None
        self._producer: Any = None
        self._bus_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self.store.start_checkpointer()
        self.writer.start()

    def stop(self) -> None:
        self.writer.stop()
        self.store.stop_checkpointer()
        if self._producer is not None:
            self._producer.close()
        if self._bus is not None:
            self._bus.close()

    def bus_url(self) -> str:
        if self.settings.bus_url:
            return self.settings.bus_url
        return f"sqlite:///{self.settings.ensure_data_dir() / 'bus.db'}"

    def open_bus(self) -> Any:
        """The bus, opened on first use (POST /v1/events, the embedded worker)."""
        with self._bus_lock:
            if self._bus is None:
                from trustwatch.stream.bus import open_bus

                bus = open_bus(self.bus_url())
                bus.ensure_topics()
                self._bus = bus
            return self._bus

    def _producer_for(self) -> Any:
        bus = self.open_bus()
        with self._bus_lock:
            if self._producer is None:
                self._producer = bus.producer()
            return self._producer

    # -- engines and packs ----------------------------------------------------------------

    def counters(self) -> CounterStore:
        if self.settings.redis_url:
            from trustwatch.stream.redis_counters import RedisCounters

            return RedisCounters.from_url(self.settings.redis_url)
        return InMemoryCounters()

    def _engine(self, pack: Pack, counters: CounterStore | None = None) -> Engine:
        if "marketplace_domains" in self.settings.model_fields_set:
            pack = pack.model_copy(
                update={
                    "settings": pack.settings.model_copy(
                        update={"marketplace_domains": list(self.settings.marketplace_domains)}
                    )
                }
            )
        return Engine(pack, counters=counters or self.counters(), mode=Mode.LIVE)

    def _initial_live(self) -> LivePack:
        promoted = self.store.live_pack_version()
        if promoted is not None:
            pack = pack_from_yaml(promoted.yaml).pack
            return LivePack(self._engine(pack, self._api_counters), pack.ref, "uploaded")
        loaded = load_pack(self.settings.pack_dir)
        origin = "builtin" if self.settings.pack_dir is None else str(self.settings.pack_dir)
        return LivePack(self._engine(loaded.pack, self._api_counters), loaded.pack.ref, origin)

    def _stored_shadow_engines(self) -> tuple[Engine, ...]:
        engines = []
        for version in self.store.shadow_pack_versions():
            try:
                engines.append(self._engine(as_shadow(pack_from_yaml(version.yaml).pack)))
            except PackErrors as exc:
                # A shadow version that no longer loads (a detector was removed) must not
                # keep the service from starting; it is skipped until fixed or replaced.
                log.error("shadow pack %s no longer loads, skipped: %s", version.ref, exc)
        return tuple(engines)

    def live_engine_factory(self) -> Engine:
        """A new engine for the live pack (one per thread: engines are not shared)."""
        return self._engine(self.live.engine.pack)

    # -- authorization: the one place ------------------------------------------------------

    def authenticate(self, authorization: str | None, api_key: str | None) -> Principal:
        return self.authenticator.authenticate(authorization, api_key)

    def _authorize(self, principal: Principal, use_case: str) -> None:
        scope = REQUIRED_SCOPE[use_case]
        if scope not in principal.scopes and "admin" not in principal.scopes:
            raise Problem(
                403,
                "Missing scope",
                f"this needs the `{scope}` scope; key {principal.key_id} has "
                f"{', '.join(sorted(principal.scopes)) or 'none'}",
            )

    # -- deciding ---------------------------------------------------------------------------

    async def check(self, principal: Principal, body: bytes) -> bytes:
        """Decide one event now; answer once its verdict is stored (unless configured not to)."""
        self._authorize(principal, "check")
        event = _parse(body, "check")
        with span("trustwatch.check", event_type=event.type):
            verdict = self.live.engine.evaluate(event)
            actions = actions_for(event, verdict)
        observe_verdict("api", verdict, actions)
        if self.settings.log_message_text:
            log.info(
                "verdict",
                extra={"event_id": event.id, "action": verdict.action.value, **event.text_fields()},
            )
        elif log.isEnabledFor(logging.DEBUG):
            log.debug("verdict", extra={"event_id": event.id, "action": verdict.action.value})
        # Serialised once: the store keeps this text and the reply is built around it.
        verdict_json = verdict.model_dump_json()
        item = Recorded(event, verdict, actions, verdict_json)
        try:
            if self.settings.check_wait_for_store:
                fresh = await self.writer.commit(item)
            else:
                self.writer.submit(item)
                fresh = True
        except WriterFullError:
            raise Problem(
                503,
                "Store overloaded",
                "verdicts are arriving faster than the store can write them; retry shortly",
                headers={"Retry-After": "1"},
            ) from None
        if not fresh:
            # The event id was decided before: answer with the stored verdict, not a new one.
            stored = self.store.get_verdict(event.id)
            if stored is not None:
                verdict_json, actions = stored.model_dump_json(), actions_for(event, stored)
        return check_response(verdict_json, actions)

    def ingest(self, principal: Principal, body: bytes) -> dict[str, Any]:
        """Validate events and put them on the bus for the worker; nothing is decided here."""
        self._authorize(principal, "ingest")
        raw = _json(body, "ingest")
        if isinstance(raw, dict) and isinstance(raw.get("events"), list):
            raw = raw["events"]
        batch = raw if isinstance(raw, list) else [raw]
        if not batch:
            raise Problem(422, "Empty batch", "send one event or a non-empty list of events")
        if len(batch) > self.settings.max_batch_events:
            raise Problem(
                413,
                "Batch too large",
                f"{len(batch)} events in one request; the limit is "
                f"{self.settings.max_batch_events} (TRUSTWATCH_MAX_BATCH_EVENTS)",
            )
        events: list[Event] = []
        errors: list[dict[str, Any]] = []
        for i, item in enumerate(batch):
            try:
                events.append(parse_event(item))
            except InvalidEventError as exc:
                errors.append({"index": i, "message": exc.reason})
        if errors:
            REJECTED.labels("ingest").inc(len(errors))
            raise Problem(
                422,
                "Invalid events",
                f"{len(errors)} of {len(batch)} events are invalid (first: index "
                f"{errors[0]['index']}: {errors[0]['message']}); nothing was accepted",
                kind="invalid-event",
                errors=errors,
            )
        from trustwatch.stream.bus import OutRecord

        topic = self.open_bus().topics.events
        records = [
            OutRecord(topic, ev.actor.id, json.dumps(item, separators=(",", ":")).encode())
            for ev, item in zip(events, batch, strict=True)
        ]
        try:
            self._producer_for().send(records)
        except Exception as exc:
            log.warning("the bus refused %d events: %s", len(records), exc)
            raise Problem(
                503,
                "Bus unavailable",
                "the event bus did not accept the events; retry with backoff",
                headers={"Retry-After": "1"},
            ) from None
        EVENTS_ACCEPTED.inc(len(records))
        return {"accepted": len(events), "ids": [ev.id for ev in events]}

    # -- reading ----------------------------------------------------------------------------

    def verdict(self, principal: Principal, event_id: str) -> dict[str, Any]:
        self._authorize(principal, "read_verdict")
        verdict = self.store.get_verdict(event_id)
        if verdict is None:
            raise Problem(
                404,
                "No verdict",
                f"no verdict for event {event_id!r} yet; events sent to /v1/events are "
                "decided by the worker within moments",
            )
        out = verdict.model_dump(mode="json")
        out["shadow"] = [v.model_dump(mode="json") for v in self.store.shadow_verdicts(event_id)]
        return out

    def history(
        self, principal: Principal, kind: EntityKind, entity_id: str, limit: int
    ) -> dict[str, Any]:
        self._authorize(principal, "read_history")
        found = self.store.entity_history(kind, entity_id, limit=limit)
        return {
            "kind": found.kind,
            "id": found.entity_id,
            "verdicts": [
                {
                    "event_id": v.event_id,
                    "event_type": v.event_type,
                    "occurred_at": v.occurred_at.isoformat(),
                    "verdict": v.verdict.model_dump(mode="json"),
                }
                for v in found.verdicts
            ],
            "actions": [a.model_dump(mode="json") for a in found.actions],
        }

    # -- policy packs -----------------------------------------------------------------------

    def list_packs(self, principal: Principal) -> dict[str, Any]:
        self._authorize(principal, "list_packs")
        return {
            "live": {"ref": self.live.ref, "origin": self.live.origin},
            "shadow": [e.pack.ref for e in self.writer.shadow_engines],
            "versions": [_pack_summary(v) for v in self.store.list_pack_versions()],
        }

    def get_pack(self, principal: Principal, pack: str, version: int) -> dict[str, Any]:
        self._authorize(principal, "get_pack")
        found = self.store.get_pack_version(pack, version)
        if found is None:
            raise Problem(404, "No such pack version", f"no uploaded pack version {pack}@{version}")
        return {**_pack_summary(found), "yaml": found.yaml}

    def validate_pack(self, principal: Principal, yaml_text: str) -> dict[str, Any]:
        self._authorize(principal, "validate_pack")
        pack = _valid_pack(yaml_text)
        return {"valid": True, "ref": pack.ref, "policies": sorted(pack.policies)}

    def upload_pack(self, principal: Principal, yaml_text: str) -> dict[str, Any]:
        """Store a new pack version; it runs in shadow mode until promoted."""
        self._authorize(principal, "upload_pack")
        pack = _valid_pack(yaml_text)
        if pack.version > MAX_INT:
            raise Problem(422, "Invalid policy pack", f"version must be at most {MAX_INT}")
        live = self.live.engine.pack
        if pack.pack == live.pack and pack.version <= live.version:
            raise Problem(
                409,
                "Version not newer",
                f"{pack.ref} is not newer than the live {live.ref}; raise `version` and upload",
            )
        try:
            stored = self.store.add_pack_version(
                pack.pack, pack.version, yaml_text, actor=principal.actor
            )
        except StoreConflictError as exc:
            raise Problem(409, "Pack version exists", str(exc)) from None
        with self._pack_lock:
            self.writer.shadow_engines = (
                *self.writer.shadow_engines,
                self._engine(as_shadow(pack)),
            )
        log.info("pack uploaded in shadow mode", extra={"pack": pack.ref})
        return _pack_summary(stored)

    def promote_pack(self, principal: Principal, pack: str, version: int) -> dict[str, Any]:
        """Make an uploaded version live: the engine is swapped in one assignment."""
        self._authorize(principal, "promote_pack")
        found = self.store.get_pack_version(pack, version)
        if found is None:
            raise Problem(404, "No such pack version", f"no uploaded pack version {pack}@{version}")
        loaded = _valid_pack(found.yaml)
        engine = self._engine(loaded, self._api_counters)
        with self._pack_lock:
            try:
                promoted = self.store.promote_pack_version(pack, version, actor=principal.actor)
            except StoreNotFoundError as exc:
                raise Problem(404, "No such pack version", str(exc)) from None
            self.live = LivePack(engine, loaded.ref, "uploaded")
            self.writer.shadow_engines = tuple(
                e for e in self.writer.shadow_engines if e.pack.ref != loaded.ref
            )
        for listener in self.engine_listeners:
            listener(self.live_engine_factory)
        log.info("pack promoted", extra={"pack": loaded.ref})
        return _pack_summary(promoted)

    # -- audit ------------------------------------------------------------------------------

    def audit_log(self, principal: Principal, after: int, limit: int) -> dict[str, Any]:
        self._authorize(principal, "read_audit")
        entries = self.store.audit_entries(after_seq=after, limit=limit)
        return {
            "entries": [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "details": e.details,
                    "hash": e.hash,
                }
                for e in entries
            ]
        }

    def verify_audit(self, principal: Principal) -> dict[str, Any]:
        self._authorize(principal, "read_audit")
        check = self.store.verify_audit_chain()
        return {
            "ok": check.ok,
            "checked": check.checked,
            "first_bad_seq": check.first_bad_seq,
            "reason": check.reason,
        }

    # -- health -----------------------------------------------------------------------------

    def readiness(self) -> dict[str, Any]:
        checks: dict[str, str] = {}
        try:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["store"] = "ok"
        except Exception as exc:
            checks["store"] = f"unreachable: {type(exc).__name__}"
        checks["pack"] = self.live.ref
        return {"ready": checks["store"] == "ok", "checks": checks}


_ACTIONS = TypeAdapter(list[EnforcementAction])


def check_response(verdict_json: str, actions: list[EnforcementAction]) -> bytes:
    """A ``CheckResponse``'s JSON: the verdict's own JSON with ``enforcement`` added last
    (where the model puts it), so the verdict is serialised once for store and reply."""
    return b"".join(
        (verdict_json[:-1].encode(), b',"enforcement":', _ACTIONS.dump_json(actions), b"}")
    )


def _json(body: bytes, entry: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        REJECTED.labels(entry).inc()
        raise Problem(
            422, "Invalid JSON", f"the body is not valid JSON: {exc}", kind="invalid-event"
        ) from None


def _parse(body: bytes, entry: str) -> Event:
    raw = _json(body, entry)
    try:
        return parse_event(raw)
    except InvalidEventError as exc:
        REJECTED.labels(entry).inc()
        raise Problem(422, "Invalid event", exc.reason, kind="invalid-event") from None


def _valid_pack(yaml_text: str) -> Pack:
    try:
        return pack_from_yaml(yaml_text).pack
    except PackErrors as exc:
        errors = [
            {"file": e.file, "line": e.line, "field": e.field, "message": e.message}
            for e in exc.errors
        ]
        first = exc.errors[0]
        raise Problem(
            422,
            "Invalid policy pack",
            f"{len(errors)} problem(s); first: {first}",
            kind="invalid-pack",
            errors=errors,
        ) from None


def _pack_summary(v: PackVersion) -> dict[str, Any]:
    return {
        "pack": v.pack,
        "version": v.version,
        "ref": v.ref,
        "status": v.status,
        "created_at": v.created_at.isoformat(),
        "created_by": v.created_by,
        "promoted_at": v.promoted_at.isoformat() if v.promoted_at else None,
    }

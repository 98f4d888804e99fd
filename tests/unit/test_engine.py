import pytest

from trustwatch.engine import Engine
from trustwatch.errors import InvalidEventError
from trustwatch.verdicts import Action, Mode


def test_verdict_follows_contract_and_names_pack(make_message):
    verdict = Engine.from_path().evaluate(make_message("is this still available?"))
    assert verdict.event_id == "evt_t"
    assert verdict.pack_version.startswith("marketplace@")
    assert verdict.action == Action.ALLOW
    assert {p.policy for p in verdict.policies} >= {"spam"}


def test_invalid_event_names_the_field(make_message):
    event = make_message("hi")
    del event["actor"]
    with pytest.raises(InvalidEventError, match="actor"):
        Engine.from_path().evaluate(event)


def test_execution_mode_flows_into_verdict(make_message):
    verdict = Engine.from_path(mode=Mode.BACKTEST).evaluate(make_message("hello"))
    assert verdict.execution_mode == Mode.BACKTEST

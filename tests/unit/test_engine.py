import pytest

from trustwatch.engine import Engine
from trustwatch.errors import InvalidEventError
from trustwatch.verdicts import Action, Mode, PolicyDecision, Verdict


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


def test_verdict_is_a_complete_model_equal_to_its_validated_copy(make_message):
    text = "pay me on paypal f&f or text me on whatsapp 07700 900123"
    verdict = Engine.from_path().evaluate(make_message(text))
    signals = [s for p in verdict.policies for s in p.signals]
    assert signals and all(s.evidence for s in signals)
    assert Verdict.model_validate(verdict.model_dump()) == verdict
    assert verdict.model_fields_set == set(Verdict.model_fields)
    assert verdict.policies[0].model_fields_set == set(PolicyDecision.model_fields)
    assert verdict.model_copy(update={"action": Action.BLOCK}).action == Action.BLOCK

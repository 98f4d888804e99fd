"""Fixtures for the ML tests: a tiny model trained in seconds into a throwaway registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustwatch.ml.linear import LinearConfig
from trustwatch.ml.registry import Registry
from trustwatch.ml.training import TrainResult, train

SMALL = LinearConfig(C=10.0, max_features={"word": 3000, "char": 6000}, folds=3)


@pytest.fixture(scope="session")
def tiny_registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[Registry, TrainResult]:
    """``sms_spam`` trained on 300 examples per dataset into a temporary registry."""
    reg = Registry(Path(tmp_path_factory.mktemp("models")))
    result = train("sms_spam", registry=reg, limit=300, config=SMALL)
    return reg, result

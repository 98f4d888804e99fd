from __future__ import annotations

import numpy as np

from trustwatch.ml.weak import (
    ABSTAIN,
    CLEAN,
    VIOLATES,
    labelling_functions,
    majority_vote,
    weak_labels,
)


def test_labelling_functions_come_from_the_packs_rules() -> None:
    names = [lf.name for lf in labelling_functions("off_platform")]
    assert "rule:payment_off_platform" in names
    assert "rules_quiet" in names
    assert "entity:social_handle" in names


def test_majority_vote_ignores_abstentions() -> None:
    votes = np.array([[VIOLATES, ABSTAIN, CLEAN], [ABSTAIN, ABSTAIN, ABSTAIN], [1, 1, 0]])
    assert majority_vote(votes).tolist() == [0.5, 0.5, 2 / 3]


def test_label_model_labels_a_synthetic_corpus_better_than_chance() -> None:
    result = weak_labels("off_platform", n=600, seed=3)
    assert len(result.labels) == len(result.texts) == 600
    assert result.metrics["synthetic"] is True
    heldout = result.metrics["label_model"]
    assert heldout["f1"] > 0.5

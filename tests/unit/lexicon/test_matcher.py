"""The lexicon matcher: boundaries, exceptions, context rules, offsets, dedup, validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustwatch.lexicon import Lexicon, LexiconError, load_lexicon


def _lex(**doc: Any) -> Lexicon:
    base: dict[str, Any] = {"lexicon": "t", "defaults": {"category": "weapons", "weight": 0.8}}
    base.update(doc)
    return Lexicon.from_dicts([("inline.yaml", base)])


def _found(lex: Lexicon, text: str) -> list[tuple[str, str]]:
    return [(h.term, h.text) for h in lex.search_text(text)]


def test_terms_match_only_on_word_boundaries() -> None:
    lex = _lex(terms=[{"term": "vape"}, {"term": "gun"}])
    assert _found(lex, "great escape vapes gunmetal begun") == []
    assert _found(lex, "new vape, and a gun.") == [("vape", "vape"), ("gun", "gun")]


def test_aliases_report_the_canonical_term_and_the_surface_alias() -> None:
    lex = _lex(terms=[{"term": "knuckle duster", "aliases": ["brass knuckles"], "label": "blunt"}])
    (hit,) = lex.search_text("Vintage BRASS KNUCKLES")
    assert (hit.term, hit.alias, hit.text, hit.label) == (
        "knuckle duster",
        "brass knuckles",
        "BRASS KNUCKLES",
        "blunt",
    )


def test_punctuation_edged_terms_match_next_to_punctuation_but_not_inside_numbers() -> None:
    lex = _lex(terms=[{"term": "1:1"}, {"term": "aaa+"}])
    assert _found(lex, "(1:1) aaa+ quality") == [("1:1", "1:1"), ("aaa+", "aaa+")]
    assert _found(lex, "posted at 11:15") == []


def test_prefix_terms_extend_to_the_end_of_the_word() -> None:
    lex = _lex(terms=[{"term": "shroom*"}])
    assert [h.text for h in lex.search_text("magic shroomies")] == ["shroomies"]


def test_a_covering_exception_cancels_the_match() -> None:
    lex = _lex(exceptions=["bomber jacket"], terms=[{"term": "bomb"}, {"term": "bomber"}])
    assert _found(lex, "khaki bomber jacket") == []
    assert _found(lex, "bomber jacket, and a bomb") == [("bomb", "bomb")]


def test_a_term_scoped_exception_cancels_only_its_terms() -> None:
    lex = _lex(
        exceptions=[{"phrase": "knife pleat*", "terms": ["knife"]}],
        terms=[{"term": "knife"}, {"term": "pleat"}],
    )
    assert _found(lex, "knife pleats skirt") == []
    assert _found(lex, "knife pleat") == [("pleat", "pleat")]


def test_per_term_exceptions() -> None:
    lex = _lex(terms=[{"term": "fake", "exceptions": ["fake fur"]}, {"term": "fur"}])
    assert _found(lex, "fake fur coat") == [("fur", "fur")]


def test_require_rule_needs_a_context_word_nearby() -> None:
    lex = _lex(
        wordsets={"wildlife": ["tusk", "elephant", "carved"]},
        terms=[{"term": "ivory", "require": {"words": ["@wildlife", "antique*"], "within": 3}}],
    )
    assert _found(lex, "ivory wedding dress") == []
    assert _found(lex, "hand carved ivory figure") == [("ivory", "ivory")]
    assert _found(lex, "ivory piece, antiques dealer") == [("ivory", "ivory")]
    assert _found(lex, "ivory satin dress with a long train and an elephant print") == []


def test_forbid_rule_on_one_side_only() -> None:
    lex = _lex(
        terms=[{"term": "fake", "forbid": {"words": ["not", "no"], "within": 2, "side": "before"}}]
    )
    assert _found(lex, "100% not fake") == []
    assert _found(lex, "fake not real") == [("fake", "fake")]


def test_multiword_context_phrases() -> None:
    lex = _lex(terms=[{"term": "fur", "require": {"words": ["real fur", "fox"], "within": 0}}])
    assert _found(lex, "coat trimmed with fur") == []
    assert _found(lex, "coat, the fur is real fur") != []


def test_evidence_spans_are_original_offsets() -> None:
    lex = _lex(terms=[{"term": "taser"}])
    text = "Ｔａｓｅｒ for sale"
    (hit,) = lex.search_text(text, field="listing.title")
    assert text[hit.start : hit.end] == hit.text == "Ｔａｓｅｒ"
    span = hit.span()
    assert (span.field, span.start, span.end) == ("listing.title", 0, 5)


def test_categories_filter() -> None:
    lex = _lex(terms=[{"term": "taser"}, {"term": "bong", "category": "drugs"}])
    assert [h.term for h in lex.search_text("taser and bong", categories=["drugs"])] == ["bong"]
    assert lex.categories == ["drugs", "weapons"]


def test_same_term_same_span_is_reported_once() -> None:
    lex = _lex(terms=[{"term": "gun", "aliases": ["gun"]}])
    assert len(lex.search_text("gun")) == 1


def test_bad_entry_names_file_and_entry() -> None:
    with pytest.raises(LexiconError, match=r"inline.yaml: terms\[1\] \('bong'\)\.weight"):
        _lex(terms=[{"term": "taser"}, {"term": "bong", "weight": 3}])


def test_unknown_wordset_is_an_error() -> None:
    with pytest.raises(LexiconError, match=r"terms\[0\] \('ivory'\): require: unknown wordset"):
        _lex(terms=[{"term": "ivory", "require": {"words": ["@nope"]}}])


def test_duplicate_term_in_a_category_is_an_error() -> None:
    with pytest.raises(LexiconError, match="defined twice"):
        _lex(terms=[{"term": "taser"}, {"term": "Taser"}])


def test_bad_yaml_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("lexicon: x\nterms: [\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"broken\.yaml: not valid YAML"):
        load_lexicon(bad)


def test_unknown_packaged_lexicon_lists_known_ones() -> None:
    with pytest.raises(LexiconError, match="no packaged lexicon named 'nope'"):
        load_lexicon("nope")

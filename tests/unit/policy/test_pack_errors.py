"""Validation errors are checked against golden files: messages a person can act on."""

from pathlib import Path

import pytest

from trustwatch.errors import PackErrors
from trustwatch.policy.pack import load_pack

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "packs"
CASES = sorted(p.stem for p in GOLDEN.glob("*.yaml"))


def _render(exc: PackErrors) -> str:
    return "\n".join(str(e).replace(str(GOLDEN) + "/", "") for e in exc.errors) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_bad_pack_errors_match_golden_file(case, request):
    with pytest.raises(PackErrors) as caught:
        load_pack(GOLDEN / f"{case}.yaml")
    got = _render(caught.value)
    golden = GOLDEN / f"{case}.errors.txt"
    if request.config.getoption("--update-golden"):
        golden.write_text(got)
    assert got == golden.read_text()


def test_every_error_names_file_line_and_field():
    for case in CASES:
        with pytest.raises(PackErrors) as caught:
            load_pack(GOLDEN / f"{case}.yaml")
        for error in caught.value.errors:
            assert error.file.endswith(f"{case}.yaml")
            assert error.line is not None and error.line >= 1
            assert error.field


def test_yaml_tags_cannot_run_code(tmp_path):
    with pytest.raises(PackErrors) as caught:
        load_pack(GOLDEN / "code_injection.yaml")
    assert "python/object" in str(caught.value)


def test_missing_pack_file_is_reported(tmp_path):
    with pytest.raises(PackErrors, match="no such file"):
        load_pack(tmp_path / "nope.yaml")

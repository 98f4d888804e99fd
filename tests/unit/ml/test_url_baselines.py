"""The URL report's reference: the dataset's feature families, sliced as its paper counts."""

from __future__ import annotations

import csv

import pytest

from trustwatch.ml import datasets
from trustwatch.ml.extras import URL_FEATURE_FAMILIES


@pytest.mark.data
def test_feature_families_cover_56_80_and_87_published_columns() -> None:
    path = datasets.data_dir() / "phishing_urls_hannousse" / "dataset_phishing.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    sizes = [
        header.index(last) - header.index(first) + 1 for _, first, last in URL_FEATURE_FAMILIES
    ]
    assert sizes == [56, 80, 87]
    # Neither the URL nor the label is a feature.
    assert header[0] == "url" and header[-1] == "status"
    assert header.index(URL_FEATURE_FAMILIES[-1][2]) == len(header) - 2

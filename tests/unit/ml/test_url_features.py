from __future__ import annotations

import numpy as np
from ml_builders import assert_scores_like_sklearn

from trustwatch.ml.features import url_host_char_grams, url_pair, url_path_char_grams
from trustwatch.ml.linear import LinearConfig

URL_BLOCKS = LinearConfig(
    min_df=1, folds=2, blocks=("url_char", "url_host_char", "url_path_char", "url_word")
)


def test_host_grams_leave_out_user_info_port_and_path() -> None:
    pair = url_pair("https://depop.com@evil-pay.xyz:8443/login/verify?id=1")
    host = set(url_host_char_grams(pair))
    path = set(url_path_char_grams(pair))
    assert "^evil-" in host and ".xyz$" in host
    assert not any("depop" in g or "login" in g or "8443" in g for g in host)
    assert "/login" in path and "?id=1" in path
    assert not any("evil" in g for g in path)


def test_url_blocks_fold_into_weights_that_score_like_sklearn() -> None:
    urls = [
        "http://paypal.com.secure-login.xyz/verify",
        "http://185.23.44.10/depop/claim",
        "https://www.wikipedia.org/wiki/Fashion",
        "https://www.depop.com/products/jane-levis/",
    ] * 3
    pairs = [url_pair(f"{u}?n={i}") for i, u in enumerate(urls)]
    y = np.array([1, 1, 0, 0] * 3)
    probe = [url_pair("http://paypal-verify.top/login"), url_pair("https://en.wikipedia.org/")]
    assert_scores_like_sklearn(pairs, y, URL_BLOCKS, probe)

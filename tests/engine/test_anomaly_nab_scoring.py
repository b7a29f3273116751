"""The benchmark's own NAB scorer on tiny hand-computed cases."""

import math

import numpy as np
import pytest

from benchmarks.nab_scoring import PROFILES, FileScorer, corpus_scores, probation, scaled_sigmoid

STANDARD = PROFILES["standard"]


def test_scaled_sigmoid_and_probation() -> None:
    assert scaled_sigmoid(-1.0) == pytest.approx(2 / (1 + math.exp(-5)) - 1)  # 0.98661
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(3.5) == -1.0
    assert probation(100) == 15 and probation(100_000) == 750


def test_one_file_by_hand() -> None:
    # 100 points, probation 15, one window over points 40..49 (length 10).
    f = FileScorer.build(100, [(40, 49)])
    none = np.zeros(100, dtype=bool)
    assert f.score(none, STANDARD) == (-1.0, 0, 0, 1)  # a missed window costs the FN weight
    hit = none.copy()
    hit[[10, 20, 42, 45, 60]] = True
    total, tp, fp, fn = f.score(hit, STANDARD)
    # 10: probation, ignored. 20: before any window, -0.11. 42: first in window,
    # y = -(49 - 42 + 1) / 10 = -0.8. 45: a second detection, ignored.
    # 60: after the window, y = (60 - 49) / (10 - 1) = 1.222.
    expected = -0.11 + scaled_sigmoid(-0.8) + 0.11 * scaled_sigmoid(11 / 9)
    assert (tp, fp, fn) == (1, 2, 0)
    assert total == pytest.approx(expected)
    assert expected == pytest.approx(-0.11 + 0.96403 - 0.11 * 0.99557, abs=1e-4)


def test_corpus_normalisation_and_threshold() -> None:
    f = FileScorer.build(100, [(40, 49)])
    scores = np.zeros(100)
    scores[40] = 0.9  # a perfect detection
    scores[20] = 0.5  # a false positive the optimised threshold leaves out
    result = corpus_scores([(f, scores)])
    assert result["standard"]["score"] == 100.0
    assert result["standard"]["threshold"] == 0.9
    assert result["low_fn"]["null"] == -2.0
    silent = corpus_scores([(f, np.zeros(100))])
    assert silent["standard"]["score"] == 0.0
    late = np.zeros(100)
    late[49] = 1.0  # last point of the window: sigmoid(-0.1)
    s = scaled_sigmoid(-0.1)
    got = corpus_scores([(f, late)])["standard"]["score"]
    assert got == pytest.approx(round(100 * (s + 1) / (scaled_sigmoid(-1.0) + 1), 2))

"""NAB scoring, implemented from the published rules (Lavin & Ahmad 2015, NAB v1.1 docs).

- Each label window rewards only its first detection, by a scaled sigmoid of where it falls:
  ``sigma(y) = 2 / (1 + exp(5 y)) - 1`` with y = -(window end - i + 1) / window length
  (-1 at the window's first point, about 0 at its last), times the profile's TP weight.
- A detection outside every window is a false positive: weight x -1 before the first window,
  weight x sigma(distance past the previous window / (its length - 1)) after one (-1 beyond 3).
- A window without detection costs the FN weight. Detections in the probationary period
  (the first min(15 % of the file, 750) points) are ignored.
- The corpus score is the sum over files at one threshold, chosen per profile to maximise it,
  normalised as 100 (S - S_null) / (S_perfect - S_null); null detects nothing, perfect detects
  every window's first point.
"""

from dataclasses import dataclass
import math

import numpy as np

PROFILES = {  # NAB config/profiles.json (the data folder holds a copy; these are its values)
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "low_fp": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "low_fn": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
PROBATION_SHARE = 0.15


def scaled_sigmoid(y: float) -> float:
    """NAB's scaled sigmoid: 1 early in a window, 0 at its end, -1 far after it."""
    if y > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def probation(n: int) -> int:
    """Points at the start of a file whose detections are not scored."""
    return int(min(math.floor(PROBATION_SHARE * n), PROBATION_SHARE * 5000))


@dataclass(frozen=True)
class FileScorer:
    """Per-point TP and FP values of one file, so any threshold is scored with array operations."""

    window_of: np.ndarray  # window index per point, -1 outside
    tp_value: np.ndarray  # sigmoid reward if the point is a window's first detection
    fp_value: np.ndarray  # unweighted sigmoid penalty (negative) if the point is a false positive
    n_windows: int
    first: int  # first scored point

    @classmethod
    def build(cls, n: int, windows: list[tuple[int, int]]) -> FileScorer:
        """``windows`` as inclusive (first, last) point indices, sorted."""
        window_of = np.full(n, -1, dtype=np.int64)
        tp = np.zeros(n)
        fp = np.full(n, -1.0)
        for w, (a, b) in enumerate(windows):
            length = b - a + 1
            window_of[a : b + 1] = w
            idx = np.arange(a, b + 1)
            tp[a : b + 1] = [scaled_sigmoid(-(b - i + 1) / length) for i in idx]
            stop = windows[w + 1][0] if w + 1 < len(windows) else n
            after = np.arange(b + 1, stop)
            fp[b + 1 : stop] = [scaled_sigmoid(abs(b - i) / max(length - 1, 1)) for i in after]
        return cls(window_of, tp, fp, len(windows), probation(n))

    def score(self, detected: np.ndarray, profile: dict[str, float]) -> tuple[float, int, int, int]:
        """Raw score of a boolean detection array, and its TP, FP and FN counts."""
        hits = np.flatnonzero(detected[self.first :]) + self.first
        win = self.window_of[hits]
        inside = hits[win >= 0]
        _, first_idx = np.unique(self.window_of[inside], return_index=True)
        firsts = inside[first_idx]
        outside = hits[win < 0]
        tp_count = len(firsts)
        fn_count = self.n_windows - tp_count
        total = (
            profile["tp"] * float(self.tp_value[firsts].sum())
            + profile["fp"] * float(self.fp_value[outside].sum())
            - profile["fn"] * fn_count
        )
        return total, tp_count, len(outside), fn_count


def corpus_scores(
    files: list[tuple[FileScorer, np.ndarray]], max_thresholds: int = 400
) -> dict[str, dict[str, float]]:
    """Normalised score, best threshold and raw score per profile, over ``(scorer, scores)``."""
    values = np.unique(np.concatenate([s[s > 0] for _, s in files] + [np.zeros(1)]))
    if len(values) > max_thresholds:
        values = np.unique(np.quantile(values, np.linspace(0, 1, max_thresholds)))
    out: dict[str, dict[str, float]] = {}
    for name, profile in PROFILES.items():
        null = sum(f.score(np.zeros(len(s), bool), profile)[0] for f, s in files)
        perfect = sum(f.score(_perfect(f), profile)[0] for f, _ in files)
        best = (-math.inf, 1.0)
        for thr in values[values > 0]:
            raw = sum(f.score(s >= thr, profile)[0] for f, s in files)
            best = max(best, (raw, float(thr)))
        raw, thr = best if best[0] > null else (null, math.inf)
        out[name] = {
            "score": round(100.0 * (raw - null) / (perfect - null), 2),
            "threshold": thr,
            "raw": round(raw, 3),
            "null": round(null, 3),
            "perfect": round(perfect, 3),
        }
    return out


def _perfect(f: FileScorer) -> np.ndarray:
    return f.window_of >= 0

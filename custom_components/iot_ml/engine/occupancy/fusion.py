"""Evidence fusion for "occupied now": a logistic model over slot features, weights learned.

Each evidence channel is a slot series on the 5-minute grid, of a ``FeatureKind``:
- ``binary``: fraction of the slot the channel was on (motion, doors, media); features are the
  current fraction and a decaying "hold" of earlier slots whose decay is learned per channel;
- ``numeric``: a level (CO2, temperature, ...); features are its standardised level and slopes
  over one and three slots (a CO2 rise).

The weights come from an L2 logistic regression solved by Newton/IRLS on (soft) targets; a zone
has no labels, so a two-state hidden Markov model over its binary channels (Bernoulli emissions,
EM) gives them first (``hmm_posterior``), and no probability is set by hand.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import math
from typing import Any

import numpy as np

from ..core.types import ChannelKind, FloatArray
from .hmm import forward_backward

DECAYS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
DEFAULT_L2 = 1.0
TINY = 1e-12
CONVERGED = 1e-3  # EM stops once no slot's posterior moves more than this


def fit_logistic(
    x: FloatArray,
    y: FloatArray,
    l2: float = DEFAULT_L2,
    weights: FloatArray | None = None,
    iterations: int = 50,
) -> tuple[FloatArray, float]:
    """Coefficients and intercept minimising weighted log-loss + ``l2/2 * |coef|^2`` (IRLS).

    ``y`` may hold soft targets in [0, 1]. The intercept is not penalised, as in scikit-learn
    (``LogisticRegression(C=1/l2)`` minimises the same objective).
    """
    n, d = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    w = np.ones(n) if weights is None else weights
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[0] = 0.0
    hess = np.zeros((d + 1, d + 1))
    for it in range(iterations):
        # einsum, not BLAS: these products are small, and a threaded BLAS on a busy 2-4 core
        # box (a Home Assistant host) spends many times the work waiting for its threads.
        p = _sigmoid(np.einsum("nd,d->n", design, beta))
        grad = np.einsum("nd,n->d", design, w * (p - y)) + penalty * beta
        if it < 3 or it % 3 == 0:
            # The Hessian is most of the cost; near the optimum it barely changes, so later
            # steps reuse it (still converging, a little more slowly per step).
            # Floor the curvature: saturated rows would otherwise bring subnormal floats (slow).
            curvature = w * np.maximum(p * (1 - p), TINY)
            hess = np.einsum("ni,nj->ij", design * curvature[:, None], design)
            hess += np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-7:  # far below any effect on a probability
            break
    return beta[1:].copy(), float(beta[0])


def _sigmoid(z: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def hold(x: FloatArray, decay: float) -> FloatArray:
    """``h[t] = max(x[t], decay * h[t-1])``; NaN counts as 0 (the hold keeps decaying)."""
    v = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    if decay <= 0.0:
        return v
    # Vectorised by blocks: within a block h = d^i * cummax(x[s] * d^-s); blocks stay short
    # enough for d^-s to fit a float, and each carries the last hold into the next.
    block = max(1, min(len(v), int(600 / -math.log(decay)) if decay < 1 else len(v)))
    out = np.empty(len(v))
    carry = 0.0
    for lo in range(0, len(v), block):
        seg = v[lo : lo + block]
        powers = decay ** np.arange(len(seg), dtype=np.float64)
        local = np.maximum.accumulate(seg / powers) * powers
        out[lo : lo + len(seg)] = np.maximum(local, carry * decay * powers)
        carry = float(out[lo + len(seg) - 1])
    out[out < TINY] = 0.0  # subnormal floats would slow every later product a hundredfold
    return out


def _shift(x: FloatArray, k: int) -> FloatArray:
    out = np.full(len(x), np.nan)
    out[k:] = x[: len(x) - k]
    return out


class FeatureKind(StrEnum):
    """How a series becomes fusion features (the values are also what saved models hold).

    Not a ``ChannelKind``: what counts is the channel's role too. The fusion reads a zone's
    evidence (motion, doors, media, presence) as binary and its numeric environment channels as
    levels; other channels (lights, climate) are not fusion features at all.
    """

    BINARY = ChannelKind.BINARY.value  # on/off evidence: current fraction, hold, onset
    NUMERIC = ChannelKind.NUMERIC.value  # a level: standardised, and its slopes

    @classmethod
    def of(cls, value: str) -> FeatureKind:
        """The kind named ``value``; ``ValueError`` when there is none."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown channel kind {value!r}") from None


@dataclass(frozen=True, slots=True)
class ChannelFeature:
    """How one channel becomes features: learned hold decay, or centre and scales."""

    name: str
    kind: FeatureKind  # a plain string naming one is taken too; ``ValueError`` if unknown
    decay: float = 0.0
    center: float = 0.0
    scale: float = 1.0
    slope_scale: float = 1.0

    def __post_init__(self) -> None:
        """Hold the kind as a ``FeatureKind`` whatever named it."""
        object.__setattr__(self, "kind", FeatureKind.of(self.kind))

    @property
    def width(self) -> int:
        """Number of feature columns the channel yields (three of either kind)."""
        return 3

    def columns(self, x: FloatArray) -> FloatArray:
        """Feature columns for a whole slot series (rows = slots)."""
        if self.kind is FeatureKind.BINARY:
            cur = np.nan_to_num(x, nan=0.0)
            prev = _shift(hold(x, self.decay), 1)
            held = np.nan_to_num(prev, nan=0.0)
            # Onset: on now after a quiet spell. Its own weight lets a first motion count as
            # much as the data says, instead of what sustained activity implies.
            return np.column_stack([cur, held, cur * (1.0 - held)])
        level = (x - self.center) / self.scale
        s1 = (x - _shift(x, 1)) / self.slope_scale
        s3 = (x - _shift(x, 3)) / (3 * self.slope_scale)
        cols = np.column_stack([level, s1, s3])
        return np.clip(np.nan_to_num(cols, nan=0.0), -6.0, 6.0)

    def last_columns(self, x: list[float]) -> list[float]:
        """``columns(x)[-1]`` in plain floats: the live path reads one slot per event, and a
        handful of scalar steps beat a dozen numpy calls on a 37-slot window."""
        if self.kind is FeatureKind.BINARY:
            held = 0.0
            if self.decay > 0.0:
                for v in x[:-1]:
                    held = max(0.0 if math.isnan(v) else v, self.decay * held)
                held = 0.0 if held < TINY else held
            else:
                prev = x[-2] if len(x) > 1 else math.nan
                held = 0.0 if math.isnan(prev) else prev
            cur = 0.0 if math.isnan(x[-1]) else x[-1]
            return [cur, held, cur * (1.0 - held)]
        last = x[-1]
        s1 = (last - x[-2]) / self.slope_scale if len(x) > 1 else math.nan
        s3 = (last - x[-4]) / (3 * self.slope_scale) if len(x) > 3 else math.nan
        cols = [(last - self.center) / self.scale, s1, s3]
        return [0.0 if math.isnan(c) else min(6.0, max(-6.0, c)) for c in cols]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "decay": self.decay,
            "center": self.center,
            "scale": self.scale,
            "slope_scale": self.slope_scale,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChannelFeature:
        """Inverse of ``to_json``; ``ValueError`` on an unknown kind."""
        return cls(
            name=str(data["name"]),
            kind=FeatureKind.of(str(data["kind"])),
            decay=float(data["decay"]),
            center=float(data["center"]),
            scale=float(data["scale"]),
            slope_scale=float(data["slope_scale"]),
        )


@dataclass(frozen=True, slots=True)
class FusionModel:
    """A fitted fusion: channel transforms and logistic weights."""

    channels: tuple[ChannelFeature, ...]
    coef: FloatArray
    intercept: float

    def design(self, data: dict[str, FloatArray]) -> FloatArray:
        """Feature matrix for slot series keyed by channel name (missing channel: all NaN)."""
        n = len(next(iter(data.values())))
        cols = [c.columns(data.get(c.name, np.full(n, np.nan))) for c in self.channels]
        return np.hstack(cols) if cols else np.zeros((n, 0))

    def predict(self, data: dict[str, FloatArray]) -> FloatArray:
        """P(occupied) for every slot."""
        return _sigmoid(self.design(data) @ self.coef + self.intercept)

    def predict_last(self, data: dict[str, FloatArray]) -> float:
        """``predict(data)[-1]``, computed for the last slot only (the live path)."""
        n = len(next(iter(data.values()))) if data else 1
        z = self.intercept
        i = 0
        for channel in self.channels:
            series = data.get(channel.name)
            x = [math.nan] * n if series is None else series.tolist()
            for value in channel.last_columns(x):
                z += value * float(self.coef[i])
                i += 1
        return 0.5 * (1.0 + math.tanh(0.5 * z))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (no pickle)."""
        return {
            "channels": [c.to_json() for c in self.channels],
            "coef": [float(v) for v in self.coef],
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FusionModel:
        """Inverse of ``to_json``; ``ValueError`` when weights and channels disagree.

        Models saved before the fusion dropped its per-channel reliabilities still hold them
        (``"reliability"``): nothing read them, and they are ignored.
        """
        channels = tuple(ChannelFeature.from_json(c) for c in data["channels"])
        coef = np.array([float(v) for v in data["coef"]])
        if len(coef) != sum(c.width for c in channels):
            raise ValueError("coefficients do not match the channels")
        return cls(channels, coef, float(data["intercept"]))


def _loglik(p: FloatArray, y: FloatArray, weights: FloatArray | None = None) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    terms = y * np.log(p) + (1 - y) * np.log(1 - p)
    return float(np.sum(terms if weights is None else weights * terms))


def _grouped(cols: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rows grouped by (current, held) on a fine grid: mean columns, counts and mean target.

    Few distinct groups, so the decay search fits on them weighted by count (nearly the same
    log-loss); binning with ``bincount`` is linear, where ``unique`` sorted every candidate.
    (Onset is a function of the first two columns, which key the groups.)
    """
    key = np.rint(cols[:, 0] * 32).astype(np.int64) * 1025 + np.rint(cols[:, 1] * 1024).astype(
        np.int64
    )
    _, inverse, count_int = _compact(key)
    count = count_int.astype(np.float64)
    rows = np.column_stack([np.bincount(inverse, weights=c) / count for c in cols.T])
    return rows, count, np.bincount(inverse, weights=y) / count


def _compact(key: Any) -> tuple[Any, Any, Any]:
    """Distinct non-negative integer keys, each row's group index and group sizes."""
    counts = np.bincount(key)
    present = np.flatnonzero(counts)
    index = np.zeros(len(counts), dtype=np.int64)
    index[present] = np.arange(len(present))
    return present, index[key], counts[present]


def fit_fusion(
    data: dict[str, FloatArray],
    kinds: Mapping[str, FeatureKind],
    target: FloatArray,
    l2: float = DEFAULT_L2,
) -> FusionModel:
    """Fit on (possibly soft) ``target`` in [0, 1]; NaN targets are skipped.

    ``kinds`` may name the kinds by their values (``"binary"``); ``ValueError`` if one is unknown.
    """
    keep = ~np.isnan(target)
    y = np.where(keep, target, 0.0)
    channels: list[ChannelFeature] = []
    for name, x in data.items():
        kind = FeatureKind.of(kinds[name])
        if kind is FeatureKind.BINARY:
            best: tuple[float, float] = (-math.inf, 0.0)
            for decay in DECAYS:
                cols = ChannelFeature(name, kind, decay=decay).columns(x)[keep]
                rows, count, mean_y = _grouped(cols, y[keep])
                coef, b = fit_logistic(rows, mean_y, l2, weights=count)
                p = _sigmoid(rows @ coef + b)
                best = max(best, (_loglik(p, mean_y, count), decay))
            channels.append(ChannelFeature(name, kind, decay=best[1]))
        else:
            center = float(np.nanmean(x)) if np.any(~np.isnan(x)) else 0.0
            scale = float(np.nanstd(x)) if np.sum(~np.isnan(x)) > 1 else 0.0
            diff = np.diff(x)
            slope = float(np.nanstd(diff)) if np.sum(~np.isnan(diff)) > 1 else 0.0
            channels.append(
                ChannelFeature(
                    name, kind, center=center, scale=scale or 1.0, slope_scale=slope or 1.0
                )
            )
    model = FusionModel(tuple(channels), np.zeros(0), 0.0)
    x_all = model.design(data)[keep]
    coef, intercept = fit_logistic(x_all, y[keep], l2)
    return FusionModel(tuple(channels), coef, intercept)


def hmm_posterior(binary: dict[str, FloatArray], iterations: int = 8) -> FloatArray:
    """P(occupied) per slot from a 2-state HMM over "channel on in slot" (EM / Baum-Welch).

    Started from a proxy (any channel on within the last ~30 minutes); state 1 is the one whose
    channels fire more. Raises ``ValueError`` without channels.
    """
    if not binary:
        raise ValueError("unsupervised fusion needs at least one binary evidence channel")
    x = np.column_stack(list(binary.values()))
    seen = ~np.isnan(x)
    on = (np.nan_to_num(x, nan=0.0) > 0).astype(np.float64)
    q = (hold(on.max(axis=1), 0.9) > 0.25).astype(np.float64)
    q = np.clip(q, 0.05, 0.95)
    trans = np.array([[0.95, 0.05], [0.05, 0.95]])
    for _ in range(iterations):
        # M step for emissions and the start; transitions come from the E step's pair counts.
        occ, emp = q[:, None] * seen, (1 - q)[:, None] * seen
        p1 = (np.sum(on * occ, axis=0) + 0.5) / (np.sum(occ, axis=0) + 1.0)
        p0 = (np.sum(on * emp, axis=0) + 0.5) / (np.sum(emp, axis=0) + 1.0)
        log_e = np.column_stack(
            [
                np.sum(seen * (on * np.log(p0) + (1 - on) * np.log(1 - p0)), axis=1),
                np.sum(seen * (on * np.log(p1) + (1 - on) * np.log(1 - p1)), axis=1),
            ]
        )
        before = q
        q, trans = forward_backward(np.exp(log_e - log_e.max(axis=1, keepdims=True)), trans)
        if float(np.max(np.abs(q - before))) < CONVERGED:
            break
    # Name the states: occupied is the one in which the channels fire more.
    return q if float(np.sum(p1)) >= float(np.sum(p0)) else 1 - q

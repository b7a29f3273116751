"""Two-state HMM forward-backward as parallel prefix products (numpy, no per-slot Python loop).

The filtered state after slot t is ``f0 @ M1 @ ... @ Mt`` with ``Mt = A * e_t`` (row i, column j:
``a_ij * e_t(j)``); the backward message is the suffix product times ones. Both are computed with a
log-depth (Hillis-Steele) scan over 2x2 matrices, each product renormalised so nothing under- or
overflows. A nightly refit runs EM for many zones; the Python recursion dominated its time.
"""

import numpy as np

from ..core.types import FloatArray

Mats = tuple[FloatArray, FloatArray, FloatArray, FloatArray]  # entries 00, 01, 10, 11 per slot


def _mul(x: Mats, y: Mats) -> Mats:
    """Element-wise 2x2 products ``x @ y``, rescaled to sum 1 (only directions matter)."""
    r00 = x[0] * y[0] + x[1] * y[2]
    r01 = x[0] * y[1] + x[1] * y[3]
    r10 = x[2] * y[0] + x[3] * y[2]
    r11 = x[2] * y[1] + x[3] * y[3]
    s = r00 + r01 + r10 + r11
    return r00 / s, r01 / s, r10 / s, r11 / s


def _prefix(m: Mats) -> Mats:
    """Inclusive prefix products ``m[0] @ ... @ m[t]`` for every t."""
    out = tuple(v.copy() for v in m)
    k, n = 1, len(m[0])
    while k < n:
        head = tuple(v[: n - k] for v in out)
        tail = tuple(v[k:] for v in out)
        new = _mul(head, tail)  # type: ignore[arg-type]
        for v, w in zip(out, new, strict=True):
            v[k:] = w
        k *= 2
    return out  # type: ignore[return-value]


def _suffix(m: Mats) -> Mats:
    """Inclusive suffix products ``m[t] @ ... @ m[n-1]`` for every t."""
    out = tuple(v.copy() for v in m)
    k, n = 1, len(m[0])
    while k < n:
        head = tuple(v[: n - k] for v in out)
        tail = tuple(v[k:] for v in out)
        new = _mul(head, tail)  # type: ignore[arg-type]
        for v, w in zip(out, new, strict=True):
            v[: n - k] = w
        k *= 2
    return out  # type: ignore[return-value]


def forward_backward(e: FloatArray, trans: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Posterior of state 1 per slot and re-estimated transitions (+1 pseudo-counts).

    ``e`` holds per-slot emission likelihoods (n x 2, any positive scale); the chain starts 50/50.
    """
    a00, a01, a10, a11 = (float(v) for v in trans.ravel())
    e0, e1 = np.asarray(e[:, 0], dtype=np.float64), np.asarray(e[:, 1], dtype=np.float64)
    n = len(e0)
    # M_t for t >= 1; slot 0's emission enters as the start vector.
    m: Mats = (a00 * e0[1:], a01 * e1[1:], a10 * e0[1:], a11 * e1[1:])
    f0, f1 = np.empty(n), np.empty(n)
    f0[0], f1[0] = 0.5 * e0[0], 0.5 * e1[0]
    if n > 1:
        p = _prefix(m)
        f0[1:] = f0[0] * p[0] + f1[0] * p[2]
        f1[1:] = f0[0] * p[1] + f1[0] * p[3]
    s = f0 + f1
    f0, f1 = f0 / s, f1 / s
    b0, b1 = np.ones(n), np.ones(n)
    if n > 1:
        q = _suffix(m)  # q[t] = M_{t+1} ... M_{n-1}: the backward message of slot t
        b0[:-1], b1[:-1] = q[0] + q[1], q[2] + q[3]
    g1 = f1 * b1 / (f0 * b0 + f1 * b1)
    counts = np.ones((2, 2))
    if n > 1:
        # Pair posteriors of (t-1, t): f_{t-1}(i) a_ij e_t(j) b_t(j), normalised per pair.
        m0, m1 = e0[1:] * b0[1:], e1[1:] * b1[1:]
        x00, x01 = f0[:-1] * a00 * m0, f0[:-1] * a01 * m1
        x10, x11 = f1[:-1] * a10 * m0, f1[:-1] * a11 * m1
        tot = x00 + x01 + x10 + x11
        counts += np.array(
            [[np.sum(x00 / tot), np.sum(x01 / tot)], [np.sum(x10 / tot), np.sum(x11 / tot)]]
        )
    return np.asarray(g1), counts / counts.sum(axis=1, keepdims=True)

"""Compiled pieces of the stochastic replicator's numba engine (imported only with numba).

None of these depends on the game: the payoff advantages are evaluated between them by the
compiled field's own row loop (``CompiledField._batch``), so these compile once and are kept
in numba's on-disk cache, whatever the model. Each does, row by row and in the same order,
the arithmetic of the numpy engine in :mod:`lmc_games._stochastic`; each row's arithmetic
never reads another row, so a path's result does not depend on its batch.
"""

from __future__ import annotations

import math

from numba import njit

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_JIT)
def shares(u, xs, first, stop):  # pragma: no cover - compiled
    """Free shares from log-ratios, row by row: a shifted softmax per population (one
    exponential for a two-strategy population)."""
    for r in range(u.shape[0]):
        for g in range(first.shape[0]):
            a, e_ = first[g], stop[g]
            if e_ - a == 1:
                # Both branches computed and one selected: the sign of a log-ratio is
                # random, and a mispredicted branch costs as much as the exponential.
                v = u[r, a]
                e = math.exp(-abs(v))
                big = 1.0 / (1.0 + e)
                small = e / (1.0 + e)
                xs[r, a] = big if v >= 0.0 else small
            else:
                mx = 0.0
                for c in range(a, e_):
                    mx = max(mx, u[r, c])
                den = math.exp(-mx)
                for c in range(a, e_):
                    den = den + math.exp(u[r, c] - mx)
                for c in range(a, e_):
                    xs[r, c] = math.exp(u[r, c] - mx) / den


@njit(**_JIT)
def axpy(u, k, s, y):  # pragma: no cover - compiled
    """``y = u + s * k`` with ``s`` one number per row."""
    for r in range(u.shape[0]):
        for c in range(u.shape[1]):
            y[r, c] = u[r, c] + s[r] * k[r, c]


@njit(**_JIT)
def finish(u, k1, k2, k3, k4, h6, ns, k, z, nrow, sc, first, stop, mix):  # pragma: no cover
    """The RK4 combination ``u + h6 (k1 + 2 k2 + 2 k3 + k4)``, then the noise increment
    ``sc * (z + mix * sum(z over the population))``, on the rows whose number of steps ``ns``
    exceeds the step index ``k``."""
    for r in range(u.shape[0]):
        if k >= ns[r]:
            continue
        q = nrow[r]
        for c in range(u.shape[1]):
            u[r, c] = u[r, c] + h6[r] * (k1[r, c] + 2.0 * k2[r, c] + 2.0 * k3[r, c] + k4[r, c])
        for g in range(first.shape[0]):
            tot = z[q, first[g]]
            for c in range(first[g] + 1, stop[g]):
                tot = tot + z[q, c]
            for c in range(first[g], stop[g]):
                u[r, c] = u[r, c] + sc[r, c] * (z[q, c] + mix[g] * tot)


@njit(**_JIT)
def euler(u, k1, h, ns, k, z, nrow, sc, first, stop, mix):  # pragma: no cover - compiled
    """One Euler--Maruyama step ``u + h k1`` then the noise increment, as :func:`finish`."""
    for r in range(u.shape[0]):
        if k >= ns[r]:
            continue
        q = nrow[r]
        for c in range(u.shape[1]):
            u[r, c] = u[r, c] + h[r] * k1[r, c]
        for g in range(first.shape[0]):
            tot = z[q, first[g]]
            for c in range(first[g] + 1, stop[g]):
                tot = tot + z[q, c]
            for c in range(first[g], stop[g]):
                u[r, c] = u[r, c] + sc[r, c] * (z[q, c] + mix[g] * tot)


@njit(**_JIT)
def neg_abs(u, w):  # pragma: no cover - compiled
    """``w = -|u|``: the exponents of the two-strategy softmax, for one vectorised ``np.exp``."""
    for r in range(u.shape[0]):
        for c in range(u.shape[1]):
            w[r, c] = -abs(u[r, c])


@njit(**_JIT)
def axpy_neg_abs(u, k, s, y, w):  # pragma: no cover - compiled
    """``y = u + s * k`` (as :func:`axpy`) and ``w = -|y|``, in one pass."""
    for r in range(u.shape[0]):
        sr = s[r]
        for c in range(u.shape[1]):
            v = u[r, c] + sr * k[r, c]
            y[r, c] = v
            w[r, c] = -abs(v)


@njit(**_JIT)
def logistic(y, e, xs):  # pragma: no cover - compiled
    """Free shares of two-strategy populations from log-ratios ``y`` and ``e = exp(-|y|)``:
    the formulas of :func:`shares` with the exponential taken outside (numpy's ``exp`` is
    vectorised; the compiled loop's is a scalar call, most of a step's time)."""
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            v = y[r, c]
            ev = e[r, c]
            big = 1.0 / (1.0 + ev)
            small = ev / (1.0 + ev)
            xs[r, c] = big if v >= 0.0 else small

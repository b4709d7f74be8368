"""Compiled pieces of the stochastic replicator's numba engine (imported only with numba).

None of these depends on the game: the payoff advantages are evaluated between them by the
compiled field's own row loop (``CompiledField._batch``), so these compile once and are kept
in numba's on-disk cache, whatever the model. Each does, element by element and in the same
order, the arithmetic of the numpy engine in :mod:`lmc_games._stochastic`; no element's
arithmetic reads another path, so a path's result does not depend on its tile or thread.

All but :func:`shares` and :func:`totals` work on flat arrays (a tile's paths times its free
shares, in row order) with one coefficient per element: a loop without an inner loop over
the shares, which LLVM turns into SIMD instructions (two to four times the speed of the
row-by-row loop over a handful of shares).
"""

from __future__ import annotations

import math

from numba import njit

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_JIT)
def normals(rng, out):  # pragma: no cover - compiled
    """Fill the flat array ``out`` with standard normals from the numpy Generator ``rng``:
    numba's port of numpy's ziggurat (``Generator.standard_normal``) drawing from the same
    bit generator, so the very numbers of ``rng.standard_normal(out=out)``, in order, and
    the generator left in the same state -- in 40% of the time (about 4 ns a number here
    against 10: the loop and the ziggurat compiled together)."""
    for i in range(out.shape[0]):
        out[i] = rng.standard_normal()


@njit(**_JIT)
def shares(u, xs, first, stop):  # pragma: no cover - compiled
    """Free shares from log-ratios (rows, n), row by row: a shifted softmax per population
    (one exponential for a two-strategy population)."""
    for r in range(u.shape[0]):
        for g in range(first.shape[0]):
            a, e_ = first[g], stop[g]
            if e_ - a == 1:
                v = u[r, a]
                e = math.exp(-abs(v))
                # One division: the numerator selected first gives the quotient of the
                # numpy engine's selected one, 1 / (1 + e) or e / (1 + e), to the bit.
                xs[r, a] = (1.0 if v >= 0.0 else e) / (1.0 + e)
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
def totals(z, t, first, stop):  # pragma: no cover - compiled
    """``t[r, c]``: the sum of the normals ``z[r, :]`` over the population of share ``c``,
    added in the order of the numpy engine's ``_mixed``."""
    for r in range(z.shape[0]):
        for g in range(first.shape[0]):
            tot = z[r, first[g]]
            for c in range(first[g] + 1, stop[g]):
                tot = tot + z[r, c]
            for c in range(first[g], stop[g]):
                t[r, c] = tot


@njit(**_JIT)
def axpy(u, k, s, y):  # pragma: no cover - compiled
    """``y = u + s * k``."""
    for i in range(u.shape[0]):
        y[i] = u[i] + s[i] * k[i]


@njit(**_JIT)
def stage(u, k, s, y, w):  # pragma: no cover - compiled
    """``y = u + s * k`` (as :func:`axpy`) and ``w = -|y|``, the exponents of the
    two-strategy softmax, in one pass."""
    for i in range(u.shape[0]):
        v = u[i] + s[i] * k[i]
        y[i] = v
        w[i] = -abs(v)


@njit(**_JIT)
def neg_abs(u, w):  # pragma: no cover - compiled
    """``w = -|u|``: the exponents of the two-strategy softmax, for one vectorised ``np.exp``."""
    for i in range(u.shape[0]):
        w[i] = -abs(u[i])


@njit(**_JIT)
def logistic(y, e, xs):  # pragma: no cover - compiled
    """Free shares of two-strategy populations from log-ratios ``y`` and ``e = exp(-|y|)``
    (numpy's vectorised ``exp``, taken outside): ``1 / (1 + e)`` where ``y >= 0``, else
    ``e / (1 + e)``, with one division (the numerator is selected first; the same quotient)."""
    for i in range(y.shape[0]):
        ev = e[i]
        xs[i] = (1.0 if y[i] >= 0.0 else ev) / (1.0 + ev)


@njit(**_JIT)
def finish(u, k1, k2, k3, k4, h6, z, t, mix, sc):  # pragma: no cover - compiled
    """The RK4 combination ``u + h6 (k1 + 2 k2 + 2 k3 + k4)``, then the noise increment
    ``sc * (z + mix * t)``, ``t`` the population's sum of the normals (``z`` itself for a
    two-strategy population)."""
    for i in range(u.shape[0]):
        v = u[i] + h6[i] * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
        u[i] = v + sc[i] * (z[i] + mix[i] * t[i])


@njit(**_JIT)
def euler(u, k1, h, z, t, mix, sc):  # pragma: no cover - compiled
    """One Euler--Maruyama step ``u + h k1``, then the noise increment, as :func:`finish`."""
    for i in range(u.shape[0]):
        v = u[i] + h[i] * k1[i]
        u[i] = v + sc[i] * (z[i] + mix[i] * t[i])

"""Compiled pieces of the stochastic replicator's numba engine (imported only with numba).

None of these depends on the game: the payoff advantages are evaluated between them by the
compiled field's own row loop (``CompiledField._batch``), so these compile once and are kept
in numba's on-disk cache, whatever the model. Each does, element by element and in the same
order, the arithmetic of the numpy engine in :mod:`lmc_games._stochastic`, and the
exponentials of the softmax are taken between them by numpy's vectorised ``exp`` (the
numpy engine's very values, at a fraction of the cost of scalar calls): the two engines
differ only where their compiled payoff advantages round differently (their code
generators may group a parameter's terms differently). No element's arithmetic reads
another path, so a path's result does not depend on its tile or thread.

The pieces of two-strategy populations and of the step work on flat arrays (a tile's paths
times its free shares, in row order) with one coefficient per element: loops without an
inner loop over the shares, which LLVM turns into SIMD instructions (two to four times the
speed of row-by-row loops over a handful of shares).
"""

from __future__ import annotations

import functools

from numba import njit

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


@functools.lru_cache(maxsize=32)
def released(batch):
    """A compiled function calling the compiled field's row loop ``batch(states, params,
    out)`` with the GIL released. The loop (``CompiledField._batch``) is compiled without
    ``nogil``, so threads calling it directly take turns. Compiled for each game in each
    process (about 60 ms; not cached on disk, where the game's loop has no stable name),
    kept here for the process."""

    @njit(nogil=True, error_model="numpy")
    def call(states, params, out):  # pragma: no cover - compiled
        batch(states, params, out)

    return call


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
def softmax_in(u, a, first, stop):  # pragma: no cover - compiled
    """The exponents of the numpy engine's softmax (``_free_shares``), row by row, for one
    vectorised ``np.exp``: per population, ``-|u|`` for one free share; else ``-mx`` then
    ``u_c - mx`` for each free share, ``mx`` the largest of 0 and the population's
    log-ratios, taken as ``np.maximum`` takes it (a nan wins)."""
    for r in range(u.shape[0]):
        j = 0
        for g in range(first.shape[0]):
            lo, hi = first[g], stop[g]
            if hi - lo == 1:
                a[r, j] = -abs(u[r, lo])
                j += 1
                continue
            mx = u[r, lo]
            mx = mx if (mx >= 0.0 or mx != mx) else 0.0
            for c in range(lo + 1, hi):
                v = u[r, c]
                mx = mx if (mx >= v or mx != mx) else v
            a[r, j] = -mx
            for c in range(lo, hi):
                a[r, j + 1 + c - lo] = u[r, c] - mx
            j += hi - lo + 1


@njit(**_JIT)
def softmax_out(u, e, xs, first, stop):  # pragma: no cover - compiled
    """Free shares from the exponentials ``e`` of :func:`softmax_in`'s exponents, as the
    numpy engine combines them: the logistic of :func:`logistic` for one free share; else
    ``den = exp(-mx) + exp(u_1 - mx) + ...`` in that order and ``exp(u_c - mx) / den``."""
    for r in range(u.shape[0]):
        j = 0
        for g in range(first.shape[0]):
            lo, hi = first[g], stop[g]
            if hi - lo == 1:
                ev = e[r, j]
                xs[r, lo] = (1.0 if u[r, lo] >= 0.0 else ev) / (1.0 + ev)
                j += 1
                continue
            den = e[r, j]
            for c in range(lo, hi):
                den = den + e[r, j + 1 + c - lo]
            for c in range(lo, hi):
                xs[r, c] = e[r, j + 1 + c - lo] / den
            j += hi - lo + 1


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

"""The numba kernel of :func:`lmc_games._finite_sim.simulate_finite` (``engine="numba"``).

The same process as the numpy engine, one run after another, one revision at a time, for
payoffs that do not depend on the shares. It draws from the user's seeded numpy Generator
(numba compiles Generator methods), in another order than the numpy engine: the same seed
gives the same runs with this engine, and runs that agree with the numpy engine's in
distribution, not bit for bit. Imported only when asked for, so that numba
stays an optional extra.
"""

from __future__ import annotations

import numpy as np

from ._errors import EngineUnavailableError

__all__ = ["simulate_kernel"]

_KERNEL = None


def _build():
    try:
        from numba import njit
    except ImportError:
        raise EngineUnavailableError(
            "engine='numba' needs numba: pip install 'lmc-games[fast]', or use engine='numpy'"
        ) from None

    @njit(cache=True)
    def kernel(state, sizes, ks, cumw, pay, prof, symmetric, fermi, sel, mus, saves, out, rng):
        runs, npop, kmax = state.shape
        nprof = prof.shape[0]
        nsteps = saves[-1]
        pi = np.empty(kmax)
        weight = np.empty(kmax)
        for r in range(runs):
            si = 0
            for step in range(nsteps + 1):
                if si < saves.shape[0] and step == saves[si]:
                    col = 0
                    for q in range(npop):
                        for s in range(ks[q]):
                            out[si, r, col] = state[r, q, s]
                            col += 1
                    si += 1
                if step == nsteps:
                    break
                u = rng.random()
                p = 0
                while p < npop - 1 and u >= cumw[p]:
                    p += 1
                n = sizes[p]
                k = ks[p]
                if symmetric:
                    for a in range(k):
                        acc = 0.0
                        for b in range(k):
                            c = state[r, 0, b] - (1 if a == b else 0)
                            acc += pay[a * k + b] * c
                        pi[a] = acc / (n - 1)
                else:
                    for a in range(k):
                        pi[a] = 0.0
                    for m in range(nprof):
                        w = 1.0
                        for q in range(npop):
                            if q != p:
                                w *= state[r, q, prof[m, q]] / sizes[q]
                        if w != 0.0:
                            pi[prof[m, p]] += w * pay[p * nprof + m]
                # the revising member (Fermi) or the one replaced (Moran), drawn by counts
                pick = rng.random() * n
                old = 0
                acc = state[r, p, 0]
                while acc <= pick and old < k - 1:
                    old += 1
                    acc += state[r, p, old]
                if fermi:
                    # a random other member of the population
                    pick = rng.random() * (n - 1)
                    model = 0
                    acc = state[r, p, 0] - (1 if old == 0 else 0)
                    while acc <= pick and model < k - 1:
                        model += 1
                        acc += state[r, p, model] - (1 if old == model else 0)
                    new = old
                    if model != old:
                        adopt = 0.5 * (1.0 + np.tanh(0.5 * sel * (pi[model] - pi[old])))
                        if rng.random() < adopt:
                            new = model
                    base = old
                else:
                    total = 0.0
                    for a in range(k):
                        f = 1.0 - sel + sel * pi[a]
                        if state[r, p, a] > 0 and not f > 0.0:
                            return 1
                        weight[a] = state[r, p, a] * f
                        total += weight[a]
                    pick = rng.random() * total
                    parent = 0
                    acc = weight[0]
                    while acc <= pick and parent < k - 1:
                        parent += 1
                        acc += weight[parent]
                    new = parent
                    base = parent
                if mus[p] > 0.0 and rng.random() < mus[p]:
                    j = int(rng.random() * (k - 1))
                    new = j + 1 if j >= base else j
                state[r, p, old] -= 1
                state[r, p, new] += 1
        return 0

    return kernel


def simulate_kernel() -> object:
    """The compiled kernel (built on first use)."""
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = _build()
    return _KERNEL

"""Numerical kernels of the finite-population processes (see :mod:`lmc_games._finite`).

Three pieces, each independent of the result objects:

* :class:`Payoffs` — a game's payoffs at its parameter values as numbers (and exact
  Rationals where they are), evaluated at finite-population compositions with the
  self-interaction excluded in symmetric games;
* log-space fixation probabilities and the Grassmann–Taksar–Heyman (GTH) elimination for the
  stationary distribution of a small Markov chain, in log space (floats) or exactly
  (Fractions): GTH only adds, multiplies and divides non-negative numbers, so it loses no
  accuracy to cancellation even when rates differ by hundreds of orders of magnitude;
* the full Markov chain on the product of the populations' compositions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import sympy
from scipy.special import logsumexp

from ._errors import GameError

__all__ = ["Payoffs", "log_fixation", "exact_fixation", "gth_log", "gth_exact", "compositions"]


class Payoffs:
    """A game's payoffs at its current parameter values, as functions of the shares.

    ``table(shares)`` returns, for a symmetric game, the matrix ``A[i, j]`` (payoff of ``i``
    against ``j``) with shape ``(..., k, k)``; otherwise the tensor ``T[p, s_1, ..., s_P]``
    (payoff of population ``p`` at the profile) with shape ``(..., P, k_1, ..., k_P)``.
    ``shares`` is one array ``(..., k_p)`` of full share vectors per population.
    """

    def __init__(self, game) -> None:
        self.game = game
        self.symmetric = bool(game.is_symmetric)
        self.shape = tuple(game.shape)
        self.npop = len(self.shape)
        subs = game.value_substitution()
        if self.symmetric:
            k = self.shape[0]
            self.keys = [(i, j) for i in range(k) for j in range(k)]
            self.tshape: tuple[int, ...] = (k, k)
            exprs = [game.payoffs[key][0].xreplace(subs) for key in self.keys]
        else:
            profiles = list(itertools.product(*(range(k) for k in self.shape)))
            self.tshape = (self.npop, *self.shape)
            exprs = [
                game.payoffs[prof][p].xreplace(subs) for p in range(self.npop) for prof in profiles
            ]
        self.share_symbols = [s for pop in game.populations for s in pop.share_symbols]
        free = set().union(*(e.free_symbols for e in exprs))
        stray = free - set(self.share_symbols)
        if stray:
            names = ", ".join(sorted(s.name for s in stray))
            raise GameError(f"payoffs still hold {names} after substituting the parameter values")
        self.exprs = exprs
        self.state_dependent = bool(free)
        # State-dependent payoffs are checked to be rational where they are evaluated exactly.
        self.rational = all(e.is_Rational for e in exprs) if not free else None
        if not self.state_dependent:
            try:
                values = np.array([float(e) for e in exprs], dtype=float)
            except TypeError:
                raise GameError("a payoff is not a real number at these parameter values") from None
            if not np.all(np.isfinite(values)):
                raise GameError("a payoff is not finite at these parameter values")
            self.const = values.reshape(self.tshape)
            self._func = None
        else:
            self.const = None
            self._func = sympy.lambdify(self.share_symbols, exprs, "numpy")

    def _arguments(self, shares: Sequence[np.ndarray]) -> list[np.ndarray]:
        args = []
        for pop, x in zip(self.game.populations, shares):
            if pop.k == 2:
                args.append(x[..., 0])
            else:
                args.extend(x[..., j] for j in range(pop.k))
        return args

    def table(self, shares: Sequence[np.ndarray]) -> np.ndarray:
        """The payoff table at the given shares (broadcast over leading axes)."""
        if self.const is not None:
            return self.const
        lead = np.broadcast_shapes(*(np.shape(x)[:-1] for x in shares))
        with np.errstate(all="ignore"):
            out = self._func(*self._arguments(shares))
        values = np.stack([np.broadcast_to(np.asarray(v, dtype=float), lead) for v in out], axis=-1)
        values = values.reshape(*lead, *self.tshape)
        if not np.all(np.isfinite(values)):
            raise GameError("a payoff is not finite at some composition of the finite populations")
        return values

    def exact_table(self, shares: Sequence[Sequence[Fraction]]) -> list[Fraction]:
        """The payoff entries (flat, in ``tshape`` order) at exact shares, as Fractions."""
        subs = {}
        for pop, x in zip(self.game.populations, shares):
            syms = pop.share_symbols
            if pop.k == 2:
                subs[syms[0]] = sympy.Rational(x[0].numerator, x[0].denominator)
            else:
                for s, v in zip(syms, x):
                    subs[s] = sympy.Rational(v.numerator, v.denominator)
        out = []
        for e in self.exprs:
            v = e.xreplace(subs) if self.state_dependent else e
            if not v.is_Rational:
                raise GameError(f"payoff {e} is not rational at these shares; exact=True needs it")
            out.append(Fraction(int(v.p), int(v.q)))
        return out

    def strategy_payoffs(
        self, counts: Sequence[np.ndarray], sizes: Sequence[int]
    ) -> list[np.ndarray]:
        """Payoff of each strategy of each population at compositions ``counts``.

        ``counts[p]`` has shape ``(..., k_p)``. In a symmetric game a member meets the other
        N − 1 members (no self-interaction); in several populations a member of ``p`` plays
        against the shares of the others.
        """
        shares = [np.asarray(c, dtype=float) / n for c, n in zip(counts, sizes)]
        t = self.table(shares)
        if self.symmetric:
            n = np.asarray(counts[0], dtype=float)
            size = sizes[0]
            diag = np.diagonal(t, axis1=-2, axis2=-1)
            return [(np.einsum("...ij,...j->...i", t, n) - diag) / (size - 1)]
        out = []
        letters = "abcdefghijklmnopqrstuvw"[: self.npop]
        for p in range(self.npop):
            tp = t[..., p, *([slice(None)] * self.npop)]
            operands = [tp]
            subs = [f"...{letters}"]
            for q in range(self.npop):
                if q != p:
                    operands.append(shares[q])
                    subs.append(f"...{letters[q]}")
            out.append(np.einsum(",".join(subs) + f"->...{letters[p]}", *operands))
        return out


# --------------------------------------------------------------------- fixation
def log_fixation(log_ratios: np.ndarray) -> np.ndarray:
    """Log fixation probability from the log ratios ``log T⁻(j)/T⁺(j)``, j = 1..N−1 (last axis).

    ρ = 1 / (1 + Σ_{k=1}^{N−1} Π_{j=1}^{k} T⁻(j)/T⁺(j)), so log ρ = −logsumexp(0, L_1, ...,
    L_{N−1}) with L_k the cumulative sums: no product or sum ever leaves floating point.
    """
    cum = np.cumsum(log_ratios, axis=-1)
    zeros = np.zeros((*cum.shape[:-1], 1))
    return -logsumexp(np.concatenate([zeros, cum], axis=-1), axis=-1)


def exact_fixation(ratios: Sequence[Fraction]) -> Fraction:
    """ρ = 1 / (1 + Σ_k Π_{j≤k} q_j) in exact rational arithmetic."""
    total = Fraction(1)
    prod = Fraction(1)
    for q in ratios:
        prod *= q
        total += prod
    return 1 / total


# --------------------------------------------------------------------- stationary (GTH)
def gth_log(log_rates: np.ndarray) -> np.ndarray:
    """Log stationary distribution of an irreducible chain given its log transition rates.

    ``log_rates[i, j]`` is the log rate from i to j (−inf for none; the diagonal is ignored).
    Grassmann, Taksar & Heyman (1985), carried out with logaddexp.
    """
    r = np.array(log_rates, dtype=float)
    m = r.shape[0]
    for n in range(m - 1, 0, -1):
        s = logsumexp(r[n, :n])
        if not np.isfinite(s):
            raise GameError("the chain between pure profiles is not irreducible")
        r[:n, n] -= s
        r[:n, :n] = np.logaddexp(r[:n, :n], r[:n, n, None] + r[None, n, :n])
    pi = np.full(m, -np.inf)
    pi[0] = 0.0
    for n in range(1, m):
        pi[n] = logsumexp(pi[:n] + r[:n, n])
    return pi - logsumexp(pi)


def gth_exact(rates: list[list[Fraction]]) -> list[Fraction]:
    """Exact stationary distribution (Fractions) of an irreducible chain by GTH elimination."""
    r = [list(row) for row in rates]
    m = len(r)
    for n in range(m - 1, 0, -1):
        s = sum(r[n][:n], Fraction(0))
        if s == 0:
            raise GameError("the chain between pure profiles is not irreducible")
        for i in range(n):
            r[i][n] /= s
        for i in range(n):
            if r[i][n]:
                for j in range(n):
                    if i != j:
                        r[i][j] += r[i][n] * r[n][j]
    pi = [Fraction(0)] * m
    pi[0] = Fraction(1)
    for n in range(1, m):
        pi[n] = sum((pi[i] * r[i][n] for i in range(n)), Fraction(0))
    total = sum(pi, Fraction(0))
    return [p / total for p in pi]


# --------------------------------------------------------------------- full chain
def compositions(n: int, k: int) -> np.ndarray:
    """All compositions of ``n`` members into ``k`` strategies, shape ``(C(n+k−1, k−1), k)``
    (stars and bars; the first row has every member in the last strategy)."""
    rows = []
    for cuts in itertools.combinations(range(n + k - 1), k - 1):
        prev = -1
        row = []
        for c in cuts:
            row.append(c - prev - 1)
            prev = c
        row.append(n + k - 2 - prev)
        rows.append(row)
    return np.array(rows, dtype=np.int64).reshape(-1, k)


def count_states(sizes: Sequence[int], shape: Sequence[int]) -> int:
    """Number of states of the full chain: the product of C(N_p + k_p − 1, k_p − 1)."""
    return math.prod(math.comb(n + k - 1, k - 1) for n, k in zip(sizes, shape))

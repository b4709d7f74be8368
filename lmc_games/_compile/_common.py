"""Pieces both engines share: the Dormand--Prince tableau, the projection onto the simplex,
argument checks, and the split of the CSE'd field into hoisted and per-state parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .._errors import IntegrationError

# Dormand--Prince 5(4) (Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving ODEs I, II.5):
# stages, fifth-order weights, error weights (fifth minus fourth order) and the coefficients
# of the fourth-order continuous extension (Hairer's DOPRI5, CONTD5).
_DP_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_DP_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)
_DP_D = (
    -12715105075 / 11282082432,
    0.0,
    87487479700 / 32700410799,
    -10690763975 / 1880347072,
    701980252875 / 199316789632,
    -1453857185 / 822651844,
    69997945 / 29380423,
)


def _all_shares(free: list, groups) -> list:
    """Component arrays of all shares from those of the free ones: per population its free
    shares, then ``1 - (their sum, left to right)`` -- the order of the numba kernels."""
    out = []
    for g in groups:
        tot = free[g[0]]
        for i in g[1:]:
            tot = tot + free[i]
        out += [free[i] for i in g]
        out.append(1.0 - tot)
    return out


def big_literal(expr: sympy.Rational) -> str | None:
    """A float literal for an integer or fraction whose numerator or denominator is 2**53 or
    more (``math.inf`` beyond the float range); ``None`` for a small one, which prints as
    itself (so ``x**2`` stays an integer power).

    Below 2**53 the float of ``p/q`` is what Python's division of the two integers gives, so
    both ways of printing agree there.
    """
    p, q = int(expr.p), int(expr.q)
    if abs(p) < 2**53 and q < 2**53:
        return None
    try:
        value = p / q
    except OverflowError:
        return "math.inf" if p > 0 else "(-math.inf)"
    return f"({value!r})"


def _check_steps(dt: Any, nsteps: Any, P: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps and numbers of steps, each a number or an array of one per parameter point, as
    two arrays of shape (P,)."""
    try:
        h = np.broadcast_to(np.asarray(dt, dtype=np.float64), (P,))
        ns_raw = np.broadcast_to(np.asarray(nsteps), (P,))
    except (TypeError, ValueError) as exc:
        raise IntegrationError(
            f"dt and nsteps must be numbers or arrays of one per parameter point ({P}): {exc}"
        ) from None
    if not np.all((h > 0.0) & np.isfinite(h)):
        raise IntegrationError(f"dt must be positive and finite; got {dt!r}")
    ns = ns_raw.astype(np.int64) if ns_raw.dtype.kind in "iuf" else None
    if ns is None or np.any(ns != ns_raw) or np.any(ns < 0):
        raise IntegrationError(f"nsteps must be non-negative integers; got {nsteps!r}")
    return np.ascontiguousarray(h), np.ascontiguousarray(ns)


def project(y: np.ndarray, groups: tuple[tuple[int, ...], ...]) -> None:
    """Keep states on the simplex, in place: clip free shares to [0, 1] and, per population
    with k >= 3 strategies, divide its free shares by their sum where that exceeds 1.

    The same arithmetic, in the same order, runs in the numba integrators, so both engines
    agree.
    """
    np.clip(y, 0.0, 1.0, out=y)
    for g in groups:
        if len(g) < 2:
            continue
        total = y[..., g[0]].copy()
        for i in g[1:]:
            total = total + y[..., i]
        over = total > 1.0
        if np.any(over):
            for i in g:
                y[..., i] = np.where(over, y[..., i] / total, y[..., i])


@dataclass(frozen=True)
class _Parts:
    """The CSE'd field split for the integrators.

    ``hoisted`` are the subexpressions of parameters alone: computed once per trajectory, not
    four times per step. ``kargs`` are the names the per-state ``kernel`` needs besides the
    shares (parameters and hoisted subexpressions).
    """

    n: int
    m: int
    hoisted: tuple[tuple[str, sympy.Expr], ...]
    inner: tuple[tuple[str, sympy.Expr], ...]
    reduced: tuple[sympy.Expr, ...]
    kargs: tuple[str, ...]

    @classmethod
    def split(cls, replacements, reduced, n: int, m: int) -> _Parts:
        pset = {sympy.Symbol(f"p_{j}") for j in range(m)}
        free_ok = set(pset)
        hoisted: list[tuple[str, sympy.Expr]] = []
        inner: list[tuple[str, sympy.Expr]] = []
        fresh = sympy.numbered_symbols("c_", start=len(replacements))
        known: dict[sympy.Expr, sympy.Symbol] = {}

        def hoist(e: sympy.Expr, sym: sympy.Symbol | None = None) -> sympy.Symbol:
            if e in known:
                return known[e]
            sym = next(fresh) if sym is None else sym
            hoisted.append((str(sym), e))
            free_ok.add(sym)
            known[e] = sym
            return sym

        def lift(e: sympy.Expr) -> sympy.Expr:
            # Replace each largest subexpression of parameters alone (and the parameter-only
            # factors of a product, terms of a sum) by a hoisted symbol.
            fs = e.free_symbols
            if not fs or e.is_Atom:
                return e
            if fs <= free_ok:
                return hoist(e)
            if isinstance(e, (sympy.Add, sympy.Mul)):
                const = [a for a in e.args if a.free_symbols <= free_ok]
                rest = [lift(a) for a in e.args if not a.free_symbols <= free_ok]
                group = e.func(*const)
                if group.is_Atom:
                    return e.func(group, *rest)
                return e.func(hoist(group), *rest)
            return e.func(*[lift(a) for a in e.args])

        for sym, e in replacements:
            if e.free_symbols <= free_ok:
                if e in known:
                    # An alias of an earlier hoisted value: define it as that value.
                    hoisted.append((str(sym), known[e]))
                    free_ok.add(sym)
                else:
                    hoist(e, sym)
            else:
                inner.append((str(sym), lift(e)))
        reduced = [lift(e) for e in reduced]
        used: set[sympy.Symbol] = set()
        for e in [e for _, e in inner] + list(reduced):
            used |= e.free_symbols
        used -= {sympy.Symbol(s) for s, _ in inner}
        used &= free_ok
        hnames = [s for s, _ in hoisted]

        def order(name: str) -> tuple[int, int]:
            return (0, int(name[2:])) if name.startswith("p_") else (1, hnames.index(name))

        kargs = tuple(sorted((str(s) for s in used), key=order))
        return cls(n, m, tuple(hoisted), tuple(inner), tuple(reduced), kargs)

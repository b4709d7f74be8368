"""A symbolic analysis must agree with the numeric analyses of the games it stands for.

For each bundled model, and for 2x2 bimatrix games whose eight payoffs are named parameters,
random parameter values are drawn inside the parameters' bounds (exact rationals with small
denominators, redrawn when they sit on the boundary of any condition: an exact tie). Then, for
every rest point of the symbolic analysis,

* ``exists_if`` with the values is true exactly when the numeric analysis of
  ``game.with_values(**values)`` has a rest point with that label;
* ``stable_if`` with the values is true exactly when that numeric rest point is asymptotically
  stable, and ``nash_if`` exactly when it is a Nash equilibrium;
* a symbolic ``stability`` that is not ``None`` is the numeric one;
* the symbolic coordinates with the values are the numeric coordinates, exactly.

Expected closed forms, checked once per model, come from the literature:

* hawk–dove: interior rest point x* = V/C, present and an ESS exactly when C > V > 0
  (Maynard Smith & Price 1973; Maynard Smith 1982, ch. 2; Hofbauer & Sigmund 1998, ch. 6);
* prisoner's dilemma and its relatives: interior point (P - S)/(P + R - S - T), stable in the
  snowdrift ordering (Hofbauer & Sigmund 1998, ch. 6-7, classification of 2x2 games);
* rock–paper–scissors with win a and loss b: barycentre (1/3, 1/3, 1/3), asymptotically
  stable exactly when a > b (Zeeman 1980; Hofbauer & Sigmund 1998, §7.7);
* matching pennies: interior point (1/2, 1/2), never asymptotically stable (a centre;
  Hofbauer & Sigmund 1998, §10.2; Weibull 1995);
* inspection game: p* = g/f and q* = c/(r + l), never asymptotically stable (Tsebelis 1989;
  Andreozzi 2004);
* hawk–dove between owners and intruders: interior point (V/C, V/C), never asymptotically
  stable; the conventions (hawk, dove) and (dove, hawk) are stable when C > V (Maynard Smith &
  Parker 1976; Selten 1980; Hofbauer & Sigmund 1998, ch. 10).
* generic 2x2 bimatrix games: no interior rest point is asymptotically stable (Selten 1980;
  Hofbauer & Sigmund 1998, §10.2).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy
from sympy import Rational

from lmc_games import Game, Stability, analyze, load_model

MODELS = [
    "hawk_dove",
    "prisoners_dilemma",
    "rock_paper_scissors",
    "matching_pennies",
    "inspection",
    "hawk_dove_roles",
]
DRAWS = 40


# ----------------------------------------------------------------------------- games
def random_bimatrix(seed: int) -> Game:
    """A 2x2 bimatrix game whose eight payoffs are parameters with seeded random defaults and
    bounds: some unbounded, some non-negative, some in an interval."""
    rng = np.random.default_rng(seed)
    names = [[f"a{i}{j}" for j in (1, 2)] for i in (1, 2)]
    bnames = [[f"b{i}{j}" for j in (1, 2)] for i in (1, 2)]
    params = {}
    for name in [n for row in names + bnames for n in row]:
        kind = rng.integers(3)
        if kind == 0:
            params[name] = {"value": int(rng.integers(-5, 6))}
        elif kind == 1:
            params[name] = {"value": int(rng.integers(0, 6)), "min": 0}
        else:
            lo = int(rng.integers(-6, 0))
            hi = int(rng.integers(1, 7))
            params[name] = {"value": int(rng.integers(lo, hi + 1)), "min": lo, "max": hi}
    return Game.bimatrix(names, bnames, parameters=params, name=f"bimatrix_{seed}")


GAMES = {name: functools.partial(load_model, name) for name in MODELS}
GAMES.update({f"bimatrix_{seed}": functools.partial(random_bimatrix, seed) for seed in range(4)})


@functools.cache
def symbolic(name: str):
    game = GAMES[name]()
    return game, analyze(game, symbolic=True)


# ----------------------------------------------------------------------------- values
def draw_value(rng, parameter) -> Rational:
    """A rational strictly inside the parameter's bounds (within 5 of a one-sided bound)."""
    lo, hi = parameter.min, parameter.max
    if lo is None and hi is None:
        lo, hi = Rational(-5), Rational(5)
    elif lo is None:
        lo = hi - 5
    elif hi is None:
        hi = lo + 5
    while True:
        q = int(rng.integers(1, 5))
        t = Rational(int(rng.integers(1, 4 * q * 10)), 4 * q * 10)  # in (0, 1)
        v = lo + (hi - lo) * t
        v = Rational(round(v * q), q)  # small denominator
        if lo < v < hi:
            return v


def relations(analysis):
    """Every comparison in every condition of the symbolic analysis."""
    out = set()
    for r in analysis.rest_points:
        for cond in (r.exists_if, r.stable_if, r.nash_if):
            if isinstance(cond, sympy.Basic):
                out |= cond.atoms(sympy.core.relational.Relational)
    return out


def draw_values(rng, game, analysis) -> dict[str, Rational]:
    """Random values with no exact tie: no comparison of any condition at equality, no
    coordinate with a vanishing denominator."""
    rels = relations(analysis)
    coords = [e for r in analysis.rest_points for e in r.coordinates.values()]
    for _ in range(1000):
        values = {p.name: draw_value(rng, p) for p in game.parameters}
        subs = {game.symbols[n]: v for n, v in values.items()}
        if any((rel.lhs - rel.rhs).xreplace(subs) == 0 for rel in rels):
            continue
        if any(sympy.denom(sympy.together(e)).xreplace(subs) == 0 for e in coords):
            continue
        return values
    raise AssertionError("no tie-free parameter values found")


def truth(cond, subs) -> bool:
    value = cond.xreplace(subs) if isinstance(cond, sympy.Basic) else sympy.sympify(cond)
    if value not in (sympy.true, sympy.false):
        value = sympy.simplify(value)
    assert value in (sympy.true, sympy.false), f"{cond} with {subs} is {value}"
    return bool(value)


# ----------------------------------------------------------------------------- the comparison
@pytest.mark.parametrize("name", list(GAMES))
def test_symbolic_conditions_match_numeric_analyses(name):
    game, sym = symbolic(name)
    params = set(game.symbols.values())
    for r in sym.rest_points:
        assert r.notes == (), (r.label, r.notes)
        for v in r.coordinates.values():
            assert v.free_symbols <= params, (r.label, v)  # no named intermediate quantities
    rng = np.random.default_rng(sum(map(ord, name)))
    for _ in range(DRAWS):
        values = draw_values(rng, game, sym)
        g = game.with_values(**values)
        subs = g.value_substitution()
        num = analyze(g)
        assert not num.continua, (values, num.continua)
        found = {r.label: r for r in num.rest_points}
        sym_labels = {r.label for r in sym.rest_points}
        assert set(found) <= sym_labels, (values, set(found) - sym_labels)
        for r in sym.rest_points:
            where = (name, r.label, values)
            exists = truth(r.exists_if, subs)
            assert exists == (r.label in found), where
            if not exists:
                continue
            n = found[r.label]
            assert truth(r.stable_if, subs) == n.asymptotically_stable, (where, n.stability)
            if r.nash_if is not None:
                assert truth(r.nash_if, subs) == n.nash, where
            if r.stability is not None:
                assert r.stability is n.stability, (where, r.stability, n.stability)
            assert set(r.coordinates) == set(n.coordinates), where
            for v, e in r.coordinates.items():
                diff = e.xreplace(subs) - n.coordinates[v]
                assert diff == 0 or sympy.simplify(diff) == 0, (where, v, e, n.coordinates[v])


# ----------------------------------------------------------------------------- the literature
def _point(name, label):
    game, sym = symbolic(name)
    return game.symbols, sym[label]


def _coords(rp):
    return {str(k): v for k, v in rp.coordinates.items()}


def test_hawk_dove_interior_is_V_over_C():
    s, r = _point("hawk_dove", "hawk+dove")
    assert sympy.simplify(_coords(r)["x"] - s["V"] / s["C"]) == 0
    V, C = s["V"], s["C"]
    for v, c, want in [(2, 3, True), (3, 2, False), (1, 8, True)]:
        assert truth(r.exists_if, {V: v, C: c}) is want
        assert truth(r.stable_if, {V: v, C: c}) is want


def test_prisoners_dilemma_interior_formula():
    s, r = _point("prisoners_dilemma", "cooperate+defect")
    P, R, S, T = (s[k] for k in "PRST")
    assert sympy.simplify(_coords(r)["x"] - (P - S) / (P + R - S - T)) == 0
    snowdrift = {T: 5, R: 3, S: 2, P: 1}  # T > R > S > P: a stable mix
    dilemma = {T: 5, R: 3, P: 1, S: 0}  # T > R > P > S: no interior point
    stag_hunt = {R: 3, T: 2, P: 1, S: 0}  # R > T > P > S: an unstable interior point
    assert truth(r.stable_if, snowdrift)
    assert not truth(r.exists_if, dilemma)
    assert truth(r.exists_if, stag_hunt) and not truth(r.stable_if, stag_hunt)


def test_rock_paper_scissors_barycentre_stable_iff_a_above_b():
    s, r = _point("rock_paper_scissors", "rock+paper+scissors")
    assert set(_coords(r).values()) == {Rational(1, 3)}
    a, b = s["a"], s["b"]
    for av, bv, want in [(2, 1, True), (1, 2, False), (3, Rational(5, 2), True)]:
        assert truth(r.stable_if, {a: av, b: bv}) is want


def test_matching_pennies_interior_half_half_never_stable():
    _, r = _point("matching_pennies", "heads+tails, heads+tails")
    assert set(_coords(r).values()) == {Rational(1, 2)}
    assert r.stable_if == sympy.false


def test_inspection_interior_is_tsebelis_point():
    s, r = _point("inspection", "inspect+no_inspect, violate+comply")
    c = _coords(r)
    assert sympy.simplify(c["p"] - s["g"] / s["f"]) == 0
    assert sympy.simplify(c["q"] - s["c"] / (s["r"] + s["l"])) == 0
    assert r.stable_if == sympy.false


def test_hawk_dove_roles_conventions_stable_interior_not():
    s, r = _point("hawk_dove_roles", "hawk+dove, hawk+dove")
    c = _coords(r)
    V, C = s["V"], s["C"]
    assert sympy.simplify(c["x"] - V / C) == 0 and sympy.simplify(c["y"] - V / C) == 0
    assert r.stable_if == sympy.false
    _, conv = _point("hawk_dove_roles", "hawk, dove")
    assert truth(conv.stable_if, {V: 2, C: 3}) and not truth(conv.stable_if, {V: 3, C: 2})


@pytest.mark.parametrize("seed", range(4))
def test_bimatrix_interior_never_asymptotically_stable(seed):
    _, sym = symbolic(f"bimatrix_{seed}")
    interior = [r for r in sym.rest_points if r.label == "r1+r2, c1+c2"]
    for r in interior:  # absent when the bounds rule it out
        assert r.stable_if == sympy.false
        assert r.stability is not Stability.STABLE

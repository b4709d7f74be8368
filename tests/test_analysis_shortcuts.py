"""The shortcuts that make a symbolic analysis fast give the answers of the slow path.

- Zero-trace faces (Selten 1980; Ritzberger & Weibull 1995): a rest point with a mixed
  population in a multi-population game with multilinear payoffs is never asymptotically
  stable, so its sign conditions are not built; checked here against exact analyses at random
  parameter values, where every eigenvalue is computed.
- Probes (`_conditions._probe`): one rational point rules out an identity before ``expand`` or
  ``cancel`` is asked to prove it; checked against ``expand``/``cancel`` on random polynomials.
- Assumption queries skipped when the probe point contradicts them; checked against the
  queries themselves.
"""

from __future__ import annotations

import itertools

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import Game, Stability, analyze
from lmc_games._conditions import (
    Signs,
    _may_be_equal,
    _may_be_negative_multiple,
    _may_be_opposite,
    _probe,
    combine,
    negative,
)
from lmc_games._params import Parameter

A, B, C, D = (sympy.Symbol(n, nonnegative=True, real=True) for n in "abcd")
MONOMIALS = [sympy.Integer(1), A, B, C, D, A * B, B * C, A * D, C * D, A * B * C]

polys = st.lists(
    st.tuples(st.integers(-5, 5), st.sampled_from(MONOMIALS)), min_size=1, max_size=6
).map(lambda terms: sympy.Add(*[k * m for k, m in terms]))


@settings(max_examples=200, deadline=None)
@given(polys, st.integers(-4, 4).filter(bool), st.integers(1, 4))
def test_probe_never_rules_out_a_true_identity(p, num, den):
    c = sympy.Rational(num, den)
    if p == 0:
        return
    scaled = sympy.expand(c * p)
    assert _may_be_equal(p, sympy.expand(p * 1))
    assert _may_be_opposite(p, sympy.expand(-p))
    if c < 0:
        assert _may_be_negative_multiple(scaled, p)


@settings(max_examples=200, deadline=None)
@given(polys, polys)
def test_probe_agrees_with_expand_when_it_rules_out(p, q):
    if not _may_be_equal(p, q):
        assert sympy.expand(p - q) != 0
    if not _may_be_opposite(p, q):
        assert sympy.expand(p + q) != 0
    if q != 0 and not _may_be_negative_multiple(p, q):
        ratio = sympy.cancel(p / q)
        assert not (ratio.is_number and ratio < 0)


def test_probe_point_respects_sign_assumptions():
    n = sympy.Symbol("n", nonpositive=True)
    assert _probe(n) < 0
    assert _probe(A) > 0
    # Not a rational value: no probe, so nothing is ruled out.
    assert _probe(sympy.sqrt(A)) is None
    assert _may_be_equal(sympy.sqrt(A), sympy.sqrt(A))


@settings(max_examples=150, deadline=None)
@given(polys)
def test_sign_with_probe_equals_the_assumption_queries(p):
    params = [Parameter(s.name, 1, min=0) for s in (A, B, C, D)]
    signs = Signs(params)
    slow_strict = 1 if p.is_positive else (-1 if p.is_negative else None)
    if p == 0:
        slow_strict = 0
    got = signs.sign(p)
    if slow_strict is not None:
        assert got == slow_strict
    slow_weak = 1 if p.is_nonnegative else (-1 if p.is_nonpositive else None)
    if slow_weak is not None:
        assert signs.weak_sign(p) == slow_weak


def test_combine_finds_contradictions_the_probe_lets_through():
    # e1 = -2*e2: the probe must not hide it.
    e = A + 2 * B - C
    assert combine([sympy.StrictGreaterThan(e, 0), sympy.StrictGreaterThan(-2 * e, 0)]) is (
        sympy.false
    )
    signs = Signs([Parameter(s.name, 1, min=0) for s in (A, B, C, D)])
    assert combine([negative(e, signs), negative(-e, signs)]) is sympy.false


def _random_2x2x2(seed: int, symbolic_names: list[str]) -> Game:
    """A 2x2x2 game whose payoffs are small integers, some entries named parameters."""
    import random

    rnd = random.Random(seed)
    pops = [("A", ["a1", "a2"]), ("B", ["b1", "b2"]), ("C", ["c1", "c2"])]
    params: dict[str, dict] = {}
    table = {}
    names = iter(symbolic_names)
    for prof in itertools.product(range(2), repeat=3):
        key = tuple(f"{'abc'[p]}{s + 1}" for p, s in enumerate(prof))
        row: list = []
        for _p in range(3):
            if rnd.random() < 0.3:
                name = next(names, None)
                if name is not None:
                    params[name] = {"value": rnd.randint(-4, 4), "min": -10, "max": 10}
                    row.append(name)
                    continue
            row.append(rnd.randint(-4, 4))
        table[key] = row
    return Game.from_table(pops, table, parameters=params, name=f"random_{seed}")


# Two seeds in the default run (each is a full symbolic 2x2x2 analysis twice); all six
# under -m slow.
@pytest.mark.parametrize(
    "seed", [1, 3, *(pytest.param(s, marks=pytest.mark.slow) for s in (0, 2, 4, 5))]
)
def test_zero_trace_shortcut_agrees_with_exact_analysis(seed):
    """Symbolic stable_if is false at every point with a mixed population, and exact analyses
    at random parameter values (every eigenvalue computed, no shortcut involved in the
    verdict) never find such a point asymptotically stable."""
    import random

    g = _random_2x2x2(seed, ["p", "q", "r"])
    sym = analyze(g, symbolic=True)
    for r in sym.rest_points:
        if not r.is_pure:
            assert r.stable_if == sympy.false, r.label
            assert r.stability is not Stability.STABLE
    rnd = random.Random(seed)
    for _ in range(4):
        values = {
            p.name: sympy.Rational(rnd.randint(-10, 10), rnd.randint(1, 5)) for p in g.parameters
        }
        exact = analyze(g.with_values(**values))
        for r in exact.rest_points:
            if not r.is_pure:
                assert not r.asymptotically_stable, (values, r.label, r.numeric_eigenvalues)
                # Zero trace of the face block: the eigenvalues within the face sum to zero.
                assert r.stability is not Stability.STABLE

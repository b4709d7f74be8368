"""The interval arithmetic behind the certified search of rest points (lmc_games/_interval.py).

An enclosure must contain the exact value (checked against mpmath at 50 digits); the Krawczyk
test must isolate known roots (sqrt(2); Moore, Kearfott & Cloud 2009, §8.2) and exclude boxes
without one; Routh counts must match the eigenvalues numpy computes (Gantmacher 1959, ch. XV).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games._interval import (
    Interval,
    NoEnclosure,
    charpoly,
    compile_interval,
    krawczyk,
    routh_counts,
)

X, Y = sympy.symbols("x y")
EXPRS = [
    X * Y - sympy.exp(X),
    1 / (1 + sympy.exp(-3 * X + Y)),
    sympy.tanh(X / 2 - Y) * X**2,
    sympy.Max(X - Y, 0) - Y * sympy.Max(Y - X, 0),
    X * (1 - X) * (sympy.Rational(1, 3) - sympy.Rational(7, 10) * Y) + sympy.Float(0.1) * (Y - X),
    (X - Y) ** 3 - sympy.Min(X, Y**2),
]

floats = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    i=st.integers(0, len(EXPRS) - 1),
    a=floats,
    b=floats,
    wa=st.floats(0, 1),
    wb=st.floats(0, 1),
    ta=st.floats(0, 1),
    tb=st.floats(0, 1),
)
def test_enclosure_contains_the_exact_value(i, a, b, wa, wb, ta, tb):
    expr = EXPRS[i]
    f = compile_interval(expr, [X, Y])
    box = [Interval(a, a + wa), Interval(b, b + wb)]
    enc = f(box)
    px, py = a + ta * wa, b + tb * wb
    px, py = min(max(px, box[0].lo), box[0].hi), min(max(py, box[1].lo), box[1].hi)
    with mpmath.workdps(50):
        exact = sympy.N(expr.subs({X: sympy.Float(px, 53), Y: sympy.Float(py, 53)}), 50)
    assert enc.lo <= float(exact) <= enc.hi or (
        # float() of the 50-digit value rounds; compare at 50 digits
        sympy.Float(enc.lo, 53) <= exact <= sympy.Float(enc.hi, 53)
    )


def test_unsupported_function_is_refused():
    try:
        compile_interval(sympy.sin(X), [X])
    except NoEnclosure:
        return
    raise AssertionError("sin has no interval rule here and must be refused")


def test_krawczyk_isolates_sqrt2_and_excludes_an_empty_box():
    F = [compile_interval(X**2 - 2, [X])]
    J = [[compile_interval(2 * X, [X])]]
    status, K = krawczyk(F, J, [Interval(1.3, 1.5)])
    assert status == "unique" and K[0].lo <= math.sqrt(2) <= K[0].hi
    assert 1.3 < K[0].lo and K[0].hi < 1.5
    assert krawczyk(F, J, [Interval(2.0, 3.0)])[0] == "none"


def test_krawczyk_two_dimensional():
    # x^2 + y^2 = 1, y = x: the root (1/sqrt 2, 1/sqrt 2) is isolated; a box at (1.3, 1.3) has none.
    F = [compile_interval(X**2 + Y**2 - 1, [X, Y]), compile_interval(Y - X, [X, Y])]
    J = [
        [compile_interval(2 * X, [X, Y]), compile_interval(2 * Y, [X, Y])],
        [compile_interval(sympy.Integer(-1), [X, Y]), compile_interval(sympy.Integer(1), [X, Y])],
    ]
    r = 1 / math.sqrt(2)
    status, K = krawczyk(F, J, [Interval(r - 0.05, r + 0.04), Interval(r - 0.03, r + 0.05)])
    assert status == "unique" and all(k.contains(r) for k in K)
    assert krawczyk(F, J, [Interval(1.2, 1.4), Interval(1.2, 1.4)])[0] == "none"
    # Where the Jacobian is singular at the centre the test says nothing, never "none".
    assert krawczyk(F, J, [Interval(-0.1, 0.1), Interval(-0.1, 0.1)])[0] == "unknown"


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(0, 10**6))
def test_routh_counts_match_numpy(n, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    ev = np.linalg.eigvals(M)
    if np.min(np.abs(ev.real)) < 1e-3:
        return  # too close to the axis for a verdict either way
    A = [[Interval(float(M[i, j])) for j in range(n)] for i in range(n)]
    counts = routh_counts(charpoly(A))
    assert counts is not None
    assert counts == (int(np.sum(ev.real < 0)), int(np.sum(ev.real > 0)))


def test_routh_undecided_on_the_axis():
    # A centre: eigenvalues +-i. No sign can be proven: None, never a verdict.
    A = [[Interval(0.0), Interval(1.0)], [Interval(-1.0), Interval(0.0)]]
    assert routh_counts(charpoly(A)) is None

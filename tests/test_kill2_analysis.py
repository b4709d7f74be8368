"""Verdicts and tables of ``_analysis`` on paths the bundled models do not reach, each against a
hand computation (tests written to kill surviving mutants of tools/mutation.py, issue 14).

* A rest point found by the numeric face search with a zero eigenvalue is non-hyperbolic.
* A segment of rest points with eigenvalues -1, 0, 1 across it is a saddle.
* The characteristic polynomial of a three-dimensional symbolic block.
* The numeric face search finds every well-separated root of a non-polynomial face equation.
* The det/trace table explains a zero determinant; the ranges of a symbolic segment.
"""

import math

import numpy as np
import pytest
import sympy

from lmc_games import Game, Stability, analyze


def _two_population(pay):
    pops = [
        {"name": "p1", "strategies": ["a", "b"], "share": "x"},
        {"name": "p2", "strategies": ["c", "d"], "share": "y"},
    ]
    return Game.from_table(pops, pay)


def test_a_numerically_found_point_with_a_zero_eigenvalue_is_non_hyperbolic():
    """Payoffs f_r = exp(x2), f_p = exp(x1), f_s = exp(1/2) (not polynomial: the edge r+p is
    searched numerically). On that edge f_r = f_p at x1 = x2 = 1/2, where s earns exactly the
    same, so the eigenvalue across the edge is 0; along it, d/dx [x (1 - x)(e^(1-x) - e^x)] at
    x = 1/2 is -e^(1/2)/2 (by hand). A zero eigenvalue: non-hyperbolic, and not exact."""
    # Each row is constant: the payoff is the same against every strategy.
    game = Game.symmetric([["exp(x2)"] * 3, ["exp(x1)"] * 3, ["exp(1/2)"] * 3], ["r", "p", "s"])
    (r,) = [r for r in analyze(game).rest_points if r.label == "r+p"]
    assert r.numeric_shares[0] == pytest.approx((0.5, 0.5, 0.0), abs=1e-9)
    ev = sorted(z.real for z in r.numeric_eigenvalues)
    assert ev == pytest.approx([-math.exp(0.5) / 2, 0.0], abs=1e-9)
    assert r.exact is False
    assert r.stability is Stability.NON_HYPERBOLIC
    assert r.asymptotically_stable is False


def test_a_segment_with_eigenvalues_of_both_signs_across_it_is_a_saddle():
    """A 4x4 game whose rows r and p are 0, row s is 1 and row q is -1: r and p always earn the
    same, so the edge r+p is a segment of rest points. There the growth rates of s and q are
    1 - 0 and -1 - 0, so the eigenvalues are 0 (along), 1 and -1 (by hand): a saddle."""
    game = Game.symmetric([[0] * 4, [0] * 4, [1] * 4, [-1] * 4], ["r", "p", "s", "q"])
    (seg,) = analyze(game).continua
    assert seg.face == "r+p"
    assert sorted(z.real for z in seg.numeric_eigenvalues) == pytest.approx([-1.0, 0.0, 1.0])
    assert seg.stability is Stability.SADDLE


def test_characteristic_polynomial_of_a_three_dimensional_symbolic_block():
    """A = I (4x4 coordination), interior point x_i = 1/4. With f_i = x_i and mean payoff
    sum x_j**2, the Jacobian of x_i' = x_i (x_i - sum x_j**2) at the barycentre acts on tangent
    vectors v (sum v = 0) as v/4 (by hand), so the characteristic polynomial is
    (lambda - 1/4)**3; sympy's charpoly of the reduced Jacobian agrees."""
    game = Game.symmetric(np.eye(4, dtype=int).tolist(), list("abcd"))
    r = analyze(game, symbolic=True)["a+b+c+d"]
    (lam,) = r.charpoly.free_symbols
    assert sympy.expand(r.charpoly - (lam - sympy.Rational(1, 4)) ** 3) == 0
    x1, x2, x3 = sympy.symbols("x1 x2 x3")
    x = [x1, x2, x3, 1 - x1 - x2 - x3]
    mean = sum(v**2 for v in x)
    field = sympy.Matrix([x[i] * (x[i] - mean) for i in range(3)])
    quarter = sympy.Rational(1, 4)
    J = field.jacobian([x1, x2, x3]).subs({x1: quarter, x2: quarter, x3: quarter})
    assert sympy.expand(J.charpoly(lam).as_expr() - r.charpoly) == 0


def test_the_numeric_face_search_finds_every_root_of_a_non_polynomial_equation():
    """A = [[(x - 1/5)(x - 1/2)(x - 4/5) exp(x), 0], [0, 0]]: f_s - f_t = x times that, so the
    interior rest points are x = 1/5, 1/2, 4/5 (by hand; exp has no zero). The search starts
    from a grid over the face and must find all three."""
    game = Game.symmetric([["(x - 1/5)*(x - 1/2)*(x - 4/5)*exp(x)", 0], [0, 0]], ["s", "t"])
    a = analyze(game)
    assert a.complete is False
    found = sorted(r.numeric_shares[0][0] for r in a.rest_points if r.label.startswith("s+t"))
    assert found == pytest.approx([0.2, 0.5, 0.8], abs=1e-9)


def test_the_det_trace_table_says_why_a_zero_determinant_decides_nothing():
    """Population 1 earns y with a and with b (a tie everywhere), so at every corner one
    eigenvalue is 0 and det = 0 (by hand); population 2's advantage c - d is 2x - 1, so at
    (a, d) the other eigenvalue is +1 and the library calls that corner unstable. The table
    must say that the det/trace method cannot decide, and where the library's verdict
    differs, say what it is."""
    pay = {"a, c": [1, 1], "a, d": [0, 0], "b, c": [1, 0], "b, d": [0, 1]}
    rows = {row.label: row for row in analyze(_two_population(pay)).det_trace}
    assert set(rows) == {"a, c", "a, d", "b, c", "b, d"}
    for row in rows.values():
        assert row.det == 0 and row.det_sign == 0
        assert row.verdict is Stability.NON_HYPERBOLIC
        assert row.note is not None and "det = 0" in row.note
    assert "unstable" in rows["a, d"].note


def test_the_ranges_of_a_symbolic_segment_list_every_positive_share():
    """f1 = y**2 - y/2, f2 = y**2 - 1/4: the interior face holds the segment y = 1/2, x = t
    free (by hand). Its ranges state that every share in use is positive: t, 1 - t and 1/2."""
    f1, f2 = "y**2 - y/2", "y**2 - 1/4"
    pay = {"a, c": [f1, f2], "a, d": [f1, 0], "b, c": [0, f2], "b, d": [0, 0]}
    a = analyze(_two_population(pay), symbolic=True)
    (seg,) = [c for c in a.continua if c.face == "a+b, c+d"]
    assert seg.ranges == "0 < t and 0 < 1 - t and 0 < 1/2"


def _param(expr, name):
    (sym,) = [s for s in expr.free_symbols if s.name == name]
    return sym


def test_a_symbolic_two_dimensional_block_gives_its_charpoly_and_stability_condition():
    """A = -a I (3x3): at the barycentre the Jacobian acts on tangent vectors as -a/3 times the
    identity (x_i' = x_i (f_i - mean) with f_i = -a x_i; by hand, as for A = I), so the
    characteristic polynomial is (lambda + a/3)**2 and the point is stable exactly when
    a > 0 (a in [-1, 2])."""
    game = Game.symmetric(
        [["-a", 0, 0], [0, "-a", 0], [0, 0, "-a"]],
        ["r", "p", "s"],
        parameters={"a": {"value": 1, "min": -1, "max": 2}},
    )
    r = analyze(game, symbolic=True)["r+p+s"]
    a, lam = _param(r.charpoly, "a"), _param(r.charpoly, "lambda")
    assert sympy.expand(r.charpoly - (lam + a / 3) ** 2) == 0
    for value, stable in ((2, True), (1, True), (sympy.Rational(1, 10), True)):
        assert bool(r.stable_if.subs(a, value)) is stable
    for value in (sympy.Rational(-1, 10), -1):
        assert bool(r.stable_if.subs(a, value)) is False
    assert r.stability is None  # it depends on a


def test_symbolic_zero_sum_rock_paper_scissors_is_a_centre():
    """Zero-sum RPS with win w >= 1: at the barycentre the eigenvalues are +-i w/sqrt(3)
    (characteristic polynomial lambda**2 + w**2/3, by hand), and x1 x2 x3 is a constant of
    motion, so the interior point is a centre for every w (Hofbauer & Sigmund 1998)."""
    game = Game.symmetric(
        [[0, "-w", "w"], ["w", 0, "-w"], ["-w", "w", 0]],
        ["r", "p", "s"],
        parameters={"w": {"value": 2, "min": 1}},
    )
    r = analyze(game, symbolic=True)["r+p+s"]
    w, lam = _param(r.charpoly, "w"), _param(r.charpoly, "lambda")
    assert sympy.expand(r.charpoly - (lam**2 + w**2 / 3)) == 0
    assert r.stability is Stability.CENTRE
    assert r.asymptotically_stable is False

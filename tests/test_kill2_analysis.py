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


def test_a_symbolic_three_dimensional_block_keeps_the_transversal_condition():
    """Five strategies: A = -I on the first four, and e earns b against everything. On the face
    a+b+c+d the point is the barycentre, where the block acts as -1/4 times the identity (as for
    A = I, with the sign flipped) and e's growth rate is b - (-1/4) (by hand): the
    characteristic polynomial is (lambda - b - 1/4)(lambda + 1/4)**3, and the point is stable
    exactly when b < -1/4, whatever the Hurwitz conditions of the block say."""
    matrix = [[-1 if i == j else 0 for j in range(5)] for i in range(4)] + [["b"] * 5]
    game = Game.symmetric(
        matrix, list("abcde"), parameters={"b": {"value": 0, "min": -1, "max": 1}}
    )
    r = analyze(game, symbolic=True)["a+b+c+d"]
    b, lam = _param(r.charpoly, "b"), _param(r.charpoly, "lambda")
    quarter = sympy.Rational(1, 4)
    assert sympy.expand(r.charpoly - (lam - b - quarter) * (lam + quarter) ** 3) == 0
    assert bool(r.stable_if.subs(b, sympy.Rational(-1, 2))) is True
    for value in (sympy.Rational(-1, 5), 0, 1):
        assert bool(r.stable_if.subs(b, value)) is False


def test_symbolic_rest_points_carry_their_jacobian_and_eigenvalues():
    """A = [[0, a], [1, 0]], a in [-1/2, 2]: f_s - f_t = a (1 - x) - x. By hand: at t (x = 0)
    the eigenvalue is a; at s (x = 1) it is 1; the interior point x = a/(1 + a) exists when
    a > 0, with eigenvalue x (1 - x) d/dx (a (1 - x) - x) = -a/(1 + a) < 0 there: stable
    wherever it exists, although its stable_if is the condition a > 0, not `true`."""
    game = Game.symmetric(
        [[0, "a"], [1, 0]],
        ["s", "t"],
        parameters={"a": {"value": 1, "min": sympy.Rational(-1, 2), "max": 2}},
    )
    analysis = analyze(game, symbolic=True)
    interior = analysis["s+t"]
    a = _param(interior.coordinates[next(iter(interior.coordinates))], "a")
    want = {"t": a, "s": sympy.Integer(1), "s+t": -a / (1 + a)}
    for label, ev in want.items():
        r = analysis[label]
        assert len(r.eigenvalues) == 1 and sympy.simplify(r.eigenvalues[0] - ev) == 0, label
        assert r.jacobian is not None and sympy.simplify(r.jacobian[0, 0] - ev) == 0, label
    assert interior.stability is Stability.STABLE
    assert bool(interior.stable_if.subs(a, 1)) is True
    assert bool(interior.stable_if.subs(a, sympy.Rational(-1, 4))) is False
    assert analysis.det_trace == ()  # a one-dimensional system has no det/trace table


def test_a_parameter_added_to_every_payoff_of_a_population_is_inert():
    """A = [[c, a + c], [1 + c, c]]: c is added to both strategies' payoffs against every
    opponent strategy, so it cancels from f_s - f_t = a (1 - x) - x (by hand): c is inert, a is
    not. A game without such a parameter lists none."""
    game = Game.symmetric([["c", "a + c"], ["1 + c", "c"]], ["s", "t"], parameters={"a": 1, "c": 5})
    for symbolic in (False, True):
        assert analyze(game, symbolic=symbolic).inert_parameters == ("c",)
    plain = Game.symmetric([[0, "a"], [1, 0]], ["s", "t"], parameters={"a": 1})
    assert analyze(plain).inert_parameters == ()


def test_a_min_of_constants_is_no_kink_of_the_field():
    """A = [[0, m], [1, 0]] with m = min(log(6) - log(2), log(3)): both arguments equal log 3,
    but neither involves a share, so the field is smooth in the shares. By hand the interior
    point is x = m/(1 + m) with eigenvalue -m/(1 + m) < 0: stable, exactly."""
    game = Game.symmetric([[0, "min(log(6) - log(2), log(3))"], [1, 0]], ["s", "t"])
    r = analyze(game)["s+t"]
    m = sympy.log(3)
    (x,) = r.coordinates.values()
    assert abs(sympy.N(x - m / (1 + m), 50)) < 1e-40
    assert r.stability is Stability.STABLE
    assert complex(r.numeric_eigenvalues[0]).real == pytest.approx(float(-m / (1 + m)))


def test_a_symbolic_one_dimensional_block_has_charpoly_lambda_minus_its_eigenvalue():
    """A = [[0, a], [1, 0]]: the interior eigenvalue is -a/(1 + a) (by hand, as above), so the
    characteristic polynomial is lambda + a/(1 + a)."""
    game = Game.symmetric(
        [[0, "a"], [1, 0]], ["s", "t"], parameters={"a": {"value": 1, "min": 0, "max": 2}}
    )
    r = analyze(game, symbolic=True)["s+t"]
    a, lam = _param(r.charpoly, "a"), _param(r.charpoly, "lambda")
    assert sympy.simplify(r.charpoly - (lam + a / (1 + a))) == 0


def test_a_symbolic_coordination_barycentre_is_unstable_for_every_payoff():
    """A = a I (3x3), a in [1, 2]: at the barycentre the block is a/3 times the identity (by
    hand, as for A = I): det = a**2/9 > 0 and trace = 2a/3 > 0 for every a, so the point is
    unstable whatever a is, and never stable."""
    game = Game.symmetric(
        [["a", 0, 0], [0, "a", 0], [0, 0, "a"]],
        ["r", "p", "s"],
        parameters={"a": {"value": 1, "min": 1, "max": 2}},
    )
    r = analyze(game, symbolic=True)["r+p+s"]
    assert r.stable_if == sympy.false
    assert r.stability is Stability.UNSTABLE


def test_rock_paper_scissors_centre_is_explained_in_the_verdict_and_the_det_trace_table():
    """Zero-sum RPS: the verdict says why it is a centre (a constant of motion), and the
    det/trace row (det = 1/3 > 0, trace = 0 by hand) says the linear centre is a centre of the
    nonlinear system too."""
    game = Game.symmetric(
        [[0, "-w", "w"], ["w", 0, "-w"], ["-w", "w", 0]],
        ["r", "p", "s"],
        parameters={"w": {"value": 2, "min": 1}},
    )
    assert "constant of motion" in analyze(game, symbolic=True)["r+p+s"].reason
    plain = Game.symmetric([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], ["r", "p", "s"])
    (row,) = [row for row in analyze(plain).det_trace if row.label == "r+p+s"]
    assert row.det == sympy.Rational(1, 3) and row.trace == 0
    assert row.verdict is Stability.CENTRE
    assert row.note is not None and "centre of the nonlinear system" in row.note


def test_a_segment_is_described_as_rest_points_with_a_zero_eigenvalue():
    """The segment of the 4x4 game above: every point is a rest point, so the description must
    say there is a zero eigenvalue along it."""
    game = Game.symmetric([[0] * 4, [0] * 4, [1] * 4, [-1] * 4], ["r", "p", "s", "q"])
    (seg,) = analyze(game).continua
    assert "every point of it is a rest point" in seg.description
    # The verdict is taken at the middle of 0 < t < 1.
    assert seg.description.endswith("zero eigenvalue along it; verdict taken at t = 1/2")


def test_an_abs_far_from_zero_at_a_numeric_point_is_no_kink():
    """A[s, s] = g(x) = (e^(1/2) - e^x)(1 + |x - 9/10|), the rest zero: f_s - f_t = x g(x),
    zero at x = 1/2 (searched numerically: exp), where |x - 9/10| = 2/5 is far from its kink.
    The eigenvalue is x (1 - x) d/dx[x g(x)] = (1/4)(1/2)(-e^(1/2))(7/5) = -0.175 e^(1/2)
    (by hand): stable."""
    game = Game.symmetric([["(exp(1/2) - exp(x))*(1 + abs(x - 9/10))", 0], [0, 0]], ["s", "t"])
    r = analyze(game)["s+t"]
    assert r.numeric_shares[0][0] == pytest.approx(0.5, abs=1e-9)
    assert r.stability is Stability.STABLE
    assert r.numeric_eigenvalues[0].real == pytest.approx(-0.175 * math.exp(0.5), rel=1e-9)

"""Budgets and refusals of the face solver in ``_equilibria``, each against an independent value
(tests written to kill surviving mutants of tools/mutation.py, issue 14).

* The elimination's depth budget (``_MAX_BRANCH_DEPTH`` = 12 levels): a face with 14 free shares
  goes past it; with parameter values the exact Groebner path then still gives the rest point
  (checked against the closed form of a diagonal game), symbolically the face is refused with a
  reason. The budget counts the levels of the vanishing-coefficient branch too.
* A face whose equations cannot be written over the rationals (a non-real coefficient) is
  searched numerically, and the note says which equation was refused.
"""

import pytest
import sympy
from sympy.polys.rings import ring

from lmc_games import Game, GameError, analyze
from lmc_games._equilibria import UnsolvedFace, _eliminate, _make_face, solve_face


def _diagonal_game(n):
    """A = diag(1, 2, ..., n): strategy i earns i * x_i."""
    matrix = [[i + 1 if i == j else 0 for j in range(n)] for i in range(n)]
    return Game.symmetric(matrix, [f"s{i + 1}" for i in range(n)])


def test_a_face_with_fourteen_shares_is_solved_exactly_past_the_depth_budget():
    """A = diag(1, ..., 15): in the interior every strategy earns the same, i x_i = c, so
    x_i = 1 / (i H_15) with H_15 = 1 + 1/2 + ... + 1/15 (by hand). Fourteen shares need fourteen
    elimination levels, more than the budget of 12: with values the face goes to the exact
    Groebner path, which must give that point."""
    n = 15
    game = _diagonal_game(n)
    face = _make_face(game, (tuple(range(n)),))
    (sol,) = solve_face(game, face, game.expected_payoffs(), symbolic=False, reserved_names=set())
    harmonic = sum(sympy.Rational(1, i) for i in range(1, n + 1))
    assert harmonic == sympy.Rational(1195757, 360360)
    got = {str(k): v for k, v in sol.values.items()}
    assert got == {f"x{i}": 1 / (i * harmonic) for i in range(1, n)}
    assert sol.free == ()


def test_a_symbolic_face_past_the_depth_budget_is_refused_with_the_reason():
    """The same fourteen-share face in a symbolic analysis: no Groebner fallback (it needs
    values), so the face is refused, and the reason names the budget that was exceeded."""
    n = 15
    game = _diagonal_game(n)
    face = _make_face(game, (tuple(range(n)),))
    with pytest.raises(UnsolvedFace, match="elimination branched too deeply"):
        solve_face(game, face, game.expected_payoffs(), symbolic=True, reserved_names=set())


def _product_system(n_unknowns):
    """x0 * x1 = 0 and x_k = 1/2 for k = 2 .. n - 1, as ring polynomials over QQ."""
    R, *gens = ring([f"x{i}" for i in range(n_unknowns)], sympy.QQ)
    half = sympy.QQ(1, 2)
    eqs = [g - half for g in gens[2:]] + [gens[0] * gens[1]]
    return R, eqs


def _solutions(branches):
    """Each branch as {share: value}, with the free shares mapped to None."""
    out = []
    for br in branches:
        assert br.root is None
        values = {}
        for sym, num, den in reversed(br.assigns):
            expr = num.as_expr() / den.as_expr()
            values[str(sym)] = expr.xreplace(
                {sympy.Symbol(k): v for k, v in values.items() if v is not None}
            )
        out.append(values)
    return out


def test_the_vanishing_coefficient_branch_solves_within_the_depth_budget():
    """13 shares: eleven linear equations x_k = 1/2 come first (their coefficient is a number),
    then x0 * x1 = 0, whose coefficient vanishes on a subvariety: the elimination must branch.
    Solution set by hand: x_k = 1/2 and (x0 = 0 with x1 free) or (x1 = 0 with x0 free).
    The branch x1 = 0 is reached at level 12, the last one the budget allows."""
    n = 13
    R, eqs = _product_system(n)
    branches = _eliminate(eqs, list(range(n)), False)
    sols = _solutions(branches)
    half = {f"x{k}": sympy.Rational(1, 2) for k in range(2, n)}
    assert len(sols) == 2
    x0_zero = [s for s in sols if s.get("x0") == 0]
    x1_zero = [s for s in sols if s.get("x1") == 0]
    assert len(x0_zero) == 1 and len(x1_zero) == 1
    assert {k: v for k, v in x0_zero[0].items() if k != "x0"} == half
    assert {k: v for k, v in x1_zero[0].items() if k != "x1"} == half
    # On the branch x0 = 0 the coefficient x1 was divided by: it must be recorded as nonzero.
    (main,) = [br for br in branches if str(br.assigns[-1][0]) == "x0"]
    assert [a.as_expr() for a in main.nonzero] == [sympy.Symbol("x1")]


def test_the_depth_budget_counts_the_levels_of_the_vanishing_coefficient_branch():
    """14 shares: the branch x1 = 0 starts at level 13, past the budget of 12 levels. If the
    branch restarted the count, nested branches could recurse without bound; the budget must
    refuse it like any other level."""
    n = 14
    R, eqs = _product_system(n)
    with pytest.raises(UnsolvedFace, match="elimination branched too deeply"):
        _eliminate(eqs, list(range(n)), False)


def test_a_non_real_coefficient_on_a_face_is_refused_and_named():
    """A[s, t] = x sqrt(p) at p = -1 gives the payoff i x (1 - x) to s: the face equation
    i x (1 - x) - x = 0 has no root in (0, 1) (x = 0 or x = 1 + i), so the only rest points are
    the corners x = 0 and x = 1 (by hand). Either the game is refused (a payoff that is not real
    on the state space) or the face cannot be written over the rationals: the analysis is
    then incomplete, searched numerically, and its note shows the refused equation."""
    try:
        game = Game.symmetric([[0, "x*sqrt(p)"], [1, 0]], ["s", "t"], parameters={"p": -1})
        a = analyze(game)
    except GameError as exc:
        assert "real" in str(exc)
        return
    assert a.complete is False
    corners = sorted(float(next(iter(r.coordinates.values()))) for r in a.rest_points)
    assert corners == [0.0, 1.0]
    (note,) = [n for n in a.notes if n.startswith("face 's+t'")]
    assert "I*x" in note


# --------------------------------------------------------------------------- root finding


def _interior(analysis, label):
    return [
        {str(k): v for k, v in r.coordinates.items()}
        for r in analysis.rest_points
        if r.label.split(" #")[0] == label
    ]


def test_a_disguised_zero_leading_coefficient_is_dropped_before_solving():
    """A = [[Z x, 0], [-1/2, 1/2]] with Z = log(6) - log(2) - log(3), which is 0 but not
    written as 0: the face equation Z x**2 + x - 1/2 = 0 is linear, x = 1/2 (by hand). Taken
    as a quadratic it would have a second root near -1/Z, or none."""
    game = Game.symmetric([["(log(6) - log(2) - log(3))*x", 0], ["-1/2", "1/2"]], ["s", "t"])
    a = analyze(game)
    assert a.complete is True
    assert _interior(a, "s+t") == [{"x": sympy.Rational(1, 2)}]


def test_a_quadratic_with_a_logarithm_in_its_coefficients_has_both_roots_exactly():
    """A = [[x, 0], [log(2) - 1/10, -1/10]]: f_s = x**2 and f_t = log(2) x - 1/10, so the
    interior rest points solve x**2 - log(2) x + 1/10 = 0: x = (log 2 +- sqrt(log(2)**2 - 2/5))/2
    (by hand), about 0.2052 and 0.4879, both in (0, 1); numpy.roots agrees."""
    import numpy as np

    game = Game.symmetric([["x", 0], ["log(2) - 1/10", "-1/10"]], ["s", "t"])
    a = analyze(game)
    assert a.complete is True
    got = sorted((p["x"] for p in _interior(a, "s+t")), key=float)
    log2 = sympy.log(2)
    want = [(log2 - sympy.sqrt(log2**2 - sympy.Rational(2, 5))) / 2]
    want.append((log2 + sympy.sqrt(log2**2 - sympy.Rational(2, 5))) / 2)
    assert len(got) == 2
    for g, w in zip(got, want):
        assert sympy.simplify(g - w) == 0
    numeric = sorted(np.roots([1.0, -np.log(2.0), 0.1]).real)
    assert [float(g) for g in got] == pytest.approx(numeric, abs=1e-12)


def test_a_curve_of_rest_points_is_searched_numerically_and_the_reason_is_given():
    """f1 = f2 = x**2 + y**2 - 1/2: the interior face holds a quarter circle of rest points,
    not isolated ones, so its exact Groebner solution does not apply. The analysis is
    incomplete, says why, and every point its numeric search reports lies on the circle."""
    pops = [
        {"name": "p1", "strategies": ["a", "b"], "share": "x"},
        {"name": "p2", "strategies": ["c", "d"], "share": "y"},
    ]
    f = "x**2 + y**2 - 1/2"
    pay = {"a, c": [f, f], "a, d": [f, 0], "b, c": [0, f], "b, d": [0, 0]}
    a = analyze(Game.from_table(pops, pay))
    assert a.complete is False
    (note,) = [n for n in a.notes if n.startswith("face 'a+b, c+d'")]
    assert "without isolated solutions" in note
    points = _interior(a, "a+b, c+d")
    assert points
    for p in points:
        assert float(p["x"] ** 2 + p["y"] ** 2) == pytest.approx(0.5, abs=1e-8)


def test_a_symbolic_segment_from_a_root_of_degree_one_with_a_parameter_coefficient():
    """f1 = (p y - 1) y and f2 = (p y - 1)(y + 1): x appears nowhere and y only squared, so
    the common zeros in (0, 1) come from their greatest common divisor p y - 1: the segment
    y = 1/p, x free (by hand); at p = 2 the numeric analysis has y = 1/2."""
    pops = [
        {"name": "p1", "strategies": ["a", "b"], "share": "x"},
        {"name": "p2", "strategies": ["c", "d"], "share": "y"},
    ]
    f1, f2 = "(p*y - 1)*y", "(p*y - 1)*(y + 1)"
    pay = {"a, c": [f1, f2], "a, d": [f1, 0], "b, c": [0, f2], "b, d": [0, 0]}
    game = Game.from_table(pops, pay, parameters={"p": {"value": 2, "min": 1}})
    p = sympy.Symbol("p")
    for symbolic, want in ((True, 1 / p), (False, sympy.Rational(1, 2))):
        [seg] = [c for c in analyze(game, symbolic=symbolic).continua if c.face == "a+b, c+d"]
        y = {str(k): v for k, v in seg.parametrisation.items()}["y"]
        y = y.xreplace({s: p for s in y.free_symbols if s.name == "p"})
        assert sympy.simplify(y - want) == 0, symbolic


def test_a_symbolic_cubic_face_names_its_polynomial_with_the_coefficients():
    """A = [[x**2, 0], [0, q]]: f_s = x**3, f_t = q (1 - x), so the interior rest point is a
    root of x**3 + q x - q (by hand), the only real one for q > 0 (the derivative is positive);
    at q = 1 it is 0.6823278 (numpy.roots). A symbolic analysis names it by its polynomial, and
    the named coefficients must give back that polynomial."""
    import numpy as np

    game = Game.symmetric(
        [["x**2", 0], [0, "q"]], ["s", "t"], parameters={"q": {"value": 1, "min": 0}}
    )
    (r,) = [r for r in analyze(game, symbolic=True).rest_points if r.label == "s+t"]
    (root,) = r.coordinates.values()
    inter = r.intermediates
    names = {str(k): k for k in inter}
    poly = sum(names[f"e{k}"] * root**k for k in range(4))
    q = sympy.Symbol("q")
    poly = poly.xreplace(inter)
    poly = poly.xreplace({s: q for s in poly.free_symbols if s.name == "q"})
    lead = sympy.Poly(poly, root).LC()
    assert sympy.simplify(poly / lead - (root**3 + q * root - q)) == 0
    assert any(str(root) in n and "root" in n for n in r.notes)
    real = [z.real for z in np.roots([1.0, 0.0, 1.0, -1.0]) if abs(z.imag) < 1e-12]
    assert real == pytest.approx([0.6823278038280193])
    at_one = sympy.Poly(poly.xreplace({q: 1}) / lead.xreplace({q: 1}), root)
    assert float(at_one.eval(real[0])) == pytest.approx(0.0, abs=1e-12)


def test_symbolic_quadratic_face_solutions_carry_their_face_and_a_real_discriminant():
    """A = [[x, 0], [0, q]]: f_s = x**2, f_t = q (1 - x): x**2 + q x - q = 0, so
    x = (-q +- sqrt(q**2 + 4 q))/2 (by hand). Each symbolic solution of the face belongs to
    that face, and is valid where its discriminant, a real quantity, is positive."""
    game = Game.symmetric(
        [["x", 0], [0, "q"]], ["s", "t"], parameters={"q": {"value": 1, "min": 0}}
    )
    face = _make_face(game, ((0, 1),))
    sols = solve_face(game, face, game.expected_payoffs(), symbolic=True, reserved_names=set())
    assert len(sols) == 2
    q = sympy.Symbol("q")
    got = []
    for sol in sols:
        assert sol.face is face
        (value,) = sol.values.values()
        inter = sol.intermediates
        for _ in range(3):
            value = value.xreplace(inter)
        got.append(value.xreplace({s: q for s in value.free_symbols if s.name == "q"}))
        (cond,) = sol.extra_conditions
        (disc,) = [k for k in inter if k.name == "disc"]
        assert disc.is_real is True
        assert cond == sympy.StrictGreaterThan(disc, 0)
        want_disc = inter[disc].xreplace(inter)
        want_disc = want_disc.xreplace({s: q for s in want_disc.free_symbols if s.name == "q"})
        assert sympy.simplify(want_disc - (q**2 + 4 * q)) == 0
    want = [(-q - sympy.sqrt(q**2 + 4 * q)) / 2, (-q + sympy.sqrt(q**2 + 4 * q)) / 2]
    for w in want:
        assert any(sympy.simplify(g - w) == 0 for g in got)


# --------------------------------------------------------------------------- faces and names


def test_rest_points_come_corners_first_then_edges_then_the_interior():
    """A = identity (3x3 coordination): every face holds one rest point, the uniform mix of its
    support (each strategy in use earns its own share, so equal shares; by hand). Analysis
    lists them corners first (its documented order), then the edges, then the interior."""
    game = Game.symmetric([[1, 0, 0], [0, 1, 0], [0, 0, 1]], ["r", "p", "s"])
    points = analyze(game).rest_points
    sizes = [len(r.label.split("+")) for r in points]
    assert sizes == [1, 1, 1, 2, 2, 2, 3]
    for r in points:
        support = r.label.split("+")
        shares = dict(zip(["r", "p"], r.coordinates.values()))
        shares["s"] = 1 - sum(shares.values())
        want = {k: (sympy.Rational(1, len(support)) if k in support else 0) for k in shares}
        assert shares == want, r.label


def test_a_squared_parameter_is_kept_squared_in_a_symbolic_rest_point():
    """A = [[0, p**2], [1, 0]]: f_s = (1 - x) p**2 and f_t = x, equal at x = p**2/(1 + p**2)
    (by hand), 4/5 at p = 2 in the numeric analysis too."""
    game = Game.symmetric(
        [[0, "p**2"], [1, 0]], ["s", "t"], parameters={"p": {"value": 2, "min": 0}}
    )
    p = sympy.Symbol("p")
    (value,) = analyze(game, symbolic=True)["s+t"].coordinates.values()
    value = value.xreplace({s: p for s in value.free_symbols if s.name == "p"})
    assert sympy.simplify(value - p**2 / (1 + p**2)) == 0
    assert list(analyze(game)["s+t"].coordinates.values()) == [sympy.Rational(4, 5)]


def test_names_of_a_second_symbolic_root_are_numbered_like_its_label():
    """A = [[-2 a x, b], [c, 0]]: f_s - f_t = -2 a x**2 + (b + c) x - b, a quadratic on the
    face s+t, so a symbolic analysis lists two rest points there, labelled s+t and s+t #2. The
    quantity naming each point follows the label: x_star, then x_star_2 (a name is never
    reused and never gets a number below 2)."""
    game = Game.symmetric(
        [["-2*a*x", "b"], ["c", 0]],
        ["s", "t"],
        parameters={"a": {"value": 1}, "b": {"value": 3}, "c": {"value": 1}},
    )
    points = [r for r in analyze(game, symbolic=True).rest_points if r.label.startswith("s+t")]
    assert [r.label for r in points] == ["s+t", "s+t #2"]
    named = [{str(k) for k in r.intermediates if str(k).startswith("x_star")} for r in points]
    assert named == [{"x_star"}, {"x_star_2"}]

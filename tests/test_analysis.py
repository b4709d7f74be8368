"""Textbook cases with exact answers (DESIGN §2), each with its source."""

import sympy
from sympy import I, Rational, sqrt

from lmc_games import Game, Stability, analyze, load_model

lam = sympy.Symbol("lambda")


def _eig(rp):
    return sorted(rp.numeric_eigenvalues, key=lambda z: (z.real, z.imag))


def same(c1, c2):
    """Equal conditions up to the way a relation is written (S < P is P > S)."""

    def canon(c):
        return c.xreplace({r: r.canonical for r in c.atoms(sympy.core.relational.Relational)})

    return canon(c1) == canon(c2)


def close(a, b, tol=1e-12):
    return abs(complex(a) - complex(b)) < tol


# --------------------------------------------------------------------------- hawk-dove
def test_hawk_dove_interior_ess_at_V_over_C():
    """Maynard Smith (1982), ch. 2: the mixed ESS plays hawk with probability V/C."""
    a = analyze(load_model("hawk_dove"))  # V = 2, C = 3
    mixed = a["hawk+dove"]
    assert mixed.coordinates[sympy.Symbol("x", real=True)] == Rational(2, 3)
    assert mixed.stability is Stability.STABLE
    assert mixed.ess is True and mixed.nash is True and mixed.strict_nash is False
    # x(1-x) * d/dx (V/2 - C x/2) = (2/3)(1/3)(-3/2)
    assert mixed.eigenvalues == (Rational(-1, 3),)
    assert a["hawk"].stability is Stability.UNSTABLE
    assert a["dove"].stability is Stability.UNSTABLE
    assert [r.label for r in a.stable()] == ["hawk+dove"]


def test_hawk_dove_symbolic_interior_is_V_over_C_and_stable_iff_C_above_V():
    a = analyze(load_model("hawk_dove"), symbolic=True)
    mixed = a["hawk+dove"]
    V, C = (load_model("hawk_dove").symbols[n] for n in ("V", "C"))
    x = next(iter(mixed.coordinates))
    assert sympy.simplify(mixed.coordinates[x] - V / C) == 0
    # V = 0 would put the point on the corner 'dove': existence needs V > 0 as well.
    assert same(mixed.exists_if, sympy.And(V > 0, C > V))
    assert same(mixed.stable_if, sympy.And(V > 0, C > V))


def test_hawk_dove_cheap_fights_hawk_is_the_ess():
    a = analyze(load_model("hawk_dove", scenario="cheap_fights"))
    assert [r.label for r in a.stable()] == ["hawk"]
    assert a["hawk"].ess is True


# --------------------------------------------------------------------------- RPS
def test_rock_paper_scissors_zero_sum_is_a_centre():
    """Hofbauer & Sigmund (1998), §7.7: zero-sum RPS has closed orbits around (1/3,1/3,1/3);
    eigenvalues at the barycentre are +-i (a+b) sqrt(3)/6 with a = b = 1, i.e. +-i/sqrt(3)."""
    a = analyze(load_model("rock_paper_scissors"))
    c = a["rock+paper+scissors"]
    assert all(s == Rational(1, 3) for s in c.shares[0])
    assert c.stability is Stability.CENTRE
    assert not c.asymptotically_stable
    ev = _eig(c)
    assert close(ev[0], -I / sqrt(3)) and close(ev[1], I / sqrt(3))
    assert ev[0].real == 0.0 and ev[1].real == 0.0


def test_rock_paper_scissors_sign_of_determinant_decides():
    """a > b: interior attractor; a < b: repellor (heteroclinic cycle on the boundary).
    Eigenvalues ((b - a) +- i sqrt(3) (a + b)) / 6 (Zeeman 1980)."""
    att = analyze(load_model("rock_paper_scissors", scenario="attracting"))["rock+paper+scissors"]
    assert att.stability is Stability.STABLE
    ev = _eig(att)
    assert close(ev[0], Rational(-1, 6) - I * sqrt(3) / 2)
    rep = analyze(load_model("rock_paper_scissors", scenario="repelling"))["rock+paper+scissors"]
    assert rep.stability is Stability.UNSTABLE
    # The corners are saddles in every case: each pure strategy is beaten by one other.
    for label in ("rock", "paper", "scissors"):
        assert analyze(load_model("rock_paper_scissors"))[label].stability is Stability.SADDLE


# --------------------------------------------------------------------------- matching pennies
def test_matching_pennies_centre_with_eigenvalues_plus_minus_i():
    a = analyze(load_model("matching_pennies"))
    c = a["heads+tails, heads+tails"]
    assert c.coordinates == {s: Rational(1, 2) for s in c.coordinates}
    assert c.stability is Stability.CENTRE
    assert set(c.eigenvalues) == {I, -I}
    assert c.ess is False  # a mixed multi-population point is never an ESS
    assert c.nash is True
    for r in a.rest_points:
        if r.is_pure:
            assert r.stability is Stability.SADDLE


# --------------------------------------------------------------------------- inspection game
def test_inspection_violation_share_independent_of_the_fine():
    """Tsebelis (1989): q* = c/(r+l) does not depend on the fine f; only p* = g/f does."""
    game = load_model("inspection")
    a = analyze(game, symbolic=True)
    interior = a["inspect+no_inspect, violate+comply"]
    S = game.symbols
    p, q = game.variables
    assert sympy.simplify(interior.coordinates[q] - S["c"] / (S["r"] + S["l"])) == 0
    assert sympy.simplify(interior.coordinates[p] - S["g"] / S["f"]) == 0
    assert sympy.diff(interior.coordinates[q], S["f"]) == 0
    assert interior.stable_if == sympy.false  # a centre, never asymptotically stable
    num = analyze(game)["inspect+no_inspect, violate+comply"]
    assert num.stability is Stability.CENTRE
    assert num.coordinates[q] == Rational(1, 4) and num.coordinates[p] == Rational(1, 4)
    # Raising the fine moves only the inspection share.
    harsher = analyze(game.with_values(f=8))["inspect+no_inspect, violate+comply"]
    assert harsher.coordinates[q] == Rational(1, 4) and harsher.coordinates[p] == Rational(1, 8)


# --------------------------------------------------------------------------- prisoner's dilemma
def test_prisoners_dilemma_defection_dominates():
    """Axelrod (1984): with T > R > P > S defection is the unique ESS."""
    game = load_model("prisoners_dilemma")
    assert {p.name for p in game.parameters} == {"R", "S", "T", "P"}
    a = analyze(game)
    assert [r.label for r in a.stable()] == ["defect"]
    assert a["defect"].ess is True and a["cooperate"].nash is False
    assert len(a.rest_points) == 2  # no interior rest point: defect always earns more
    s = analyze(game, symbolic=True)
    S = game.symbols
    assert same(s["defect"].stable_if, S["P"] > S["S"])
    assert same(s["cooperate"].stable_if, S["R"] > S["T"])


# --------------------------------------------------------------------------- asymmetric hawk-dove
def test_hawk_dove_roles_interior_saddle():
    """Selten (1980): in the role-asymmetric contest the mixed point is a saddle and the
    two 'bourgeois-like' corners are the strict equilibria."""
    a = analyze(load_model("hawk_dove_roles"))
    interior = a["hawk+dove, hawk+dove"]
    assert interior.stability is Stability.SADDLE
    assert interior.coordinates == {s: Rational(2, 3) for s in interior.coordinates}
    assert {r.label for r in a.stable()} == {"hawk, dove", "dove, hawk"}
    assert interior.ess is False
    sym = analyze(load_model("hawk_dove_roles"), symbolic=True)
    assert sym["hawk+dove, hawk+dove"].stable_if == sympy.false


# --------------------------------------------------------------------------- degenerate cases
def _segment_game():
    # Row advantage y (zero on the edge y = 0), column advantage 30x - 25.
    return Game.bimatrix([[1, 0], [0, 0]], [[5, 0], [-25, 0]], name="segment")


def test_corner_with_eigenvalues_minus25_and_0_is_non_hyperbolic_on_a_segment():
    a = analyze(_segment_game())
    corner = a["r2, c2"]
    assert sorted(corner.eigenvalues) == [-25, 0]
    assert corner.stability is Stability.NON_HYPERBOLIC
    assert not corner.asymptotically_stable
    (seg,) = a.continua
    assert seg.face == "r1+r2, c2" and seg.dimension == 1
    assert seg.stability is Stability.NON_HYPERBOLIC


def test_line_of_rest_points_through_two_corners_in_a_2x2x2_game():
    # Population 1's advantage vanishes when the others play their second strategies.
    table = {}
    for i in range(2):
        for j in range(2):
            for k in range(2):
                a1 = 1 if (i == 0 and (j, k) != (1, 1)) else 0
                table[(f"a{i + 1}", f"b{j + 1}", f"c{k + 1}")] = [a1, 1 - 2 * j + i, 2 - 3 * k - i]
    g = Game.from_table(
        [("A", ["a1", "a2"]), ("B", ["b1", "b2"]), ("C", ["c1", "c2"])], table, name="line"
    )
    a = analyze(g)
    (line,) = a.continua
    assert line.face == "a1+a2, b2, c2"
    assert {"a1, b2, c2", "a2, b2, c2"} <= {r.label for r in a.rest_points}
    for label in ("a1, b2, c2", "a2, b2, c2"):
        assert 0 in [sympy.nsimplify(e) for e in a[label].eigenvalues]
        assert a[label].stability is not Stability.STABLE


def test_symbolic_2x2x2_interior_matches_the_exact_one():
    """Independent directions: the symbolic interior (a root of the elimination quadratic, kept
    compact through named quantities) evaluated at the values equals the exact analysis."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    import random

    from bench_symbolic import game_2x2x2

    g = game_2x2x2()
    sym = [r for r in analyze(g, symbolic=True).rest_points if r.is_interior]
    assert len(sym) == 2 and all(r.stable_if == sympy.false for r in sym)
    # Generic values (the bundled defaults make a denominator of the generic formula vanish).
    rng = random.Random(7)
    num = []
    while len(num) == 0:
        g = g.with_values({p.name: rng.randint(-9, 9) for p in g.parameters})
        num = [r for r in analyze(g).rest_points if r.is_interior]
    values = g.value_substitution()
    candidates = []
    for r in sym:
        shares = r.evaluate(values)
        if all(s.is_real for pop in shares for s in pop):
            candidates.append(tuple(tuple(float(s) for s in pop) for pop in shares))
    for r in num:
        assert any(
            all(abs(a - b) < 1e-12 for pa, pb in zip(c, r.numeric_shares) for a, b in zip(pa, pb))
            for c in candidates
        )
        assert r.stability is Stability.SADDLE  # trace zero and not a centre


def test_implied_and_impossible_conjuncts_are_reduced():
    # Water use (issue 4) with p and F symbolic: (excessive, excessive) needs 8Fp < 15 for
    # Savannakhet and 8Fp < 25 for Mukdahan; the second follows from the first.
    # (reasonable, excessive) needs 8Fp > 25 and 12Fp < 35, i.e. 25/8 < Fp < 35/12: empty.
    from lmc_games import load_model

    game = load_model("water_use")
    a = analyze(game.with_free(["p", "F"]), symbolic=True)
    p, F = game.symbols["p"], game.symbols["F"]
    assert a["excessive, excessive"].stable_if == (8 * F * p < 15)
    assert a["reasonable, reasonable"].stable_if == (4 * F * p > 15)
    assert a["reasonable, excessive"].stable_if is sympy.false
    # The reduction never changes the set of values where the condition holds: compare the
    # exact verdicts on a grid of Fp around every threshold.
    for fp in [sympy.Rational(k, 24) for k in range(30, 110, 3)]:
        g = game.with_values(p=sympy.Rational(1, 2), F=2 * fp)
        exact = {r.label: r.asymptotically_stable for r in analyze(g).rest_points}
        for r in a.rest_points:
            holds = bool(r.stable_if.subs({p: sympy.Rational(1, 2), F: 2 * fp}))
            assert holds == exact.get(r.label, False), (r.label, fp)


# ------------------------------------------------------- hostile payoffs (issue 10 §2)
def test_transcendental_constant_of_a_parameter_is_decided():
    """exp(C) is the constant it is: the interior point of the coordination game with
    a = exp(C) (bimatrix [[a, 0], [0, 1]] for both) sits at x = y = 1/(1 + a) with face
    block [[0, b], [b, 0]], b = a/(1 + a)**2 * (1 + a) = a/(1 + a): eigenvalues +-b, a saddle
    (independently: numpy on the Jacobian)."""
    import numpy as np

    g = Game.bimatrix(
        [["exp(C)", 0], [0, 1]], [["exp(C)", 0], [0, 1]], parameters={"C": Rational(1, 2)}
    )
    a = analyze(g)
    interior = a["s1+s2, s1+s2"] if "s1+s2, s1+s2" in {r.label for r in a.rest_points} else None
    interior = interior or next(r for r in a.rest_points if not r.is_pure)
    assert interior.stability is Stability.SADDLE
    assert interior.exact
    e = float(sympy.exp(Rational(1, 2)))
    b = e / (1 + e)
    assert close(_eig(interior)[0], -b, 1e-12) and close(_eig(interior)[1], b, 1e-12)
    J = np.array(interior.jacobian.evalf(30).tolist(), dtype=float)
    np.testing.assert_allclose(sorted(np.linalg.eigvals(J).real), [-b, b], rtol=1e-12)
    corners = {r.label: r.stability for r in a.rest_points if r.is_pure}
    assert sorted(str(s) for s in corners.values()) == ["stable", "stable", "unstable", "unstable"]


def test_state_dependent_payoff_undefined_at_a_rest_point():
    """Two populations, state-dependent payoff 1/x (and 1/(x - y), log y): at the points
    where a payoff is infinite or undefined, exact_sign used to meet zoo and the analysis
    stopped with a ValueError. Such points are not rest points of the field: left out, with
    a note; the others are classified."""
    for entry in ["1/x", "1/(x - y)", "y/x", "log(y)*x", "sqrt(x - y)"]:
        g = Game.bimatrix([[entry, 1], [0, "2*y"]], [[1, 0], [0, 1]])
        a = analyze(g)
        assert a.rest_points, entry
        if entry in ("1/x", "y/x"):
            labels = {r.label for r in a.rest_points}
            assert not any(lab.startswith("r2,") for lab in labels), (entry, labels)
            assert any("not defined at the point" in n for n in a.notes), entry


def test_field_not_differentiable_at_a_rest_point_is_not_called_stable():
    # sqrt(x - y) is defined at x = y = 1 but its derivative is not: the full Jacobian there
    # holds 0*zoo (nan), which used to stop the det/trace table with a ValueError.
    g = Game.bimatrix([["sqrt(x - y)", 1], [0, "2*y"]], [[1, 0], [0, 1]])
    a = analyze(g)
    rp = a["r1, c1"]
    assert rp.stability is Stability.NON_HYPERBOLIC
    assert not rp.asymptotically_stable
    row = next(r for r in a.det_trace if r.label == "r1, c1")
    assert (row.det_sign, row.trace_sign, row.verdict) == (None, None, None)


def test_eigenvalue_display_failure_does_not_stop_the_analysis(monkeypatch):
    """sympy 1.14 has no sympy.MatrixError: catching it turned every failure of eigenvals
    (a display-only closed form) into an AttributeError. Any such failure now leaves the
    closed forms out and keeps the exact verdicts."""
    from sympy.matrices.exceptions import MatrixError

    def fail(self, *args, **kwargs):
        raise MatrixError("cannot")

    monkeypatch.setattr(sympy.Matrix, "eigenvals", fail)
    a = analyze(load_model("hawk_dove"))
    assert a["hawk+dove"].stability is Stability.STABLE


def test_state_dependent_game_found_by_hypothesis_with_zoo_on_a_whole_face():
    """Found by a hypothesis search over two-population state-dependent games: the payoff
    -1/y - (1 - y) is zoo on the whole face y = 0, where the numeric face search met
    ComplexInfinity (a KeyError in lambdify). That face holds no rest point of the field."""
    g = Game.bimatrix(
        [["1/2", "(-1/y) - (1 - y)"], ["2", "m"]],
        [["1", "1/(-1 - 1/2)"], ["y", "1"]],
        parameters={"m": -1},
    )
    for symbolic in (False, True):
        a = analyze(g, symbolic=symbolic)
        labels = {r.label for r in a.rest_points}
        assert "r1, c1" in labels and not any(lab.split(", ")[1] == "c2" for lab in labels)
    a = analyze(g)
    assert a["r1, c1"].stability is Stability.SADDLE
    assert any("not defined on this face" in n for n in a.notes)


def test_continuum_where_the_jacobian_is_not_finite():
    """Found by the same search: a segment of rest points on a face where sqrt(x) has an
    infinite derivative; its sample Jacobian holds nan, which stopped the analysis with a
    ValueError. The segment is reported, non-hyperbolic (no linearisation there)."""
    g = Game.bimatrix(
        [["1", "exp(x)"], ["sqrt(x) + 1", "x"]],
        [["exp(m) - min(x, y) + log(1 + y)", "(1 - x) + 1 + (1 - y)"], ["1 - x", "sqrt(x) + 1"]],
        parameters={"m": -1},
    )
    a = analyze(g)
    assert all(c.stability in (None, Stability.NON_HYPERBOLIC) for c in a.continua)
    assert a.continua, "the segment of rest points is reported"
    # The same with a NaN reaching sympy's factoring of the characteristic polynomial.
    g = Game.bimatrix(
        [["1/2", "m/(1/2 - x)"], ["1/2", "y"]],
        [["min(x, y)", "sqrt(x)"], ["1/2/exp(x)", "1/2"]],
        parameters={"m": 2},
    )
    b = analyze(g)  # raised TypeError: Invalid NaN comparison
    assert b.continua and b.rest_points


def test_high_degree_face_system_is_searched_numerically_not_for_minutes():
    """Payoffs (1 + x)**16 and y**16 make the interior face system of Bezout bound 17**2:
    its lex Groebner basis took 105 s. Over the budget (LMC_GAMES_MAX_DEGREE) the face is
    searched numerically, which finds the interior point (checked against the equations)."""
    g = Game.bimatrix([["(1 + x)**16", "y**16"], [0, 1]], [["(1 + x)**16", 0], [0, 1]])
    a = analyze(g)
    assert any("Bezout" in n for n in a.notes)
    interior = [r for r in a.rest_points if not r.is_pure]
    assert len(interior) == 1 and not interior[0].exact
    x, y = (float(v) for v in interior[0].coordinates.values())
    # Column player indifferent: x (1 + x)**16 = 1 - x; row player: y (1 + x)**16 +
    # (1 - y) y**16 = 1 - y.
    assert abs(x * (1 + x) ** 16 - (1 - x)) < 1e-9
    assert abs(y * (1 + x) ** 16 + (1 - y) * y**16 - (1 - y)) < 1e-9
    assert interior[0].stability is Stability.SADDLE


def test_face_equation_with_transcendental_coefficients():
    """Found by tools/fuzz_analysis.py: a face polynomial whose coefficients hold log(2)
    could not be factored over QQ (CoercionFailed). Degrees 1 and 2 are now solved exactly
    with exact signs, higher ones searched numerically. Independent check of the interior
    point of [[e**p, 0], [log 2, 1]] vs [[1, 0], [0, e]] at p = 1: x* = e/(1 + e) from the
    column player's indifference x = e(1 - x), y* = 1/(1 + e - log 2) from the row's
    e y = log(2) y + (1 - y)."""
    g = Game.bimatrix([["exp(p)", 0], ["log(2)", 1]], [[1, 0], [0, "exp(1)"]], parameters={"p": 1})
    a = analyze(g)
    assert a.complete
    mixed = a["r1+r2, c1+c2"]
    assert mixed.exact and mixed.stability is Stability.SADDLE
    x, y = mixed.coordinates.values()
    assert sympy.simplify(x - sympy.E / (1 + sympy.E)) == 0
    assert sympy.simplify(y - 1 / (1 + sympy.E - sympy.log(2))) == 0
    g = Game.bimatrix(
        [
            ["-x*(y - x)", "x - min(x, y) + log(1 + y) + log(x)"],
            ["log(1 + y)", "m/(1 - x)*(exp(x) + 1)"],
        ],
        [["x", "y"], ["log(1 + y)", "x + 3/2"]],
        parameters={"m": 0},
    )
    assert analyze(g).rest_points
    # e in a nonlinear face system (payoff x to the column player): not over QQ for the
    # Groebner basis, so searched numerically instead of raising CoercionFailed.
    g = Game.bimatrix(
        [[1, "1 - y"], ["1/2", "exp(m)"]], [[2, -1], ["x", "1 - x"]], parameters={"m": 1}
    )
    assert analyze(g)["r1+r2, c1+c2"].stability is Stability.SADDLE

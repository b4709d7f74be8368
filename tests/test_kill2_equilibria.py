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

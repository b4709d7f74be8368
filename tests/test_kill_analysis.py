"""Symbolic verdicts of ``_analysis`` on faces the bundled models do not reach, each against a
hand computation (tests written to kill surviving mutants of tools/mutation.py, issue 14).

* A two-dimensional face block with a nonzero trace beside a transversal direction (the three
  strategies of rock-paper-scissors inside a four-strategy game): ``stable_if`` must conjoin the
  transversal condition with the block's trace and determinant conditions.
* A zero-trace face block of a multi-population game that no centre theorem covers (a 2x3
  game): never asymptotically stable, for Selten's (1980) reason.
* Multi-population ESS = strict Nash (Selten 1980) in a symbolic analysis, both ways.
"""

import sympy

from lmc_games import Game, Stability, analyze

# Rock-paper-scissors with win 2 and loss 1 (as in tests/test_targeted_convergence.py), plus a
# fourth strategy d that earns c against everything and gives the others 0.
RPS4 = [[0, -1, 2, 0], [2, 0, -1, 0], [-1, 2, 0, 0], ["c", "c", "c", "c"]]


def _rps4():
    return Game.symmetric(RPS4, ["r", "p", "s", "d"], parameters={"c": {"value": 0}})


def test_stable_if_of_a_two_dimensional_block_keeps_the_transversal_condition():
    """At the barycentre (1/3, 1/3, 1/3, 0) of the face r+p+s every strategy in use earns
    (0 - 1 + 2)/3 = 1/3, so the transversal eigenvalue is f_d - f_r = c - 1/3. The face block
    is rock-paper-scissors' own: eigenvalues -(a - b)/6 +- i (a + b)/(2 sqrt 3) with a = 2,
    b = 1, i.e. -1/6 +- i sqrt(3)/2 (Zeeman 1980; Hofbauer & Sigmund 1998, §7.7): trace
    -1/3 < 0, det 1/36 + 3/4 = 7/9 > 0. So the point is stable exactly when c < 1/3."""
    r = analyze(_rps4(), symbolic=True)["r+p+s"]
    (c,) = [s for s in r.stable_if.free_symbols if s.name == "c"]
    for value, stable in [(0, True), (0.33, True), (sympy.Rational(1, 3), False), (0.34, False)]:
        assert bool(r.stable_if.subs(c, value)) is stable, value
    assert "stable_if" in r.reason
    # The eigenvalue formulas, at c = 0 and c = 1: c - 1/3 and -1/6 +- i sqrt(3)/2.
    for value in (0, 1):
        got = sorted(
            (complex(sympy.N(e.subs(c, value), 30)) for e in r.eigenvalues),
            key=lambda z: (z.imag, z.real),
        )
        want = sorted(
            [value - 1 / 3, complex(-1 / 6, -(3**0.5) / 2), complex(-1 / 6, 3**0.5 / 2)],
            key=lambda z: (complex(z).imag, complex(z).real),
        )
        assert all(abs(g - w) < 1e-12 for g, w in zip(got, want)), (got, want)
    # The numeric analysis at c = 0 agrees: stable, with the same three eigenvalues.
    n = analyze(_rps4())["r+p+s"]
    assert n.stability is Stability.STABLE and n.exists_if is sympy.true


def test_zero_trace_block_of_a_two_by_three_game_is_never_stable_for_seltens_reason():
    """Matching pennies between (a, b) and (c, d), plus a strategy e of the second population
    earning -k < 0. On the face (a+b, c+d) the point (1/2, 1/2) has a 2x2 block with zero
    trace (payoffs do not depend on a population's own shares), and the game is 2x3, so no
    centre theorem applies: stable_if is false and the reason is Selten's."""
    pops = [
        {"name": "p1", "strategies": ["a", "b"], "share": "x"},
        {"name": "p2", "strategies": ["c", "d", "e"]},
    ]
    pay = {
        "a, c": [1, -1], "a, d": [-1, 1], "a, e": [0, "-k"],
        "b, c": [-1, 1], "b, d": [1, -1], "b, e": [0, "-k"],
    }  # fmt: skip
    g = Game.from_table(pops, pay, parameters={"k": {"value": 2, "min": 0}})
    r = analyze(g, symbolic=True)["a+b, c+d"]
    assert r.stable_if == sympy.false
    assert "Selten 1980" in r.reason


def test_symbolic_ess_of_a_bimatrix_game_is_strict_nash():
    """Prisoner's dilemma between two populations, (D, D) paying p in [1/2, 2]: against D,
    D earns p and C earns 0, so (D, D) is strict Nash for every allowed p, hence the
    (multi-population) ESS (Selten 1980); (C, C) is not Nash (D earns 5 > 3), hence no ESS."""
    pops = [("row", ["C", "D"]), ("col", ["C", "D"])]
    pay = {"C, C": [3, 3], "C, D": [0, 5], "D, C": [5, 0], "D, D": ["p", "p"]}
    g = Game.from_table(pops, pay, parameters={"p": {"value": 1, "min": 0.5, "max": 2}})
    a = analyze(g, symbolic=True)
    dd, cc = a["D, D"], a["C, C"]
    assert (dd.nash, dd.strict_nash, dd.ess) == (True, True, True)
    assert (cc.nash, cc.strict_nash, cc.ess) == (False, False, False)
    assert dd.stability is Stability.STABLE


def test_a_numeric_face_search_says_how_it_searched():
    """Payoff of A max(x, 1 - x) - 3/4 (not polynomial: searched numerically, see
    tests/test_targeted_kinks.py): the note must say that the rest points come from Newton's
    method from a grid of starts with its tolerance, not a guaranteed enumeration."""
    g = Game.from_table(
        [{"name": "pop", "strategies": ["A", "B"], "share": "x"}],
        {"A": ["max(x, 1 - x) - 3/4"], "B": [0]},
    )
    a = analyze(g)
    assert any(
        "(Newton from a grid of starts, tolerance 1e-10), not a guaranteed enumeration" in n
        for n in a.notes
    ), a.notes

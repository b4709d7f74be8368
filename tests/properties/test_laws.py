"""Laws every analysis must obey, checked on random small games (hypothesis).

* Column shifts. Adding a constant to a population's payoffs for one profile of the *other*
  populations changes every strategy's payoff by the same amount, so the payoff differences,
  the replicator field and every verdict stay the same (Hofbauer & Sigmund 1998, ch. 7 for
  symmetric games and ch. 10 for bimatrix games; Weibull 1995, ch. 3).
* Rest points are zeros of the field, with shares in the simplex.
* Nash equilibria of a nondegenerate bimatrix game, found by an independent support enumeration
  (von Stengel 2002, "Computing equilibria for two-person games", Handbook of Game Theory
  vol. 3, ch. 45), are exactly the rest points flagged ``nash`` (every Nash equilibrium is a
  rest point of the replicator dynamics: Hofbauer & Sigmund 1998, folk theorem, ch. 7).
* Eigenvalues agree with numpy's eigenvalues of the Jacobian of the reduced field, and the
  verdict agrees with their signs wherever those signs are clear.
* A zero eigenvalue, decided exactly, never yields ``Stability.STABLE``.

Payoffs are small integers in [-5, 5], so ties (degenerate games) are frequent; the Nash test
filters them out, the others must hold for degenerate games as well.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lmc_games import Game, Stability, analyze

SMALL = st.integers(min_value=-5, max_value=5)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def matrices(m: int, n: int):
    """An m x n matrix of small integers, as a list of rows."""
    return st.lists(st.lists(SMALL, min_size=n, max_size=n), min_size=m, max_size=m)


@st.composite
def bimatrix_games(draw, shapes=((2, 2), (2, 3), (3, 3))):
    m, n = draw(st.sampled_from(shapes))
    return draw(matrices(m, n)), draw(matrices(m, n))


# ----------------------------------------------------------------------------- helpers
def verdicts(analysis):
    """What must not change under a column shift: per rest point its label, support, exact
    coordinates, stability and Nash flags; per continuum its face, dimension and verdict."""
    points = [
        (
            r.label,
            r.support,
            tuple(sorted((str(k), v) for k, v in r.coordinates.items())),
            r.stability,
            r.asymptotically_stable,
            r.nash,
            r.strict_nash,
            r.ess,
        )
        for r in analysis.rest_points
    ]
    continua = [(c.face, c.dimension, c.stability) for c in analysis.continua]
    return points, continua


def to_fraction(value) -> Fraction:
    value = sympy.nsimplify(value) if not isinstance(value, sympy.Rational) else value
    assert isinstance(value, sympy.Rational), f"{value} is not rational"
    return Fraction(int(value.p), int(value.q))


def is_zero(expr) -> bool:
    expr = sympy.sympify(expr)
    if expr == 0:
        return True
    return sympy.simplify(expr) == 0 or expr.equals(0) is True


def same_multiset(got, want, tol=1e-9) -> bool:
    """Greedy matching of two lists of complex numbers.

    Where numpy's eigenvalues come in a cluster (a repeated eigenvalue, possibly with a Jordan
    block) floating point only resolves them to about the square root of the machine epsilon,
    so the tolerance is widened to 1e-6 for those.
    """
    got, want = list(got), list(want)
    if len(got) != len(want):
        return False
    clustered = [
        any(abs(w - v) < 1e-5 for j, v in enumerate(want) if j != i) for i, w in enumerate(want)
    ]
    free = list(range(len(want)))
    for g in got:
        best = min(free, key=lambda i: abs(want[i] - g))
        if abs(want[best] - g) > (1e-6 if clustered[best] else tol) * max(1.0, abs(g)):
            return False
        free.remove(best)
    return True


# ----------------------------------------------------------------------------- column shifts
@settings(max_examples=40, **SETTINGS)
@given(
    game=bimatrix_games(shapes=((2, 2), (2, 3))),
    which=st.sampled_from(["row player's column", "column player's row"]),
    index=st.integers(min_value=0, max_value=2),
    c=SMALL.filter(bool),
)
def test_shifting_a_column_of_the_opponent_profile_changes_no_verdict(game, which, index, c):
    A, B = game
    m, n = len(A), len(A[0])
    A2 = [row[:] for row in A]
    B2 = [row[:] for row in B]
    if which == "row player's column":
        # the row population's payoffs against column strategy j
        j = index % n
        for i in range(m):
            A2[i][j] += c
    else:
        # the column population's payoffs against row strategy i
        i = index % m
        for j in range(n):
            B2[i][j] += c
    before = analyze(Game.bimatrix(A, B))
    after = analyze(Game.bimatrix(A2, B2))
    assert verdicts(before) == verdicts(after)


@settings(max_examples=40, **SETTINGS)
@given(matrix=matrices(3, 3), j=st.integers(min_value=0, max_value=2), c=SMALL.filter(bool))
def test_shifting_a_column_of_a_symmetric_game_changes_no_verdict(matrix, j, c):
    shifted = [row[:] for row in matrix]
    for i in range(3):
        shifted[i][j] += c
    names = ["a", "b", "c"]
    before = analyze(Game.symmetric(matrix, names))
    after = analyze(Game.symmetric(shifted, names))
    assert verdicts(before) == verdicts(after)


# ----------------------------------------------------------------------------- zeros of the field
@st.composite
def games_with_parameters(draw):
    """A bimatrix or symmetric game whose entries are partly named parameters (with values), and
    sometimes state-dependent payoffs ``a + b*x`` (so that rest points may be irrational)."""
    kind = draw(st.sampled_from(["bimatrix", "symmetric", "symmetric-linear-in-x"]))
    params: dict[str, int] = {}

    def entry(name: str) -> str | int:
        value = draw(SMALL)
        if draw(st.booleans()):
            params[name] = value
            return name
        return value

    if kind == "bimatrix":
        m, n = draw(st.sampled_from([(2, 2), (2, 3), (3, 2)]))
        A = [[entry(f"a{i}{j}") for j in range(n)] for i in range(m)]
        B = [[entry(f"b{i}{j}") for j in range(n)] for i in range(m)]
        return Game.bimatrix(A, B, parameters=params)
    if kind == "symmetric":
        k = draw(st.sampled_from([2, 3]))
        M = [[entry(f"m{i}{j}") for j in range(k)] for i in range(k)]
        return Game.symmetric(M, [f"s{i}" for i in range(k)], parameters=params)
    M = [[f"({entry(f'm{i}{j}')}) + ({draw(SMALL)})*x" for j in range(2)] for i in range(2)]
    return Game.symmetric(M, ["s0", "s1"], parameters=params, share="x")


@settings(max_examples=50, **SETTINGS)
@given(game=games_with_parameters())
def test_every_rest_point_is_an_exact_zero_of_the_field_inside_the_simplex(game):
    a = analyze(game)
    values = game.value_substitution()
    field = [f.xreplace(values) for f in a.system.field]
    for r in a.rest_points:
        if not r.exact:
            continue  # a numeric search; exactness is not claimed there
        assert set(r.coordinates) == set(a.system.variables)
        for f in field:
            assert is_zero(f.xreplace(dict(r.coordinates))), (r.label, f)
        for pop_shares in r.shares:
            assert sympy.simplify(sympy.Add(*pop_shares) - 1) == 0, r.label
            for s in pop_shares:
                assert sympy.simplify(s) >= 0 and sympy.simplify(s - 1) <= 0, (r.label, s)
        # the support is where the shares are positive
        for p, pop_shares in enumerate(r.shares):
            positive = tuple(j for j, s in enumerate(pop_shares) if not is_zero(s))
            assert positive == tuple(r.support[p]), r.label


# ----------------------------------------------------------------------------- Nash equilibria
def _rref_solve(M: list[list[Fraction]], rhs: list[Fraction]):
    """Solve M z = rhs exactly; returns ("none" | "unique" | "many", z or None)."""
    rows, cols = len(M), len(M[0])
    aug = [list(M[r]) + [rhs[r]] for r in range(rows)]
    pivots = []
    r = 0
    for c in range(cols):
        pivot = next((i for i in range(r, rows) if aug[i][c] != 0), None)
        if pivot is None:
            continue
        aug[r], aug[pivot] = aug[pivot], aug[r]
        p = aug[r][c]
        aug[r] = [v / p for v in aug[r]]
        for i in range(rows):
            if i != r and aug[i][c] != 0:
                f = aug[i][c]
                aug[i] = [a - f * b for a, b in zip(aug[i], aug[r])]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if any(all(v == 0 for v in row[:-1]) and row[-1] != 0 for row in aug):
        return "none", None
    if len(pivots) < cols:
        return "many", None
    z = [Fraction(0)] * cols
    for i, c in enumerate(pivots):
        z[c] = aug[i][-1]
    return "unique", z


def _indifference(P, own: tuple[int, ...], other: tuple[int, ...], n_other: int):
    """The mix on ``other`` (support of the opponent) that makes every strategy in ``own``
    earn the same under payoff matrix ``P[own][other]``; returns (status, full mix, value)."""
    k_other = len(other)
    M = [[P[i][j] for j in other] + [Fraction(-1)] for i in own]
    M.append([Fraction(1)] * k_other + [Fraction(0)])
    rhs = [Fraction(0)] * len(own) + [Fraction(1)]
    status, z = _rref_solve(M, rhs)
    if status != "unique":
        return status, None, None
    mix = [Fraction(0)] * n_other
    for j, v in zip(other, z[:-1]):
        mix[j] = v
    return status, mix, z[-1]


def _payoffs(P, mix_other):
    return [sum(P[i][j] * mix_other[j] for j in range(len(mix_other))) for i in range(len(P))]


def is_nash(A, B, x, y) -> bool:
    """Independent best-reply check: every strategy in use earns the best payoff."""
    u = _payoffs(A, y)
    v = _payoffs([list(col) for col in zip(*B)], x)
    return all(u[i] == max(u) for i in range(len(x)) if x[i] > 0) and all(
        v[j] == max(v) for j in range(len(y)) if y[j] > 0
    )


def nondegenerate(A, B) -> bool:
    """No mixed strategy with support of size k has more than k pure best replies
    (von Stengel 2002), checked exactly for both players; games where an indifference
    system has a continuum of solutions count as degenerate (conservative)."""
    Bt = [list(col) for col in zip(*B)]
    for P, Q in ((A, Bt), (Bt, A)):
        # mixes x of one player (support I); best replies J among the opponent's strategies,
        # whose payoffs are Q[j] . x
        n_self, n_opp = len(P), len(Q)
        for k in range(1, n_self + 1):
            for support in itertools.combinations(range(n_self), k):
                for replies in itertools.combinations(range(n_opp), k + 1):
                    status, x, value = _indifference(Q, replies, support, n_self)
                    if status == "many":
                        return False
                    if status == "none":
                        continue
                    if all(x[i] > 0 for i in support) and value == max(_payoffs(Q, x)):
                        return False
    return True


def support_enumeration(A, B):
    """All Nash equilibria of a nondegenerate bimatrix game, as exact (x, y)."""
    m, n = len(A), len(A[0])
    Bt = [list(col) for col in zip(*B)]
    out = []
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                # y (on cols) makes the rows indifferent; x (on rows) makes the cols indifferent
                sy, y, _ = _indifference(A, rows, cols, n)
                sx, x, _ = _indifference(Bt, cols, rows, m)
                if sy != "unique" or sx != "unique":
                    continue
                if any(y[j] <= 0 for j in cols) or any(x[i] <= 0 for i in rows):
                    continue
                if is_nash(A, B, x, y):
                    out.append((tuple(x), tuple(y)))
    return out


@settings(max_examples=60, **SETTINGS)
@given(game=bimatrix_games())
def test_nash_flags_match_support_enumeration_on_nondegenerate_games(game):
    A = [[Fraction(v) for v in row] for row in game[0]]
    B = [[Fraction(v) for v in row] for row in game[1]]
    assume(nondegenerate(A, B))
    expected = support_enumeration(A, B)
    assert expected, "every finite game has a Nash equilibrium (Nash 1951)"
    a = analyze(Game.bimatrix(game[0], game[1]))
    flagged = []
    for r in a.rest_points:
        x = tuple(to_fraction(s) for s in r.shares[0])
        y = tuple(to_fraction(s) for s in r.shares[1])
        assert r.nash is not None, r.label
        if r.nash:
            flagged.append((x, y))
            assert is_nash(A, B, x, y), f"{r.label} flagged Nash but a better reply exists"
        else:
            assert not is_nash(A, B, x, y), f"{r.label} is a Nash equilibrium, flagged not"
        if r.strict_nash:
            assert r.is_pure and r.nash
    assert sorted(flagged) == sorted(expected)


# ----------------------------------------------------------------------------- eigenvalues
@st.composite
def any_games(draw):
    if draw(st.booleans()):
        A, B = draw(bimatrix_games())
        return Game.bimatrix(A, B)
    k = draw(st.sampled_from([2, 3]))
    return Game.symmetric(draw(matrices(k, k)), [f"s{i}" for i in range(k)])


@settings(max_examples=50, **SETTINGS)
@given(game=any_games())
def test_eigenvalues_agree_with_numpy_on_the_jacobian_of_the_field(game):
    a = analyze(game)
    J = a.system.jacobian.xreplace(game.value_substitution())
    jac = sympy.lambdify(a.system.variables, J, "numpy")
    for r in a.rest_points:
        assert r.numeric_eigenvalues is not None, r.label
        point = [float(r.coordinates[v]) for v in a.system.variables]
        ev = np.linalg.eigvals(np.array(jac(*point), dtype=float))
        assert same_multiset(r.numeric_eigenvalues, ev), (r.label, r.numeric_eigenvalues, ev)
        if all(abs(z.real) >= 1e-6 for z in ev):
            pos = any(z.real > 0 for z in ev)
            neg = any(z.real < 0 for z in ev)
            want = (
                Stability.SADDLE if pos and neg else Stability.UNSTABLE if pos else Stability.STABLE
            )
            assert r.stability is want, (r.label, r.stability, ev)
            assert r.asymptotically_stable is (want is Stability.STABLE)


# ----------------------------------------------------------------------------- exact zeros
@settings(max_examples=30, **SETTINGS)
@given(matrix=matrices(3, 3), k=st.sampled_from([2, 3]), corner=st.integers(0, 2))
def test_a_corner_with_a_payoff_tie_is_never_stable_symmetric(matrix, k, corner):
    M = [row[:k] for row in matrix[:k]]
    i = corner % k
    other = (i + 1) % k
    M[other][i] = M[i][i]  # the other strategy earns as much against i as i itself
    a = analyze(Game.symmetric(M, [f"s{j}" for j in range(k)]))
    r = a[f"s{i}"]
    assert any(z == 0 for z in r.numeric_eigenvalues)
    assert r.stability is not Stability.STABLE
    assert not r.asymptotically_stable


@settings(max_examples=30, **SETTINGS)
@given(game=bimatrix_games(shapes=((2, 2), (2, 3))), which=st.booleans())
def test_a_corner_with_a_payoff_tie_is_never_stable_bimatrix(game, which):
    A, B = ([row[:] for row in M] for M in game)
    if which:
        A[1][0] = A[0][0]  # row player indifferent at (r1, c1)
    else:
        B[0][1] = B[0][0]  # column player indifferent at (r1, c1)
    r = analyze(Game.bimatrix(A, B))["r1, c1"]
    assert any(z == 0 for z in r.numeric_eigenvalues)
    assert r.stability is not Stability.STABLE
    assert not r.asymptotically_stable


@pytest.mark.parametrize(
    "tie",
    [
        ("0.1 + 0.2", "0.3"),  # equal as decimals, not as binary floats
        ("1/3 + 1/3 + 1/3", 1),
        ("V/3", 1),  # through a parameter value, V = 3
        ("10**20 + 1 - 10**20", 1),
    ],
)
def test_ties_written_differently_are_exact_zeros(tie):
    focal, other = tie
    g = Game.symmetric([[focal, -1], [other, 0]], ["a", "b"], parameters={"V": 3})
    r = analyze(g)["a"]
    assert r.stability is not Stability.STABLE
    assert r.eigenvalues[0] == 0


def test_a_tiny_but_nonzero_advantage_is_not_a_tie():
    """Exact arithmetic: 10**-30 is positive, so the corner is a strict Nash equilibrium."""
    g = Game.symmetric([["1 + 10**(-30)", 0], [1, 0]], ["a", "b"])
    r = analyze(g)["a"]
    assert r.stability is Stability.STABLE
    assert r.strict_nash is True

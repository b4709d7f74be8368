"""Nash / strict Nash / ESS flags and verdicts where bugs hide: payoff ties and degenerate games.

Every expected value is computed here, independently of the library: by hand (derivations in
the comments) or by a brute-force check of the payoff table in exact ``Fraction`` arithmetic.

Definitions used (Weibull 1995, ch. 1-2 and 5; Hofbauer & Sigmund 1998, ch. 6 and 10):

* a profile is a Nash equilibrium when no strategy outside a population's support earns more
  than the strategies in use; a strict Nash equilibrium is a pure profile where every other
  strategy earns strictly less;
* Selten (1980): in a multi-population game with multilinear payoffs the (multi-population)
  ESS are exactly the strict Nash equilibria; DESIGN §4 asks ``ess == strict_nash`` there;
* in a symmetric game a strict Nash equilibrium is an ESS, a non-Nash point is not, and a point
  with more best replies than its support is reported undecided (``None``, DESIGN §4);
* at a pure profile the replicator Jacobian (reduced coordinates) has the payoff differences
  ``f_j - f_i`` (unused strategy j minus the one in use) as its eigenvalues, so the verdict at
  a corner follows from their signs: both signs a saddle, a positive one and no negative one
  ``unstable`` (a zero one beside it does not change that), all negative ``stable``, otherwise
  ``non-hyperbolic`` (DESIGN §1).
"""

import itertools
import random
from fractions import Fraction

import pytest
import sympy

from lmc_games import Game, Stability, analyze

S = Stability


def _corner_verdict(diffs):
    """DESIGN §1's rule from the signs of the eigenvalues at a corner."""
    pos = any(d > 0 for d in diffs)
    neg = any(d < 0 for d in diffs)
    if pos and neg:
        return S.SADDLE
    if pos:
        return S.UNSTABLE
    if neg and all(d < 0 for d in diffs):
        return S.STABLE
    return S.NON_HYPERBOLIC


def _frac(v):
    v = sympy.nsimplify(v)
    assert v.is_Rational, v
    return Fraction(int(v.p), int(v.q))


# --------------------------------------------------------------------------- ties by hand
@pytest.mark.parametrize("scale", [1, 10**6])
def test_tied_corner_of_a_symmetric_game_is_nash_not_strict_and_ess_undecided(scale):
    """A = [[1, 1], [1, 0]] (times ``scale``). Against s, both strategies earn 1: a tie.

    f_s = 1, f_t = x, so x' = x(1-x)(f_s - f_t) = x(1-x)^2 and d/dx at x = 1 is 0: a zero
    eigenvalue, non-hyperbolic. s is Nash, not strict; it is an ESS by Maynard Smith's second
    condition (A[s][t] = 1 > A[t][t] = 0), but with two best replies against a support of one
    DESIGN §4 asks for ``None``, never ``True`` through the strictness test.
    Corner t: f_s - f_t = A[s][t] - A[t][t] = 1 > 0, unstable, not Nash.
    """
    a = analyze(Game.symmetric([[scale, scale], [scale, 0]], ["s", "t"]))
    s, t = a["s"], a["t"]
    assert (s.nash, s.strict_nash, s.ess) == (True, False, None)
    assert s.stability is S.NON_HYPERBOLIC and s.asymptotically_stable is False
    assert s.numeric_eigenvalues == (0j,)
    assert (t.nash, t.strict_nash, t.ess) == (False, False, False)
    assert t.stability is S.UNSTABLE
    assert t.numeric_eigenvalues == (complex(scale),)


def test_tied_corner_that_is_not_an_ess_and_a_strict_one_beside_it():
    """A = [[1, 0], [1, 1]]. Corner s: f_t - f_s = A[t][s] - A[s][s] = 0, a tie; the second
    condition fails (A[s][t] = 0 < A[t][t] = 1), so s is no ESS: never ``True``.
    Corner t: f_s - f_t = A[s][t] - A[t][t] = -1 < 0: strict Nash, ESS, stable (eigenvalue -1).
    """
    a = analyze(Game.symmetric([[1, 0], [1, 1]], ["s", "t"]))
    s, t = a["s"], a["t"]
    assert s.nash is True and s.strict_nash is False and s.ess is not True
    assert s.stability is S.NON_HYPERBOLIC
    assert (t.nash, t.strict_nash, t.ess) == (True, True, True)
    assert t.stability is S.STABLE and t.numeric_eigenvalues == (-1 + 0j,)


def test_tied_corner_of_a_bimatrix_game_is_not_strict_so_not_an_ess():
    """Row A = [[1, 0], [1, 2]], column B = [[2, 1], [0, 2]] (strategies a, b).

    Corner (a, a): row deviation A[b][a] - A[a][a] = 0 (tie), column deviation
    B[a][b] - B[a][a] = -1. Nash, not strict, so by Selten (1980) not an ESS; eigenvalues
    (-1, 0): non-hyperbolic, never stable (DESIGN §2's (-25, 0) case).
    Corner (b, b): A[a][b] - A[b][b] = -2, B[b][a] - B[b][b] = -2: strict Nash, ESS, stable.
    Corner (b, a): row A[a][a] - A[b][a] = 0, column B[b][b] - B[b][a] = 2: (0, 2) -> unstable.
    """
    g = Game.bimatrix([[1, 0], [1, 2]], [[2, 1], [0, 2]], (["a", "b"], ["a", "b"]))
    a = analyze(g)
    aa, bb, ba = a["a, a"], a["b, b"], a["b, a"]
    assert (aa.nash, aa.strict_nash, aa.ess) == (True, False, False)
    assert aa.stability is S.NON_HYPERBOLIC and not aa.asymptotically_stable
    assert aa.numeric_eigenvalues == (-1 + 0j, 0j)
    assert (bb.nash, bb.strict_nash, bb.ess) == (True, True, True)
    assert bb.stability is S.STABLE
    assert ba.numeric_eigenvalues == (0j, 2 + 0j)
    assert ba.stability is S.UNSTABLE and ba.nash is False


# --------------------------------------------------------------------------- positive + zero
def test_positive_and_zero_eigenvalue_at_an_isolated_corner_is_unstable():
    """Symmetric A = [[0, 1, 0], [0, 0, 0], [1, 0, 0]]. Corner e1 has eigenvalues
    A[e2][e1] - A[e1][e1] = 0 and A[e3][e1] - A[e1][e1] = 1: a positive real part proves
    instability beside a zero one (DESIGN §1). The corner is isolated: on the edge e1-e2,
    f_e1 - f_e2 = (1 - x)(A[e1][e2] - A[e2][e2]) = 1 - x, zero only at the corner."""
    a = analyze(Game.symmetric([[0, 1, 0], [0, 0, 0], [1, 0, 0]], ["e1", "e2", "e3"]))
    e1 = a["e1"]
    assert e1.numeric_eigenvalues == (0j, 1 + 0j)
    assert e1.stability is S.UNSTABLE
    assert e1.nash is False and e1.strict_nash is False and e1.ess is False


def test_positive_and_zero_eigenvalue_with_a_symbolic_parameter_is_unstable():
    """The same game with A[e3][e1] = c, c >= 1 by its bounds: eigenvalues (0, c), c > 0."""
    g = Game.symmetric(
        [[0, 1, 0], [0, 0, 0], ["c", 0, 0]],
        ["e1", "e2", "e3"],
        parameters={"c": {"value": 2, "min": 1}},
    )
    assert analyze(g, symbolic=True)["e1"].stability is S.UNSTABLE
    assert analyze(g)["e1"].stability is S.UNSTABLE


def test_segment_of_rest_points_with_a_positive_transversal_eigenvalue_is_unstable():
    """Row A = [[0, 0], [1, 2]], column B = [[1, 1], [0, 2]]. When the row plays a (x = 1) the
    column is indifferent (B[a][a] = B[a][b]), so the edge x = 1 is a segment of rest points
    (y = t). Across it the row's eigenvalue is f_b - f_a = t*(1 - 0) + (1 - t)*(2 - 0) =
    2 - t > 0, and the one along the segment is 0: unstable, at its corners too
    ((a, a): eigenvalues (0, 1); (a, b): (0, 2))."""
    g = Game.bimatrix([[0, 0], [1, 2]], [[1, 1], [0, 2]], (["a", "b"], ["a", "b"]))
    a = analyze(g)
    [c] = a.continua
    assert c.face == "a, a+b" and c.stability is S.UNSTABLE
    assert a["a, a"].numeric_eigenvalues == (0j, 1 + 0j)
    assert a["a, a"].stability is S.UNSTABLE
    assert a["a, b"].numeric_eigenvalues == (0j, 2 + 0j)
    assert a["a, b"].stability is S.UNSTABLE


# --------------------------------------------------------------------------- brute force
def _payoff_bimatrix(M, x, y):
    """Expected payoffs of each row strategy against column mix y (Fractions)."""
    return [sum(M[i][j] * y[j] for j in range(len(y))) for i in range(len(M))]


def _check_bimatrix(A, B):
    """Every rest point's flags and corner verdicts against a brute-force check of the table."""
    m, n = len(A), len(A[0])
    BT = [[B[i][j] for i in range(m)] for j in range(n)]
    g = Game.bimatrix(A, B, ([f"r{i}" for i in range(m)], [f"c{j}" for j in range(n)]))
    an = analyze(g)
    labels = []
    for r in an.rest_points:
        x = [_frac(v) for v in r.shares[0]]
        y = [_frac(v) for v in r.shares[1]]
        fr = _payoff_bimatrix(A, x, y)
        fc = _payoff_bimatrix(BT, y, x)
        sup_r = [i for i in range(m) if x[i] > 0]
        sup_c = [j for j in range(n) if y[j] > 0]
        best_r, best_c = max(fr), max(fc)
        used_r, used_c = fr[sup_r[0]], fc[sup_c[0]]
        # A rest point: every strategy in use earns the same.
        assert all(fr[i] == used_r for i in sup_r) and all(fc[j] == used_c for j in sup_c)
        nash = best_r == used_r and best_c == used_c
        pure = len(sup_r) == 1 and len(sup_c) == 1
        strict = (
            pure
            and all(fr[i] < used_r for i in range(m) if i not in sup_r)
            and all(fc[j] < used_c for j in range(n) if j not in sup_c)
        )
        assert r.nash is nash, (A, B, r.label)
        assert r.strict_nash is strict, (A, B, r.label)
        assert r.ess is strict, (A, B, r.label)  # Selten (1980)
        if pure:
            diffs = [fr[i] - used_r for i in range(m) if i not in sup_r]
            diffs += [fc[j] - used_c for j in range(n) if j not in sup_c]
            assert r.stability is _corner_verdict(diffs), (A, B, r.label, diffs)
            assert sorted(z.real for z in r.numeric_eigenvalues) == sorted(map(float, diffs))
        labels.append(r.label)
    # Every pure profile is listed (DESIGN §4).
    for i, j in itertools.product(range(m), range(n)):
        assert f"r{i}, c{j}" in labels


def test_bimatrix_flags_and_corner_verdicts_against_brute_force_with_many_ties():
    """Entries in {0, 1, 2} make ties common; seeded, so the games are the same every run."""
    rng = random.Random(20261206)
    for shape in [(2, 2)] * 10 + [(2, 3)] * 4:
        m, n = shape
        A = [[rng.randint(0, 2) for _ in range(n)] for _ in range(m)]
        B = [[rng.randint(0, 2) for _ in range(n)] for _ in range(m)]
        _check_bimatrix(A, B)


def test_symmetric_flags_and_corner_verdicts_against_brute_force_with_many_ties():
    """Symmetric 2x2 and 3x3 games with entries in {0, 1, 2}. At a rest point x the payoff of
    strategy i is (A x)_i; x is Nash when no unused strategy earns more than x's own payoff,
    strict when x is pure and every other strategy earns less (then an ESS); a non-Nash
    point is no ESS. At a corner e_i the eigenvalues are A[j][i] - A[i][i], j != i.
    For a 2x2 interior point, Haigh's (1975) test reduces to
    A[s][s] - A[t][s] < 0 and A[t][t] - A[s][t] < 0 (hawk-dove type): then ESS."""
    rng = random.Random(7)
    for k in [2] * 8 + [3] * 6:
        A = [[rng.randint(0, 2) for _ in range(k)] for _ in range(k)]
        names = [f"s{i}" for i in range(k)]
        an = analyze(Game.symmetric(A, names))
        for r in an.rest_points:
            x = [_frac(v) for v in r.shares[0]]
            f = [sum(A[i][j] * x[j] for j in range(k)) for i in range(k)]
            sup = [i for i in range(k) if x[i] > 0]
            used = f[sup[0]]
            assert all(f[i] == used for i in sup)
            nash = max(f) == used
            strict = len(sup) == 1 and all(f[i] < used for i in range(k) if i != sup[0])
            assert r.nash is nash, (A, r.label)
            assert r.strict_nash is strict, (A, r.label)
            if strict:
                assert r.ess is True, (A, r.label)
            if not nash:
                assert r.ess is False, (A, r.label)
            if nash and not strict and len(sup) == 1:
                # A tie at a corner: more best replies than the support.
                assert r.ess is None, (A, r.label)
            if len(sup) == 1:
                i = sup[0]
                diffs = [A[j][i] - A[i][i] for j in range(k) if j != i]
                assert r.stability is _corner_verdict(diffs), (A, r.label, diffs)
            if k == 2 and len(sup) == 2:
                haigh = A[0][0] - A[1][0] < 0 and A[1][1] - A[0][1] < 0
                assert r.ess is haigh, (A, r.label)

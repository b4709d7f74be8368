"""``exact_sign`` on disguised zeros, their even powers and products, and the undecided path.

A disguised zero is a number written so that sympy does not see it is 0. The expected values
come from algebra done by hand (in each comment) and are re-checked here by an independent
route: ``sympy.expand`` / ``sqrtdenest`` for the zeros, mpmath at 120 digits for the nonzero
neighbours. An even power of a disguised zero is the classic trap for interval arithmetic: its
enclosure is ``[0, tiny]``, which touches 0 without excluding it, so it proves nothing.
"""

import mpmath
import pytest
import sympy
from sympy import Mul, Rational, atan, sqrt

from lmc_games import Game, Stability, analyze
from lmc_games._exact import UndecidedError, exact_sign

# sqrt(2)*sqrt(3) = sqrt(6); Mul(..., evaluate=False) keeps sympy from merging the radicals.
Z1 = Mul(sqrt(2), sqrt(3), evaluate=False) - sqrt(6)
# (sqrt(2) + sqrt(3))**2 = 2 + 2*sqrt(6) + 3.
Z2 = (sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6)
# (1 + sqrt(2))**2 = 3 + 2*sqrt(2), so sqrt(3 + 2*sqrt(2)) = 1 + sqrt(2): a nested radical.
W = sqrt(3 + 2 * sqrt(2)) - 1 - sqrt(2)

ZEROS = {
    "Z1": Z1,
    "Z2": Z2,
    "W": W,
    "Z1**2": Z1**2,
    "Z2**2": Z2**2,
    "W**2": W**2,
    "Z2**4": Z2**4,
    "-Z2**2": -(Z2**2),
    "Z1*W": Z1 * W,
    "Z2*W": Z2 * W,
    "Z1*Z2": Z1 * Z2,
    "10**30*Z2**2": 10**30 * Z2**2,
    "Z2**2*W**2 + Z1**2": Z2**2 * W**2 + Z1**2,
    "(Z2 + W)**2": (Z2 + W) ** 2,
}


def test_the_disguised_zeros_are_zero_by_an_independent_route():
    assert sympy.expand(Z1) == 0 and sympy.expand(Z2) == 0
    assert sympy.sqrtdenest(sqrt(3 + 2 * sqrt(2))) == 1 + sqrt(2)
    # ... and sympy does not see it on construction (else the tests below would be trivial).
    for e in (Z1, Z2, W, Z2**2, Z1 * W):
        assert e != 0 and not e.is_Number


@pytest.mark.parametrize("name", list(ZEROS))
def test_even_powers_and_products_of_disguised_zeros_are_zero(name):
    assert exact_sign(ZEROS[name]) == 0


# Nonzero numbers closer to 0 than double precision can see: value, expected sign.
TINY = Rational(1, 10**40)
NEAR = {
    "Z2**2 + 1e-40": (Z2**2 + TINY, 1),
    "Z2**2 - 1e-40": (Z2**2 - TINY, -1),
    "-(W**2) - 1e-40": (-(W**2) - TINY, -1),
    "Z1*W + 1e-60": (Z1 * W + Rational(1, 10**60), 1),
    "Z2 - 1e-50": (Z2 - Rational(1, 10**50), -1),
    "(Z2 + 1e-30)**2": ((Z2 + Rational(1, 10**30)) ** 2, 1),
    "sqrt(2)*sqrt(3) - 2.449489742783178": (Z1 + sqrt(6) - Rational(2449489742783178, 10**15), 1),
}


@pytest.mark.parametrize("name", list(NEAR))
def test_numbers_next_to_a_disguised_zero_get_their_sign(name):
    value, expected = NEAR[name]
    # Independent check of the expected sign: mpmath at 120 significant digits.
    with mpmath.workdps(120):
        approx = mpmath.mpf(sympy.N(value, 120))
    assert (approx > 0) - (approx < 0) == expected
    assert exact_sign(value) == expected


# --------------------------------------------------------------------------- undecided path
# tan(a + b) = (tan a + tan b)/(1 - tan a tan b): (1/3 + 1/7)/(1 - 1/21) = 1/2, so
# atan(1/2) = atan(1/3) + atan(1/7) and D is exactly 0; sympy's simplify cannot prove it.
D = atan(Rational(1, 2)) - atan(Rational(1, 3)) - atan(Rational(1, 7))


def test_a_transcendental_zero_that_cannot_be_proved_is_undecided_not_a_sign():
    with mpmath.workdps(60):
        assert abs(mpmath.atan(mpmath.mpf(1) / 2) - mpmath.atan(mpmath.mpf(1) / 3)
                   - mpmath.atan(mpmath.mpf(1) / 7)) < mpmath.mpf(10) ** -55  # fmt: skip
    with pytest.raises(UndecidedError, match="could not be proved to be zero"):
        exact_sign(D)
    with pytest.raises(UndecidedError):
        exact_sign(D**2)


def test_an_undecided_eigenvalue_gives_non_hyperbolic_with_the_reason_never_stable():
    """A = [[0, 0], [D, -1]]: at corner s the eigenvalue is A[t][s] - A[s][s] = D (exactly 0,
    not provably so); at corner t it is A[s][t] - A[t][t] = 1 > 0 (unstable)."""
    a = analyze(Game.symmetric([[0, 0], [D, -1]], ["s", "t"]))
    s = a["s"]
    assert s.stability is Stability.NON_HYPERBOLIC
    assert s.asymptotically_stable is False
    assert s.reason.startswith("undecided")
    assert s.strict_nash is False and s.ess is None
    assert any("could not be decided" in n for n in a.notes)
    assert a["t"].stability is Stability.UNSTABLE


def test_a_payoff_with_the_constant_e_is_solved_exactly():
    """A = [[e, 0], [1, 2]]: on the edge f_s - f_t = x e - (x + 2(1 - x)) = (e + 1) x - 2, so
    the interior rest point is x* = 2/(e + 1) (= 0.5379). Corner s: A[t][s] - A[s][s] =
    1 - e < 0, stable; corner t: A[s][t] - A[t][t] = -2, stable."""
    a = analyze(Game.symmetric([["exp(1)", 0], [1, 2]], ["s", "t"]))
    assert a["s"].stability is Stability.STABLE and a["t"].stability is Stability.STABLE
    mixed = a["s+t"]
    assert a.complete is True and mixed.exact is True
    [xstar] = mixed.coordinates.values()
    assert sympy.simplify(xstar - 2 / (sympy.E + 1)) == 0


# sqrt(2) = 1.41421356237309504880168...: EPS is positive, about 1.7e-21.
EPS = "sqrt(2) - 14142135623730950488/10000000000000000000"


def test_an_interior_point_a_hair_from_a_corner_is_kept():
    """A = [[1, 0], [0, EPS]], a coordination game: f_s - f_t = x - EPS (1 - x) is -EPS < 0 at
    x = 0 and 1 > 0 at x = 1, so it vanishes inside, at x* = EPS/(1 + EPS) > 0; both corners
    are strict Nash equilibria (eigenvalues -1 at s, -EPS at t)."""
    eps = sympy.sqrt(2) - Rational(14142135623730950488, 10**19)
    with mpmath.workdps(60):
        assert mpmath.mpf(sympy.N(eps, 60)) > 0
    a = analyze(Game.symmetric([[1, 0], [0, EPS]], ["s", "t"]))
    assert a["s"].stability is Stability.STABLE and a["t"].stability is Stability.STABLE
    [xstar] = a["s+t"].coordinates.values()
    assert sympy.simplify(xstar - eps / (1 + eps)) == 0

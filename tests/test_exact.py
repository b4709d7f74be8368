"""Tests for lmc_games._exact: exact signs, exact root counts by real part, Hurwitz conditions.

Every expected value is obtained independently of the code under test: by integer
arithmetic (Pell equations, a**2 versus 2*b**2), by construction of a polynomial from known
roots, by numpy/mpmath roots on cases far from the imaginary axis, or by a second exact
route (counts versus Hurwitz conditions).
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import CRootOf, E, I, Rational, sqrt

from lmc_games._errors import LmcGamesError
from lmc_games._exact import (
    RootCount,
    UndecidedError,
    count_real_parts,
    exact_sign,
    hurwitz_conditions,
)

L = sympy.Symbol("l")
X = sympy.Symbol("x")
PLASTIC = CRootOf(X**3 - X - 1, 0)
CBRT2 = 2 ** Rational(1, 3)
Z = (sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6)  # exactly 0, not simplified by sympy

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def coeffs_of(expr: sympy.Expr) -> list[sympy.Expr]:
    return sympy.Poly(sympy.expand(expr), L).all_coeffs()


def counts(rc: RootCount) -> tuple[int, int, int, int, int]:
    return (rc.negative, rc.zero, rc.positive, rc.at_origin, rc.imaginary)


def frac_sign(value: Fraction | int) -> int:
    return (value > 0) - (value < 0)


def sign_a_plus_b_sqrt(a: Fraction, b: Fraction, c: int) -> int:
    """Sign of a + b*sqrt(c) (c > 0 not a square) by rational arithmetic only."""
    sa, sb = frac_sign(a), frac_sign(b)
    if sb == 0:
        return sa
    if sa == 0 or sa == sb:
        return sb
    # Opposite signs: the term with the larger square wins.
    return sa * frac_sign(a * a - b * b * c)


def numpy_real_part_counts(coeffs: list) -> tuple[int, int, float]:
    roots = np.roots([float(c) for c in coeffs])
    negative = int(np.sum(roots.real < 0))
    positive = int(np.sum(roots.real > 0))
    margin = float(np.min(np.abs(roots.real))) if roots.size else math.inf
    return negative, positive, margin


# --------------------------------------------------------------------------------------
# exact_sign
# --------------------------------------------------------------------------------------


class TestExactSignRationals:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Rational(3, 7), 1),
            (Rational(-3, 7), -1),
            (sympy.S.Zero, 0),
            (0, 0),
            (-5, -1),
            (Fraction(2, 3), 1),
            (Rational(1, 10**40), 1),
            (-Rational(1, 10**40), -1),
        ],
    )
    def test_rationals(self, value, expected):
        assert exact_sign(value) == expected

    @given(st.fractions(max_denominator=10**30))
    @settings(max_examples=60, deadline=None)
    def test_random_rationals(self, value):
        assert exact_sign(Rational(value.numerator, value.denominator)) == frac_sign(value)

    def test_float_is_its_exact_binary_value(self):
        # 0.1 as a double is 0.1000000000000000055511151231257827..., i.e. above 1/10.
        expr = sympy.Add(sympy.Float(0.1), -Rational(1, 10), evaluate=False)
        assert Fraction(0.1) > Fraction(1, 10)
        assert exact_sign(expr) == 1
        assert exact_sign(0.5) == 1
        assert exact_sign(-0.0) == 0


class TestExactSignAlgebraic:
    def test_sqrt2_minus_99_over_70(self):
        # 99**2 = 9801 > 2*70**2 = 9800, so 99/70 > sqrt(2): the difference is negative.
        assert 99**2 > 2 * 70**2
        assert exact_sign(sqrt(2) - Rational(99, 70)) == -1
        # 140**2 = 19600 < 2*99**2 = 19602: sqrt(2) > 140/99, tiny and positive.
        assert 140**2 < 2 * 99**2
        assert exact_sign(sqrt(2) - Rational(140, 99)) == 1

    @pytest.mark.parametrize("steps", [10, 30, 50, 60])
    def test_pell_convergents_far_below_double_precision(self, steps):
        # p/q from the Pell recurrence satisfy p**2 - 2*q**2 = +-1, so
        # |sqrt(2) - p/q| ~ 1/(2.83*q**2) (1e-45 for steps=60) and the sign is known.
        p, q = 1, 1
        for _ in range(steps):
            p, q = p + 2 * q, p + q
        pell = p * p - 2 * q * q
        assert pell in (1, -1)
        expected = 1 if pell == -1 else -1
        assert exact_sign(sqrt(2) - Rational(p, q)) == expected
        assert exact_sign(Rational(p, q) - sqrt(2)) == -expected

    @pytest.mark.parametrize(
        "zero",
        [
            (sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6),
            sqrt(3 + 2 * sqrt(2)) - 1 - sqrt(2),
            PLASTIC**3 - PLASTIC - 1,
            (sqrt(5) + 1) / 2 * ((sqrt(5) + 1) / 2 - 1) - 1,
            # (1 + c)**3 = 3 + 3c + 3c**2 for c = 2**(1/3).
            (1 + CBRT2) ** 3 - 3 * CBRT2 * (1 + CBRT2) - 3,
        ],
    )
    def test_exact_zeros(self, zero):
        assert zero != 0  # sympy did not simplify it away
        assert exact_sign(zero) == 0

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            # sympy's evalf reports rounding noise of these with *full* claimed accuracy
            # (e.g. Z**3 as -2**-864 at 64 bits); the answers must still be exact.
            (Z**3, 0),
            ((Z * 10**300) ** 3, 0),
            (sympy.exp(Z) - 1, 0),
            (Z ** Rational(1, 3), 0),
            (sqrt(Z), 0),
            (sqrt(Z) + 1, 1),
            (sqrt(Z + Rational(1, 10**40)) - Rational(1, 10**20), 0),
            (Z**2 + Rational(1, 10**50), 1),
            (-(Z**3) - Rational(1, 10**100), -1),
        ],
    )
    def test_powers_and_functions_of_disguised_zeros(self, expr, expected):
        assert exact_sign(expr) == expected

    def test_zero_that_is_noise_in_double_precision(self):
        zero = Rational(1, 10**15) * ((sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6))
        double = (math.sqrt(2) + math.sqrt(3)) ** 2 - 5 - 2 * math.sqrt(6)
        noise = 1e-15 * double
        assert noise != 0.0 and abs(noise) < 1e-28
        assert exact_sign(zero) == 0
        # And the same size of value, when genuinely non-zero, keeps its sign.
        assert exact_sign(zero + Rational(1, 10**30)) == 1
        assert exact_sign(zero - Rational(1, 10**30)) == -1

    def test_crootof_minus_decimal(self):
        # f(x) = x**3 - x - 1 is increasing for x > 1, f(1) < 0 < f(r): root < r.
        r = Fraction(1324718, 1000000)
        assert r**3 - r - 1 > 0 and 1**3 - 1 - 1 < 0
        assert exact_sign(PLASTIC - Rational(1324718, 1000000)) == -1
        lower = Fraction(1324717, 1000000)
        assert lower**3 - lower - 1 < 0
        assert exact_sign(PLASTIC - Rational(1324717, 1000000)) == 1

    def test_crootof_nested_in_radicals(self):
        value = sqrt(PLASTIC) - Rational(115096, 100000)  # sqrt(1.3247179...) = 1.150963...
        r = Fraction(115096, 100000)
        assert (r * r) ** 3 - r * r - 1 < 0  # r**2 is below the root
        assert exact_sign(value) == 1

    @given(
        st.fractions(min_value=-50, max_value=50, max_denominator=20),
        st.fractions(min_value=-50, max_value=50, max_denominator=20),
        st.sampled_from([2, 3, 5, 6, 7, 10]),
    )
    @SETTINGS
    def test_a_plus_b_sqrt_c(self, a, b, c):
        value = _r(a) + _r(b) * sqrt(c)
        assert exact_sign(value) == sign_a_plus_b_sqrt(a, b, c)

    @given(st.integers(1, 10**6), st.integers(2, 50))
    @settings(max_examples=30, deadline=None)
    def test_near_miss_of_a_square_root(self, n, k):
        # floor(sqrt(n) * 10**k)/10**k is below sqrt(n) unless n is a perfect square.
        root = math.isqrt(n * 10 ** (2 * k))
        approx = Rational(root, 10**k)
        expected = 0 if root * root == n * 10 ** (2 * k) else 1
        assert exact_sign(sqrt(n) - approx) == expected


class TestExactSignTranscendental:
    def test_e_minus_decimal(self):
        partial = sum(Fraction(1, math.factorial(k)) for k in range(15))  # < e
        assert partial > Fraction(271828, 100000)
        assert exact_sign(E - Rational(271828, 100000)) == 1
        assert exact_sign(sympy.exp(1) - Rational(271829, 100000)) == -1

    def test_tiny_transcendental_is_not_zero(self):
        assert exact_sign(sympy.exp(-1000)) == 1
        assert exact_sign(-sympy.exp(-1000)) == -1
        # exp(pi*sqrt(163)) is 7.5e-13 below an integer (Ramanujan's constant).
        assert exact_sign(sympy.exp(sympy.pi * sqrt(163)) - (640320**3 + 744)) == -1

    def test_provable_transcendental_zero(self):
        assert exact_sign(sympy.log(6) - sympy.log(2) - sympy.log(3)) == 0

    def test_unprovable_transcendental_zero_is_undecided(self):
        # Machin-type identity: atan(1/2) + atan(1/3) = pi/4, which sympy cannot prove.
        zero = sympy.atan(Rational(1, 2)) + sympy.atan(Rational(1, 3)) - sympy.pi / 4
        assert abs(sympy.N(zero, 50)) < 1e-45
        with pytest.raises(UndecidedError) as info:
            exact_sign(zero)
        assert isinstance(info.value, LmcGamesError)
        assert isinstance(info.value, ArithmeticError)


class TestExactSignErrors:
    def test_free_symbol(self):
        with pytest.raises(ValueError, match="symbol"):
            exact_sign(X + 1)

    @pytest.mark.parametrize("value", [I, 1 + sqrt(2) * I, sqrt(-2), CRootOf(X**3 - X - 1, 1)])
    def test_not_real(self, value):
        with pytest.raises(ValueError, match="not a real number"):
            exact_sign(value)

    @pytest.mark.parametrize("value", [sympy.oo, -sympy.oo, sympy.nan, sympy.zoo])
    def test_not_finite(self, value):
        with pytest.raises(ValueError):
            exact_sign(value)

    def test_string_is_refused(self):
        with pytest.raises(TypeError):
            exact_sign("1")

    def test_real_expression_written_with_i(self):
        assert exact_sign((sqrt(2) + I) * (sqrt(2) - I) - 3) == 0
        assert exact_sign((sqrt(2) + I) * (sqrt(2) - I) - sqrt(8)) == 1  # 3 > 2.83


# --------------------------------------------------------------------------------------
# count_real_parts: fixed cases
# --------------------------------------------------------------------------------------


RATIONAL_CASES = [
    # (polynomial, (negative, zero, positive, at_origin, imaginary))
    ((L + 25) * L, (1, 1, 0, 1, 0)),
    (L**2 + 1, (0, 2, 0, 0, 2)),
    (L**2 - 1, (1, 0, 1, 0, 0)),
    ((L**2 + 1) * (L - 1), (0, 2, 1, 0, 2)),
    (L**4 + 1, (2, 0, 2, 0, 0)),
    (L**4 - 2 * L**2 - 1, (1, 2, 1, 0, 2)),  # l**2 = 1 +- sqrt(2)
    (L**4 + 3 * L**2 + 1, (0, 4, 0, 0, 4)),  # l**2 = (-3 +- sqrt(5))/2 < 0
    ((L**2 + 2) ** 2, (0, 4, 0, 0, 4)),
    (L**3, (0, 3, 0, 3, 0)),
    (L**2 * (L**2 + 4) * (L + 3), (1, 4, 0, 2, 2)),
    ((L + 1) * ((L - Rational(1, 10**12)) ** 2 + 1), (1, 0, 2, 0, 0)),
    ((L + 1) * ((L + Rational(1, 10**30)) ** 2 + 1), (3, 0, 0, 0, 0)),
    ((L**2 + L + 1) * (L**2 + 1), (2, 2, 0, 0, 2)),
    # Sixth roots of unity: real parts 1, 1/2, -1/2, -1, -1/2, 1/2; none on the axis.
    (L**6 - 1, (3, 0, 3, 0, 0)),
    (sympy.Integer(7), (0, 0, 0, 0, 0)),
]


class TestCountRationalCases:
    @pytest.mark.parametrize(("poly", "expected"), RATIONAL_CASES)
    def test_case(self, poly, expected):
        rc = count_real_parts(coeffs_of(poly))
        assert counts(rc) == expected
        degree = sympy.degree(poly, L)
        assert rc.negative + rc.zero + rc.positive == degree == len(rc.numeric_roots)
        assert rc.zero == rc.at_origin + rc.imaginary
        # Display roots: sorted, and exactly the axis roots have real part 0.0 ...
        keys = [(z.real, z.imag) for z in rc.numeric_roots]
        assert keys == sorted(keys)
        assert sum(z.real == 0.0 for z in rc.numeric_roots) == rc.zero
        # ... and they are the actual roots (independent: sympy's exact roots).
        exact = sorted(
            (complex(sympy.N(r, 30)) for r in sympy.Poly(poly, L).all_roots()),
            key=lambda z: (round(z.real, 9), round(z.imag, 9)),
        )
        shown = sorted(rc.numeric_roots, key=lambda z: (round(z.real, 9), round(z.imag, 9)))
        for z, w in zip(shown, exact, strict=True):
            assert abs(z - w) < 1e-9 * max(1.0, abs(w))

    def test_tiny_positive_real_part_pair(self):
        # Roots -1 and 1e-12 +- i: double precision cannot be trusted here, exact can.
        rc = count_real_parts(coeffs_of((L + 1) * ((L - Rational(1, 10**12)) ** 2 + 1)))
        assert (rc.negative, rc.zero, rc.positive) == (1, 0, 2)
        positives = [z for z in rc.numeric_roots if z.real > 0]
        assert len(positives) == 2
        assert all(abs(z.real - 1e-12) < 1e-20 for z in positives)

    @pytest.mark.parametrize(
        ("coeffs", "right_half_plane"),
        [
            # Classic singular Routh arrays (a zero appears in the first column).
            ([1, 1, 2, 2, 3], 2),
            ([1, 2, 2, 4, 11, 10], 2),
            ([1, 0, 3, 1], 2),
        ],
    )
    def test_singular_routh_arrays(self, coeffs, right_half_plane):
        negative, positive, margin = numpy_real_part_counts(coeffs)
        assert margin > 1e-3 and positive == right_half_plane
        rc = count_real_parts(coeffs)
        assert (rc.negative, rc.zero, rc.positive) == (negative, 0, positive)

    def test_scaling_and_input_types(self):
        base = count_real_parts([1, 0, -2, 0, -1])
        for scaled in (
            [-3, 0, 6, 0, 3],
            [Fraction(1, 2), 0, -1, 0, Fraction(-1, 2)],
            [0.5, 0.0, -1.0, 0.0, -0.5],
        ):
            assert counts(count_real_parts(scaled)) == counts(base)
        assert counts(count_real_parts((1, 3, 2))) == (2, 0, 0, 0, 0)

    def test_float_coefficients_are_exact_binary(self):
        # 0.1 is slightly above 1/10, so l + (0.1 - 1/10) has a (tiny) negative root.
        rc = count_real_parts([1, sympy.Add(sympy.Float(0.1), -Rational(1, 10), evaluate=False)])
        assert (rc.negative, rc.zero) == (1, 0)


class TestCountAlgebraicCases:
    @pytest.mark.parametrize(
        ("poly", "expected"),
        [
            ((L - sqrt(2)) * (L + sqrt(3)), (1, 0, 1, 0, 0)),
            (L**2 + (3 + sqrt(5)) / 2, (0, 2, 0, 0, 2)),
            (L**3 + sqrt(2) * L**2 + L, (2, 1, 0, 1, 0)),
            (L**3 + (1 + sqrt(3)) * L**2 + L + 1 + sqrt(3), (1, 2, 0, 0, 2)),
            ((L**2 + 1) * (L - sqrt(5) + 2) * (L**2 + sqrt(2) * L + 1), (2, 2, 1, 0, 2)),
            ((L - PLASTIC) * (L**2 + PLASTIC * L + 1), (2, 0, 1, 0, 0)),
            (L**3 * (L**2 - sqrt(2)) ** 2 * (L**2 + sqrt(3)), (2, 5, 2, 3, 2)),
            ((L**2 - (1 + sqrt(2))) * (L**2 - (1 - sqrt(2))), (1, 2, 1, 0, 2)),
            (L**2 - 2 * (sqrt(2) - Rational(140, 99)) * L + 1, (0, 0, 2, 0, 0)),
            (L**2 + 2 * (sqrt(2) - Rational(99, 70)) * L + 1, (0, 0, 2, 0, 0)),
            ((L - 2 ** Rational(1, 3)) * (L**2 + 3 ** Rational(1, 4)), (0, 2, 1, 0, 2)),
        ],
    )
    def test_case(self, poly, expected):
        rc = count_real_parts(coeffs_of(poly))
        assert counts(rc) == expected
        assert sum(z.real == 0.0 for z in rc.numeric_roots) == rc.zero
        # Independent numerical check of the display roots: residuals of the polynomial.
        expanded = sympy.expand(poly)
        scale = max(1.0, *(abs(z) for z in rc.numeric_roots)) ** sympy.degree(poly, L)
        for z in rc.numeric_roots:
            point = sympy.Float(z.real, 30) + I * sympy.Float(z.imag, 30)
            assert abs(complex(sympy.N(expanded.subs(L, point), 30))) < 1e-8 * scale

    def test_disguised_zero_trace(self):
        # The linear coefficient is exactly 0 but not syntactically: a centre.
        trace = (sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6)
        rc = count_real_parts([1, trace, (3 + sqrt(5)) / 2])
        assert counts(rc) == (0, 2, 0, 0, 2)
        # The same with a tiny non-zero trace is not a centre.
        rc = count_real_parts([1, -(sqrt(2) - Rational(140, 99)), (3 + sqrt(5)) / 2])
        assert counts(rc) == (0, 0, 2, 0, 0)

    def test_disguised_rationals_and_real_coefficients_written_with_i(self):
        rc = count_real_parts([(sqrt(2) + 1) * (sqrt(2) - 1), 0, 1])
        assert counts(rc) == (0, 2, 0, 0, 2)
        rc = count_real_parts([1, (sqrt(2) + I) * (sqrt(2) - I), sqrt(3)])
        assert counts(rc) == (2, 0, 0, 0, 0)

    def test_coefficient_field_with_non_real_generator(self):
        # sympy's construct_domain picks the generator sqrt(2) + sqrt(3) + I here; the
        # coefficient itself is sqrt(3), so the real primitive-element route must be used.
        disguised = I * (1 + sqrt(2)) + I * (-sqrt(2) - 1) + sqrt(3)
        assert disguised != sqrt(3)
        rc = count_real_parts([1, disguised, 1])
        assert counts(rc) == (2, 0, 0, 0, 0)
        for z in rc.numeric_roots:  # roots of l**2 + sqrt(3)*l + 1: -sqrt(3)/2 +- i/2
            assert abs(abs(z.imag) - 0.5) < 1e-12 and abs(z.real + math.sqrt(3) / 2) < 1e-12

    def test_zero_leading_coefficient_in_disguise(self):
        with pytest.raises(ValueError, match="leading"):
            count_real_parts([(sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6), 1, 1])

    def test_quadratic_field_cubic(self):
        # Speed is measured in benchmarks/, never asserted in a test.
        coeffs = coeffs_of((L - (1 + sqrt(7)) / 3) * (L**2 + (2 - sqrt(7)) * L + 5 + 3 * sqrt(7)))
        rc = count_real_parts(coeffs)
        # Real parts: (1 + sqrt(7))/3 > 0 and (sqrt(7) - 2)/2 > 0 for the pair.
        assert counts(rc) == (0, 0, 3, 0, 0)


class TestCountErrors:
    def test_result_is_immutable(self):
        rc = count_real_parts([1, 1])
        with pytest.raises(dataclasses.FrozenInstanceError):
            rc.negative = 0  # type: ignore[misc]

    def test_errors(self):
        with pytest.raises(ValueError):
            count_real_parts([])
        with pytest.raises(ValueError, match="leading"):
            count_real_parts([0, 1, 2])
        with pytest.raises(ValueError, match="symbol"):
            count_real_parts([1, X])
        with pytest.raises(ValueError, match="not a real number"):
            count_real_parts([1, I, 1])
        # Transcendental coefficients are decided by the Routh array unless its first column
        # meets a zero (here l**4 + E*l**2 + 1: the l**3 coefficient is 0).
        with pytest.raises(UndecidedError):
            count_real_parts([1, 0, E, 0, 1])
        with pytest.raises(TypeError):
            count_real_parts("12")


# --------------------------------------------------------------------------------------
# count_real_parts: properties
# --------------------------------------------------------------------------------------

small_rationals = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))
real_parts = st.builds(Fraction, st.integers(-2, 2), st.integers(1, 4))
imag_parts = st.builds(Fraction, st.integers(1, 5), st.integers(1, 3))


def _r(value: Fraction) -> sympy.Rational:
    return Rational(value.numerator, value.denominator)


@st.composite
def rational_root_sets(draw):
    reals = draw(st.lists(small_rationals, max_size=4))
    pairs = draw(st.lists(st.tuples(real_parts, imag_parts), max_size=3))
    assume(0 < len(reals) + 2 * len(pairs) <= 8)
    scale = draw(st.sampled_from([Fraction(1), Fraction(-1), Fraction(3, 7), Fraction(-5, 2)]))
    return reals, pairs, scale


class TestCountProperties:
    @given(rational_root_sets())
    @SETTINGS
    def test_constructed_from_rational_roots(self, data):
        reals, pairs, scale = data
        poly = _r(scale)
        for r in reals:
            poly *= L - _r(r)
        for re, im in pairs:
            poly *= (L - _r(re)) ** 2 + _r(im) ** 2
        rc = count_real_parts(coeffs_of(poly))
        expected_negative = sum(r < 0 for r in reals) + 2 * sum(re < 0 for re, _ in pairs)
        expected_positive = sum(r > 0 for r in reals) + 2 * sum(re > 0 for re, _ in pairs)
        origin = sum(r == 0 for r in reals)
        imaginary = 2 * sum(re == 0 for re, _ in pairs)
        assert counts(rc) == (
            expected_negative,
            origin + imaginary,
            expected_positive,
            origin,
            imaginary,
        )
        expected_roots = [complex(r) for r in reals]
        for re, im in pairs:
            expected_roots += [complex(re, im), complex(re, -im)]
        shown = sorted(rc.numeric_roots, key=lambda z: (round(z.real, 7), round(z.imag, 7)))
        want = sorted(expected_roots, key=lambda z: (round(z.real, 7), round(z.imag, 7)))
        for z, w in zip(shown, want, strict=True):
            assert abs(z - w) < 1e-9
        # Metamorphic: l -> -l mirrors the counts.
        mirrored = count_real_parts(coeffs_of(poly.subs(L, -L)))
        assert (mirrored.negative, mirrored.zero, mirrored.positive) == (
            rc.positive,
            rc.zero,
            rc.negative,
        )

    @given(st.lists(st.integers(-9, 9), min_size=2, max_size=7))
    @SETTINGS
    def test_against_numpy_away_from_the_axis(self, coeffs):
        assume(coeffs[0] != 0)
        negative, positive, margin = numpy_real_part_counts(coeffs)
        assume(margin > 1e-4)
        rc = count_real_parts(coeffs)
        assert (rc.negative, rc.zero, rc.positive) == (negative, 0, positive)

    @given(st.lists(st.integers(-9, 9), min_size=2, max_size=6))
    @SETTINGS
    def test_against_mpmath_high_precision(self, coeffs):
        # Independent numerics at 60 digits: decisive whenever no real part is below 1e-40.
        assume(coeffs[0] != 0)
        sympy_poly = sympy.Poly(coeffs, L)
        assume(sympy_poly.is_sqf and sympy_poly.eval(0) != 0)
        with mpmath.workdps(60):
            try:
                roots = mpmath.polyroots(coeffs, maxsteps=500, extraprec=400)
            except mpmath.NoConvergence:
                assume(False)
            reals = [mpmath.re(r) for r in roots]
            assume(all(abs(x) > mpmath.mpf(10) ** -40 for x in reals))
            negative = sum(x < 0 for x in reals)
        rc = count_real_parts(coeffs)
        assert (rc.negative, rc.positive) == (negative, len(coeffs) - 1 - negative)


def _alg(a: Fraction, b: Fraction) -> sympy.Expr:
    return _r(a) + _r(b) * sqrt(2)


@st.composite
def algebraic_root_sets(draw):
    coefficient = st.builds(Fraction, st.integers(-3, 3), st.integers(1, 2))
    reals = draw(st.lists(st.tuples(coefficient, coefficient), max_size=2))
    pairs = draw(st.lists(st.tuples(coefficient, coefficient, imag_parts), max_size=2))
    axis = draw(st.lists(st.tuples(coefficient, coefficient), max_size=1))
    # Axis pairs +-i*sqrt(mu) need mu = a + b*sqrt(2) > 0.
    axis = [(a, b) for a, b in axis if sign_a_plus_b_sqrt(a, b, 2) > 0]
    assume(0 < len(reals) + 2 * len(pairs) + 2 * len(axis) <= 6)
    return reals, pairs, axis


class TestCountAlgebraicProperties:
    @given(algebraic_root_sets())
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_constructed_from_roots_in_q_sqrt2(self, data):
        reals, pairs, axis = data
        poly = sympy.S.One
        for a, b in reals:
            poly *= L - _alg(a, b)
        for a, b, im in pairs:
            poly *= (L - _alg(a, b)) ** 2 + _r(im) ** 2 * 3  # imaginary part im*sqrt(3)
        for a, b in axis:
            poly *= L**2 + _alg(a, b)
        signs = [sign_a_plus_b_sqrt(a, b, 2) for a, b in reals]
        pair_signs = [sign_a_plus_b_sqrt(a, b, 2) for a, b, _ in pairs]
        expected = (
            signs.count(-1) + 2 * pair_signs.count(-1),
            signs.count(0) + 2 * pair_signs.count(0) + 2 * len(axis),
            signs.count(1) + 2 * pair_signs.count(1),
            signs.count(0),
            2 * pair_signs.count(0) + 2 * len(axis),
        )
        rc = count_real_parts(coeffs_of(poly))
        assert counts(rc) == expected


# --------------------------------------------------------------------------------------
# hurwitz_conditions
# --------------------------------------------------------------------------------------


class TestHurwitzSymbolic:
    def test_low_degrees(self):
        a = sympy.Symbol("a")
        a0, a1, a2, a3, a4 = sympy.symbols("a0:5")
        assert hurwitz_conditions([1, a]) == (a,)
        assert hurwitz_conditions([1, a1, a0]) == (a1, a0)
        assert hurwitz_conditions([1, a2, a1, a0]) == (a2, a0, a2 * a1 - a0)
        quartic = hurwitz_conditions([1, a1, a2, a3, a4])
        assert quartic == (a1, a2, a4, a1 * a2 * a3 - a3**2 - a1**2 * a4)

    def test_degree_two_is_minus_trace_and_det(self):
        a, b, c, d = sympy.symbols("a b c d")
        jac = sympy.Matrix([[a, b], [c, d]])
        lam = sympy.Symbol("lam")
        char = sympy.Poly(jac.charpoly(lam).as_expr(), lam).all_coeffs()
        conditions = hurwitz_conditions(char)
        assert len(conditions) == 2
        for condition, reference in zip(conditions, (-jac.trace(), jac.det()), strict=True):
            ratio = sympy.simplify(condition / reference)
            assert ratio.is_number and ratio > 0

    def test_symbolic_and_negative_leading_coefficient(self):
        c0, c1, c2 = sympy.symbols("c0:3")
        assert hurwitz_conditions([c0, c1, c2]) == (c0 * c1, c0 * c2)
        a1, a0 = sympy.symbols("a1 a0")
        assert hurwitz_conditions([-2, -2 * a1, -4 * a0]) == (a1, a0)

    def test_constant_conditions(self):
        assert hurwitz_conditions([1, 2, 3, 4]) == ()  # 2*3 - 4 > 0
        assert hurwitz_conditions([1, 1, 1, 5]) == (-1,)  # 1*1 - 5 < 0, content removed
        assert hurwitz_conditions([5]) == ()
        with pytest.raises(ValueError, match="leading"):
            hurwitz_conditions([0, 1, 2])
        with pytest.raises(ValueError):
            hurwitz_conditions([])


def _conditions_hold(conditions, substitution) -> bool:
    return all(exact_sign(c.subs(substitution)) > 0 for c in conditions)


class TestHurwitzProperties:
    @pytest.mark.parametrize("degree", [3, 4, 5])
    def test_agrees_with_exact_counts_and_numpy(self, degree):
        symbols = sympy.symbols(f"c0:{degree + 1}")
        conditions = hurwitz_conditions(symbols)  # fully symbolic, including c0

        @given(
            st.lists(st.integers(-6, 6), min_size=degree + 1, max_size=degree + 1),
            st.sampled_from([1, -1, 2, -3]),
        )
        @settings(max_examples=60, deadline=None)
        def check(values, lead):
            values = [lead] + values[1:]
            stable_by_conditions = _conditions_hold(conditions, dict(zip(symbols, values)))
            rc = count_real_parts(values)
            assert stable_by_conditions == (rc.negative == degree)
            negative, _, margin = numpy_real_part_counts(values)
            if margin > 1e-6:
                assert stable_by_conditions == (negative == degree)

        check()

    @given(
        st.lists(st.tuples(real_parts, imag_parts), min_size=1, max_size=2),
        st.lists(small_rationals, max_size=2),
    )
    @SETTINGS
    def test_constructed_stable_and_unstable(self, pairs, reals):
        poly = sympy.S.One
        for r in reals:
            poly *= L - _r(r)
        for re, im in pairs:
            poly *= (L - _r(re)) ** 2 + _r(im) ** 2
        coeffs = coeffs_of(poly)
        symbols = sympy.symbols(f"c0:{len(coeffs)}")
        conditions = hurwitz_conditions(symbols)
        stable = all(r < 0 for r in reals) and all(re < 0 for re, _ in pairs)
        assert _conditions_hold(conditions, dict(zip(symbols, coeffs))) == stable
        # Numbers given directly: the remaining conditions decide the same way.
        direct = hurwitz_conditions(coeffs)
        assert all(exact_sign(c) > 0 for c in direct) == stable


# --------------------------------------------------------------------------------------
# Transcendental coefficients and the budget of exact work (issue 10 §2)
# --------------------------------------------------------------------------------------
TRANSCENDENTAL = [
    E,
    sympy.exp(Rational(1, 2)),
    sympy.pi,
    sympy.log(3),
    Rational(1, 2) ** (2 ** (-sqrt(2) / 2)),
]


@SETTINGS
@given(
    st.lists(st.integers(-4, 4), min_size=2, max_size=5),
    st.lists(st.sampled_from(range(len(TRANSCENDENTAL))), min_size=5, max_size=5),
)
def test_routh_counts_of_transcendental_polynomials_match_numpy(ints, which):
    # Coefficients a_k = i_k * t_k with t_k transcendental: Routh's array with exact signs
    # against numpy's roots, on polynomials whose roots are clearly off the imaginary axis.
    coeffs = [1] + [i * TRANSCENDENTAL[w] for i, w in zip(ints, which, strict=False)]
    values = [float(c) for c in coeffs]
    roots = np.roots(values)
    assume(all(abs(r.real) > 1e-6 for r in roots))
    try:
        rc = count_real_parts(coeffs)
    except UndecidedError:
        # Only a zero in the Routh column may leave it undecided: a coefficient that is 0.
        assert 0 in ints
        return
    assert rc.positive == sum(1 for r in roots if r.real > 0)
    assert rc.negative == sum(1 for r in roots if r.real < 0)
    assert rc.zero == 0
    np.testing.assert_allclose(
        sorted(rc.numeric_roots, key=lambda z: (z.real, z.imag)),
        sorted(roots, key=lambda z: (z.real, z.imag)),
        rtol=1e-6,
        atol=1e-9,
    )


def test_routh_special_cases_with_transcendental_coefficients():
    e = sympy.exp(Rational(1, 2))
    centre = count_real_parts([1, 0, e])  # l**2 + e**(1/2): +-i e**(1/4)
    assert (centre.zero, centre.imaginary, centre.at_origin) == (2, 2, 0)
    assert all(z.real == 0.0 for z in centre.numeric_roots)
    saddle = count_real_parts([1, 0, -e])
    assert (saddle.negative, saddle.positive) == (1, 1)
    origin = count_real_parts([1, sympy.pi, 0])  # l (l + pi)
    assert (origin.negative, origin.at_origin) == (1, 1)
    flipped = count_real_parts([-1, E, 2])  # l**2 - e l - 2: one root each side
    assert (flipped.negative, flipped.positive) == (1, 1)


def test_exact_sign_of_an_overflowing_constant_is_undecided_not_overflow():
    with pytest.raises(UndecidedError):
        exact_sign(sympy.exp(sympy.exp(sympy.exp(1000))))
    assert exact_sign(sympy.exp(sympy.exp(1000)) - 5) == 1


def test_degree_bound_budget(monkeypatch):
    from lmc_games._exact import _algebraic_degree_bound, _within_budget

    assert _algebraic_degree_bound(sqrt(2) + sqrt(3)) == 4
    assert _algebraic_degree_bound(CBRT2 * PLASTIC) == 9
    assert _algebraic_degree_bound(sympy.exp(1) + 1) is None
    assert _algebraic_degree_bound(2 ** sqrt(2)) is None  # Gelfond-Schneider: transcendental
    assert _within_budget([sqrt(2), sqrt(3)])
    monkeypatch.setenv("LMC_GAMES_MAX_DEGREE", "2")
    assert not _within_budget([sqrt(2), sqrt(3)])
    # Over the budget the Routh array still decides a regular case exactly ...
    rc = count_real_parts([1, sqrt(2) + sqrt(3), sqrt(6)])
    assert (rc.negative, rc.positive) == (2, 0)
    # ... and an axis root it cannot exclude is undecided, never guessed.
    with pytest.raises(UndecidedError):
        count_real_parts([1, 0, sqrt(2) + sqrt(3), 0, sqrt(6)])

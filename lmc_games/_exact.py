"""Exact decisions about signs and about the real parts of polynomial roots.

The rest points of a replicator dynamics are classified from the eigenvalues of a small
Jacobian, i.e. from the roots of its characteristic polynomial.  Whether a real part is
negative, zero or positive decides between stability, a centre (or a non-hyperbolic point)
and instability, so this module never lets floating-point noise make that decision.

Exactness policy
----------------
* A **zero is only ever decided exactly**: a rational is zero when it is ``0``; an algebraic
  number is zero when its minimal polynomial over QQ is ``t`` (``sympy.minimal_polynomial``);
  an element of a number field is zero when its reduced representation is the zero
  polynomial.  No tolerance is ever used to call something zero.
* A **non-zero sign may be read from a numerical value**, but only from a value with a
  certified error.  Expressions built from rationals, ``+ - * /``, powers, ``CRootOf``
  (real roots, enclosed through sympy's exact isolating intervals), ``exp``, ``log``,
  ``sin``, ``cos``, ``pi``, ``E`` ... are evaluated in outward-rounded interval arithmetic
  (``mpmath``'s interval context); the sign is read only when the interval excludes 0.
  Other expressions (e.g. written with ``I``) use sympy's accuracy-tracking ``evalf``,
  but its accuracy claims are not always sound (a power of a disguised zero comes back as
  noise with "full" accuracy), so a sign is accepted only when two evaluations at
  different precisions agree within their claimed accuracy.  Elements of a number field
  get their sign by exact rational interval arithmetic (see :class:`_Embedding`).
  Precision is raised until the sign is certified; for a non-zero algebraic number this
  terminates.
* **Transcendental** constants (``E``, ``pi``, ``log(2)`` ...) cannot be tested for zero
  exactly in general.  They are evaluated at increasing precision (up to about 500
  digits); if no digit of the value can be certified by then, ``simplify`` and
  ``Expr.equals`` are asked for a proof that the value is zero, and otherwise
  :class:`UndecidedError` is raised.  Such a value is *never* reported as zero merely
  because it is tiny.
* Python ``float`` values (and sympy ``Float``) are taken at their exact binary value
  (``0.1`` means ``3602879701896397/36028797018963968``); they are not rounded to "nice"
  rationals.

Counting real parts (:func:`count_real_parts`)
-----------------------------------------------
*Rational coefficients.*  The polynomial is factored over QQ.  An irreducible factor ``f``
other than ``lambda`` can only have roots on the imaginary axis when ``f(-l) = +-f(l)``;
an odd irreducible polynomial is ``lambda`` itself, so only an even ``f(l) = h(l**2)`` can.
Its roots are ``+-sqrt(mu)`` for the roots ``mu`` of ``h``: a negative real ``mu`` gives a
pair on the imaginary axis (counted exactly with ``Poly.count_roots``), every other ``mu``
gives one root on each side of the axis.  A factor that is not even has no root on the
axis; the number of its roots in the right half-plane follows exactly from the
Routh-Hurwitz theorem in its Cauchy-index form,
``Ind(B/A) = 2 n_R - n`` (``n`` even) or ``Ind(A/B) = n - 2 n_R`` (``n`` odd), where
``f(i w) = A(w) + i B(w)``; the Cauchy index is the difference of sign variations of the
signed remainder sequence at ``-oo`` and ``+oo`` (Sturm's theorem), so singular Routh
arrays need no epsilon tricks.

*Algebraic coefficients.*  Rather than reducing to a norm over QQ and matching roots
numerically, the same exact analysis is carried out directly over a real number field
``K = QQ(theta)`` containing the coefficients (sympy's ``construct_domain``, or, when its
generator is not real, a ``primitive_element`` of the coefficients): ``p`` is split
square-free over ``K``; for each square-free factor ``s``, ``g = gcd(s(l), s(-l))`` collects
exactly the roots whose negatives are roots too, hence all roots on the imaginary axis.
``g = l**k h(l**2)`` is handled as the even case above (negative real roots of ``h`` counted
by a Sturm sequence over ``K``), and ``s/g`` has no root on the axis, so the Cauchy-index
count applies.  The signs of elements of ``K`` needed by the Sturm sequences are decided by
exact rational interval arithmetic on a rational isolating interval of ``theta`` (zero is
decided structurally in ``K``), so no step depends on a tolerance.

``RootCount.numeric_roots`` are for display only: they are computed with mpmath at 30
significant digits and then made consistent with the exact counts (roots known to lie on
the imaginary axis get real part exactly ``0.0``, roots known to be real get imaginary part
exactly ``0.0``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy
from mpmath.ctx_iv import MPIntervalContext
from sympy.core.evalf import evalf as _sympy_evalf
from sympy.polys.constructor import construct_domain
from sympy.polys.domains import QQ
from sympy.polys.numberfields import minimal_polynomial, primitive_element
from sympy.polys.polyerrors import CoercionFailed, NotAlgebraic, PolynomialError

from lmc_games._errors import UndecidedError

__all__ = [
    "UndecidedError",
    "RootCount",
    "exact_sign",
    "count_real_parts",
    "hurwitz_conditions",
]


# A numerical sign is trusted only when this many leading bits are certified by sympy's
# accuracy bookkeeping; a handful of bits would already suffice in theory, the margin
# guards against optimistic accuracy estimates.
_TRUSTED_BITS = 30
# Working precisions (bits) tried in turn; the fourth is about 512 decimal digits, where
# the search gives up on transcendental constants.
_PRECISIONS = (64, 256, 1024, 1701)
# For a non-zero algebraic number the evaluation must eventually succeed; this cap only
# protects against a misbehaving evaluator.
_MAX_ALGEBRAIC_BITS = 1 << 17
# simplify/equals are asked for a proof of zero only for expressions up to this size.
_MAX_SIMPLIFY_OPS = 200
# Digits used for the display-only numerical roots (far more than a double shows).
_DISPLAY_DPS = 30

_T = sympy.Dummy("t")
_L = sympy.Dummy("lambda")


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _to_expr(value: object, *, allow_symbols: bool = False) -> sympy.Expr:
    """Turn *value* into a sympy expression, refusing strings and non-numbers."""
    if isinstance(value, str):
        # Parsing strings would bypass the library's safe formula parser.
        raise TypeError(f"expected a number or a sympy expression, not the string {value!r}")
    try:
        expr = sympy.sympify(value, strict=True)
    except sympy.SympifyError as exc:
        raise TypeError(f"cannot interpret {value!r} as a sympy expression") from exc
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"{value!r} is not a sympy expression")
    if not allow_symbols and expr.free_symbols:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols))
        raise ValueError(f"{expr} is not a constant: it contains the symbol(s) {names}")
    if expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise ValueError(f"{expr} is not a finite number")
    floats = expr.atoms(sympy.Float)
    if floats:
        # A float is the exact binary number it stores; rounding it to a "nice" rational
        # would silently change the question being asked.
        expr = expr.xreplace({f: sympy.Rational(f) for f in floats})
    return expr


def _rational_sign(value: sympy.Rational) -> int:
    numerator = int(value.p)
    return (numerator > 0) - (numerator < 0)


def _mpf_tuple_sign(mpf_value: tuple) -> int:
    sign, mantissa = mpf_value[0], mpf_value[1]
    if not mantissa:
        return 0
    return -1 if sign else 1


def _mpf_tuple_to_fraction(mpf_value: tuple) -> Fraction:
    sign, mantissa, exponent = mpf_value[0], int(mpf_value[1]), int(mpf_value[2])
    value = Fraction(mantissa) * (Fraction(2) ** exponent)
    return -value if sign else value


def _frac(value: object) -> Fraction:
    """Convert a ground-domain element (int, PythonMPQ, gmpy mpq) to a Fraction."""
    return Fraction(int(value.numerator), int(value.denominator))


# --------------------------------------------------------------------------------------
# exact_sign
# --------------------------------------------------------------------------------------


def _evaluate(expr: sympy.Expr, prec: int) -> tuple:
    """Accuracy-tracked value of *expr*: ``(re, im, re_acc, im_acc)`` as mpf tuples/bits.

    ``sympy.core.evalf.evalf`` is used rather than ``Expr.evalf`` because it reports the
    number of accurate bits it believes it has.
    """
    options = {"maxprec": 2 * prec + 64, "strict": False, "verbose": False}
    try:
        return _sympy_evalf(expr, prec, options)
    except (NotImplementedError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise UndecidedError(f"cannot evaluate {expr} numerically: {exc}") from exc


def _certified_sign(part: tuple | None, accuracy: int | None) -> int | None:
    """Sign of an evalf part if its claimed accuracy is enough, else None."""
    if part is None:
        return 0
    if accuracy is None or accuracy < _TRUSTED_BITS:
        return None
    if not part[1]:
        # An "exact" zero returned with accuracy is a cancellation result, not a proof.
        return None
    return _mpf_tuple_sign(part)


def _agreeing_sign(first: tuple, second: tuple) -> int | None:
    """Sign of one part (re or im) on which two evaluations at different precisions agree.

    evalf's accuracy claims are not always sound: a power of a value that cancels to zero
    (``z**3`` with ``z`` an exact zero written with radicals) comes back as rounding noise
    *with full claimed accuracy*.  Such noise shrinks as the precision grows, so requiring
    two evaluations to agree within their claimed accuracy exposes it.  Returns 0 when
    neither evaluation has the part at all (evalf saw no imaginary arithmetic, say).
    """
    (part_1, acc_1), (part_2, acc_2) = first, second
    if part_1 is None and part_2 is None:
        return 0
    if part_1 is None or part_2 is None:
        return None
    sign_1, sign_2 = _certified_sign(part_1, acc_1), _certified_sign(part_2, acc_2)
    if not sign_1 or sign_1 != sign_2:
        return None
    value_1, value_2 = _mpf_tuple_to_fraction(part_1), _mpf_tuple_to_fraction(part_2)
    bits = min(acc_1, acc_2) - 4
    if abs(value_1 - value_2) * 2**bits > abs(value_2):
        return None
    return sign_1


def _evalf_signs(expr: sympy.Expr, prec: int) -> tuple[int | None, int | None]:
    """(re sign, im sign) of *expr* from two agreeing evalf evaluations (None: unknown)."""
    re_1, im_1, re_acc_1, im_acc_1 = _evaluate(expr, prec)
    re_2, im_2, re_acc_2, im_acc_2 = _evaluate(expr, 2 * prec)
    return (
        _agreeing_sign((re_1, re_acc_1), (re_2, re_acc_2)),
        _agreeing_sign((im_1, im_acc_1), (im_2, im_acc_2)),
    )


class _NoEnclosure(Exception):
    """The expression is outside real interval arithmetic (complex, unknown function)."""


class _NeedPrecision(Exception):
    """The enclosure at this precision is too wide to continue (e.g. a divisor meets 0)."""


_IV_CONSTANTS = {
    sympy.pi: "pi",
    sympy.E: "e",
    sympy.GoldenRatio: "phi",
    sympy.EulerGamma: "euler",
    sympy.Catalan: "catalan",
}
_IV_FUNCTIONS = {sympy.exp: "exp", sympy.sin: "sin", sympy.cos: "cos"}


def _iv_context(prec: int) -> MPIntervalContext:
    # A private context: the global mpmath.iv precision is shared with other code.
    ctx = MPIntervalContext()
    ctx.prec = prec
    return ctx


def _iv_sign(interval: object) -> int | None:
    if interval.a > 0:
        return 1
    if interval.b < 0:
        return -1
    return None


def _enclose(expr: sympy.Expr, ctx: MPIntervalContext) -> object:
    """Rigorous real interval containing the value of *expr* (outward-rounded).

    Success also proves that the value is real: every operation handled here maps reals
    to reals under sympy's principal-branch semantics (a fractional power or a logarithm
    is only taken of an enclosure that is entirely positive).
    """
    if expr.is_Rational:
        return ctx.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Add:
        total = ctx.mpf(0)
        for term in expr.args:
            total = total + _enclose(term, ctx)
        return total
    if expr.is_Mul:
        product = ctx.mpf(1)
        for factor in expr.args:
            product = product * _enclose(factor, ctx)
        return product
    if expr.is_Pow:
        return _enclose_power(expr, ctx)
    if isinstance(expr, sympy.CRootOf):
        if not expr.is_real:
            raise _NoEnclosure
        # eval_rational refines sympy's exact isolating interval to width < dx and
        # returns its centre, so the root is within dx of the result.
        dx = sympy.Rational(1, 2 ** (ctx.prec + 8))
        centre = expr.eval_rational(dx=dx)
        low, high = _enclose(centre - dx, ctx), _enclose(centre + dx, ctx)
        return ctx.mpf([low.a, high.b])
    if isinstance(expr, sympy.AlgebraicNumber):
        return _enclose(expr.as_expr(), ctx)
    if expr in _IV_CONSTANTS:
        return getattr(ctx, _IV_CONSTANTS[expr])
    if expr.func in _IV_FUNCTIONS and len(expr.args) == 1:
        return getattr(ctx, _IV_FUNCTIONS[expr.func])(_enclose(expr.args[0], ctx))
    if expr.func is sympy.log and len(expr.args) == 1:
        return ctx.log(_positive_enclosure(expr.args[0], ctx))
    raise _NoEnclosure


def _positive_enclosure(expr: sympy.Expr, ctx: MPIntervalContext) -> object:
    """Enclosure of a quantity that must be > 0 for the result to be real."""
    interval = _enclose(expr, ctx)
    if interval.a > 0:
        return interval
    if interval.b < 0:
        raise _NoEnclosure  # complex (principal branch) or undefined
    raise _NeedPrecision


def _enclose_power(expr: sympy.Expr, ctx: MPIntervalContext) -> object:
    base, exponent = expr.args
    if exponent.is_Integer:
        n = int(exponent)
        interval = _enclose(base, ctx)
        if n >= 0:
            return interval**n
        if _iv_sign(interval) is None:
            raise _NeedPrecision
        return 1 / interval ** (-n)
    if exponent.is_Rational and int(exponent.q) == 2:
        root = ctx.sqrt(_positive_enclosure(base, ctx))
        n = int(exponent.p)
        return root**n if n >= 0 else 1 / root ** (-n)
    if base is sympy.E:
        return ctx.exp(_enclose(exponent, ctx))
    # x**y = exp(y*log(x)) for x > 0 is sympy's principal value.
    return ctx.exp(_enclose(exponent, ctx) * ctx.log(_positive_enclosure(base, ctx)))


def _minimal_polynomial(expr: sympy.Expr) -> sympy.Poly | None:
    """Minimal polynomial over QQ, or None when *expr* is not (recognisably) algebraic."""
    try:
        return minimal_polynomial(expr, _T, polys=True)
    except (NotAlgebraic, NotImplementedError, PolynomialError, ValueError, TypeError):
        return None
    except ZeroDivisionError as exc:
        raise ValueError(f"{expr} is not a finite number (division by zero)") from exc


def _is_zero_polynomial_t(poly: sympy.Poly) -> bool:
    return poly.degree() == 1 and poly.TC() == 0


def _algebraic_is_zero(expr: sympy.Expr) -> bool | None:
    poly = _minimal_polynomial(expr)
    if poly is None:
        return None
    return _is_zero_polynomial_t(poly)


def _algebraic_degree_bound(expr: sympy.Expr, seen: dict | None = None) -> int | None:
    """An upper bound on the degree of the number field generated by *expr*, read from its
    structure (radicals, ``CRootOf``); None when the structure is not visibly algebraic
    (``exp``, ``log``, ``pi``, a power with an irrational exponent ...).

    This is the budget of exact work: sympy's ``minimal_polynomial`` and
    ``primitive_element`` are only called when the bound is at most the ``degree`` limit
    of :mod:`lmc_games._limits`; above it (or for transcendental structure, where they
    can take minutes before giving up) a sign or count is decided otherwise or reported
    as undecided. The bound is deterministic: the same input is always treated the same.
    """
    top = seen is None
    seen = {} if seen is None else seen
    if expr.is_Rational or expr is sympy.I:
        if expr is sympy.I:
            seen.setdefault(expr, 2)
        return 1 if not top else _product(seen)
    if expr.is_Add or expr.is_Mul:
        for arg in expr.args:
            if _algebraic_degree_bound(arg, seen) is None:
                return None
    elif expr.is_Pow:
        base, exponent = expr.args
        if not exponent.is_Rational:
            return None
        if _algebraic_degree_bound(base, seen) is None:
            return None
        if not exponent.is_Integer:
            seen.setdefault(expr, int(exponent.q))
    elif isinstance(expr, sympy.CRootOf):
        seen.setdefault(expr, int(expr.poly.degree()))
    elif isinstance(expr, sympy.AlgebraicNumber):
        seen.setdefault(expr, int(expr.minpoly.degree()))
    else:
        return None
    return _product(seen) if top else 1


def _product(seen: dict) -> int:
    total = 1
    for degree in seen.values():
        total *= degree
        if total > 1 << 30:
            break
    return total


def _within_budget(values: Sequence[sympy.Expr]) -> bool:
    """True when the values are visibly algebraic and generate a field whose degree bound
    is within the ``degree`` limit (see :func:`_algebraic_degree_bound`)."""
    from lmc_games._limits import limit

    seen: dict = {}
    for v in values:
        if _algebraic_degree_bound(v, seen) is None:
            return False
    return _product(seen) <= limit("degree")


def _check_real(expr: sympy.Expr) -> None:
    """Raise ValueError unless the constant *expr* is real (exact whenever possible)."""
    if expr.is_extended_real is True:
        return
    if expr.is_extended_real is False:
        raise ValueError(f"{expr} is not a real number")
    for prec in _PRECISIONS[:2]:
        try:
            _enclose(expr, _iv_context(prec))
        except _NeedPrecision:
            continue
        except (_NoEnclosure, OverflowError):
            break
        return
    _, im_sign = _evalf_signs(expr, _PRECISIONS[0])
    if im_sign == 0:
        return
    if im_sign is not None:
        raise ValueError(f"{expr} is not a real number")
    try:
        imaginary = sympy.im(sympy.expand_complex(expr))
    except Exception:  # noqa: BLE001 - sympy may fail in many ways on odd input
        imaginary = None
    if imaginary is not None:
        if imaginary == 0:
            return
        if not imaginary.has(sympy.re, sympy.im):
            is_zero = _algebraic_is_zero(imaginary)
            if is_zero is True:
                return
            if is_zero is False:
                raise ValueError(f"{expr} is not a real number")
    for prec in _PRECISIONS[1:]:
        _, im_sign = _evalf_signs(expr, prec)
        if im_sign == 0:
            return
        if im_sign is not None:
            raise ValueError(f"{expr} is not a real number")
    raise UndecidedError(f"cannot decide whether {expr} is real")


def _sign_from_minimal_polynomial(poly: sympy.Poly) -> int | None:
    """Sign shared by all real roots of an irreducible *poly*, if they share one."""
    if poly.degree() == 1:
        coeff_1, coeff_0 = poly.all_coeffs()
        return _rational_sign(-coeff_0 / coeff_1)
    # An irreducible polynomial of degree >= 2 has no rational roots, so 0 is no root.
    negative = poly.count_roots(None, 0)
    positive = poly.count_roots(0, None)
    if negative and not positive:
        return -1
    if positive and not negative:
        return 1
    return None


@dataclass
class _SignState:
    real: bool
    intervals: bool = True


def _try_sign(expr: sympy.Expr, prec: int, state: _SignState) -> int | None:
    """Certified non-zero sign of the real part at working precision *prec*, or None.

    Rigorous interval arithmetic is used when the expression allows it; otherwise two
    agreeing accuracy-tracked evaluations.  A certified non-zero imaginary part means the
    value is not real.
    """
    if state.intervals:
        try:
            interval = _enclose(expr, _iv_context(prec))
        except _NeedPrecision:
            # E.g. a square root of an exact zero written with radicals: its enclosure
            # never leaves 0, but the value itself may still be evaluated reliably.
            pass
        except (_NoEnclosure, OverflowError):
            # OverflowError: a value such as exp(exp(1000)) has no room even in mpmath's
            # exponents; evalf below reports it as undecided.
            state.intervals = False
        else:
            state.real = True
            return _iv_sign(interval)
    re_sign, im_sign = _evalf_signs(expr, prec)
    if im_sign:
        raise ValueError(f"{expr} is not a real number")
    if im_sign == 0:
        state.real = True
    return re_sign or None


def _sign_of_constant(expr: sympy.Expr) -> int:
    if expr.is_extended_real is False:
        raise ValueError(f"{expr} is not a real number")
    state = _SignState(real=expr.is_extended_real is True)
    # Cheap certified attempts first: most values are far from zero.
    for prec in _PRECISIONS[:2]:
        sign = _try_sign(expr, prec, state)
        if sign:
            if not state.real:
                _check_real(expr)
            return sign
    poly = _minimal_polynomial(expr) if _within_budget([expr]) else None
    if poly is not None and poly.degree() == 1:
        # The value is this rational (0 exactly when the minimal polynomial is t).
        coeff_1, coeff_0 = poly.all_coeffs()
        return _rational_sign(-coeff_0 / coeff_1)
    if not state.real:
        if poly is not None and poly.count_roots() == 0:
            raise ValueError(f"{expr} is not a real number")
        _check_real(expr)
        state.real = True
    if poly is not None:
        shared = _sign_from_minimal_polynomial(poly)
        if shared is not None:
            return shared
        # Non-zero algebraic: a high enough precision must certify the sign.
        prec = _PRECISIONS[2]
        while prec <= _MAX_ALGEBRAIC_BITS:
            sign = _try_sign(expr, prec, state)
            if sign:
                return sign
            prec *= 4
        raise UndecidedError(f"could not certify the sign of the algebraic number {expr}")
    for prec in _PRECISIONS[2:]:
        sign = _try_sign(expr, prec, state)
        if sign:
            return sign
    return _transcendental_fallback(expr)


def _transcendental_fallback(expr: sympy.Expr) -> int:
    """Last resort for a constant that looks like zero to ~500 digits."""
    if sympy.count_ops(expr) > _MAX_SIMPLIFY_OPS:
        # simplify and equals on large expressions can run for minutes: out of budget.
        raise UndecidedError(
            f"{expr} is numerically indistinguishable from 0 to about 500 digits and too "
            "large to be proved zero"
        )
    try:
        simplified = sympy.simplify(expr)
    except Exception:  # noqa: BLE001 - simplify can fail in many ways
        simplified = None
    if simplified is not None:
        if simplified == 0:
            return 0
        if simplified != expr and not simplified.free_symbols:
            sign = _try_sign(simplified, _PRECISIONS[-1], _SignState(real=True))
            if sign:
                return sign
    try:
        # equals() answers True only after a proof (simplification, surds, minimal
        # polynomial); its False may rest on a random numerical test, so it is not used.
        if expr.equals(0) is True:
            return 0
    except Exception:  # noqa: BLE001 - equals can fail in many ways
        pass
    raise UndecidedError(
        f"{expr} is numerically indistinguishable from 0 to about 500 digits and could "
        "not be proved to be zero"
    )


def exact_sign(value: sympy.Expr) -> int:
    """Exact sign of a real constant.

    Parameters
    ----------
    value : sympy.Expr or number
        A real constant: a rational, a real algebraic number built with ``+ - * /``,
        integer and rational powers and ``CRootOf`` (arbitrarily nested), or a
        transcendental constant.  Python ints, ``Fraction`` and floats (taken at their
        exact binary value) are accepted too.

    Returns
    -------
    int
        ``-1``, ``0`` or ``1``.

    Raises
    ------
    ValueError
        If *value* contains free symbols, is not finite or is not real.
    TypeError
        If *value* is not a number or expression (strings are refused).
    UndecidedError
        If *value* is transcendental, agrees with zero to about 500 digits and cannot be
        proved to be zero.

    Notes
    -----
    Rationals are compared directly.  Other values are enclosed by outward-rounded
    interval arithmetic (or, for expressions outside its reach such as ones written with
    ``I``, by two accuracy-tracked ``evalf`` runs that must agree); a sign is accepted
    only when the enclosure excludes 0.  Otherwise an algebraic value is tested for zero
    exactly (its minimal polynomial is ``t``); a non-zero algebraic value whose real
    conjugates all have one sign gets that sign, and any other non-zero value is
    re-evaluated at increasing precision, which must succeed.  Transcendental values are
    evaluated up to about 500 digits, then ``simplify``/``equals`` are asked for a proof
    of zero; failing that, :class:`UndecidedError` is raised.

    Examples
    --------
    >>> from sympy import CRootOf, E, Rational, sqrt, symbols
    >>> exact_sign(Rational(-3, 7))
    -1
    >>> exact_sign(sqrt(2) - Rational(99, 70))  # 99/70 = 1.41428... > sqrt(2)
    -1
    >>> exact_sign((sqrt(2) + sqrt(3))**2 - 5 - 2*sqrt(6))
    0
    >>> x = symbols("x")
    >>> exact_sign(CRootOf(x**3 - x - 1, 0) - Rational(1324718, 1000000))
    -1
    >>> exact_sign(E - Rational(271828, 100000))
    1
    """
    expr = _to_expr(value)
    if expr.is_Rational:
        return _rational_sign(expr)
    return _sign_of_constant(expr)


# --------------------------------------------------------------------------------------
# Arithmetic in the coefficient field
# --------------------------------------------------------------------------------------


def _horner_fraction(coeffs: Sequence[Fraction], x: Fraction) -> Fraction:
    acc = Fraction(0)
    for c in coeffs:
        acc = acc * x + c
    return acc


def _horner_interval(
    coeffs: Sequence[Fraction], lo: Fraction, hi: Fraction
) -> tuple[Fraction, Fraction]:
    """Enclosure of the polynomial's values on ``[lo, hi]`` by interval Horner."""
    low = high = Fraction(0)
    for c in coeffs:
        products = (low * lo, low * hi, high * lo, high * hi)
        low, high = min(products) + c, max(products) + c
    return low, high


def _sign_int(value: Fraction | int) -> int:
    return (value > 0) - (value < 0)


class _RationalOps:
    """Sign and numerical value of elements of QQ (the ground domain of QQ[lambda])."""

    domain = QQ

    @staticmethod
    def sign(a: object) -> int:
        return _sign_int(a)

    @staticmethod
    def approx(a: object, ctx: mpmath.ctx_mp.MPContext) -> object:
        return ctx.mpf(int(a.numerator)) / int(a.denominator)

    @staticmethod
    def real_root_signs(poly: sympy.Poly) -> tuple[int, int]:
        """(negative, positive) numbers of real roots of a square-free poly with poly(0) != 0."""
        return poly.count_roots(None, 0), poly.count_roots(0, None)

    @staticmethod
    def real_root_count(poly: sympy.Poly) -> int:
        return poly.count_roots()


class _Embedding:
    """A real number field ``K = QQ(theta)`` together with a certified value of ``theta``.

    ``theta`` is pinned down by a rational interval that isolates it among the real roots
    of its minimal polynomial.  The sign of a non-zero element ``q(theta)`` is obtained by
    evaluating ``q`` on that interval with exact rational interval arithmetic, bisecting
    the interval (exactly, by the sign of the minimal polynomial at the midpoint) until
    the enclosure excludes 0.  Because ``K`` is a field and its elements are reduced
    modulo the minimal polynomial, an element is zero exactly when its representation is
    empty, so zero is never decided numerically.
    """

    def __init__(self, field: object, theta: sympy.Expr):
        self.domain = field
        self._mod = [_frac(c) for c in field.mod.to_list()]
        self._theta = theta
        self._lo, self._hi = self._isolate_theta()
        self._sign_lo = _sign_int(_horner_fraction(self._mod, self._lo))
        self._approx_cache: dict[int, object] = {}

    def _isolate_theta(self) -> tuple[Fraction, Fraction]:
        poly = sympy.Poly([sympy.Rational(c.numerator, c.denominator) for c in self._mod], _T)
        intervals = [
            [Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))]
            for (a, b), _ in poly.intervals()
        ]
        prec = _PRECISIONS[0]
        while prec <= _MAX_ALGEBRAIC_BITS:
            enclosure = self._enclose_theta(prec)
            hits = intervals
            if enclosure is not None:
                low, high = enclosure
                # theta lies in exactly one isolating interval, which must meet the
                # enclosure of theta; a single candidate is therefore the right one.
                hits = [iv for iv in intervals if iv[0] <= high and low <= iv[1]]
                if len(hits) == 1:
                    return hits[0][0], hits[0][1]
            for iv in hits or intervals:
                for _ in range(4):
                    self._bisect_interval(iv)
            prec *= 2
        raise _FieldNotReal(f"could not locate the generator {self._theta} of {self.domain}")

    def _enclose_theta(self, prec: int) -> tuple[Fraction, Fraction] | None:
        """Rational bounds on theta: interval arithmetic, else two agreeing evalf results."""
        try:
            interval = _enclose(self._theta, _iv_context(prec))
        except _NeedPrecision:
            return None
        except (_NoEnclosure, OverflowError):
            pass
        else:
            low, high = interval._mpi_
            if low == mpmath.libmp.fninf or high == mpmath.libmp.finf:
                return None
            return _mpf_tuple_to_fraction(low), _mpf_tuple_to_fraction(high)
        first, second = _evaluate(self._theta, prec), _evaluate(self._theta, 2 * prec)
        if _agreeing_sign((first[1], first[3]), (second[1], second[3])):
            raise _FieldNotReal(str(self._theta))
        re_part, re_acc = second[0], second[2]
        if not _agreeing_sign((first[0], first[2]), (re_part, re_acc)):
            return None
        centre = _mpf_tuple_to_fraction(re_part)
        radius = abs(centre) / 2 ** max(re_acc - 4, 0)
        return centre - radius, centre + radius

    def _bisect_interval(self, iv: list[Fraction]) -> None:
        lo, hi = iv
        if lo == hi:
            return
        mid = (lo + hi) / 2
        s_mid = _sign_int(_horner_fraction(self._mod, mid))
        if s_mid == 0:
            iv[0] = iv[1] = mid
        elif s_mid == _sign_int(_horner_fraction(self._mod, lo)):
            iv[0] = mid
        else:
            iv[1] = mid

    def _refine(self, steps: int) -> None:
        for _ in range(steps):
            if self._lo == self._hi:
                return
            mid = (self._lo + self._hi) / 2
            s_mid = _sign_int(_horner_fraction(self._mod, mid))
            if s_mid == 0:
                self._lo = self._hi = mid
            elif s_mid == self._sign_lo:
                self._lo = mid
            else:
                self._hi = mid

    def sign(self, a: object) -> int:
        coeffs = [_frac(c) for c in a.to_list()]
        if not coeffs:
            return 0
        if len(coeffs) == 1:
            return _sign_int(coeffs[0])
        # a != 0 is certain here, so the enclosure must eventually exclude 0.
        for _ in range(_MAX_ALGEBRAIC_BITS // 8):
            low, high = _horner_interval(coeffs, self._lo, self._hi)
            if low > 0:
                return 1
            if high < 0:
                return -1
            if self._lo == self._hi:
                return _sign_int(low)
            self._refine(8)
        raise UndecidedError("could not certify the sign of a number-field element")

    def _theta_value(self, ctx: mpmath.ctx_mp.MPContext) -> object:
        bits = ctx.prec
        if bits not in self._approx_cache:
            width_target = Fraction(1, 2 ** (bits + 16))
            scale = max(abs(self._lo), abs(self._hi), Fraction(1))
            while self._hi - self._lo > width_target * scale:
                self._refine(16)
            mid = (self._lo + self._hi) / 2
            self._approx_cache[bits] = ctx.mpf(mid.numerator) / mid.denominator
        return self._approx_cache[bits]

    def approx(self, a: object, ctx: mpmath.ctx_mp.MPContext) -> object:
        theta = self._theta_value(ctx)
        acc = ctx.mpf(0)
        for c in a.to_list():
            acc = acc * theta + ctx.mpf(int(c.numerator)) / int(c.denominator)
        return acc

    def real_root_signs(self, poly: sympy.Poly) -> tuple[int, int]:
        seq = _signed_remainder_sequence(poly, poly.diff(_L))
        at_minus = _variations_at_infinity(seq, self, -1)
        at_zero = _variations_at_zero(seq, self)
        at_plus = _variations_at_infinity(seq, self, 1)
        return at_minus - at_zero, at_zero - at_plus

    def real_root_count(self, poly: sympy.Poly) -> int:
        seq = _signed_remainder_sequence(poly, poly.diff(_L))
        return _variations_at_infinity(seq, self, -1) - _variations_at_infinity(seq, self, 1)


def _signed_remainder_sequence(first: sympy.Poly, second: sympy.Poly) -> list[sympy.Poly]:
    seq = [first]
    if second.is_zero:
        return seq
    seq.append(second)
    while True:
        remainder = seq[-2].rem(seq[-1])
        if remainder.is_zero:
            return seq
        seq.append(-remainder)


def _count_variations(signs: Sequence[int]) -> int:
    nonzero = [s for s in signs if s]
    return sum(1 for a, b in itertools.pairwise(nonzero) if a != b)


def _variations_at_infinity(seq: Sequence[sympy.Poly], ops: object, direction: int) -> int:
    signs = []
    for poly in seq:
        s = ops.sign(poly.rep.to_list()[0])
        if direction < 0 and poly.degree() % 2:
            s = -s
        signs.append(s)
    return _count_variations(signs)


def _variations_at_zero(seq: Sequence[sympy.Poly], ops: object) -> int:
    return _count_variations([ops.sign(poly.rep.to_list()[-1]) for poly in seq])


def _right_half_plane_count(poly: sympy.Poly, ops: object) -> int:
    """Number of roots with positive real part of a poly with no root on the imaginary axis.

    With ``f(i w) = A(w) + i B(w)`` the argument of ``f(i w)`` turns by
    ``pi (n - 2 n_R)`` as ``w`` runs over the reals (each root on the left contributes
    ``+pi``, each on the right ``-pi``).  For even ``n`` the curve starts and ends on the
    real axis, and each counter-clockwise crossing of the imaginary axis (``A = 0``) makes
    ``B/A = tan(arg)`` jump from ``+oo`` to ``-oo``, so ``Ind(B/A) = -(n - 2 n_R)``.  For odd
    ``n`` it starts and ends on the imaginary axis, and each counter-clockwise crossing of
    the real axis makes ``A/B = cot(arg)`` jump from ``-oo`` to ``+oo``, so
    ``Ind(A/B) = n - 2 n_R``.  The indices come from Sturm sequences, which need no
    regularity (unlike the Routh array, whose first column may contain zeros).
    """
    n = poly.degree()
    if n <= 0:
        return 0
    domain = poly.domain
    coeffs = poly.rep.to_list()  # highest power first
    a_coeffs = [domain.zero] * (n + 1)
    b_coeffs = [domain.zero] * (n + 1)
    for index, c in enumerate(coeffs):
        power = n - index
        # i**power is +-1 for even powers (real part) and +-i for odd ones (imaginary).
        sign_flip = (power // 2) % 2
        value = -c if sign_flip else c
        target = a_coeffs if power % 2 == 0 else b_coeffs
        target[index] = value
    a_poly = sympy.Poly.from_list(a_coeffs, _L, domain=domain)
    b_poly = sympy.Poly.from_list(b_coeffs, _L, domain=domain)
    if n % 2 == 0:
        seq = _signed_remainder_sequence(a_poly, b_poly)
    else:
        seq = _signed_remainder_sequence(b_poly, a_poly)
    index = _variations_at_infinity(seq, ops, -1) - _variations_at_infinity(seq, ops, 1)
    doubled = n + index if n % 2 == 0 else n - index
    if doubled % 2 or not 0 <= doubled <= 2 * n:
        raise AssertionError(f"inconsistent Cauchy index {index} for degree {n}")
    return doubled // 2


# --------------------------------------------------------------------------------------
# Numerical roots, for display only
# --------------------------------------------------------------------------------------


def _numeric_roots(coeffs: Sequence[object], ctx: mpmath.ctx_mp.MPContext) -> list[object]:
    """Roots of a square-free polynomial with mpf coefficients (highest first)."""
    degree = len(coeffs) - 1
    if degree <= 0:
        return []
    if degree == 1:
        return [ctx.mpc(-coeffs[1] / coeffs[0])]
    steps = 50
    extra = 32
    for _ in range(8):
        try:
            return list(ctx.polyroots(coeffs, maxsteps=steps, extraprec=extra))
        except ctx.NoConvergence:
            steps *= 4
            extra *= 2
    # Square-free input practically always converges; if not, show what we have.
    return list(ctx.polyroots(coeffs, maxsteps=steps, extraprec=extra, error=True)[0])


def _split_real(
    roots: list[object], real_count: int, ctx: mpmath.ctx_mp.MPContext
) -> tuple[list[object], list[object]]:
    """Split numerical roots into the *real_count* known-real ones and the others.

    The exact count says how many roots are real; the ones nearest the real axis are
    taken to be those and get imaginary part exactly 0.
    """
    order = sorted(range(len(roots)), key=lambda i: abs(ctx.im(roots[i])))
    real = [ctx.mpf(ctx.re(roots[i])) for i in order[:real_count]]
    others = [ctx.mpc(roots[i]) for i in order[real_count:]]
    return real, others


def _to_complex(value: object) -> complex:
    real, imag = float(value.real), float(value.imag)
    # Avoid displaying -0.0.
    return complex(real + 0.0, imag + 0.0)


# --------------------------------------------------------------------------------------
# count_real_parts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RootCount:
    """Exact numbers of polynomial roots by the sign of their real part.

    Attributes
    ----------
    negative : int
        Roots with real part < 0, with multiplicity.
    zero : int
        Roots with real part == 0 (``at_origin + imaginary``).
    positive : int
        Roots with real part > 0.
    at_origin : int
        Roots equal to 0 (part of ``zero``).
    imaginary : int
        Roots ``i*w`` with ``w != 0`` (part of ``zero``; they come in conjugate pairs).
    numeric_roots : tuple of complex
        The roots as Python complex numbers, for display, sorted by real part then
        imaginary part.  Roots on the imaginary axis have real part exactly ``0.0`` and
        real roots have imaginary part exactly ``0.0``.
    """

    negative: int
    zero: int
    positive: int
    at_origin: int
    imaginary: int
    numeric_roots: tuple[complex, ...]


@dataclass
class _Tally:
    negative: int = 0
    positive: int = 0
    at_origin: int = 0
    imaginary: int = 0

    def add(self, other: _Tally, multiplicity: int) -> None:
        self.negative += multiplicity * other.negative
        self.positive += multiplicity * other.positive
        self.at_origin += multiplicity * other.at_origin
        self.imaginary += multiplicity * other.imaginary


def _classify_squarefree(
    poly: sympy.Poly, ops: object, ctx: mpmath.ctx_mp.MPContext
) -> tuple[_Tally, list[object]]:
    """Exact counts and display roots of a square-free polynomial over ``ops.domain``."""
    tally = _Tally()
    roots: list[object] = []
    domain = poly.domain
    coeffs = poly.rep.to_list()
    if domain.is_zero(coeffs[-1]):
        # Square-free, so lambda divides it at most once.
        tally.at_origin = 1
        roots.append(ctx.mpc(0))
        poly = sympy.Poly.from_list(coeffs[:-1], _L, domain=domain)
        coeffs = poly.rep.to_list()
    n = poly.degree()
    if n <= 0:
        return tally, roots

    # Roots whose negatives are roots as well; all roots on the imaginary axis are
    # among them (a real polynomial with root i*w also has root -i*w).
    mirrored = sympy.Poly.from_list(
        [c if (n - index) % 2 == 0 else -c for index, c in enumerate(coeffs)],
        _L,
        domain=domain,
    )
    symmetric = poly.gcd(mirrored)
    rest = poly.quo(symmetric)

    if symmetric.degree() > 0:
        # symmetric(l) = h(l**2): its roots are +-sqrt(mu) for the roots mu of h.
        symmetric_coeffs = symmetric.rep.to_list()
        if symmetric.degree() % 2 or any(not domain.is_zero(c) for c in symmetric_coeffs[1::2]):
            raise AssertionError(f"gcd(p(l), p(-l)) = {symmetric} should be even")
        h_poly = sympy.Poly.from_list(symmetric_coeffs[0::2], _L, domain=domain)
        negative_mu, positive_mu = ops.real_root_signs(h_poly)
        pairs_off_axis = h_poly.degree() - negative_mu
        tally.imaginary += 2 * negative_mu
        tally.negative += pairs_off_axis
        tally.positive += pairs_off_axis
        mus = _numeric_roots([ops.approx(c, ctx) for c in h_poly.rep.to_list()], ctx)
        real_mus, complex_mus = _split_real(mus, negative_mu + positive_mu, ctx)
        for index, mu in enumerate(sorted(real_mus)):
            if index < negative_mu:
                w = ctx.sqrt(-mu)
                roots.extend([ctx.mpc(0, w), ctx.mpc(0, -w)])
            else:
                r = ctx.sqrt(mu)
                roots.extend([ctx.mpc(r, 0), ctx.mpc(-r, 0)])
        for mu in complex_mus:
            r = ctx.sqrt(mu)
            roots.extend([r, -r])

    if rest.degree() > 0:
        right = _right_half_plane_count(rest, ops)
        tally.positive += right
        tally.negative += rest.degree() - right
        rest_roots = _numeric_roots([ops.approx(c, ctx) for c in rest.rep.to_list()], ctx)
        real_roots, other_roots = _split_real(rest_roots, ops.real_root_count(rest), ctx)
        roots.extend(ctx.mpc(r, 0) for r in real_roots)
        roots.extend(other_roots)
    return tally, roots


def _finish(tally: _Tally, roots: list[object]) -> RootCount:
    numeric = sorted((_to_complex(r) for r in roots), key=lambda z: (z.real, z.imag))
    return RootCount(
        negative=tally.negative,
        zero=tally.at_origin + tally.imaginary,
        positive=tally.positive,
        at_origin=tally.at_origin,
        imaginary=tally.imaginary,
        numeric_roots=tuple(numeric),
    )


def _count_rational(values: Sequence[sympy.Rational]) -> RootCount:
    poly = sympy.Poly(list(values), _L, domain=QQ)
    ctx = mpmath.MPContext()
    ctx.dps = _DISPLAY_DPS
    tally = _Tally()
    roots: list[object] = []
    if poly.degree() > 0:
        _, factors = poly.factor_list()
        for factor, multiplicity in factors:
            part, part_roots = _classify_squarefree(factor, _RationalOps, ctx)
            tally.add(part, multiplicity)
            roots.extend(part_roots * multiplicity)
    return _finish(tally, roots)


class _FieldNotReal(Exception):
    """The generator found for the coefficient field is not a real number."""


def _field_by_construct_domain(values: Sequence[sympy.Expr]) -> tuple | None:
    """Fast route to the coefficient field: sympy's ``construct_domain``.

    It uses the irrational parts of the coefficients (``sqrt(5)`` for ``(3 + sqrt(5))/2``)
    as generators, which is much cheaper than a primitive element of the coefficients
    themselves.  Returns ``(domain, elements)`` or None if it does not give QQ or a number
    field.
    """
    try:
        domain, elements = construct_domain(list(values), extension=True)
    except (NotAlgebraic, NotImplementedError, PolynomialError, CoercionFailed):
        return None
    if domain.is_ZZ or domain.is_QQ:
        return QQ, [QQ.convert(e, domain) for e in elements]
    if domain.is_AlgebraicField:
        return domain, elements
    return None


def _field_by_primitive_element(values: Sequence[sympy.Expr]) -> tuple:
    """Slow but general route: ``QQ(theta)`` with theta a primitive element of the
    coefficients themselves, which is real because the coefficients are."""
    irrational = list(dict.fromkeys(v for v in values if not v.is_Rational))
    try:
        min_poly, weights, reps = primitive_element(irrational, _T, ex=True, polys=True)
    except (NotAlgebraic, NotImplementedError, PolynomialError) as exc:
        raise UndecidedError(
            f"the coefficients {irrational} are not all algebraic numbers: {exc}"
        ) from exc
    rep_of = dict(zip(irrational, reps, strict=True))
    if min_poly.degree() == 1:
        # Every coefficient is rational in disguise, e.g. (sqrt(2) + 1)*(sqrt(2) - 1).
        g1, g0 = (_frac(c) for c in min_poly.rep.to_list())
        theta_value = -g0 / g1
        elements = [
            QQ.from_sympy(v)
            if v.is_Rational
            else QQ.convert(
                _fraction_to_rational(_horner_fraction([_frac(c) for c in rep_of[v]], theta_value))
            )
            for v in values
        ]
        return QQ, elements
    theta = sympy.Add(*(w * v for w, v in zip(weights, irrational, strict=True)))
    field = QQ.algebraic_field((min_poly, theta))
    elements = [
        field.from_sympy(v) if v.is_Rational else field.new([QQ.convert(c) for c in rep_of[v]])
        for v in values
    ]
    return field, elements


def _count_over_field(field: object, elements: Sequence[object], ops: object) -> RootCount:
    if field.is_zero(elements[0]):
        raise ValueError("the leading coefficient is zero")
    poly = sympy.Poly.from_list(list(elements), _L, domain=field)
    ctx = mpmath.MPContext()
    ctx.dps = _DISPLAY_DPS
    tally = _Tally()
    roots: list[object] = []
    if poly.degree() > 0:
        # Square-free (not irreducible) factors suffice: gcd(s(l), s(-l)) isolates the
        # axis roots of each, and factoring over a number field is much slower.
        _, factors = poly.sqf_list()
        for factor, multiplicity in factors:
            part, part_roots = _classify_squarefree(factor, ops, ctx)
            tally.add(part, multiplicity)
            roots.extend(part_roots * multiplicity)
    return _finish(tally, roots)


def _count_algebraic(values: Sequence[sympy.Expr]) -> RootCount:
    found = _field_by_construct_domain(values)
    if found is not None:
        field, elements = found
        if field.is_QQ:
            return _count_with_rationals([QQ.to_sympy(e) for e in elements])
        try:
            embedding = _Embedding(field, field.ext.as_expr())
        except _FieldNotReal:
            # The generators were not real (e.g. contained I); the coefficients
            # themselves are, so their own primitive element is.
            found = None
        else:
            return _count_over_field(field, elements, embedding)
    field, elements = _field_by_primitive_element(values)
    if field.is_QQ:
        return _count_with_rationals([QQ.to_sympy(e) for e in elements])
    return _count_over_field(field, elements, _Embedding(field, field.ext.as_expr()))


def _fraction_to_rational(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _count_with_rationals(values: Sequence[sympy.Rational]) -> RootCount:
    if values[0] == 0:
        raise ValueError("the leading coefficient is zero")
    return _count_rational(values)


def _count_by_routh(values: Sequence[sympy.Expr]) -> RootCount:
    """Exact root counts from the Routh array, for real constant coefficients of any kind.

    Roots at the origin (trailing zero coefficients) are split off first; a polynomial
    ``l**2 + c`` is decided by the sign of ``c``.  Otherwise, by Routh's theorem, when no
    entry of the first column of the Routh array is zero, no root lies on the imaginary
    axis and the number of roots with positive real part is the number of sign changes
    down that column.  Every sign is an :func:`exact_sign` (certified interval arithmetic,
    never a tolerance).  A zero entry (a singular array) is resolved by counting the roots
    of ``(l + a) p(l)`` for a few ``a > 0`` instead; if every such array is singular (as it
    is when a root lies on the imaginary axis), :class:`UndecidedError` is raised.
    """
    values = list(values)
    lead = exact_sign(values[0])
    if lead == 0:
        raise ValueError("the leading coefficient is zero")
    if lead < 0:
        values = [-v for v in values]
    at_origin = 0
    while len(values) > 1 and exact_sign(values[-1]) == 0:
        values.pop()
        at_origin += 1
    n = len(values) - 1
    tally = _Tally(at_origin=at_origin)
    imaginary_pair = False
    if n == 2 and exact_sign(values[1]) == 0:
        # l**2 + c with c != 0: +-sqrt(-c), a real pair (saddle) or an imaginary pair.
        if exact_sign(values[2]) > 0:
            tally.imaginary = 2
            imaginary_pair = True
        else:
            tally.negative = tally.positive = 1
    elif n >= 1:
        changes = _routh_changes(values)
        shift = 0
        # A zero in the first column with no root on the imaginary axis is an accident of the
        # coefficients; multiplying by (l + a), a > 0, adds one root with negative real part
        # and generically removes it. A regular array for the product proves, by Routh's
        # theorem, that no root is on the axis; a root that is on it keeps every product
        # singular, and the count stays undecided.
        for shift in (1, 2, 3, 5, 7):
            if changes is not None:
                break
            product = [a + shift * b for a, b in zip([*values, 0], [0, *values], strict=True)]
            changes = _routh_changes(product)
        if changes is None:
            raise UndecidedError(
                "a zero in the first column of the Routh array, also after multiplying by "
                "(l + a) for several a > 0: a root on the imaginary axis cannot be excluded "
                "exactly"
            )
        tally.positive, tally.negative = changes, n - changes
    ctx = mpmath.MPContext()
    ctx.dps = _DISPLAY_DPS
    roots = [ctx.mpc(0)] * at_origin
    if n >= 1:
        coeffs = [ctx.mpf(sympy.N(v, _DISPLAY_DPS + 10)) for v in values]
        found = _numeric_roots(coeffs, ctx)
        if imaginary_pair:
            found = [ctx.mpc(0, ctx.im(r)) for r in found]
        elif n == 2 and exact_sign(values[1] ** 2 - 4 * values[0] * values[2]) >= 0:
            found = [ctx.mpc(ctx.re(r), 0) for r in found]
        roots.extend(found)
    return _finish(tally, roots)


def _routh_changes(values: list) -> int | None:
    """Sign changes down the first column of the Routh array of ``values`` (leading
    coefficient positive), or ``None`` when an entry of that column is zero."""
    n = len(values) - 1
    rows = [values[0::2], values[1::2]]
    while len(rows) < n + 1:
        upper, lower = rows[-2], rows[-1]
        pivot = lower[0] if lower else sympy.S.Zero
        if not lower or exact_sign(pivot) == 0:
            return None
        width = len(upper) - 1
        new = []
        for j in range(width):
            below = lower[j + 1] if j + 1 < len(lower) else sympy.S.Zero
            new.append((pivot * upper[j + 1] - upper[0] * below) / pivot)
        rows.append(new or [sympy.S.Zero])
    column = [exact_sign(row[0]) if row else 0 for row in rows]
    if 0 in column:
        return None
    return sum(1 for a, b in itertools.pairwise(column) if a != b)


def count_real_parts(coeffs: Sequence[sympy.Expr]) -> RootCount:
    """Count the roots of a polynomial by the sign of their real part, exactly.

    Parameters
    ----------
    coeffs : sequence of sympy.Expr or numbers
        Coefficients from the highest degree down; the leading one must be non-zero.
        Each must be an exact real constant: a rational (ints, ``Fraction`` and floats at
        their exact binary value are accepted) or a real algebraic number written as a
        sympy expression, e.g. containing ``sqrt(5)`` or ``CRootOf``.

    Returns
    -------
    RootCount
        Numbers of roots (with multiplicity) with negative, zero and positive real part,
        the roots at the origin and on the imaginary axis, and display values.

    Raises
    ------
    ValueError
        If there are no coefficients, the leading coefficient is zero, or a coefficient
        has free symbols, is not finite or is not real.
    UndecidedError
        If a coefficient is not an algebraic number (e.g. contains ``E`` or ``pi``), or
        its realness cannot be decided.

    Notes
    -----
    Rational polynomials are factored over QQ; irreducible even factors ``h(l**2)`` have
    their imaginary-axis roots counted as the negative real roots of ``h``, and factors
    without axis roots are counted with the Cauchy-index form of the Routh-Hurwitz
    theorem (Sturm sequences).  Algebraic coefficients are handled by the same exact
    analysis carried out in the number field they generate, with ``gcd(p(l), p(-l))``
    isolating the imaginary-axis roots; see the module docstring.

    Examples
    --------
    >>> from sympy import Rational, sqrt
    >>> rc = count_real_parts([1, 25, 0])  # lambda*(lambda + 25)
    >>> (rc.negative, rc.zero, rc.positive, rc.at_origin, rc.imaginary)
    (1, 1, 0, 1, 0)
    >>> rc.numeric_roots
    ((-25+0j), 0j)
    >>> count_real_parts([1, 0, 1]).numeric_roots  # a centre: +-i
    (-1j, 1j)
    >>> count_real_parts([1, 0, (3 + sqrt(5)) / 2]).imaginary
    2
    >>> rc = count_real_parts([1, 1, Rational(1, 10**24) + 1, 1])  # tiny real parts
    >>> (rc.negative, rc.zero, rc.positive)
    (3, 0, 0)
    """
    if isinstance(coeffs, (str, bytes)):
        raise TypeError("coeffs must be a sequence of numbers or sympy expressions")
    values = [_to_expr(c) for c in coeffs]
    if not values:
        raise ValueError("a polynomial needs at least one coefficient")
    if all(v.is_Rational for v in values):
        return _count_with_rationals(values)
    for v in values:
        if not v.is_Rational:
            _check_real(v)
    if _within_budget(values):
        return _count_algebraic(values)
    # Transcendental coefficients (exp(C) of a parameter), or a number field too large for
    # exact work: the Routh array decides exactly whenever no entry of its first column
    # is zero, which is the generic case.
    return _count_by_routh(values)


# --------------------------------------------------------------------------------------
# hurwitz_conditions
# --------------------------------------------------------------------------------------


def _shortest_form(expr: sympy.Expr) -> sympy.Expr:
    """The shorter of the expanded and factored forms, without positive rational content."""
    expanded = sympy.expand(expr)
    candidates = [expanded]
    try:
        candidates.append(sympy.factor(expanded))
    except (PolynomialError, NotImplementedError):
        pass
    best = min(candidates, key=sympy.count_ops)
    content, primitive = best.as_content_primitive()
    return primitive if content.is_positive else best


def hurwitz_conditions(coeffs: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """Routh-Hurwitz conditions for all roots to have negative real part.

    Parameters
    ----------
    coeffs : sequence of sympy.Expr
        Polynomial coefficients ``c0, c1, ..., cn`` from the highest degree down,
        possibly containing parameters as sympy Symbols.  ``c0`` must not be zero.

    Returns
    -------
    tuple of sympy.Expr
        Expressions that must **all be > 0**; together they are equivalent to every root
        having negative real part (for parameter values where ``c0 != 0``).

    Notes
    -----
    The Liénard-Chipart form is used because it needs the fewest and smallest Hurwitz
    determinants: with ``c0 > 0``, the coefficients ``c_n, c_{n-2}, ...`` and the Hurwitz
    determinants ``Delta_k`` with ``k = n-1, n-3, ...`` (``Delta_1 = c1``) must be positive.
    The largest determinant ``Delta_n = c_n Delta_{n-1}`` is never needed.  Conditions are
    listed as coefficient conditions by increasing index (``c1`` first), then
    determinants by increasing order.  Degree 1 gives ``(c1,)``, degree 2
    ``(c1, c2)`` (``-trace`` and ``det`` for a characteristic polynomial), degree 3
    ``(c1, c3, c1*c2 - c0*c3)``, degree 4 ``(c1, c2, c4, Delta_3)``.

    The leading coefficient's sign is handled as follows: a constant negative ``c0``
    negates all coefficients; a symbolic ``c0`` multiplies each condition of odd degree
    in the coefficients by ``c0`` (``c_k/c0 > 0  <=>  c_k*c0 > 0``), which avoids
    fractions.  Each condition is returned in the shorter of its expanded and factored
    forms with positive rational content removed; conditions that are positive
    constants are dropped and duplicates removed (so ``()`` means "always stable").  A
    constant condition that is not positive is kept: the roots can then never all lie in
    the left half-plane.

    Examples
    --------
    >>> from sympy import symbols
    >>> a = symbols("a")
    >>> hurwitz_conditions([1, a])
    (a,)
    >>> a0, a1, a2 = symbols("a0:3")
    >>> hurwitz_conditions([1, a1, a0])
    (a1, a0)
    >>> hurwitz_conditions([1, a2, a1, a0])
    (a2, a0, -a0 + a1*a2)
    >>> hurwitz_conditions([1, 2, 3, 4])  # Delta_2 = 2*3 - 4 > 0: stable, nothing left
    ()
    """
    if isinstance(coeffs, (str, bytes)):
        raise TypeError("coeffs must be a sequence of sympy expressions")
    values = [_to_expr(c, allow_symbols=True) for c in coeffs]
    if not values:
        raise ValueError("a polynomial needs at least one coefficient")
    n = len(values) - 1
    lead = values[0]
    lead_factor: sympy.Expr = sympy.S.One
    if lead.free_symbols:
        if lead.is_zero:
            raise ValueError("the leading coefficient is zero")
        lead_factor = lead
    else:
        lead_sign = exact_sign(lead)
        if lead_sign == 0:
            raise ValueError("the leading coefficient is zero")
        if lead_sign < 0:
            values = [-v for v in values]
    if n == 0:
        return ()

    def coefficient(k: int) -> sympy.Expr:
        return values[k] if 0 <= k <= n else sympy.S.Zero

    hurwitz = sympy.Matrix(n, n, lambda i, j: coefficient(2 * (j + 1) - (i + 1)))

    raw: list[sympy.Expr] = []
    first_index = 1 if n % 2 else 2
    coefficient_indices = ([1] if n % 2 == 0 else []) + list(range(first_index, n + 1, 2))
    for k in coefficient_indices:
        raw.append(values[k] * lead_factor)
    for k in range(3 if n % 2 == 0 else 2, n, 2):
        minor = hurwitz[:k, :k].det(method="berkowitz")
        raw.append(minor * lead_factor if k % 2 else minor)

    conditions: list[sympy.Expr] = []
    for expr in raw:
        condition = _shortest_form(expr)
        if not condition.free_symbols:
            try:
                if exact_sign(condition) > 0:
                    continue
            except (UndecidedError, ValueError):
                pass
        if condition not in conditions:
            conditions.append(condition)
    return tuple(conditions)

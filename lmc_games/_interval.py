"""Rigorous interval arithmetic on sympy fields: enclosures, the Krawczyk test, interval
stability counts.

Used by the numeric search of rest points (:mod:`lmc_games._analysis_dynamics`) to certify a
point found by Newton's method (a unique zero of the field in a small box), to classify it
from an enclosure of the Jacobian over that box, and to prove a search complete by branch and
bound. Every floating-point operation is widened outwards by one unit in the last place (round
to nearest errs by at most half of one), so an enclosure always contains the exact value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import sympy

from ._errors import NoEnclosure

__all__ = ["Interval", "NoEnclosure", "charpoly", "compile_interval", "krawczyk", "routh_counts"]

_INF = math.inf


def _down(x: float) -> float:
    return math.nextafter(x, -_INF)


def _up(x: float) -> float:
    return math.nextafter(x, _INF)


class Interval:
    """A closed interval ``[lo, hi]`` of reals with outward-rounded arithmetic.

    Examples
    --------
    >>> a = Interval(1.0, 2.0)
    >>> (a * a - a).contains(0.0)
    True
    >>> (a.exp().lo <= math.e) and (math.e <= a.exp().hi)
    True
    """

    __slots__ = ("lo", "hi")

    def __init__(self, lo: float, hi: float | None = None):
        hi = lo if hi is None else hi
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise NoEnclosure(f"not an interval: [{lo}, {hi}]")
        self.lo, self.hi = float(lo), float(hi)

    @staticmethod
    def of(value: float) -> Interval:
        """An enclosure of a float computed with one rounding (its neighbours on each side)."""
        return Interval(_down(value), _up(value))

    def __repr__(self) -> str:
        return f"[{self.lo!r}, {self.hi!r}]"

    @property
    def mid(self) -> float:
        return 0.5 * (self.lo + self.hi)

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi

    def sign(self) -> int | None:
        """+1 or -1 when the interval excludes 0, else None."""
        if self.lo > 0:
            return 1
        if self.hi < 0:
            return -1
        return None

    def __add__(self, o: Interval) -> Interval:
        return Interval(_down(self.lo + o.lo), _up(self.hi + o.hi))

    def __sub__(self, o: Interval) -> Interval:
        return Interval(_down(self.lo - o.hi), _up(self.hi - o.lo))

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __mul__(self, o: Interval) -> Interval:
        ps = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        if any(math.isnan(p) for p in ps):
            # 0 * inf: the enclosure would be meaningless.
            raise NoEnclosure("0 times infinity")
        return Interval(_down(min(ps)), _up(max(ps)))

    def reciprocal(self) -> Interval:
        if self.lo <= 0 <= self.hi:
            raise NoEnclosure("division by an interval containing 0")
        return Interval(_down(1.0 / self.hi), _up(1.0 / self.lo))

    def __truediv__(self, o: Interval) -> Interval:
        return self * o.reciprocal()

    def power(self, n: int) -> Interval:
        if n < 0:
            return self.power(-n).reciprocal()
        if n == 0:
            return Interval(1.0)
        out = self
        for _ in range(n - 1):
            out = out * self
        if n % 2 == 0 and self.lo < 0 < self.hi:
            # x**n for even n is not below 0; repeated products lose that.
            out = Interval(0.0, out.hi)
        elif n % 2 == 0 and self.hi <= 0:
            out = Interval(max(out.lo, 0.0), out.hi)
        return out

    def exp(self) -> Interval:
        # libm's exp is accurate to within one ulp; two ulps of widening covers it.
        lo = _down(_down(math.exp(self.lo))) if self.lo < 709 else _INF
        try:
            hi = _up(_up(math.exp(self.hi)))
        except OverflowError:
            hi = _INF
        if lo == _INF:
            raise NoEnclosure("exp overflows")
        return Interval(max(lo, 0.0), hi)

    def log(self) -> Interval:
        if self.lo <= 0:
            raise NoEnclosure("log of an interval reaching 0")
        return Interval(_down(_down(math.log(self.lo))), _up(_up(math.log(self.hi))))

    def sqrt(self) -> Interval:
        if self.lo < 0:
            raise NoEnclosure("sqrt of an interval reaching below 0")
        return Interval(max(0.0, _down(math.sqrt(self.lo))), _up(math.sqrt(self.hi)))

    def tanh(self) -> Interval:
        lo = max(-1.0, _down(_down(math.tanh(self.lo))))
        hi = min(1.0, _up(_up(math.tanh(self.hi))))
        return Interval(lo, hi)

    def step(self) -> Interval:
        """The Heaviside step: 0 below 0, 1 above; [0, 1] where the interval reaches 0."""
        s = self.sign()
        return Interval(0.0, 1.0) if s is None else Interval(1.0 if s > 0 else 0.0)

    def maximum(self, o: Interval) -> Interval:
        return Interval(max(self.lo, o.lo), max(self.hi, o.hi))

    def minimum(self, o: Interval) -> Interval:
        return Interval(min(self.lo, o.lo), min(self.hi, o.hi))


def _constant(value: sympy.Expr) -> Interval:
    if value.is_Integer or value.is_Rational:
        q = Fraction(int(value.p), int(value.q))
        f = float(q)
        if Fraction(f) == q:
            return Interval(f)
        return Interval.of(f)
    if value.is_Float:
        f = float(value)
        return Interval(f) if sympy.Float(f, value._prec) == value else Interval.of(f)
    if value.is_number:
        # pi, E, sqrt(2): mpmath at 30 digits, widened well beyond its error.
        f = float(value.evalf(30))
        return Interval(_down(_down(f)), _up(_up(f)))
    raise NoEnclosure(f"not a constant: {value}")


def compile_interval(
    expr: sympy.Expr, symbols: Sequence[sympy.Symbol]
) -> Callable[[Sequence[Interval]], Interval]:
    """A function of a box (one :class:`Interval` per symbol) returning an enclosure of
    ``expr`` over it; raises :class:`NoEnclosure` for unsupported functions.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> f = compile_interval(1 / (1 + sympy.exp(-x)) - x, [x])
    >>> f([Interval(0.0, 1.0)]).sign() is None
    True
    >>> f([Interval(0.9, 1.0)]).sign()
    -1
    """
    index = {s: i for i, s in enumerate(symbols)}

    def build(e: sympy.Expr) -> Callable:
        if e in index:
            i = index[e]
            return lambda box: box[i]
        if e.is_number:
            c = _constant(e)
            return lambda box: c
        args = [build(a) for a in e.args]
        if e.is_Add:

            def add(box):
                out = args[0](box)
                for a in args[1:]:
                    out = out + a(box)
                return out

            return add
        if e.is_Mul:

            def mul(box):
                out = args[0](box)
                for a in args[1:]:
                    out = out * a(box)
                return out

            return mul
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                n = int(ex)
                return lambda box: args[0](box).power(n)
            if ex == sympy.Rational(1, 2):
                return lambda box: args[0](box).sqrt()
            if ex == sympy.Rational(-1, 2):
                return lambda box: args[0](box).sqrt().reciprocal()
            return lambda box: (args[1](box) * args[0](box).log()).exp()
        if isinstance(e, sympy.exp):
            return lambda box: args[0](box).exp()
        if isinstance(e, sympy.log) and len(args) == 1:
            return lambda box: args[0](box).log()
        if isinstance(e, sympy.tanh):
            return lambda box: args[0](box).tanh()
        if isinstance(e, sympy.Heaviside):
            return lambda box: args[0](box).step()
        if isinstance(e, (sympy.Max, sympy.Min)):
            pick = Interval.maximum if isinstance(e, sympy.Max) else Interval.minimum

            def extreme(box):
                out = args[0](box)
                for a in args[1:]:
                    out = pick(out, a(box))
                return out

            return extreme
        raise NoEnclosure(f"no interval rule for {type(e).__name__}")

    return build(sympy.sympify(expr))


def _matvec(Y: np.ndarray, v: Sequence[Interval]) -> list[Interval]:
    n = len(v)
    out = []
    for i in range(n):
        acc = Interval(0.0)
        for j in range(n):
            acc = acc + Interval(float(Y[i, j])) * v[j]
        out.append(acc)
    return out


def krawczyk(
    F: Sequence[Callable], J: Sequence[Sequence[Callable]], box: Sequence[Interval]
) -> tuple[str, list[Interval] | None]:
    """The Krawczyk test of ``F`` on ``box`` (Krawczyk 1969; Moore, Kearfott & Cloud 2009,
    *Introduction to Interval Analysis*, §8.2).

    Returns ``("unique", K)`` when the box holds exactly one zero of F, which lies in the
    box ``K``; ``("none", None)`` when it holds none; ``("unknown", None)`` otherwise.
    """
    n = len(box)
    c = [b.mid for b in box]
    cbox = [Interval(x) for x in c]
    try:
        Fc = [f(cbox) for f in F]
        JX = [[J[i][j](box) for j in range(n)] for i in range(n)]
    except NoEnclosure:
        return "unknown", None
    Jc = np.array([[JX[i][j].mid for j in range(n)] for i in range(n)])
    if not np.all(np.isfinite(Jc)):
        return "unknown", None
    try:
        Y = np.linalg.inv(Jc)
    except np.linalg.LinAlgError:
        return "unknown", None
    if not np.all(np.isfinite(Y)):
        return "unknown", None
    try:
        YF = _matvec(Y, Fc)
        # I - Y J(X), row by row, in interval arithmetic.
        M = []
        for i in range(n):
            row = []
            for j in range(n):
                acc = Interval(1.0 if i == j else 0.0)
                for m in range(n):
                    acc = acc - Interval(float(Y[i, m])) * JX[m][j]
                row.append(acc)
            M.append(row)
        d = [b - Interval(x) for b, x in zip(box, c)]
        K = []
        for i in range(n):
            acc = Interval(c[i]) - YF[i]
            for j in range(n):
                acc = acc + M[i][j] * d[j]
            K.append(acc)
    except NoEnclosure:
        return "unknown", None
    if any(k.hi < b.lo or k.lo > b.hi for k, b in zip(K, box)):
        return "none", None
    if all(b.lo < k.lo and k.hi < b.hi for k, b in zip(K, box)):
        return "unique", K
    return "unknown", None


def charpoly(A: Sequence[Sequence[Interval]]) -> list[Interval]:
    """Enclosures of the characteristic polynomial's coefficients of an interval matrix,
    leading 1 first (Faddeev--LeVerrier)."""
    n = len(A)
    coeffs = [Interval(1.0)]
    M = [[Interval(0.0) for _ in range(n)] for _ in range(n)]
    for k in range(1, n + 1):
        # M_k = A M_{k-1} + c_{k-1} I
        AM = [
            [_dot([A[i][m] for m in range(n)], [M[m][j] for m in range(n)]) for j in range(n)]
            for i in range(n)
        ]
        M = [
            [AM[i][j] + (coeffs[-1] if i == j else Interval(0.0)) for j in range(n)]
            for i in range(n)
        ]
        AM = [
            [_dot([A[i][m] for m in range(n)], [M[m][j] for m in range(n)]) for j in range(n)]
            for i in range(n)
        ]
        tr = Interval(0.0)
        for i in range(n):
            tr = tr + AM[i][i]
        coeffs.append(-(tr / Interval(float(k))))
    return coeffs


def _dot(a: Sequence[Interval], b: Sequence[Interval]) -> Interval:
    acc = Interval(0.0)
    for x, y in zip(a, b):
        acc = acc + x * y
    return acc


def routh_counts(coeffs: Sequence[Interval]) -> tuple[int, int] | None:
    """``(negative, positive)`` numbers of roots by the sign of their real part, from the
    Routh array of a polynomial whose coefficients are known as intervals (leading first,
    positive); ``None`` when some entry of the first column contains 0, which also covers
    roots on or near the imaginary axis (Routh 1877; Gantmacher 1959, vol. 2, ch. XV).
    """
    n = len(coeffs) - 1
    if n == 0:
        return 0, 0
    if coeffs[0].sign() != 1:
        return None
    rows = [list(coeffs[0::2]), list(coeffs[1::2])]
    width = len(rows[0])
    rows[1] += [Interval(0.0)] * (width - len(rows[1]))
    try:
        for _ in range(n - 1):
            a, b = rows[-2], rows[-1]
            if b[0].sign() is None:
                return None
            new = [(b[0] * a[j + 1] - a[0] * b[j + 1]) / b[0] for j in range(width - 1)] + [
                Interval(0.0)
            ]
            rows.append(new)
        first = [r[0].sign() for r in rows[: n + 1]]
    except NoEnclosure:
        return None
    if any(s is None for s in first):
        return None
    changes = sum(1 for s, t in zip(first, first[1:]) if s != t)
    return n - changes, changes

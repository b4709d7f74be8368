"""Sign conditions on parameters, simplified under the parameters' bounds.

A symbolic analysis states when a rest point exists and when it is stable as inequalities such
as ``V < C``. This module builds those inequalities so that they read as papers print them:
factors whose sign the bounds fix are dropped (``p*theta*k*F`` is non-negative when every
parameter is), a condition the bounds already decide becomes ``true`` or ``false``, and a
difference is written as ``smaller < larger`` rather than ``a - b < 0``.
"""

from __future__ import annotations

import functools
import itertools
import zlib
from collections.abc import Iterable, Mapping

import sympy
from sympy.logic.boolalg import Boolean

from ._cancel import cancel
from ._params import Parameter

__all__ = ["Signs", "negative", "positive", "combine"]

_MAX_FACTOR_OPS = 300
_MAX_VERTEX_PARAMS = 10
_MAX_FACTOR_SYMBOLS = 8


def expr_size(expr: sympy.Basic, limit: int = 10_000) -> int:
    """Number of nodes in an expression tree, counting stops at ``limit``.

    A cheap stand-in for ``count_ops`` (which is itself slow on large expressions), used to
    decide whether factoring or cancelling an expression is affordable.
    """
    n = 0
    for _ in sympy.preorder_traversal(expr):
        n += 1
        if n >= limit:
            break
    return n


@functools.lru_cache(maxsize=4096)
def factored(expr: sympy.Expr) -> sympy.Expr:
    """``sympy.factor(expr)``, remembered: the conditions of one rest point factor the same
    eigenvalue several times (stability, Nash and strict Nash conditions, its sign under the
    existence conditions), and factoring is the costly step. Expressions are immutable, so a
    remembered answer is always the right one."""
    return sympy.factor(expr)


@functools.lru_cache(maxsize=4096)
def _content_factored(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor_terms(sympy.together(expr))


class Signs:
    """Decides signs of parameter expressions from the parameters' bounds.

    Examples
    --------
    >>> from lmc_games import Parameter
    >>> p = Parameter("p", 0.5, min=0, max=1)
    >>> s = Signs([p])
    >>> s.sign(1 - p.symbol)   # p <= 1, but p = 1 is allowed: 0 or positive
    >>> s.sign(2 - p.symbol)
    1
    """

    def __init__(self, parameters: Iterable[Parameter]):
        self.bounds: Mapping[sympy.Symbol, tuple] = {p.symbol: (p.min, p.max) for p in parameters}
        # One analysis asks about the same expression many times (a corner's payoff advantage
        # is an eigenvalue, a stability condition and a Nash condition); sympy's assumption
        # queries on a long sum take milliseconds, so each answer is kept.
        self._memo: dict[tuple[str, sympy.Expr], int | None] = {}

    def sign(self, expr: sympy.Expr) -> int | None:
        """1 or -1 when the bounds force a strict sign on ``expr``; 0 when it is identically
        zero; ``None`` when the bounds do not decide."""
        key = ("strict", expr)
        if key not in self._memo:
            self._memo[key] = self._sign(expr)
        return self._memo[key]

    def _sign(self, expr: sympy.Expr) -> int | None:
        if expr == 0:
            return 0
        # sympy's assumption queries are sound, so one point of the symbols' domain where the
        # expression is not positive proves that ``is_positive`` cannot be True; the query,
        # slow on long sums, is then left out (and likewise for the other signs).
        at = _probe(expr)
        if (at is None or at > 0) and expr.is_positive:
            return 1
        if (at is None or at < 0) and expr.is_negative:
            return -1
        lo, hi = self.range(expr)
        if lo is not None and lo > 0:
            return 1
        if hi is not None and hi < 0:
            return -1
        return None

    def weak_sign(self, expr: sympy.Expr) -> int | None:
        """1 when the bounds make ``expr >= 0``, -1 when ``<= 0``, else ``None``."""
        key = ("weak", expr)
        if key not in self._memo:
            self._memo[key] = self._weak_sign(expr)
        return self._memo[key]

    def _weak_sign(self, expr: sympy.Expr) -> int | None:
        at = _probe(expr)
        if (at is None or at >= 0) and expr.is_nonnegative:
            return 1
        if (at is None or at <= 0) and expr.is_nonpositive:
            return -1
        lo, hi = self.range(expr)
        if lo is not None and lo >= 0:
            return 1
        if hi is not None and hi <= 0:
            return -1
        return None

    def range(self, expr: sympy.Expr) -> tuple:
        """Exact lower and upper bounds of a multilinear expression over the parameter box
        (attained at vertices), or ``(None, None)`` when that does not apply."""
        syms = [s for s in expr.free_symbols if s in self.bounds]
        if len(syms) != len(expr.free_symbols) or not syms or len(syms) > _MAX_VERTEX_PARAMS:
            return None, None
        try:
            poly = sympy.Poly(expr, *syms)
        except sympy.PolynomialError:
            return None, None
        if any(d > 1 for d in poly.degree_list()):
            return None, None
        corners = []
        for s in syms:
            lo, hi = self.bounds[s]
            if lo is None or hi is None:
                return None, None
            corners.append((lo, hi))
        values = [expr.xreplace(dict(zip(syms, vertex))) for vertex in itertools.product(*corners)]
        return min(values), max(values)


def _split(
    expr: sympy.Expr, signs: Signs, strict: bool
) -> tuple[int, list[sympy.Expr], list[sympy.Expr], list[Boolean]]:
    """Factor ``expr`` into (sign of the decided part, undecided odd factors, undecided even
    factors, side conditions).

    A factor the bounds make non-negative (``V`` with ``V >= 0``) counts as positive: in a
    denominator it cannot vanish where the expression is defined; in a numerator, a strict
    inequality needs it nonzero, which is added as the side condition ``V > 0``.
    """
    # Full factorisation pays off on the few-parameter expressions papers print; with many
    # parameters it costs seconds and rarely splits anything, so only the content is pulled out.
    if expr_size(expr, _MAX_FACTOR_OPS + 1) <= _MAX_FACTOR_OPS:
        if len(expr.free_symbols) <= _MAX_FACTOR_SYMBOLS:
            expr = factored(expr)
        else:
            expr = _content_factored(expr)
    sign = 1
    odd: list[sympy.Expr] = []
    even: list[sympy.Expr] = []
    side: list[Boolean] = []
    for f in sympy.Mul.make_args(expr):
        base, exp = (f.base, f.exp) if f.is_Pow and f.exp.is_Integer else (f, 1)
        s = signs.sign(base)
        if s == 0:
            return 0, [], [], []
        if s is None:
            w = signs.weak_sign(base)
            if w is not None:
                s = w
                if strict and exp > 0:
                    side.append(sympy.Rel(base, 0, ">" if w > 0 else "<"))
        if s is not None:
            sign *= s ** (abs(exp) % 2)
            continue
        if exp % 2 == 0:
            even.append(base)
        else:
            odd.append(base)
    return sign, odd, even, side


def _readable(expr: sympy.Expr, op: str) -> Boolean:
    """``expr op 0`` written as ``positive terms op negative terms``."""
    terms = sympy.Add.make_args(sympy.expand(expr)) if expr_size(expr, 201) < 200 else (expr,)
    pos = [t for t in terms if not t.could_extract_minus_sign()]
    neg = [-t for t in terms if t.could_extract_minus_sign()]
    if len(terms) == 1 or not pos or not neg:
        return sympy.Rel(expr, 0, op)
    lhs, rhs = sympy.Add(*pos), sympy.Add(*neg)
    if lhs.is_number:
        # Keep the parameters on the left: 3 < a  ->  a > 3.
        flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
        return sympy.Rel(rhs, lhs, flipped)
    return sympy.Rel(lhs, rhs, op)


def _sign_condition(expr: sympy.Expr, want: int, strict: bool, signs: Signs) -> Boolean:
    """The condition ``sign(expr) == want`` (strict) or ``want * expr >= 0``."""
    if not isinstance(expr, sympy.Basic):
        expr = sympy.Integer(expr) if isinstance(expr, int) else sympy.Rational(expr)
    if expr.is_number:
        v = sympy.sign(expr)
        ok = (v == want) if strict else (v == want or v == 0)
        return sympy.true if ok else sympy.false
    s, odd, even, side = _split(expr, signs, strict)
    if s == 0:
        return sympy.false if strict else sympy.true
    target = want * s
    conds: list[Boolean] = list(side)
    if strict:
        conds.extend(sympy.Ne(e, 0) for e in even)
    elif odd == [] and even:
        return sympy.true if target > 0 else sympy.And(*[sympy.Eq(e, 0) for e in even])
    if not odd:
        if target > 0:
            return sympy.And(*conds) if conds else sympy.true
        return sympy.false if strict or not side else sympy.And(*[sympy.Eq(c.lhs, 0) for c in side])
    if len(odd) == 1:
        op = (">" if target > 0 else "<") if strict else (">=" if target > 0 else "<=")
        conds.append(_readable(odd[0], op))
        return sympy.And(*conds)
    prod = sympy.Mul(*odd)
    op = (">" if target > 0 else "<") if strict else (">=" if target > 0 else "<=")
    conds.append(sympy.Rel(prod, 0, op))
    return sympy.And(*conds)


def sign_given(expr: sympy.Expr, signs: Signs, facts: Boolean = sympy.true) -> int | None:
    """Sign of ``expr`` forced by the bounds together with ``facts`` (a conjunction of
    inequalities, e.g. a rest point's existence conditions), or ``None``.

    Each factor's sign is taken from the bounds or from a fact stating it (``f > g`` fixes
    the sign of ``f - g``).

    Examples
    --------
    >>> from lmc_games import Parameter
    >>> f, g = Parameter("f", 4, min=0), Parameter("g", 1, min=0)
    >>> e = g.symbol * (f.symbol - g.symbol)
    >>> sign_given(e, Signs([f, g])) is None
    True
    >>> sign_given(e, Signs([f, g]), sympy.And(g.symbol > 0, f.symbol > g.symbol))
    1
    """
    if expr == 0:
        return 0
    known = [n for n in (_normal(a) for a in sympy.And.make_args(facts)) if n is not None]
    if (
        expr_size(expr, _MAX_FACTOR_OPS + 1) <= _MAX_FACTOR_OPS
        and len(expr.free_symbols) <= _MAX_FACTOR_SYMBOLS
    ):
        expr = factored(expr)
    sign = 1
    for f in sympy.Mul.make_args(expr):
        base, exp = (f.base, f.exp) if f.is_Pow and f.exp.is_Integer else (f, 1)
        s = signs.sign(base)
        if s is None and exp < 0:
            # A denominator cannot vanish where the expression is defined.
            s = signs.weak_sign(base)
        if s is None:
            b = None
            for e, strict in known:
                if not strict:
                    continue
                same, opposite = _may_be_equal(e, base), _may_be_opposite(e, base)
                if not (same or opposite):
                    continue
                if b is None:
                    b = sympy.expand(base) if expr_size(base, 200) < 200 else base
                if same and sympy.expand(e - b) == 0:
                    s = 1
                    break
                if opposite and sympy.expand(e + b) == 0:
                    s = -1
                    break
        if s is None:
            return None
        if s == 0:
            return 0
        sign *= s ** (abs(exp) % 2)
    return sign


def negative(expr: sympy.Expr, signs: Signs) -> Boolean:
    """The condition ``expr < 0``, simplified under the bounds.

    Examples
    --------
    >>> from lmc_games import Parameter
    >>> V, C = Parameter("V", 2, min=0), Parameter("C", 3, min=0)
    >>> negative((V.symbol - C.symbol) / 2, Signs([V, C]))
    C > V
    >>> negative(-V.symbol * C.symbol - 1, Signs([V, C]))
    True
    """
    return _sign_condition(expr, -1, True, signs)


def positive(expr: sympy.Expr, signs: Signs) -> Boolean:
    """The condition ``expr > 0``, simplified under the bounds."""
    return _sign_condition(expr, 1, True, signs)


def nonpositive(expr: sympy.Expr, signs: Signs) -> Boolean:
    """The condition ``expr <= 0``, simplified under the bounds."""
    return _sign_condition(expr, -1, False, signs)


def combine(conditions: Iterable[Boolean]) -> Boolean:
    """Conjunction with duplicates and ``true`` removed, ``false`` absorbing."""
    out: list[Boolean] = []
    for c in conditions:
        if c is sympy.false or c == sympy.false:
            return sympy.false
        if c is sympy.true or c == sympy.true:
            continue
        for part in sympy.And.make_args(c):
            if part not in out:
                out.append(part)
    if not out:
        return sympy.true
    if _contradictory(out):
        return sympy.false
    kept = _drop_implied(out)
    if kept is None:
        return sympy.false
    return sympy.And(*kept)


def _split_constant(e: sympy.Expr) -> tuple[sympy.Expr, sympy.Rational] | None:
    """``e`` as ``k*(v + c)`` with ``k > 0``, ``c`` rational and ``v`` scaled to a leading
    coefficient of +-1: returns ``(v, c)``."""
    if expr_size(e, 200) >= 200:
        return None
    k, prim = sympy.expand(e).as_content_primitive()
    if not (k.is_Rational and k > 0):
        return None
    c, v = prim.as_coeff_Add()
    if not c.is_Rational or v == 0:
        return None
    # Scale so the first term's coefficient is +-1: 4*F*p - 15 and 12*F*p - 35 then share
    # the form F*p and compare by their constants.
    lead = sympy.Add.make_args(v)[0].as_coeff_Mul()[0]
    if not lead.is_Rational or lead == 0:
        return None
    a = abs(lead)
    return sympy.expand(v / a), c / a


def _drop_implied(parts: list) -> list | None:
    """Parts implied by another one of the same form: of ``8*F*p < 15`` and ``8*F*p < 25``
    only the first is kept (``v + c1 > 0`` implies ``v + c2 > 0`` when ``c2 >= c1``).
    ``None`` when two parts bound one form from both sides with nothing between
    (``8*F*p > 25`` and ``12*F*p < 35``)."""
    forms = []
    for part in parts:
        n = _normal(part)
        split = _split_constant(n[0]) if n is not None else None
        forms.append(None if split is None else (split[0], split[1], n[1]))
    for i, fi in enumerate(forms):
        for fj in forms[i + 1 :]:
            if fi is None or fj is None or sympy.expand(fi[0] + fj[0]) != 0:
                continue
            # v + c1 > 0 and -v + c2 > 0: -c1 < v < c2, empty unless -c1 < c2.
            low, high = -fi[1], fj[1]
            if low > high or (low == high and (fi[2] or fj[2])):
                return None
    keep = []
    for i, part in enumerate(parts):
        fi = forms[i]
        implied = False
        if fi is not None:
            for j, fj in enumerate(forms):
                if j == i or fj is None or fj[0] != fi[0]:
                    continue
                (_, c1, s1), (_, c2, s2) = fj, fi
                stronger = c2 > c1 or (c2 == c1 and (s1 or not s2))
                # Of two equivalent parts, the first one stays.
                if stronger and not (c2 == c1 and s1 == s2 and j > i):
                    implied = True
                    break
        if not implied:
            keep.append(part)
    return keep


@functools.lru_cache(maxsize=4096)
def _normal(rel) -> tuple[sympy.Expr, bool] | None:
    """``rel`` as ``(e, strict)`` meaning ``e > 0`` (or ``e >= 0``), for comparison."""
    if not isinstance(rel, sympy.core.relational.Relational) or isinstance(
        rel, (sympy.Eq, sympy.Ne)
    ):
        return None
    e = rel.lhs - rel.rhs
    if expr_size(e, 200) < 200:
        e = sympy.expand(e)
    if rel.rel_op in ("<", "<="):
        e = -e
    return e, rel.rel_op in ("<", ">")


def _contradictory(parts: list) -> bool:
    """Whether two parts demand opposite signs of one expression (``a > b`` and ``a < b``)."""
    normal = [n for n in (_normal(p) for p in parts) if n is not None]
    for i, (e1, s1) in enumerate(normal):
        for e2, s2 in normal[i + 1 :]:
            if not (s1 or s2) or expr_size(e1, 400) >= 400 or expr_size(e2, 400) >= 400:
                continue
            if _may_be_opposite(e1, e2) and sympy.expand(e1 + e2) == 0:
                return True
            if expr_size(e1, 80) >= 80 or expr_size(e2, 80) >= 80:
                continue
            # e1 > 0 and e2 > 0 with e1 = -c * e2 for a number c > 0
            if e2 == 0 or not _may_be_negative_multiple(e1, e2):
                continue
            ratio = cancel(e1 / e2)
            if ratio is not None and ratio.is_number and ratio < 0:
                return True
    return False


_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79)


@functools.lru_cache(maxsize=4096)
def _probe(expr: sympy.Expr) -> sympy.Rational | None:
    """The value of ``expr`` at one fixed rational point (each symbol a ratio of primes
    chosen from its name), or ``None`` where that is not a rational number.

    An identity between expressions holds at every point where both are defined, so unequal
    values at this point prove that an identity fails; that saves the ``expand`` or
    ``cancel`` that would prove it, for all but the pairs where it might hold.
    """
    point = {}
    for sym in expr.free_symbols:
        h = zlib.crc32(sym.name.encode())
        value = sympy.Rational(_PRIMES[h % 22], _PRIMES[(h // 22) % 22] + 100)
        # The point respects the symbols' sign assumptions, so that it is a point where
        # sympy's assumption queries must hold (see Signs.sign).
        point[sym] = -value if sym.is_nonpositive else value
    try:
        v = expr.xreplace(point)
    except (ZeroDivisionError, TypeError):
        return None
    return v if v.is_Rational else None


def _may_be_negative_multiple(e1: sympy.Expr, e2: sympy.Expr) -> bool:
    """False only when ``e1 = c * e2`` with a number ``c < 0`` is impossible: at the probe
    point ``e1 / e2`` is then that negative number wherever ``e2`` is nonzero."""
    v1, v2 = _probe(e1), _probe(e2)
    if v1 is None or v2 is None or v2 == 0:
        return True
    return v1 / v2 < 0


def _may_be_equal(e1: sympy.Expr, e2: sympy.Expr) -> bool:
    """False only when ``e1 = e2`` identically is impossible (see :func:`_probe`)."""
    v1, v2 = _probe(e1), _probe(e2)
    return v1 is None or v2 is None or v1 == v2


def _may_be_opposite(e1: sympy.Expr, e2: sympy.Expr) -> bool:
    """False only when ``e1 + e2 = 0`` identically is impossible (see :func:`_probe`)."""
    v1, v2 = _probe(e1), _probe(e2)
    return v1 is None or v2 is None or v1 + v2 == 0

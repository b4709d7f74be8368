"""Formulas written as papers write them: factored, grouped, and with named quantities.

A symbolic analysis gives exact formulas that are often thousands of characters long when
expanded: the characteristic polynomial at the interior point of a 2x2 bimatrix game with twenty
parameters is a sum of hundreds of monomials, although its factored form is
``lambda**2 - x*(1 - x)*y*(1 - y)*b_x*b_y``. This module turns every printed formula into its
shortest readable form:

1. **Natural names.** The payoff advantage of the first strategy of each two-strategy population
   is a polynomial in the other shares (multilinear in a multi-population game); its coefficients
   get names, ``a_x`` for the constant and ``b_x``, ``c_x``, ... for the coefficients of the
   other shares' monomials, so that ``dx/dt = x*(1 - x)*(a_x + b_x*y)`` for a 2x2 bimatrix game.
   A factor of a formula that is a linear combination of these coefficients is written with
   them (``a_x + b_x``).
2. **Grouping.** A sum is grouped by its most frequent symbol, recursively, and common factors
   are pulled out (``F*p*theta*(k - 1) - S_L - W_L``). Of the factored, grouped and expanded
   forms the shortest is kept, so a formula never gets longer than sympy's best of them.
3. **Further names.** A factor that is still long gets a name ``A1``, ``A2``, ... defined once
   (in parameters and the natural names) in the *where* block that the renderers print.

Everything here is exact: :meth:`Compactor.expand` substitutes the definitions back, and
``simplify(compactor.expand(compactor.expr(e)) - e) == 0`` for every formula (the tests check it
on every bundled model and on random product-payoff games). Only the text, Markdown and LaTeX
renderings use the compact forms; JSON and the result objects keep the full expressions.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean, BooleanAtom

from ._cancel import cancel
from ._errors import FormulaError
from ._formula import format_expr

if TYPE_CHECKING:
    from ._game import Game

__all__ = ["Compactor", "Named", "grouped", "quick_factor", "short", "shortest", "text_length"]

LIMIT = 300
"""The longest formula (characters) the text, Markdown and LaTeX renderings print."""

_KEEP = 60
"""A formula at most this long is printed as it is (short formulas are read best unchanged)."""

_NAME_MIN = 40
"""A factor longer than this that no natural name covers gets a name of its own."""

LAMBDA = sympy.Symbol("lambda")

_SMALL = 250
"""Expressions with more operations than this are never expanded or factored as a whole."""

_MAX_COMBINED = 4
"""Natural names a polynomial is written as a combination of, at most (``a_x + b_x``)."""

_BUDGET = 1_000_000
"""Characters of formulas one :class:`Compactor` compacts (its ``budget``)."""


def _is_monomial(t: sympy.Expr, *, polynomial: bool = False) -> bool:
    """A number times integer powers of symbols (a term of an expanded rational function;
    with ``polynomial``, positive powers only: a term of a polynomial)."""
    factors = t.args if t.is_Mul else (t,)
    return all(
        a.is_Number
        or a.is_Symbol
        or (a.is_Pow and a.base.is_Symbol and a.exp.is_Integer and (a.exp > 0 or not polynomial))
        for a in factors
    )


@dataclass(frozen=True)
class Named:
    """A named quantity of the *where* block.

    Attributes
    ----------
    symbol : sympy.Symbol
        The name (``a_x``, ``A1``).
    definition : sympy.Expr
        Its compact definition, in parameters and earlier names.
    full : sympy.Expr
        The same in parameters only.
    meaning : str
        What it is, in words (empty for a plain abbreviation).
    """

    symbol: sympy.Symbol
    definition: sympy.Expr
    full: sympy.Expr
    meaning: str = ""


def text_length(expr: Any) -> int:
    """Length of an expression in the model-file formula syntax (sympy's text as fallback)."""
    if isinstance(expr, sympy.Basic):
        return _basic_length(expr)
    return _printed_length(expr)


@functools.lru_cache(maxsize=8192)
def _basic_length(expr: sympy.Basic) -> int:
    # Remembered: compaction compares the printed lengths of the same candidates again and
    # again (shortest forms, name lengths, the length limit), and printing is most of that.
    return _printed_length(expr)


def _printed_length(expr: Any) -> int:
    if isinstance(expr, (Boolean, Relational)):
        from ._formula import format_condition

        try:
            return len(format_condition(expr))
        except FormulaError:
            return len(str(expr))
    try:
        return len(format_expr(expr))
    except FormulaError:
        return len(str(expr))


def short(expr: Any, limit: int) -> bool:
    """Whether ``text_length(expr) <= limit``, without printing a long formula: every leaf of
    the expression tree prints at least one character, so more than ``limit`` leaves settle
    it (printing a 300,000-character polynomial only to learn that it is long took seconds).

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> short(x + y, 5), short(sympy.expand((x + y) ** 9), 60)
    (True, False)
    """
    if not isinstance(expr, sympy.Basic):
        return text_length(expr) <= limit
    leaves = 0
    for node in sympy.preorder_traversal(expr):
        if not node.args:
            leaves += 1
            if leaves > limit:
                return False
    return text_length(expr) <= limit


def grouped(expr: sympy.Expr) -> sympy.Expr:
    """A polynomial grouped by its most frequent symbol, recursively, common factors pulled out:
    ``F*k*p*theta - F*p*theta - S - W`` becomes ``F*p*theta*(k - 1) - S - W``.

    Examples
    --------
    >>> F, k, p, S = sympy.symbols("F k p S")
    >>> grouped(F*k*p - F*p - S)
    F*p*(k - 1) - S
    """
    return _cached("grouped", sympy.sympify(expr, strict=True), _grouped)


def _grouped(expr: sympy.Expr) -> sympy.Expr:
    e = sympy.expand(expr)
    if not e.is_Add or not all(_is_monomial(a, polynomial=True) for a in e.args):
        return e  # only polynomials are grouped (dividing by a symbol must lower a degree)
    # One factor_terms of the whole tree pulls the content out of every nested sum (it
    # recurses); once per level, as before, cost as much again per level of nesting.
    return sympy.factor_terms(_grouped_terms(list(e.args)))


def _grouped_terms(terms: list[sympy.Expr]) -> sympy.Expr:
    """The grouping of :func:`grouped` on a list of monomials, contents left in."""
    if len(terms) < 2:
        return sympy.Add(*terms)
    counts: Counter = Counter()
    for t in terms:
        counts.update(t.free_symbols)
    if not counts:
        return sympy.Add(*terms)
    best = max(counts.values())
    if best < 2:
        return sympy.Add(*terms)
    s = sorted((sym for sym, c in counts.items() if c == best), key=lambda v: v.name)[0]
    inside = sympy.Add(*[t / s for t in terms if t.has(s)])  # merges equal monomials
    outside = [t for t in terms if not t.has(s)]
    return s * _grouped_terms(list(sympy.Add.make_args(inside))) + _grouped_terms(outside)


_CACHE: dict[tuple[str, sympy.Expr], sympy.Expr] = {}
"""Factored and shortest forms already found: sympy.factor is the cost of compaction, and the
same factors recur across the formulas of one analysis."""


def _cached(kind: str, e: sympy.Expr, fn: Any) -> sympy.Expr:
    key = (kind, e)
    out = _CACHE.get(key)
    if out is None:
        if len(_CACHE) > 20_000:
            _CACHE.clear()
        out = _CACHE[key] = fn(e)
    return out


def _factor(e: sympy.Expr) -> sympy.Expr:
    return _cached("factor", e, quick_factor)


def quick_factor(e: sympy.Expr) -> sympy.Expr:
    """``sympy.factor(e)``, with expanded polynomials that have a symbol of degree one
    factored without sympy's general algorithm (see :func:`_linear_factor_list`).

    Factoring is the cost of compaction: on the existence conditions of a three-population game
    (a few hundred terms in twenty parameters) one ``sympy.factor`` takes up to a second, and
    almost all of them only find the content. The result equals ``sympy.factor(e)`` up to the
    order and signs of its factors.

    Examples
    --------
    >>> x, y, z = sympy.symbols("x y z")
    >>> quick_factor(2*x**2*y + 4*x*y*z - 6*x*y)
    2*x*y*(x + 2*z - 3)
    >>> quick_factor(x**2*z + x*y*z - x - y)
    (x + y)*(x*z - 1)
    >>> quick_factor(x**2 - y**2)
    (x - y)*(x + y)
    """
    # A radical or a function (sqrt(disc) of a quadratic's root) is a generator to
    # sympy.factor too: it stands in as a symbol, so the quick paths apply.
    odd = {
        p: sympy.Dummy()
        for p in sympy.preorder_traversal(e)
        if (p.is_Pow and not p.exp.is_Integer) or isinstance(p, sympy.Function)
    }
    f = e.xreplace(odd) if odd else e
    found = _linear_factor_list(f)
    if found is None:
        found = _rational_factor_list(f)
    if found is None:
        return sympy.factor(e)
    coeff, factors = found
    out = sympy.Mul(coeff, *[b**k for b, k in factors])
    return out.xreplace({d: p for p, d in odd.items()}) if odd else out


def _rational_factor_list(e: sympy.Expr) -> tuple[sympy.Rational, list] | None:
    """The factorisation of a rational function (a polynomial not written out, or a fraction):
    numerator and denominator factored apart (:func:`_cached_factor_list`: the quick path where
    it applies), and factors common to both cancelled (irreducible factors are unique up to
    sign, so this is the whole greatest common divisor, as ``sympy.factor`` cancels it)."""
    if e.is_Add and all(_is_monomial(t, polynomial=True) for t in e.args):
        return None  # an expanded polynomial: _linear_factor_list has declined it
    num, den = sympy.fraction(sympy.together(e))
    lists = []
    for part in (num, den):
        part = sympy.expand(part)
        if part.is_Number:
            lists.append((part, []))
            continue
        if _is_monomial(part, polynomial=True):
            c, m = part.as_coeff_Mul()
            lists.append((c, [(b, k) for b, k in m.as_powers_dict().items()]))
            continue
        # The part alone, not the whole fraction: sympy's general algorithm (Wang's, with
        # random evaluation points) on a fraction whose denominator is (c + o)**2 ran for
        # minutes on mechanism_overlap's numerator, under some states of sympy's generator.
        try:
            lists.append(_cached_factor_list(part))
        except (sympy.PolynomialError, NotImplementedError):
            return None
    (cn, fn), (cd, fd) = lists
    top = dict(fn)
    bottom: dict[sympy.Expr, int] = {}
    for b, k in fd:
        both = min(top.get(b, 0), k)
        if both:
            top[b] -= both
        if k - both:
            bottom[b] = bottom.get(b, 0) + k - both
    factors = [(b, k) for b, k in top.items() if k] + [(b, -k) for b, k in bottom.items()]
    return sympy.Rational(cn) / sympy.Rational(cd), factors


def _linear_factor_list(e: sympy.Expr) -> tuple[sympy.Rational, list] | None:
    """``(c, [(f1, k1), ...])``, the factorisation of an expanded polynomial ``e`` over the
    rationals into irreducible factors, for a polynomial of degree one in some symbol; ``None``
    for anything else (the caller then uses ``sympy.factor``).

    After the rational content and the largest monomial dividing every term are taken out, the
    primitive part is ``p = a*s + b`` with ``a`` and ``b`` free of ``s`` (``s`` of degree one).
    In any factorisation of ``p`` the degrees in ``s`` add up to one, so ``p = g*q`` with ``g``
    free of ``s`` and ``q`` of degree one in ``s``: ``g`` divides ``a`` and ``b``, and ``q``
    (``a/g*s + b/g`` with ``gcd(a/g, b/g) = 1``) is irreducible. So the factors of ``p`` are
    those of ``g = gcd(a, b)`` and the one cofactor. ``g`` is found from the factors of ``a``
    (a smaller polynomial, factored the same way), each divided into ``p`` as often as it
    goes; when ``a`` is a single term, ``g = 1`` and ``p`` is irreducible. Over the integers
    this is Gauss' lemma; ``sympy.factor`` factors over the rationals, the same factors.
    """
    if not e.is_Add or not all(_is_monomial(t, polynomial=True) for t in e.args):
        return None
    gens = sorted(e.free_symbols, key=lambda s: s.name)
    try:
        p = sympy.Poly(e, *gens)
    except sympy.PolynomialError:
        return None
    if not (p.domain.is_ZZ or p.domain.is_QQ):
        return None
    denom, p = p.clear_denoms(convert=True)
    content, p = p.primitive()
    common, p = p.terms_gcd()
    monoms = p.monoms()
    best = None
    for i in range(len(gens)):
        if max(m[i] for m in monoms) == 1:
            n = sum(1 for m in monoms if m[i] == 1)
            if best is None or n < best[1]:
                best = (i, n)
    if best is None:
        return None
    factors: list[tuple[sympy.Expr, int]] = [(g, k) for g, k in zip(gens, common) if k]
    coeff = sympy.Rational(content) / sympy.Rational(denom)
    i, n = best
    if n > 1:
        a = sympy.Add(
            *[
                sympy.Integer(c)
                * sympy.Mul(*[g**k for j, (g, k) in enumerate(zip(gens, m)) if j != i])
                for m, c in p.terms()
                if m[i] == 1
            ]
        )
        sub = _cached_factor_list(a)
        for base, mult in sub[1]:
            if base.is_Symbol or base.is_Number:
                continue  # a monomial or a number divides no more than the content of p
            q = sympy.Poly(base, *gens)
            for _ in range(mult):
                quo, rem = p.div(q)
                if not rem.is_zero:
                    break
                p = quo
                factors.append((base, 1))
    factors.append((p.as_expr(), 1))
    merged: dict[sympy.Expr, int] = {}
    for b, k in factors:
        if not b.is_Symbol and sympy.Poly(b).LC() < 0:
            # as sympy.factor writes it: a positive leading coefficient in sympy's order of
            # the symbols
            b = -b
            coeff *= (-1) ** k
        merged[b] = merged.get(b, 0) + k
    return coeff, list(merged.items())


def _cached_factor_list(e: sympy.Expr) -> tuple[sympy.Rational, list]:
    key = ("factor_list", e)
    out = _CACHE.get(key)
    if out is None:
        found = _linear_factor_list(e)
        if found is None:
            c, fs = sympy.factor_list(e)
            found = (c, list(fs))
        out = _CACHE[key] = found
    return out


def shortest(expr: sympy.Expr) -> sympy.Expr:
    """The shortest of an expression's factored, grouped and expanded forms (and itself).

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> shortest(x**2 - 2*x*y + y**2)
    (x - y)**2
    """
    e = sympy.sympify(expr)
    if e.is_Atom or not e.free_symbols:
        return e
    return _cached("shortest", e, _shortest)


def _shortest(e: sympy.Expr) -> sympy.Expr:
    cands = [e]
    try:
        num, den = sympy.fraction(sympy.together(e))
        cands.append(_factor(e))
        cands.append(sympy.expand(num) / sympy.expand(den))
        cands.append(_group_fraction(num, den))
    except (sympy.PolynomialError, NotImplementedError, TypeError):
        pass
    return _shortest_of(cands)


def _shortest_of(cands: list[sympy.Expr]) -> sympy.Expr:
    """The shortest candidate, ties broken by fewer operations (counted for the ties only:
    counting a large expression's operations costs as much as printing it)."""
    lengths = [text_length(c) for c in cands]
    best = min(lengths)
    ties = [c for c, n in zip(cands, lengths) if n == best]
    return ties[0] if len(ties) == 1 else min(ties, key=sympy.count_ops)


def _group_fraction(num: sympy.Expr, den: sympy.Expr) -> sympy.Expr:
    gn = grouped(num)
    if den == 1:
        return gn
    return gn / grouped(den)


class Compactor:
    """Compact, named forms of the formulas of one game's analysis.

    One compactor serves one rendering: the names it introduces are numbered in the order the
    formulas ask for them, and :meth:`where` lists those used, each defined once.

    Parameters
    ----------
    game : Game
        The game whose formulas are compacted (its two-strategy populations give the natural
        names).
    keep : int
        Formulas at most this long are returned unchanged.
    budget : int
        Characters of formulas (as printed before compaction) this compactor compacts; later
        formulas are returned unchanged. Factoring is the cost, and on large games with
        share-dependent payoffs (no natural names) it can take minutes: the budget keeps a
        rendering from hanging. It counts work, not seconds, so that the same analysis prints
        the same formulas on every machine and under any load. One rendering of the bundled
        three-population models compacts about 21,000 characters.

    Examples
    --------
    >>> from lmc_games import load_model, analyze
    >>> game = load_model("water_use")
    >>> c = Compactor(game)
    >>> a = analyze(game, symbolic=True)
    >>> interior = a.rest_points[-1]
    >>> c.expr(interior.coordinates[game.variables[0]])
    -a_y/b_y
    >>> [str(n.symbol) for n in c.where()]
    ['a_y', 'b_y']
    """

    def __init__(self, game: Game, *, keep: int = _KEEP, budget: int = _BUDGET) -> None:
        self.game = game
        self.keep = keep
        self.budget = budget
        self._spent = 0
        self._params = tuple(p.symbol for p in game.parameters)
        self._natural: list[Named] = []
        self._advantages: list[tuple[sympy.Symbol, sympy.Expr, str]] = []
        self._generic: list[Named] = []
        self._generic_keys: dict[sympy.Expr, tuple[sympy.Symbol, int]] = {}
        self._coords: list[Named] = []
        self._used: set[sympy.Symbol] = set()
        self._cache: dict[Any, Any] = {}
        self._lin: dict[sympy.Expr, sympy.Expr | None] = {}
        self._cols: list[dict] | None = None
        self._most_terms = 0
        self._support: set[tuple] = set()
        self._sysjac: sympy.Matrix | None = None
        self._natural_names(game)

    # ------------------------------------------------------------------ natural names
    def _natural_names(self, game: Game) -> None:
        from ._system import System

        taken = {p.name for p in game.parameters} | {v.name for v in game.variables}
        system = System.of(game)
        pops = game.populations
        var_of_pop = []
        for pop in pops:
            var_of_pop.append(pop.variables[0] if pop.k == 2 else None)
        if game.is_symmetric or len(pops) < 2:
            return
        for i, (pop, v) in enumerate(zip(pops, var_of_pop)):
            if v is None:
                continue
            others = [w for j, w in enumerate(var_of_pop) if j != i and w is not None]
            if len(others) != sum(1 for j, p in enumerate(pops) if j != i):
                return  # a population of three or more strategies: no multilinear naming
            adv = cancel(system.field[system.variables.index(v)] / (v * (1 - v)))
            if adv.has(v) or not adv.is_polynomial(*others):
                return  # state-dependent payoffs: no natural names
            poly = sympy.Poly(sympy.expand(adv), *others)
            monos = [
                m
                for r in range(len(others) + 1)
                for m in itertools.combinations(range(len(others)), r)
            ]
            degrees = {tuple(1 if j in m else 0 for j in range(len(others))) for m in monos}
            if any(d not in degrees for d in poly.as_dict()):
                return  # not multilinear
            letters = "abcdefgh"
            terms = []
            for n, m in enumerate(monos):
                deg = tuple(1 if j in m else 0 for j in range(len(others)))
                coeff = poly.as_dict().get(deg, sympy.Integer(0))
                base = f"{letters[n]}_{v.name}"
                name = base if base not in taken else f"{letters[n].upper()}_{v.name}"
                sym = sympy.Symbol(name)
                mono = sympy.Mul(*[others[j] for j in m])
                terms.append(sym * mono)
                if coeff != 0:
                    self._natural.append(
                        Named(
                            sym,
                            shortest(coeff),
                            sympy.sympify(coeff),
                            f"coefficient of {format_expr(mono) if m else 'one'} in the payoff "
                            f"advantage of {pop.strategies[0]} ({pop.name})",
                        )
                    )
                else:
                    terms.pop()
            self._advantages.append((v, sympy.Add(*terms), pop.name))

    @property
    def natural(self) -> tuple[Named, ...]:
        """The natural names of the game (every coefficient of every payoff advantage)."""
        return tuple(self._natural)

    def advantages(self) -> list[tuple[sympy.Symbol, sympy.Expr, str]]:
        """``(share, advantage in the natural names, population)`` for populations whose
        names are used."""
        used = {n.symbol for n in self._natural if n.symbol in self._used}
        return [a for a in self._advantages if a[1].free_symbols & used]

    # ------------------------------------------------------------------ compaction
    def expr(self, e: Any, *, force: bool = False) -> Any:
        """The compact named form of an expression (unchanged when short already, unless
        ``force``)."""
        e = sympy.sympify(e)
        if e.is_Atom or (not force and short(e, self.keep)):
            return e
        if e.free_symbols & self._name_symbols():
            return self._mark(e)  # written in names already (a compact charpoly, det, trace)
        key = ("e", e)
        if key not in self._cache:
            size = text_length(e)
            if self._spent + size > self.budget:
                return e  # past the budget: the rest is printed as it is
            self._spent += size
            self._cache[key] = self._compact(e)
        return self._mark(self._cache[key])

    def _mark(self, out: Any) -> Any:
        """``out``, its names (and the names in their definitions) noted for :meth:`where`."""
        names = self._name_symbols()
        new = out.free_symbols & names
        while new - self._used:
            self._used |= new
            defs = {n.symbol: n.definition for n in (*self._generic, *self._coords)}
            new = set().union(*[defs[s].free_symbols for s in new if s in defs]) & names
            new |= self._used
        return out

    def condition(self, c: Any) -> Any:
        """A condition with every long inequality rewritten as ``compact(lhs - rhs) OP 0``."""
        if c is None or isinstance(c, (bool, BooleanAtom)):
            return c
        if isinstance(c, Relational):
            if short(c, self.keep):
                return c
            d = self.expr(c.lhs - c.rhs)
            return c.func(d, 0, evaluate=False)
        if isinstance(c, Boolean) and c.args:
            return c.func(*[self.condition(a) for a in c.args], evaluate=False)
        return c

    def _name_symbols(self) -> set[sympy.Symbol]:
        return {n.symbol for n in (*self._natural, *self._generic, *self._coords)}

    def _compact(self, e: sympy.Expr) -> sympy.Expr:
        small = sympy.count_ops(e) <= _SMALL
        cands = []
        if small:
            cands.append(shortest(e))
            try:
                cands.append(self._walk(_factor(e)))
            except (sympy.PolynomialError, NotImplementedError):
                pass
        # Bottom-up on the expression as it stands: never expands a large product.
        walked = self._walk(e)
        if sympy.count_ops(walked) <= _SMALL:
            walked = shortest(walked)
        cands.append(walked)
        return min(cands, key=text_length)

    def system_jacobian(self) -> sympy.Matrix:
        """The Jacobian of the vector field in the free shares, entries compact and named."""
        if self._sysjac is None:
            from ._system import System

            J = System.of(self.game).jacobian
            self._sysjac = J.applyfunc(lambda v: self.expr(v, force=True))
        return self._sysjac

    def jacobian_at(self, rp: Any) -> sympy.Matrix:
        """The Jacobian at a rest point, as papers derive it: the compact Jacobian of the field
        with the compact coordinates of the point put in, each entry in its shortest form."""
        named = self._named_jacobian(rp)
        if named is not None:
            return self._mark(named[0])
        variables = self.game.variables
        if rp.coordinates and all(v in rp.coordinates for v in variables):
            M = self.system_jacobian()
            # Putting the point in is only right when no name in the Jacobian stands for an
            # expression in the shares (a payoff advantage of a three-strategy population
            # does): such a name would keep its value at a general state.
            defs = self.definitions()
            shares = set(variables)
            if not any(defs[n].free_symbols & shares for n in M.free_symbols if n in defs):
                point = {v: self.expr(rp.coordinates[v], force=True) for v in variables}
                out = M.xreplace(point).applyfunc(self._tidy)
                # M is the Jacobian of this game's replicator field: a rest point of another
                # field (another dynamics, a rescaled time) has another Jacobian, caught by
                # comparing characteristic polynomials at a seeded random parameter point.
                if rp.charpoly is not None and self._agrees(out, rp):
                    return self._mark(out)
        return self._mark(rp.jacobian.applyfunc(lambda v: self.expr(v, force=True)))

    def _named_jacobian(self, rp: Any) -> tuple[sympy.Matrix, list[int]] | None:
        """``(J, mixed)``: the Jacobian at a rest point written in the natural names, and the
        indices of the populations that are mixed there; ``None`` where it does not apply.

        Each two-strategy population's component of the field is ``v*(1 - v)*F_v`` with the
        payoff advantage ``F_v`` multilinear in the other shares (the natural names). At a rest
        point a pure population (``v`` = 0 or 1) has the row ``(1 - 2*v)*F_v`` on the diagonal
        and zeros elsewhere, and a mixed one has ``F_v = 0``, so a zero diagonal and the
        entries ``v*(1 - v)*dF_v/dw``. Written so, no large formula is expanded or factored:
        this is the cost of compaction on three-population games. The point must be a rest
        point of this game's replicator field (the natural names are its advantages); a
        Jacobian of another field (another dynamics, a rescaled time) is caught by comparing
        every entry with the analysis' own at a seeded random parameter point."""
        variables = list(self.game.variables)
        adv = {v: f for v, f, _ in self._advantages}
        if (
            rp.charpoly is None
            or set(adv) != set(variables)
            or len(variables) != len(self.game.populations)
            or not all(v in rp.coordinates for v in variables)
        ):
            return None
        key = ("J", rp.label, tuple(rp.coordinates.items()))
        if key in self._cache:
            return self._cache[key]
        point: dict[sympy.Symbol, sympy.Expr] = {}
        mixed = []
        for i, v in enumerate(variables):
            c = sympy.sympify(rp.coordinates[v])
            if c in (sympy.S.Zero, sympy.S.One):
                point[v] = c
            else:
                mixed.append(i)
        point.update(self._named_coordinates(rp, [variables[i] for i in mixed], point, adv))
        n = len(variables)
        rows = []
        for i, v in enumerate(variables):
            row = []
            for j, w in enumerate(variables):
                if i not in mixed:
                    e = (1 - 2 * point[v]) * adv[v].xreplace(point) if i == j else 0
                elif i == j:
                    e = 0
                else:
                    e = point[v] * (1 - point[v]) * sympy.diff(adv[v], w).xreplace(point)
                row.append(self._tidy(sympy.sympify(e)))
            rows.append(row)
        M = sympy.Matrix(n, n, [e for r in rows for e in r])
        out = (M, mixed) if self._agrees(M, rp) else None
        self._cache[key] = out
        return out

    def _named_coordinates(
        self,
        rp: Any,
        mixed: list[sympy.Symbol],
        pure: Mapping[sympy.Symbol, sympy.Expr],
        adv: Mapping[sympy.Symbol, sympy.Expr],
    ) -> dict[sympy.Symbol, sympy.Expr]:
        """The mixed coordinates of a rest point in the natural names where they follow from
        one linear equation: with two populations mixed, ``F_v = 0`` is linear in the other's
        share ``w`` (multilinear advantages), so ``w = -F_v(w=0)/(dF_v/dw)``, as papers write
        it. Checked against the analysis' coordinate at a seeded random parameter point;
        otherwise (and for three or more mixed populations) the compact coordinate."""
        out = {v: self.expr(rp.coordinates[v]) for v in mixed}
        done = set()
        for v in mixed:
            # a coordinate the analysis named already (x_star of a quadratic's root)
            for sym, value in rp.intermediates.items():
                if value == rp.coordinates[v]:
                    out[v] = sym
                    done.add(v)
                    break
        if len(mixed) == 2:
            for v, w in (mixed, mixed[::-1]):
                f = adv[v].xreplace(dict(pure))
                slope = sympy.diff(f, w)
                if slope == 0 or f.has(v):
                    continue
                if w in done:
                    continue
                cand = self._tidy(-f.xreplace({w: 0}) / slope)
                if self._same_value(cand, rp.coordinates[w], rp):
                    out[w] = cand
                    done.add(w)
        for v in mixed:
            if (
                v not in done
                and not out[v].is_Atom
                and (len(mixed) > 2 or not short(out[v], _NAME_MIN))
            ):
                out[v] = self._coordinate_name(rp, v, out[v])
        return out

    def _coordinate_name(self, rp: Any, v: sympy.Symbol, compact: sympy.Expr) -> sympy.Symbol:
        """A name for a long coordinate of a rest point (``xhat``, printed x with a hat in
        LaTeX), defined once in the *where* block: the entries of the Jacobian there are
        products of the coordinates, unreadable with each written out."""
        key = (v, rp.coordinates[v])
        for n in self._coords:
            if n.meaning == str(key):
                return n.symbol
        taken = {p.name for p in self.game.parameters} | {w.name for w in self.game.variables}
        taken |= {n.symbol.name for n in self._coords}
        base = f"{v.name}hat"
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}{k}"
        sym = sympy.Symbol(name)
        self._coords.append(Named(sym, compact, sympy.sympify(rp.coordinates[v]), str(key)))
        return sym

    def _random_point(self, rp: Any) -> dict[sympy.Symbol, sympy.Expr]:
        """A seeded random point of the parameters, with the values there of the rest
        point's named intermediates (40 digits)."""
        rng = random.Random(20261207)
        point: dict[sympy.Symbol, sympy.Expr] = {
            p: sympy.Float(sympy.Rational(rng.randint(1, 997), rng.randint(1, 97)), 40)
            for p in self._params
        }
        inter = dict(rp.intermediates)
        for _ in range(len(inter)):
            for sym, value in inter.items():
                if sym not in point and not (value.free_symbols - set(point)):
                    point[sym] = value.xreplace(point).evalf(40)
        return point

    def _same_value(self, named: sympy.Expr, full: sympy.Expr, rp: Any) -> bool:
        """``named`` (in names) equals ``full`` at a seeded random parameter point, to 20
        digits (a guard; the tests prove the identities)."""
        point = self._random_point(rp)
        try:
            full_named = sympy.sympify(named).xreplace(self.definitions())
            va = complex(full_named.xreplace(point).evalf(30))
            vb = complex(sympy.sympify(full).xreplace(point).evalf(30))
        except TypeError:
            return False
        return abs(va - vb) <= 1e-18 * max(1.0, abs(vb))

    def _agrees(self, M: sympy.Matrix, rp: Any) -> bool:
        """Whether ``det(lambda*I - M)`` (``M`` in names) equals the analysis' characteristic
        polynomial at a seeded random point of the parameters and one value of ``lambda``,
        to 20 digits: a guard against a rest point of another field (another dynamics, a
        rescaled time), not a proof (the tests prove the identities)."""
        point = self._random_point(rp)
        N = M.xreplace(self.definitions()).xreplace(point).evalf(40)
        if not all(e.is_number for e in N):
            return False
        lam = sympy.Float("0.37", 40)
        try:
            va = complex((lam * sympy.eye(M.shape[0]) - N).det(method="berkowitz").evalf(30))
            vb = complex(rp.charpoly.xreplace(point).xreplace({LAMBDA: lam}).evalf(30))
        except TypeError:
            return False
        return abs(va - vb) <= 1e-18 * max(1.0, abs(vb))

    def charpoly(self, rp: Any) -> sympy.Expr:
        """The characteristic polynomial ``det(lambda*I - J)`` at a rest point, computed from
        the compact Jacobian, each coefficient of ``lambda`` in its shortest form: for a
        multilinear game, the factor ``lambda - J_ii`` of each pure population times the
        characteristic polynomial of the mixed populations' block."""
        named = self._named_jacobian(rp)
        if named is not None:
            M, mixed = named
            pure = [i for i in range(M.shape[0]) if i not in mixed]
            out = sympy.Mul(*[LAMBDA - M[i, i] for i in pure])
            if mixed:
                out *= self._zero_diagonal_poly(
                    M.extract(mixed, mixed), [self.game.variables[i] for i in mixed]
                )
            return self._mark(out)
        if len(self.game.populations) > 2:
            # No structure to use: the determinant of a 3x3 Jacobian of long entries takes
            # minutes, so the analysis' polynomial is compacted coefficient by coefficient.
            coeffs = sympy.Poly(rp.charpoly, LAMBDA).all_coeffs()
            deg = len(coeffs) - 1
            return sympy.Add(
                *[self.expr(c) * LAMBDA ** (deg - i) for i, c in enumerate(coeffs) if c != 0]
            )
        return self._mark(self._poly_in_lambda(self.jacobian_at(rp)))

    def _cubic(self, B: sympy.Matrix, *, tidy: bool = True) -> sympy.Expr:
        pairs = B[0, 1] * B[1, 0] + B[0, 2] * B[2, 0] + B[1, 2] * B[2, 1]
        cycles = B[0, 1] * B[1, 2] * B[2, 0] + B[0, 2] * B[2, 1] * B[1, 0]
        if tidy:
            pairs, cycles = self._tidy(pairs), self._tidy(cycles)
        return LAMBDA**3 - pairs * LAMBDA - cycles

    def _entry_names(self, B: sympy.Matrix, variables: list[sympy.Symbol]) -> sympy.Matrix:
        taken = {p.name for p in self.game.parameters} | {w.name for w in self.game.variables}
        taken |= {n.symbol.name for n in self._coords}
        defs = self.definitions()
        out = sympy.zeros(*B.shape)
        for i, j in itertools.product(range(B.shape[0]), repeat=2):
            e = B[i, j]
            if e == 0 or e.is_Atom:
                out[i, j] = e
                continue
            base = f"J_{variables[i].name}{variables[j].name}"
            found = next((n.symbol for n in self._coords if n.definition == e), None)
            if found is None:
                name, k = base, 1
                while name in taken:
                    k += 1
                    name = f"{base}_{k}"
                found = sympy.Symbol(name)
                taken.add(name)
                self._coords.append(Named(found, e, e.xreplace(defs), f"Jacobian entry {name}"))
            out[i, j] = found
        return out

    def _zero_diagonal_poly(self, B: sympy.Matrix, variables: list[sympy.Symbol]) -> sympy.Expr:
        """``det(lambda*I - B)`` of a block with a zero diagonal, its coefficients as sums of
        products of entries (never expanded: the entries hold the point's coordinates)."""
        n = B.shape[0]
        if n == 1:
            return LAMBDA
        if n == 2:
            return LAMBDA**2 - self._tidy(B[0, 1] * B[1, 0])
        if n == 3:
            # Tidying the coefficients (expanding products of entries) is the costly part and
            # never makes a cubic shorter than its written-out form by much: tidied only when
            # that form is short already.
            raw = self._cubic(B, tidy=False)
            if short(raw, LIMIT // 2):
                out = self._cubic(B)
                return out if short(out, LIMIT // 2) else raw
            # Too long written out: the entries get names J_xy (x's row, y's column), as
            # papers write the Jacobian, each defined once in the where block.
            return self._cubic(self._entry_names(B, variables))

        return self._poly_in_lambda(B)

    def _poly_in_lambda(self, M: sympy.Matrix) -> sympy.Expr:
        """``det(lambda*I - M)`` by powers of ``lambda``, each coefficient in its shortest
        form; over the length limit, the longest coefficients are named (``A7``, defined in
        the *where* block in the names already used) until it fits, as papers write
        ``lambda**2 - T*lambda + D``."""
        poly = (LAMBDA * sympy.eye(M.shape[0]) - M).det(method="berkowitz")
        coeffs = sympy.Poly(sympy.expand(poly), LAMBDA).all_coeffs()
        deg = len(coeffs) - 1
        terms = [(self._tidy(c), deg - i) for i, c in enumerate(coeffs) if c != 0]

        def total() -> sympy.Expr:
            return sympy.Add(*[c * LAMBDA**k for c, k in terms])

        out = total()
        for i in sorted(range(len(terms)), key=lambda i: -text_length(terms[i][0])):
            if short(out, LIMIT) or short(terms[i][0], _NAME_MIN):
                break
            terms[i] = (self._abbreviation(terms[i][0]), terms[i][1])
            out = total()
        return out

    def _abbreviation(self, e: sympy.Expr) -> sympy.Symbol:
        """A name for ``e``, an expression in parameters and names already defined (a
        coefficient of a characteristic polynomial), defined as it is in the *where* block;
        the same expression gets the same name."""
        for n in self._generic:
            if n.definition == e:
                return n.symbol
        sym = sympy.Symbol(f"A{len(self._generic) + 1}")
        self._generic.append(Named(sym, e, e.xreplace(self.definitions())))
        return sym

    def det_trace(self, rp: Any) -> tuple[sympy.Expr, sympy.Expr]:
        """Determinant and trace of the Jacobian at a rest point, in compact form."""
        M = self.jacobian_at(rp)
        det, trace = self._tidy(M.det(method="berkowitz")), self._tidy(M.trace())
        return self._mark(det), self._mark(trace)

    def _tidy(self, e: sympy.Expr) -> sympy.Expr:
        """An expression already in names, in its shortest form, names kept."""
        return shortest(e) if sympy.count_ops(e) <= _SMALL else e

    def _walk(self, f: sympy.Expr) -> sympy.Expr:
        if f.is_Atom:
            return f
        if f.is_Add:
            if all(_is_monomial(a) for a in f.args):
                return self._factor_name(f)
            return self._walk_mixed_sum(f)
        if f.is_Mul:
            return sympy.Mul(*[self._walk(a) for a in f.args])
        if f.is_Pow:
            return self._walk(f.base) ** f.exp
        if f.args:
            return f.func(*[self._walk(a) for a in f.args])
        return f

    def _walk_mixed_sum(self, f: sympy.Expr) -> sympy.Expr:
        """A sum of monomials and of monomials times other factors (``sqrt(disc)``, a
        fraction), collected by those factors first: ``P + Q*sqrt(disc)`` with the polynomials
        ``P`` and ``Q`` each named or compact, as a root of a quadratic is written."""
        poly: list[sympy.Expr] = []
        by_factor: dict[sympy.Expr, list[sympy.Expr]] = {}
        for t in f.args:
            if _is_monomial(t):
                poly.append(t)
                continue
            mono, other = [], []
            for a in sympy.Mul.make_args(t):
                (mono if _is_monomial(a) else other).append(a)
            by_factor.setdefault(sympy.Mul(*other), []).append(sympy.Mul(*mono))
        parts = [self._walk(sympy.Add(*poly))] if poly else []
        for other, coeffs in by_factor.items():
            parts.append(self._walk(sympy.Add(*coeffs)) * self._walk(other))
        return sympy.Add(*parts)

    def _factor_name(self, f: sympy.Expr) -> sympy.Expr:
        """A polynomial factor as a combination of natural names, a generic name, or compact."""
        lin = self._linear(f)
        if lin is not None:
            return lin
        short = shortest(f)
        if short.is_Mul or (short.is_Pow and short.base.is_Add):
            # a product: each factor is named (or not) on its own
            return sympy.Mul(*[self._walk(a) for a in sympy.Mul.make_args(short)])
        if text_length(short) <= _NAME_MIN:
            return short
        return self._generic_name(f)

    def _linear(self, f: sympy.Expr) -> sympy.Expr | None:
        """``f`` as a rational linear combination of the natural coefficients, if it is one;
        with shares in ``f``, each coefficient of a monomial in the shares as one."""
        if not self._natural:
            return None
        key = sympy.expand(f)
        if key in self._lin:
            return self._lin[key]
        out = None
        params = set(self._params)
        shares = sorted(key.free_symbols - params, key=lambda s: s.name)
        if shares and set(shares) <= set(self.game.variables):
            parts = []
            for deg, coeff in sympy.Poly(key, *shares).as_dict().items():
                mono = sympy.Mul(*[s**d for s, d in zip(shares, deg)])
                lin = self._linear(coeff) if coeff.free_symbols else coeff
                if lin is None:
                    parts = None
                    break
                parts.append(mono * lin)
            out = sympy.Add(*parts) if parts else None
        elif key.free_symbols and key.free_symbols <= params:
            if self._cols is None:
                self._cols = [sympy.Poly(n.full, *self._params).as_dict() for n in self._natural]
                sizes = sorted((len(c) for c in self._cols), reverse=True)
                self._most_terms = sum(sizes[:_MAX_COMBINED])
                self._support = set().union(*self._cols)
            # Cheap refusals first (most long polynomials of an analysis are no combination):
            # more terms than any few names hold together, or a monomial none of them has.
            if len(sympy.Add.make_args(key)) <= self._most_terms:
                target = sympy.Poly(key, *self._params).as_dict()
                if target.keys() <= self._support:
                    out = _solve_combination(target, self._cols, [n.symbol for n in self._natural])
        self._lin[key] = out
        return out

    def _generic_name(self, f: sympy.Expr, *, cheap: bool = False) -> sympy.Expr:
        key = sympy.expand(f)
        for k, sign in ((key, 1), (-key, -1)):
            if k in self._generic_keys:
                sym, s = self._generic_keys[k]
                return sign * s * sym
        definition = self._rewrite_in_names(f, cheap=cheap)
        sym = sympy.Symbol(f"A{len(self._generic) + 1}")
        self._generic.append(Named(sym, definition, key))
        self._generic_keys[key] = (sym, 1)
        return sym

    def _rewrite_in_names(self, f: sympy.Expr, *, cheap: bool = False) -> sympy.Expr:
        """A long polynomial in the parameters, written where possible in the natural names:
        grouped, with each group coefficient that is a combination of names replaced. With
        ``cheap``, not factored (a part of a long definition, split further when printed)."""
        best = grouped(f) if cheap else shortest(f)
        if not self._natural:
            return best
        g = grouped(f)

        def sub(t: sympy.Expr) -> sympy.Expr:
            if t.is_Add:
                lin = self._linear(t)
                if lin is not None:
                    return lin
                return sympy.Add(*[sub(a) for a in t.args])
            if t.is_Mul:
                return sympy.Mul(*[sub(a) for a in t.args])
            return t

        named = sub(g)
        return min((named, best), key=text_length)

    # ------------------------------------------------------------------ the where block
    def where(self) -> list[Named]:
        """The names used so far, natural ones first, each defined once."""
        used = self._used
        return [n for n in (*self._natural, *self._generic, *self._coords) if n.symbol in used]

    def defined(self, n: Named) -> sympy.Expr:
        """The definition of a name as the *where* block prints it: a definition over the
        length limit has its long terms (or factors) named (never the whole, which would be
        the name itself), and is kept as it is when that is no shorter. New names it
        uses are noted, so the caller lists the where block until no new name appears."""
        d = n.definition
        if d.is_Atom or short(d, LIMIT) or not (d.is_Add or d.is_Mul):
            return d
        out = self._split_long(d)
        if n.symbol in self.expand_names_once(out) or text_length(out) >= text_length(d):
            return d
        return self._mark(out)

    def limited(self, e: Any) -> Any:
        """:meth:`expr`, and when that is still over the length limit, its long terms or
        factors named (a named quantity of a rest point, such as a quadratic's ``e1``)."""
        out = self.expr(e)
        if isinstance(out, sympy.Expr) and (out.is_Add or out.is_Mul) and not short(out, LIMIT):
            out = self._mark(self._split_long(out))
        return out

    def _split_long(self, e: sympy.Expr) -> sympy.Expr:
        """A definition still over the limit, its long terms (or factors) each named: the
        names' own definitions are shorter, and are split in turn when the where block lists
        them."""
        parts = []
        for a in e.args:
            if short(a, _NAME_MIN) or a.is_Atom:
                parts.append(a)
                continue
            full = sympy.expand(self.expand(a))
            if full.is_Add and all(_is_monomial(t, polynomial=True) for t in full.args):
                parts.append(self._generic_name(full, cheap=True))
            else:
                parts.append(a)
        return e.func(*parts)

    def expand_names_once(self, e: sympy.Expr) -> set[sympy.Symbol]:
        """The names ``e`` uses, directly or through the definitions of the names it uses."""
        defs = {m.symbol: m.definition for m in (*self._generic, *self._coords)}
        seen: set[sympy.Symbol] = set()
        todo = list(e.free_symbols)
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            if s in defs:
                todo.extend(defs[s].free_symbols)
        return seen

    def definitions(self) -> dict[sympy.Symbol, sympy.Expr]:
        """Every name introduced so far -> its full expression in the parameters."""
        return {n.symbol: n.full for n in (*self._natural, *self._generic, *self._coords)}

    def expand(self, e: Any) -> Any:
        """``e`` with every name replaced by its full expression (the inverse of
        :meth:`expr` and :meth:`condition`)."""
        defs = self.definitions()
        if isinstance(e, (bool, BooleanAtom)) or e is None:
            return e
        return e.xreplace(defs)


def _solve_combination(
    target: Mapping[tuple, Any], cols: list[Mapping[tuple, Any] | None], names: list[sympy.Symbol]
) -> sympy.Expr | None:
    """Rational ``k`` with ``target = sum k_j cols_j`` exactly (monomial dictionaries); ``None``
    when there is none. Only combinations with at most four small terms are used: they are
    what a reader recognises (``a_x + b_x``)."""
    idx = [j for j, c in enumerate(cols) if c is not None]
    if not idx:
        return None
    monos = sorted(set(target).union(*[cols[j] for j in idx]))
    M = sympy.Matrix([[cols[j].get(m, 0) for j in idx] for m in monos])
    b = sympy.Matrix([target.get(m, 0) for m in monos])
    try:
        sol, free = M.gauss_jordan_solve(b)
    except ValueError:
        return None
    if free.shape[0]:
        sol = sol.xreplace({t: 0 for t in free})
    terms = [(names[j], k) for j, k in zip(idx, sol) if k != 0]
    if not terms or len(terms) > _MAX_COMBINED or any(not k.is_Rational for _, k in terms):
        return None
    return sympy.Add(*[k * s for s, k in terms])


def compact_all(game: Game, exprs: Iterable[Any]) -> list[Any]:
    """Compact forms of several expressions with one compactor (for tests and tools)."""
    c = Compactor(game)
    return [c.expr(e) for e in exprs]

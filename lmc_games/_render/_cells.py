"""Cells shared by every renderer: numbers and expressions as text, flags, verdicts,
states and eigenvalues, and the escaping of Markdown and TeX.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean

from .._errors import FormulaError, GameError
from .._formula import format_condition, format_expr

if TYPE_CHECKING:
    from .._compact import Compactor
    from .._game import Game, Population
    from .._params import Parameter
    from .._results import Analysis, Continuum, DetTraceRow, RestPoint, Stability


WIDTH = 100
"""Width the text reports are laid out for."""


INERT_SENTENCE = (
    "cannot affect the dynamics (every payoff advantage is free of it); it matters for welfare only"
)

# Cells longer than this in the rest-point tables are shown rounded, or moved to the details.


_SHORT = 14


# =====================================================================================
# compaction: while an analysis is rendered, long formulas go through one Compactor
# =====================================================================================
class _Lazy:
    """The compactor of one rendering, built when the first long formula needs it."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self._c: Compactor | None = None
        # The dynamics of the analyses rendered under this holder (their ``name``): compaction
        # without natural names is verified for the replicator dynamics only.
        self.dynamics: set[str] = set()
        self._compactable: bool | None = None

    def get(self) -> Compactor:
        if self._c is None:
            from .._compact import Compactor

            self._c = Compactor(self.game)
        return self._c

    @property
    def started(self) -> bool:
        return self._c is not None

    def add_dynamics(self, name: str | None) -> None:
        if name is not None and name not in self.dynamics:
            self.dynamics.add(name)
            self._compactable = None

    @property
    def compactable(self) -> bool:
        """Whether long formulas are compacted: in a game with natural names (multilinear
        payoff advantages, two strategies per population), or in a one-population game whose
        payoffs are polynomials in the parameters, free of the shares, under the replicator
        dynamics (:func:`_single_population_verified`)."""
        if self._compactable is None:
            self._compactable = bool(self.get().natural) or (
                self.dynamics == {"replicator"} and _single_population_verified(self.game)
            )
        return self._compactable


_COMPACTOR: ContextVar[_Lazy | None] = ContextVar("lmc_games_compactor", default=None)


@contextmanager
def _compacting(game: Game, dynamics: str | None = None) -> Iterator[_Lazy]:
    """Long formulas rendered inside this block are compact and named (``_compact``); the
    holder's compactor lists the names used, for the *where* block. ``dynamics`` is the
    ``name`` of the dynamics of the analysis rendered (``None``: not known, as for a report
    before its analysis sections), which decides whether games without natural names are
    compacted (:attr:`_Lazy.compactable`)."""
    outer = _COMPACTOR.get()
    if outer is not None and outer.game is game:
        # A rendering inside another of the same game (a report section) shares its names.
        outer.add_dynamics(dynamics)
        yield outer
        return
    holder = _Lazy(game)
    holder.add_dynamics(dynamics)
    token = _COMPACTOR.set(holder)
    try:
        yield holder
    finally:
        _COMPACTOR.reset(token)


def _long(expr: Any) -> bool:
    """Whether a formula is to be compacted: long, while compacting, in a game whose payoff
    advantages give natural names (multilinear, two strategies per population; any number of
    populations), or in a one-population game with polynomial payoffs under the replicator
    dynamics. Elsewhere (share-dependent payoffs, other dynamics, several populations of three
    or more strategies) factoring large formulas can take minutes and is untested, so they are
    printed as they are."""
    from .._compact import LIMIT, short

    holder = _COMPACTOR.get()
    if holder is None or short(expr, _KEEP) or not holder.compactable:
        return False
    # Without natural names, a name only helps a long formula: the replicator equations of
    # rock-paper-scissors (80 characters) read best as they are. A third of the limit, since a
    # state cell holds three coordinates.
    return bool(holder.get().natural) or not short(expr, LIMIT // 3)


def _single_population_verified(game: Game) -> bool:
    """A one-population game whose payoffs are polynomials in the parameters and free of the
    shares (so its replicator field is a polynomial): the case whose compaction the tests
    verify (tests/test_compact.py, mechanism_overlap, rock_paper_scissors, hawk_dove)."""
    if len(game.populations) != 1 or not _game_multilinear(game):
        return False
    params = [p.symbol for p in game.parameters]
    return all(
        sympy.sympify(e, strict=True).is_polynomial(*params)
        for row in game.payoffs.values()
        for e in row
    )


def _compacted(expr: Any) -> Any:
    """``expr`` in compact named form while compacting and when it is long, else itself."""
    if isinstance(expr, sympy.Basic) and not expr.is_number and _long(expr):
        return _COMPACTOR.get().get().expr(expr)
    return expr


def _compacted_condition(cond: Any) -> Any:
    if isinstance(cond, sympy.Basic) and _long(cond):
        return _COMPACTOR.get().get().condition(cond)
    return cond


def _charpoly_of(rp: RestPoint) -> Any:
    """The characteristic polynomial of a rest point, computed from the compact Jacobian while
    compacting (when the full one is long)."""
    if rp.charpoly is not None and _long(rp.charpoly):
        try:
            return _COMPACTOR.get().get().charpoly(rp)
        except (ValueError, TypeError, sympy.PolynomialError):
            return _compacted(rp.charpoly)
    return rp.charpoly


def _det_trace_of(a: Analysis, row: DetTraceRow) -> tuple[Any, Any]:
    """``(det, trace)`` of a det/trace row, compact while compacting."""
    if not (_long(row.det) or _long(row.trace)):
        return row.det, row.trace
    rp = next((r for r in a.rest_points if r.label == row.label), None)
    if rp is not None:
        try:
            return _COMPACTOR.get().get().det_trace(rp)
        except (ValueError, TypeError, sympy.PolynomialError):
            pass
    return _compacted(row.det), _compacted(row.trace)


_KEEP = 60
"""Formulas at most this long are printed as they are (``_compact._KEEP``)."""


def _where(holder: _Lazy) -> tuple[list[tuple[sympy.Symbol, sympy.Expr, str]], list[Any]]:
    """``(payoff advantages, named quantities)`` used by a rendering: each advantage as
    ``(share, formula in the names, population)``, each name a :class:`_compact.Named`."""
    if not holder.started:
        return [], []
    c = holder.get()
    # Printing a long definition compactly may use further names; list until none is new.
    shown: dict[sympy.Symbol, Any] = {}
    while True:
        todo = [n for n in c.where() if n.symbol not in shown]
        if not todo:
            break
        for n in todo:
            shown[n.symbol] = replace(n, definition=c.defined(n))
    return c.advantages(), [shown[n.symbol] for n in c.where()]


_NAMED_NOTE = "named quantities: "


def _notes_of(a: Analysis, rp: RestPoint) -> list[str]:
    """A rest point's notes as printed: the note listing its named quantities (``e1``, ``disc``
    of a quadratic's root) gives each in compact form, and refers to the first earlier rest
    point with the same quantity instead of repeating it (the two roots of one quadratic share
    ``e0``, ``e1``, ``e2`` and ``disc``; written out they were 12 kB a point on
    water_use_lmc)."""
    out = []
    before = a.rest_points[: a.rest_points.index(rp)] if rp in a.rest_points else []
    for note in rp.notes:
        if not (note.startswith(_NAMED_NOTE) and rp.intermediates):
            out.append(note)
            continue
        shared: dict[str, list[str]] = {}
        parts = []
        for k, v in rp.intermediates.items():
            earlier = next((r.label for r in before if r.intermediates.get(k) == v), None)
            if earlier is None:
                holder = _COMPACTOR.get()
                if isinstance(v, sympy.Expr) and not v.is_number and _long(v):
                    v = holder.get().limited(v)
                parts.append(f"{k} = {_expr_text(v)}")
            else:
                shared.setdefault(earlier, []).append(str(k))
        parts = [f"{', '.join(ks)} as at {label}" for label, ks in shared.items()] + parts
        out.append(_NAMED_NOTE + "; ".join(parts))
    return out


def _multilinear_note(holder: _Lazy, a: Analysis) -> str:
    """The theorem that settles every mixed rest point of a multi-population game with
    multilinear payoffs, or ``""`` where it does not apply."""
    if len(a.game.populations) < 2 or a.game.is_symmetric:
        return ""
    if _verdict_dynamics(a) != "replicator" or not _game_multilinear(a.game):
        return ""
    return (
        "Only strict Nash equilibria, which are pure profiles, can be asymptotically stable in "
        "the replicator dynamics of a multi-population game with multilinear payoffs (Selten "
        "1980; Ritzberger & Weibull 1995): every rest point with a mixed population is at best "
        "neutrally stable, whatever the parameters."
    )


def _verdict_dynamics(a: Analysis) -> str:
    return getattr(a.system.dynamics, "name", "")


def _verdict_message(a: Analysis, stability: Any) -> str:
    """What a verdict means under the analysis's dynamics: eigenvalues against zero in
    continuous time, multipliers against the unit circle for a map."""
    time = getattr(getattr(a.system, "dynamics", None), "time", None)
    if getattr(time, "value", None) == "discrete":
        return stability.map_message
    return stability.message


def _game_multilinear(game: Game) -> bool:
    """Whether every payoff is free of the shares (so expected payoffs are multilinear)."""
    shares = set(game.variables) | {s for p in game.populations for s in p.share_symbols}
    return all(
        not (sympy.sympify(e).free_symbols & shares) for row in game.payoffs.values() for e in row
    )


def _clean(f: float) -> float:
    """A float fit for JSON: finite, and without the sign of a negative zero."""
    if not math.isfinite(f):
        raise GameError(
            f"a value of the result ({f!r}) is beyond the range of a float and cannot be "
            "written as a JSON number; rescale the parameters"
        )
    return f + 0.0


def _to_complex(value: Any) -> complex:
    """The complex value of an exact number (a sympy number, int, float or complex); a value
    beyond the range of a float becomes an infinity."""
    try:
        if isinstance(value, (int, float, complex)):
            return complex(value)
        return complex(sympy.N(value, 17))
    except OverflowError:
        # Only sympy numbers reach here (plain Python numbers return above); never text.
        v = value if isinstance(value, sympy.Basic) else sympy.Float(str(value))
        re, im = v.as_real_imag()
        return complex(_signed_inf(re), _signed_inf(im))


def _signed_inf(v: Any) -> float:
    if v == 0:
        return 0.0
    try:
        return float(v)
    except OverflowError:
        return math.copysign(math.inf, 1 if v.is_positive else -1)


def _to_float(value: Any) -> float:
    """The float of an exact real number (its real part, for a value sympy evaluates with a
    vanishing imaginary residue such as a casus irreducibilis root)."""
    return _clean(_to_complex(value).real)


def _as_sympy(value: Any) -> sympy.Basic:
    """A value from a result object as a sympy object, without ever parsing text: results
    hold sympy expressions or Python numbers, and text must not reach sympy's parser."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
        raise TypeError(f"expected a number or a sympy expression, got {type(value).__name__}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Float(value)
    return sympy.Float(value.real) + sympy.I * sympy.Float(value.imag)


def _gaussian(value: Any) -> tuple[sympy.Rational, sympy.Rational] | None:
    """``(re, im)`` when ``value`` is an exact number with rational real and imaginary parts."""
    v = _as_sympy(value)
    if v.is_Rational:
        return v, sympy.Integer(0)
    if not v.is_number or v.has(sympy.Float):
        return None
    re, im = v.as_real_imag()
    if re.is_Rational and im.is_Rational:
        return re, im
    return None


def _is_float_exact(value: Any) -> bool:
    """Whether a float holds ``value`` exactly (so that an exact string would add nothing)."""
    g = _gaussian(value)
    if g is None:
        return False
    try:
        return all(sympy.Rational(float(part)) == part for part in g)
    except (OverflowError, ValueError, TypeError):
        return False


def _expr_text(expr: Any, *, compact: bool = True) -> str:
    """An expression in the model-file formula syntax, extended for eigenvalues: a complex
    value is written ``RE + IM*I`` (``I`` the imaginary unit, as sympy reads it), and anything
    else the formula syntax cannot express falls back to sympy's own text. ``compact=False``
    prints it as it is (a definition of the *where* block, compacted already)."""
    e = _as_sympy(expr)
    e = _compacted(e) if compact else e
    if not e.has(sympy.I):
        try:
            return format_expr(e)
        except FormulaError:
            return str(e)
    parts = sympy.collect(sympy.expand(e), sympy.I, evaluate=False)
    if not set(parts) <= {sympy.Integer(1), sympy.I}:
        return str(e)
    re = parts.get(sympy.Integer(1), sympy.Integer(0))
    im = parts.get(sympy.I, sympy.Integer(0))
    if im == 0:
        return _expr_text(re)
    sign = "+"
    if im.is_number and im.is_negative:
        sign, im = "-", -im
    im_text = _expr_text(im)
    if im == 1:
        im_part = "I"
    elif im.is_Atom or (im.is_Pow and im.exp.is_Rational) or im.is_Function:
        im_part = f"{im_text}*I"
    else:
        im_part = f"({im_text})*I"
    if re == 0:
        return im_part if sign == "+" else f"-{im_part}"
    return f"{_expr_text(re)} {sign} {im_part}"


def _decimal_text(r: Any) -> str:
    """A rational as a decimal when it ends within 12 places (``0.125``), else as a fraction
    (``1/3``), as model files and the formula syntax write numbers."""
    r = _as_sympy(r)
    if not r.is_Rational:
        return _expr_text(r)
    if r.is_Integer:
        return str(r)
    q = int(r.q)
    places = 0
    for prime in (2, 5):
        n = 0
        while q % prime == 0:
            q //= prime
            n += 1
        places = max(places, n)
    if q != 1 or places > 12:
        return str(r)
    with localcontext() as ctx:
        ctx.prec = 60
        return format(Decimal(int(r.p)) / Decimal(int(r.q)), "f")


def _round(f: float, digits: int = 4) -> str:
    """``digits`` significant digits, ``-0`` shown as ``0``."""
    text = f"{f:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def _complex_text(z: complex, digits: int = 4) -> str:
    """``-0.5``, ``2i``, ``-0.5+1.323i`` (four significant digits by default)."""
    re, im = z.real, z.imag
    # Display only: an imaginary (or real) part that vanishes at the printed precision is noise
    # of the floating-point evaluation; the verdicts never look at these numbers.
    scale = max(abs(re), abs(im))
    if math.isfinite(scale):
        if abs(im) <= 1e-12 * scale:
            im = 0.0
        if abs(re) <= 1e-12 * scale:
            re = 0.0
    if im == 0:
        return _round(re, digits)
    ims = "" if abs(im) == 1 else _round(abs(im), digits)
    if re == 0:
        return f"{'-' if im < 0 else ''}{ims}i"
    return f"{_round(re, digits)}{'-' if im < 0 else '+'}{ims}i"


def _gaussian_text(re: sympy.Rational, im: sympy.Rational) -> str:
    """Exact text of ``re + im*i``: ``-1/3``, ``0.75``, ``2i``, ``-0.5+(1/3)i``."""
    if im == 0:
        return _decimal_text(re)
    mag = _decimal_text(abs(im))
    ims = "" if mag == "1" else (f"({mag})" if "/" in mag else mag)
    if re == 0:
        return f"{'-' if im < 0 else ''}{ims}i"
    return f"{_decimal_text(re)}{'-' if im < 0 else '+'}{ims}i"


def _value_text(value: Any) -> str:
    """Exact text of a number or expression: Gaussian rationals written ``a+bi``, anything
    else in the model-file formula syntax."""
    g = _gaussian(value)
    if g is not None:
        return _gaussian_text(*g)
    if _inexact(value):
        return "~" + _complex_text(_to_complex(value), digits=10)
    return _expr_text(value)


def _inexact(value: Any) -> bool:
    """Whether a value is a number holding floating-point parts (a point found by a numeric
    search); a formula in the parameters with a float factor in it (a dynamics' rate given as
    0.001) is a formula, not a number."""
    if isinstance(value, float):
        return True
    e = _as_sympy(value)
    return e.has(sympy.Float) and not getattr(e, "free_symbols", set())


def _short_value(value: Any, numeric: complex | None) -> str:
    """A table cell: a short exact rational (or ``a+bi``) as it is, any other number rounded
    (``~0.4142``), an expression in the parameters as it is."""
    g = _gaussian(value)
    if g is not None:
        exact = _gaussian_text(*g)
        if len(exact) <= _SHORT:
            return exact
    elif not _as_sympy(value).is_number:
        return _expr_text(value)
    if numeric is None:
        try:
            numeric = _to_complex(value)
        except (TypeError, ValueError):
            return _value_text(value)
    return "~" + _complex_text(numeric)


def _pop_values(
    game: Game, values: Sequence[Sequence[Any]], fmt: Callable[[Any, Any], str], numeric=None
) -> list[tuple[str, str]]:
    """``[(share symbol, text)]`` for a state: the first share of a two-strategy population,
    every share of a larger one."""
    out = []
    for p, (pop, vals) in enumerate(zip(game.populations, values)):
        nums = numeric[p] if numeric is not None else [None] * len(vals)
        syms = pop.share_symbols
        count = 1 if pop.k == 2 else pop.k
        for s, v, n in zip(syms[:count], vals[:count], nums[:count]):
            out.append((s.name, fmt(v, n)))
    return out


def _state_text(game: Game, rp: RestPoint, *, short: bool) -> str:
    """``x = 2/3, y = 1`` (exact; with ``short``, long values rounded)."""

    def fmt(v: Any, n: Any) -> str:
        if not rp.exact and n is not None:
            # A point from a numeric search: its values are as good as its floats.
            g = _gaussian(v)
            if g is None or len(_gaussian_text(*g)) > _SHORT:
                return "~" + _round(float(n), 4 if short else 10)
        if short:
            return _short_value(v, complex(n) if n is not None else None)
        return _value_text(v)

    parts = _pop_values(game, rp.shares, fmt, rp.numeric_shares)
    return ", ".join(
        f"{name} ~ {t[1:]}" if t.startswith("~") else f"{name} = {t}" for name, t in parts
    )


def _eigen_values(rp: RestPoint) -> list[tuple[Any, complex | None]]:
    """Pairs ``(closed form or None, numeric value or None)``, one per eigenvalue.

    With numeric values (an analysis at parameter values) the pairs follow their order; each
    closed form is put beside the numeric value it evaluates to, so that the exact and the
    rounded lists agree entry by entry. An eigenvalue kept only numerically (a root of the
    characteristic polynomial with no closed form) has ``None`` as its closed form.
    """
    closed = list(rp.eigenvalues)
    if rp.numeric_eigenvalues is None:
        return [(c, None) for c in closed]
    nums = [complex(z) for z in rp.numeric_eigenvalues]
    if not closed or not rp.exact:
        return [(None, z) for z in nums]
    approx: list[complex | None] = []
    for c in closed:
        try:
            approx.append(_to_complex(c))
        except (TypeError, ValueError):
            approx.append(None)
    unused = set(range(len(closed)))
    pairs: list[tuple[Any, complex | None]] = []
    for z in nums:
        candidates = [j for j in unused if approx[j] is not None]
        best = min(candidates, key=lambda j: _distance(approx[j], z), default=None)
        # Pairing only: the closed form must evaluate to this very value, to 1e-9 relative.
        if best is not None and _distance(approx[best], z) <= 1e-9 * max(1.0, abs(z)):
            unused.discard(best)
            pairs.append((closed[best], z))
        else:
            pairs.append((None, z))
    pairs.extend((closed[j], approx[j]) for j in sorted(unused))
    return pairs


def _distance(a: complex, b: complex) -> float:
    """``|a - b|``, zero for equal infinities, infinite when undefined."""
    if a == b:
        return 0.0
    try:
        d = abs(a - b)
    except OverflowError:
        return math.inf
    return d if math.isfinite(d) else math.inf


def _missing_eigenvalues(rp: RestPoint) -> bool:
    """Whether some eigenvalues have neither a closed form nor a number, so that only the
    characteristic polynomial stands for them (a symbolic analysis of a large face)."""
    if rp.charpoly is None:
        return False
    known = len(rp.numeric_eigenvalues) if rp.numeric_eigenvalues is not None else 0
    return max(known, len(rp.eigenvalues)) < len(rp.coordinates)


def _eigen_text(rp: RestPoint, *, short: bool) -> str:
    """Eigenvalues for a table (``short``) or for the details (exact, then rounded)."""
    pairs = _eigen_values(rp)
    roots = f"roots of {_expr_text(_charpoly_of(rp))} = 0" if _missing_eigenvalues(rp) else ""
    if not pairs:
        return roots or "not computed"
    items = []
    if short:
        pairs, paired = _conjugate_pairs(pairs)
        items.extend(paired)
    for closed, num in pairs:
        if closed is None:
            digits = 4 if short else 10
            text = _complex_text(num, digits)
            items.append(text if _gaussian_exact(num, digits) else "~" + text)
        elif short:
            items.append(_short_value(closed, num))
        else:
            exact = _value_text(closed)
            if num is not None and not exact.startswith("~") and not _is_float_exact(closed):
                exact += f" (~{_complex_text(num)})"
            items.append(exact)
    if roots:
        items.append(f"and the other {roots}")
    return ", ".join(items)


def _conjugate_pairs(
    pairs: list[tuple[Any, complex | None]],
) -> tuple[list[tuple[Any, complex | None]], list[str]]:
    """Split off complex-conjugate pairs, written ``a±bi`` for a table; return the eigenvalues
    left and the texts of the pairs (in their order)."""
    left: list[tuple[Any, complex | None]] = []
    texts: list[str] = []
    i = 0
    while i < len(pairs):
        if i + 1 < len(pairs):
            text = _pm_text(pairs[i], pairs[i + 1])
            if text is not None:
                texts.append(text)
                i += 2
                continue
        left.append(pairs[i])
        i += 1
    return left, texts


def _pm_text(a: tuple[Any, complex | None], b: tuple[Any, complex | None]) -> str | None:
    """``-1/6±(1/2)i`` or ``~-0.1667±0.866i`` when ``a`` and ``b`` are complex conjugates."""
    za, zb = a[1], b[1]
    if za is None or zb is None or za.imag == 0:
        return None
    # Display only: the two numbers come from the same exact pair; 1e-12 absorbs evaluation noise.
    if abs(za.conjugate() - zb) > 1e-12 * max(1.0, abs(za)):
        return None
    ga = _gaussian(a[0]) if a[0] is not None else None
    if ga is not None and ga[1] != 0:
        re, im = ga[0], abs(ga[1])
        mag = _decimal_text(im)
        ims = "" if mag == "1" else (f"({mag})" if "/" in mag else mag)
        text = f"{_decimal_text(re) if re != 0 else ''}±{ims}i"
        if len(text) <= _SHORT:
            return text
    re_text = _round(za.real) if abs(za.real) > 1e-12 * abs(za.imag) else ""
    text = f"{re_text}±{_round(abs(za.imag))}i"
    exact = _gaussian_exact(za)
    return text if exact else "~" + text


def _verdict(stability: Stability | None) -> str:
    return stability.value if stability is not None else "undecided"


def _verdict_cell(rp: RestPoint) -> str:
    """The verdict, marked when a point is asymptotically stable although not ``stable``."""
    text = _verdict(rp.stability)
    if rp.asymptotically_stable and _verdict(rp.stability) != "stable":
        text += " (attracting)"
    return text


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _condition_words(cond: Any) -> str:
    """``always`` / ``never`` for decided conditions, else the formula."""
    if cond is None:
        return "-"
    if cond is sympy.true or cond is True:
        return "always"
    if cond is sympy.false or cond is False:
        return "never"
    return format_condition(_compacted_condition(cond))


def _sign(s: int | None) -> str:
    return {None: "?", 1: "+", -1: "-", 0: "0"}.get(s, "?")


def _mode_sentence(a: Analysis) -> str:
    dyn = getattr(a.system.dynamics, "name", "replicator")
    if a.symbolic:
        how = "symbolic analysis: the parameters are kept as symbols"
    elif not any(_point_inexact(rp) for rp in a.rest_points):
        how = "exact analysis at the parameter values below"
    else:
        how = "analysis at the parameter values below (some rest points found numerically)"
    return f"Dynamics: {dyn}; {how}."


def _point_inexact(rp: RestPoint) -> bool:
    """Whether a rest point comes from a numeric search (flagged, or holding floats)."""
    return not rp.exact or any(_inexact(v) for vals in rp.shares for v in vals)


def _continuum_coordinates(game: Game, c: Continuum) -> list[tuple[sympy.Symbol, Any]]:
    """Every free share along a continuum: those the parametrisation gives, and the others
    read off the face (zero off the support, one minus the rest for the last strategy in use)."""
    out = []
    for pop, sup in zip(game.populations, c.support):
        syms = pop.share_symbols
        shares: list[Any] = [sympy.Integer(0)] * pop.k
        for j in sup[:-1]:
            shares[j] = c.parametrisation.get(syms[j], syms[j])
        shares[sup[-1]] = sympy.Integer(1) - sympy.Add(*[shares[j] for j in sup[:-1]])
        for i, v in enumerate(pop.variables):
            out.append((v, c.parametrisation.get(v, shares[i])))
    return out


def _continuum_points(game: Game, c: Continuum) -> str:
    """``x = t, y = 0, 0 < t < 1``."""
    parts = [f"{s} = {_expr_text(e)}" for s, e in _continuum_coordinates(game, c)]
    if c.ranges:
        parts.append(c.ranges)
    return ", ".join(parts)


def _title_line(game: Game) -> str:
    title = game.title if game.title and game.title != game.name else ""
    head = f"{title} ({game.name})" if title else game.name
    if game.scenario_name:
        head += f", scenario {game.scenario_name}"
    return head


def _parameter_value(game: Game, p: Parameter) -> str:
    value = game.values.get(p.name, p.value)
    text = _decimal_text(value)
    if value != p.value:
        text += f" (default {_decimal_text(p.value)})"
    return text


def _payoff_layout(game: Game) -> list[tuple[str, list[str], list[str], list[list[tuple]]]]:
    """The payoff table as sub-tables ``(heading, row names, column names, cells)``; each cell
    is the tuple of payoff expressions of one profile.

    Symmetric game: one matrix (focal rows, opponent columns, one payoff per cell). Two or
    more populations: rows are the first population's strategies and columns the second's,
    one sub-table per profile of the remaining populations. One non-symmetric population: one
    column.
    """
    pops = game.populations
    if game.is_symmetric:
        s = list(pops[0].strategies)
        cells = [[game.payoffs[(i, j)] for j in range(len(s))] for i in range(len(s))]
        return [("", s, s, cells)]
    if len(pops) == 1:
        s = list(pops[0].strategies)
        return [("", s, ["payoff"], [[game.payoffs[(i,)]] for i in range(len(s))])]
    rows, cols = list(pops[0].strategies), list(pops[1].strategies)
    rest = pops[2:]
    out = []
    for tail in itertools.product(*(range(p.k) for p in rest)):
        heading = ", ".join(f"{p.name} plays {p.strategies[i]}" for p, i in zip(rest, tail))
        cells = [[game.payoffs[(i, j, *tail)] for j in range(len(cols))] for i in range(len(rows))]
        out.append((heading, rows, cols, cells))
    return out


def _latex_names(game: Game) -> dict[sympy.Symbol, str]:
    return {p.symbol: p.latex for p in game.parameters if p.latex}


def _is_replicator(a: Analysis) -> bool:
    return getattr(a.system.dynamics, "name", "") == "replicator"


def _expr_cell(value: Any, symbolic: bool) -> str:
    if symbolic:
        return _expr_text(value)
    return _short_value(value, None)


def _share_sentence(pop: Population) -> str:
    if pop.k == 2:
        return f"share {pop.share_symbols[0].name} of {pop.strategies[0]}"
    names = ", ".join(s.name for s in pop.share_symbols)
    return f"shares {names} (the last is one minus the others)"


def _payoff_caption(game: Game) -> str:
    pops = game.populations
    if game.is_symmetric:
        return (
            "Rows: the focal player's strategy; columns: the opponent's; "
            "entries: the focal player's payoff."
        )
    if len(pops) == 1:
        return "The payoff of each strategy."
    who = " , ".join(p.name for p in pops)
    return (
        f"Rows: {pops[0].name}'s strategy; columns: {pops[1].name}'s; "
        f"each cell lists the payoffs ({who})."
    )


def _payoff_heading(game: Game) -> str:
    if game.is_symmetric:
        return "Payoffs (focal player's strategy in rows, opponent's in columns)"
    if len(game.populations) == 1:
        return "Payoffs"
    return "Payoffs (" + " , ".join(p.name for p in game.populations) + ")"


def _gaussian_exact(z: complex | None, digits: int = 4) -> bool:
    """Whether a float prints exactly at ``digits`` significant digits (``-2``, ``0.5i``)."""
    if z is None:
        return False
    return all(
        float(_round(part, digits)) == part for part in (z.real, z.imag) if math.isfinite(part)
    )


_MD_SPECIAL = "\\`*_[]<>"


def _md_text(text: str, *, keep: str = "") -> str:
    """Prose made literal for Markdown: emphasis, code, link and HTML characters escaped
    (except those in ``keep``, e.g. ``_`` in references whose URLs hold underscores)."""
    text = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL and ch not in keep else ch for ch in text)


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_code(text: str) -> str:
    text = " ".join(str(text).split())
    return f"`{text}`" if text else ""


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_md_cell(h) for h in headers) + " |"]
    out.append("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        cells = [_md_cell(c) for c in row]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _md_equations(system: Any) -> list[str]:
    # A map in discrete time gives the increment of each share per step, x' - x = F(x).
    time = getattr(system.dynamics, "time", None)
    discrete = time is not None and time.value == "discrete"
    body = [
        f"{v.name}' - {v.name} = {_expr_text(f)}" if discrete else f"d{v.name}/dt = {_expr_text(f)}"
        for v, f in zip(system.variables, system.field)
    ]
    return ["```text", *body, "```"]


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "–": "--",
    "—": "---",
    "−": "-",
    "∞": r"$\infty$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "×": r"$\times$",
    "·": r"$\cdot$",
    "±": r"$\pm$",
    "’": "'",
    "‘": "`",
    "“": "``",
    "”": "''",
}


def _tex_text(text: str) -> str:
    """Plain text made safe for LaTeX (specials escaped, a few Unicode signs translated)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in " ".join(str(text).split()))


def _tex(expr: Any, names: Mapping[sympy.Symbol, str], *, compact: bool = True) -> str:
    e = _as_sympy(expr)
    if compact:
        e = _compacted_condition(e) if isinstance(e, (Boolean, Relational)) else _compacted(e)
    return _breakable(sympy.latex(e, symbol_names=dict(names)))


# TeX breaks an inline formula only after a binary operator or relation outside any group, and
# \left( ... \right) is a group: a long formula in parentheses could not break and ran off the
# page. Plain parentheses are not groups (and in running text their size does not matter).
_LONG_TEX = 80


def _breakable(tex: str) -> str:
    r"""``tex`` with ``\left(``/``\right)`` turned into plain parentheses when it is long.

    Examples
    --------
    >>> _breakable(r"a \left(b + c\right)")
    'a \\left(b + c\\right)'
    >>> _breakable(r"x \left(" + "a + " * 30 + r"b\right)").count("\\left")
    0
    """
    if len(tex) <= _LONG_TEX:
        return tex
    return tex.replace(r"\left(", "(").replace(r"\right)", ")")


def _tex_math(expr: Any, names: Mapping[sympy.Symbol, str]) -> str:
    return f"${_tex(expr, names)}$"


def _tex_condition(cond: Any, names: Mapping[sympy.Symbol, str]) -> str:
    if cond is None:
        return "--"
    if cond is sympy.true or cond is True:
        return "always"
    if cond is sympy.false or cond is False:
        return "never"
    return _tex_math(cond, names)


def _undecided_condition(cond: Any) -> bool:
    """Whether a condition is a formula rather than a decided ``true`` / ``false``."""
    return cond is not None and cond not in (sympy.true, sympy.false, True, False)


def _tex_number(value: Any, names: Mapping[sympy.Symbol, str]) -> str:
    """A parameter value: decimal when it terminates, else a fraction."""
    v = _as_sympy(value)
    if v.is_Rational:
        text = _decimal_text(v)
        if "/" not in text:
            return f"${text}$"
    return _tex_math(v, names)


def _tex_bounds(p: Parameter) -> str:
    lo = r"(-\infty" if p.min is None else f"[{_decimal_text(p.min)}"
    hi = r"\infty)" if p.max is None else f"{_decimal_text(p.max)}]"
    return f"${lo}, {hi}$"


def _tex_complex(z: complex) -> str:
    return _complex_text(z).replace("i", r"\,i").replace("inf", r"\infty")


def _tex_label(name: str, what: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in name)
    return f"tab:{safe}-{what}"


def _tex_table(
    spec: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str,
    label: str,
    pre_header: Sequence[str] = (),
    fit: bool = False,
) -> list[str]:
    """A booktabs table; with ``fit``, shrunk to the line width when wider (the report's
    ``\\fitwidth`` macro)."""
    out = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{caption}}}",
        rf"\label{{{label}}}",
        (r"\fitwidth{" if fit else "") + rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        *pre_header,
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    out += [" & ".join(row) + r" \\" for row in rows]
    out += [r"\bottomrule", r"\end{tabular}" + ("}" if fit else ""), r"\end{table}"]
    return out


def _tex_state(game: Game, rp: RestPoint, names: Mapping[sympy.Symbol, str]) -> str:
    parts = []
    for p, (pop, vals) in enumerate(zip(game.populations, rp.shares)):
        count = 1 if pop.k == 2 else pop.k
        nums = rp.numeric_shares[p] if rp.numeric_shares is not None else [None] * pop.k
        for s, v, n in zip(pop.share_symbols[:count], vals[:count], nums[:count]):
            sym = _tex(s, names)
            if n is not None and (_inexact(v) or (not rp.exact and _gaussian(v) is None)):
                parts.append(rf"{sym} \approx {_round(float(n))}")
            else:
                parts.append(f"{sym} = {_tex(v, names)}")
    return "$" + r",\ ".join(parts) + "$"


def _tex_eigen(rp: RestPoint, names: Mapping[sympy.Symbol, str], symbolic: bool) -> str:
    pairs = _eigen_values(rp)
    roots = rf"roots of ${_tex(_charpoly_of(rp), names)} = 0$" if _missing_eigenvalues(rp) else ""
    if not pairs:
        return roots or "--"
    items = []
    for closed, num in pairs:
        if closed is None:
            items.append(
                _tex_complex(num) if _gaussian_exact(num) else r"\approx " + _tex_complex(num)
            )
            continue
        tex = _tex(closed, names)
        if not symbolic and num is not None and (len(tex) > 40 or _inexact(closed)):
            tex = r"\approx " + _tex_complex(num)
        items.append(tex)
    listed = "$" + r",\ ".join(items) + "$"
    return f"{listed} and the other {roots}" if roots else listed


# =====================================================================================
# the stability table of the applied journals
# =====================================================================================
_MINUS = "−"


@dataclass(frozen=True)
class _JournalRow:
    """One row of the journals' stability table: a pure profile ``E{number}``."""

    number: int
    label: str
    state: tuple[Any, ...]
    eigenvalues: tuple[Any, ...]
    signs: tuple[str, ...]
    verdict: str
    condition: Any


def _journal_rows(a: Analysis) -> list[_JournalRow]:
    """The pure profiles in the order of the analysis, numbered E1, E2, ..., with their
    eigenvalues (closed forms, or numbers), the sign of each, the verdict and the condition for
    asymptotic stability."""
    game = a.game
    bounds = _sign_assumptions(game)
    rows = []
    for rp in a.rest_points:
        if not rp.is_pure:
            continue
        state = []
        for pop, vals in zip(game.populations, rp.shares):
            state.extend(vals[:1] if pop.k == 2 else vals)
        eigs: list[Any] = list(rp.eigenvalues)
        if not eigs and rp.numeric_eigenvalues is not None:
            eigs = [complex(z) for z in rp.numeric_eigenvalues]
        signs = tuple(_sign_of(e, bounds) for e in eigs)
        rows.append(
            _JournalRow(
                len(rows) + 1,
                rp.label,
                tuple(state),
                tuple(eigs),
                signs,
                _journal_verdict(rp, signs),
                rp.stable_if,
            )
        )
    return rows


def _sign_assumptions(game: Game) -> dict[sympy.Symbol, sympy.Symbol]:
    """Parameters replaced by symbols that carry their bounds' signs (for sign decisions)."""
    out = {}
    for p in game.parameters:
        if p.min is not None and p.min > 0:
            out[p.symbol] = sympy.Dummy(p.name, positive=True)
        elif p.min is not None and p.min >= 0:
            out[p.symbol] = sympy.Dummy(p.name, nonnegative=True)
        elif p.max is not None and p.max < 0:
            out[p.symbol] = sympy.Dummy(p.name, negative=True)
        elif p.max is not None and p.max <= 0:
            out[p.symbol] = sympy.Dummy(p.name, nonpositive=True)
    return out


def _sign_of(e: Any, bounds: Mapping[sympy.Symbol, sympy.Symbol]) -> str:
    """``−``, ``+``, ``0``, ``±i`` (purely imaginary) or ``depends``: the sign of an
    eigenvalue's real part, decided exactly from the parameters' bounds where they decide it."""
    if isinstance(e, complex):
        re = e.real
        return "0" if re == 0 else ("+" if re > 0 else _MINUS)
    v = _as_sympy(e)
    if v.is_number:
        re = sympy.re(v)
        if re.is_zero:
            return "0"
        if re.is_positive:
            return "+"
        if re.is_negative:
            return _MINUS
        return "depends"
    w = v.xreplace(bounds)
    if w.is_zero:
        return "0"
    if w.is_positive:
        return "+"
    if w.is_negative:
        return _MINUS
    if w.is_nonnegative:
        return "+ or 0"
    if w.is_nonpositive:
        return f"{_MINUS} or 0"
    return "depends"


def _journal_verdict(rp: RestPoint, signs: Sequence[str]) -> str:
    if rp.stability is not None:
        text = rp.stability.value
        if rp.asymptotically_stable and text == "stable" and rp.ess:
            text = "stable (ESS)"
        return text
    if "+" in signs and _MINUS in signs:
        return "saddle"
    if "+" in signs:
        return "unstable"
    if rp.stable_if is sympy.false or rp.stable_if is False:
        return "not asymptotically stable"
    return "stable if the condition holds"


def _journal_notes(a: Analysis, rows: Sequence[_JournalRow]) -> list[str]:
    """The short notes under the journals' table: the theorem on mixed points, centres,
    non-hyperbolic points, and points no linearisation decides."""
    number = {r.label: f"E{r.number}" for r in rows}
    notes = []
    theorem = _multilinear_note(_Lazy(a.game), a)
    mixed = [rp.label for rp in a.rest_points if not rp.is_pure]
    if theorem and mixed:
        notes.append(
            theorem + " This covers " + ", ".join(mixed) + "."
            if len(mixed) <= 4
            else theorem + f" This covers the {len(mixed)} rest points with a mixed population."
        )
    centres = [rp.label for rp in a.rest_points if _verdict(rp.stability) == "centre"]
    if centres:
        notes.append(
            "Centres (stable, not asymptotically stable; closed orbits around them): "
            + "; ".join(number.get(c, c) for c in centres)
            + "."
        )
    nonhyp = [rp for rp in a.rest_points if _verdict(rp.stability) == "non-hyperbolic"]
    if nonhyp:
        decided = [number.get(r.label, r.label) for r in nonhyp if r.asymptotically_stable]
        open_ = [number.get(r.label, r.label) for r in nonhyp if not r.asymptotically_stable]
        if open_:
            notes.append(
                "Non-hyperbolic (an eigenvalue with zero real part, none positive): "
                + "; ".join(open_)
                + ". No linearisation decides their stability; a zero eigenvalue is not "
                "stability."
            )
        if decided:
            notes.append(
                "Non-hyperbolic but proven asymptotically stable by other means: "
                + "; ".join(decided)
                + "."
            )
    depends = [f"E{r.number}" for r in rows if "depends" in r.signs]
    if depends:
        notes.append(
            "“depends”: the sign changes with the parameters; the last column gives the exact "
            "condition for asymptotic stability (" + ", ".join(depends) + ")."
        )
    if not a.complete:
        notes.append(
            "Not every face could be solved exactly: the list of rest points may be incomplete."
        )
    return notes


def _journal_value(e: Any) -> str:
    """An eigenvalue or share for the journals' table: short exact numbers as they are, other
    numbers rounded, formulas compact."""
    if isinstance(e, complex):
        return _complex_text(e)
    v = _as_sympy(e)
    if v.is_number:
        return _short_value(v, None)
    return _expr_text(v)


def _journal_state_header(game: Game) -> str:
    names = []
    for pop in game.populations:
        names.extend(s.name for s in (pop.share_symbols[:1] if pop.k == 2 else pop.share_symbols))
    return "(" + ", ".join(names) + ")"

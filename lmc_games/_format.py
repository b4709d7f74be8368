"""Text, Markdown, LaTeX and JSON renderings of games and of analyses.

Everything here turns result objects into text and computes nothing new. Exact values are
printed exactly where that is short and readable, and rounded otherwise; the floats in JSON and
in tables are for reading only — every verdict was decided by the analysis, in exact arithmetic.

The JSON object of :func:`analysis_to_dict` is a contract (DESIGN section 4, ``lmc-games analyze
--format json``): keys may be added, never removed or changed.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import sympy

from ._errors import FormulaError, GameError
from ._formula import format_condition, format_expr
from ._results import Analysis, Continuum, DetTraceRow, RestPoint, Stability

if TYPE_CHECKING:
    from ._game import Game, Population
    from ._params import Parameter

__all__ = [
    "analysis_to_dict",
    "analysis_to_text",
    "analysis_to_markdown",
    "analysis_to_latex",
    "game_to_dict",
    "game_to_text",
    "game_to_markdown",
    "game_to_latex",
]

WIDTH = 100
"""Width the text reports are laid out for."""

INERT_SENTENCE = (
    "cannot affect the dynamics (every payoff advantage is free of it); it matters for welfare only"
)

# Cells longer than this in the rest-point tables are shown rounded, or moved to the details.
_SHORT = 14


# =====================================================================================
# numbers
# =====================================================================================
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


def _expr_text(expr: Any) -> str:
    """An expression in the model-file formula syntax, extended for eigenvalues: a complex
    value is written ``RE + IM*I`` (``I`` the imaginary unit, as sympy reads it), and anything
    else the formula syntax cannot express falls back to sympy's own text."""
    e = _as_sympy(expr)
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
    """Whether a value holds floating-point numbers (a point found by a numeric search)."""
    return isinstance(value, float) or _as_sympy(value).has(sympy.Float)


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


# =====================================================================================
# pieces shared by the renderers
# =====================================================================================
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
    roots = f"roots of {_expr_text(rp.charpoly)} = 0" if _missing_eigenvalues(rp) else ""
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
    if rp.asymptotically_stable and rp.stability is not Stability.STABLE:
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
    return format_condition(cond)


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


# =====================================================================================
# JSON
# =====================================================================================
def analysis_to_dict(a: Analysis) -> dict[str, Any]:
    """The JSON object of ``lmc-games analyze --format json`` (DESIGN section 4).

    Every number is a Python float; exact forms that a float cannot hold go in the extra
    string fields ``state_exact``, ``eigenvalues_exact`` and ``parameters_exact``. In a
    symbolic analysis ``parameters`` maps every name to ``None`` and shares, eigenvalues and
    conditions are strings.

    Parameters
    ----------
    a : Analysis

    Returns
    -------
    dict
        Keys ``model``, ``parameters``, ``populations``, ``inert_parameters``, ``rest_points``,
        ``continua``, and the extras ``symbolic``, ``complete``, ``notes``, ``det_trace``
        and (when a scenario was applied) ``scenario``. Pass it to ``json.dumps`` with
        ``allow_nan=False``.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> d = analysis_to_dict(analyze(mp))
    >>> interior = d["rest_points"][-1]
    >>> interior["label"], interior["stability"], interior["eigenvalues"]
    ('r1+r2, c1+c2', 'centre', [[0.0, -1.0], [0.0, 1.0]])
    >>> interior["state"]["row"]
    {'r1': 0.5, 'r2': 0.5}
    """
    game = a.game
    out: dict[str, Any] = {"model": game.name}
    if game.scenario_name:
        out["scenario"] = game.scenario_name
    if a.symbolic or a.values is None:
        out["parameters"] = {p.name: None for p in game.parameters}
    else:
        values = {p.name: a.values.get(p.name, game.values.get(p.name)) for p in game.parameters}
        out["parameters"] = {k: _to_float(v) for k, v in values.items()}
        if not all(_is_float_exact(v) for v in values.values()):
            out["parameters_exact"] = {k: _expr_text(v) for k, v in values.items()}
    out["populations"] = [
        {"name": p.name, "strategies": list(p.strategies), "share": p.share_names()}
        for p in game.populations
    ]
    out["inert_parameters"] = list(a.inert_parameters)
    out["rest_points"] = [_rest_point_dict(a, rp) for rp in a.rest_points]
    out["continua"] = [_continuum_dict(a, c) for c in a.continua]
    out["symbolic"] = bool(a.symbolic)
    out["complete"] = bool(a.complete)
    out["notes"] = list(a.notes)
    if a.det_trace:
        out["det_trace"] = [_det_trace_dict(a, row) for row in a.det_trace]
    return out


def _state_dict(game: Game, values: Sequence[Sequence[Any]], conv: Callable) -> dict:
    return {
        pop.name: {s: conv(v) for s, v in zip(pop.strategies, vals)}
        for pop, vals in zip(game.populations, values)
    }


def _rest_point_dict(a: Analysis, rp: RestPoint) -> dict[str, Any]:
    game = a.game
    d: dict[str, Any] = {"label": rp.label}
    if a.symbolic:
        d["state"] = _state_dict(game, rp.shares, _expr_text)
        d["eigenvalues"] = [_expr_text(e) for e in rp.eigenvalues]
        if _missing_eigenvalues(rp):
            d["eigenvalues"].append({"charpoly": _expr_text(rp.charpoly)})
    else:
        if rp.numeric_shares is not None:
            d["state"] = _state_dict(game, rp.numeric_shares, _clean)
        else:
            d["state"] = _state_dict(game, rp.shares, _to_float)
        if rp.exact and not all(
            _is_float_exact(v) or _inexact(v) for vals in rp.shares for v in vals
        ):
            d["state_exact"] = _state_dict(game, rp.shares, _exact_string)
        pairs = [(c, z if z is not None else _to_complex(c)) for c, z in _eigen_values(rp)]
        d["eigenvalues"] = [[_clean(z.real), _clean(z.imag)] for _, z in pairs]
        if any(c is not None and not _is_float_exact(c) and not _inexact(c) for c, _ in pairs):
            d["eigenvalues_exact"] = [_exact_string(c) for c, _ in pairs]
        if rp.exact and any(c is None for c, _ in pairs) and rp.charpoly is not None:
            d["charpoly"] = _expr_text(rp.charpoly)
    d["exact"] = bool(rp.exact)
    d["stability"] = rp.stability.value if rp.stability is not None else None
    d["asymptotically_stable"] = bool(rp.asymptotically_stable)
    d["nash"] = rp.nash
    d["strict_nash"] = rp.strict_nash
    d["ess"] = rp.ess
    d["exists_if"] = format_condition(rp.exists_if)
    d["stable_if"] = format_condition(rp.stable_if)
    d["reason"] = rp.reason
    if rp.notes:
        d["notes"] = list(rp.notes)
    return d


def _exact_string(value: Any) -> str | None:
    """The exact form of a value for the ``*_exact`` fields; ``None`` where there is none (no
    closed form, or a floating-point value from a numeric search)."""
    if value is None or _inexact(value):
        return None
    return _expr_text(value)


def _continuum_dict(a: Analysis, c: Continuum) -> dict[str, Any]:
    d: dict[str, Any] = {
        "face": c.face,
        "dimension": int(c.dimension),
        "points": _continuum_points(a.game, c),
        "stability": c.stability.value if c.stability is not None else None,
        "description": c.description,
        "exists_if": format_condition(c.exists_if),
    }
    if not a.symbolic and c.numeric_eigenvalues is not None:
        d["sample_eigenvalues"] = [
            [_clean(complex(z).real), _clean(complex(z).imag)] for z in c.numeric_eigenvalues
        ]
    return d


def _det_trace_dict(a: Analysis, row: DetTraceRow) -> dict[str, Any]:
    if a.symbolic:
        det: Any = _expr_text(row.det)
        trace: Any = _expr_text(row.trace)
    else:
        det, trace = _to_float(row.det), _to_float(row.trace)
    return {
        "label": row.label,
        "det": det,
        "trace": trace,
        "verdict": row.verdict.value if row.verdict is not None else None,
        "note": row.note,
    }


def game_to_dict(game: Game) -> dict[str, Any]:
    """The JSON object of ``lmc-games show --format json``: the model as loaded.

    Formulas are strings in the model-file syntax; ``parameters`` gives each parameter's
    current value as a number (``value_exact`` beside it when a float cannot hold it), and
    ``payoff_values`` the payoffs at those values (``None`` where a payoff depends on the
    shares).

    Examples
    --------
    >>> from lmc_games import Game
    >>> g = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                    parameters={"V": 2, "C": 3}, name="hawk_dove")
    >>> d = game_to_dict(g)
    >>> d["payoff_values"]
    {'hawk, hawk': -0.5, 'hawk, dove': 2.0, 'dove, hawk': 0.0, 'dove, dove': 1.0}
    >>> d["parameters"]["C"]["value"], d["variables"]
    (3.0, ['x'])
    """
    from ._system import System

    subs = game.value_substitution()
    params: dict[str, Any] = {}
    for p in game.parameters:
        value = game.values.get(p.name, p.value)
        entry: dict[str, Any] = {
            "value": _to_float(value),
            "default": _to_float(p.value),
            "description": p.description,
            "min": None if p.min is None else _to_float(p.min),
            "max": None if p.max is None else _to_float(p.max),
            "latex": p.latex_name,
        }
        if not _is_float_exact(value):
            entry["value_exact"] = _expr_text(value)
        params[p.name] = entry

    def profile_key(profile: tuple[int, ...]) -> str:
        if game.is_symmetric:
            s = game.populations[0].strategies
            return ", ".join(s[i] for i in profile)
        return game.profile_label(profile)

    def number_or_none(e: sympy.Expr) -> float | None:
        v = _as_sympy(e).xreplace(subs)
        if not v.is_number:
            return None
        try:
            return _to_float(v)
        except (TypeError, ValueError):
            return None

    payoffs: dict[str, Any] = {}
    payoff_values: dict[str, Any] = {}
    for profile, row in game.payoffs.items():
        key = profile_key(profile)
        if game.is_symmetric:
            payoffs[key] = _expr_text(row[0])
            payoff_values[key] = number_or_none(row[0])
        else:
            payoffs[key] = [_expr_text(e) for e in row]
            payoff_values[key] = [number_or_none(e) for e in row]
    system = System.of(game)
    out: dict[str, Any] = {
        "model": game.name,
        "title": game.title,
        "description": game.description,
        "references": list(game.references),
        "symmetric": bool(game.is_symmetric),
        "populations": [
            {
                "name": p.name,
                "label": p.label,
                "strategies": list(p.strategies),
                "share": p.share_names(),
            }
            for p in game.populations
        ],
        "parameters": params,
        "definitions": {k: _expr_text(v) for k, v in game.definitions.items()},
        "payoffs": payoffs,
        "payoff_values": payoff_values,
        "scenarios": {
            name: {k: _to_float(v) for k, v in values.items()}
            for name, values in game.scenarios.items()
        },
        "variables": [v.name for v in system.variables],
        "equations": [
            f"d{v.name}/dt = {_expr_text(f)}" for v, f in zip(system.variables, system.field)
        ],
    }
    if game.scenario_name:
        out["scenario"] = game.scenario_name
    return out


# =====================================================================================
# plain text
# =====================================================================================
def _text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    indent: int = 2,
    *,
    wrap_last: bool = False,
) -> list[str]:
    """Left-aligned columns separated by two spaces, a rule under the header.

    A table wider than :data:`WIDTH` wraps its last column when ``wrap_last`` (free text such
    as a parameter's meaning) and at least 30 columns are left for it; otherwise it is written
    as one record per row: the first cell on a line of its own, the others as
    ``header: value`` pairs, wrapped.
    """
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    pad = " " * indent
    total = indent + sum(widths) + 2 * (len(widths) - 1)
    if total > WIDTH and wrap_last and WIDTH - (total - widths[-1]) >= 30:
        room = WIDTH - (total - widths[-1])
        head = widths[:-1]
        out = [
            (pad + "  ".join(h.ljust(w) for h, w in zip(headers, [*head, 0]))).rstrip(),
            pad + "  ".join("-" * w for w in [*head, room]),
        ]
        for row in rows:
            parts = textwrap.wrap(row[-1], room, break_long_words=False) or [""]
            first = pad + "  ".join(c.ljust(w) for c, w in zip(row[:-1], head))
            out.append((first + "  " + parts[0]).rstrip())
            blank = " " * (len(first) + 2)
            out.extend(blank + more for more in parts[1:])
        return out
    if total > WIDTH:
        out = []
        for row in rows:
            out.append(pad + row[0])
            # A no-break space keeps each header with the start of its value when wrapping.
            pairs = "; ".join(f"{h}:\xa0{c}" for h, c in zip(headers[1:], row[1:]) if c)
            out += [w.replace("\xa0", " ") for w in _wrap(pairs, pad + "    ", pad + "      ")]
        return out

    def line(cells: Sequence[str]) -> str:
        return (pad + "  ".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip()

    out = [line(headers), pad + "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return out


def _wrap(text: str, indent: str = "  ", subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _text_parameters(a: Analysis) -> list[str]:
    game = a.game
    if not game.parameters:
        return ["Parameters: none"]
    if a.symbolic or a.values is None:
        rows = [[p.name, p.bounds_text(), p.description] for p in game.parameters]
        table = _text_table(["symbol", "range", "meaning"], rows, wrap_last=True)
        return ["Parameters (kept as symbols)", *table]
    rows = []
    for p in game.parameters:
        value = a.values.get(p.name, game.values.get(p.name, p.value))
        text = _decimal_text(value)
        if value != p.value:
            text += f" (default {_decimal_text(p.value)})"
        rows.append([p.name, text, p.description])
    return ["Parameters", *_text_table(["symbol", "value", "meaning"], rows, wrap_last=True)]


def _text_inert(a: Analysis) -> list[str]:
    if not a.inert_parameters:
        return []
    out = ["Inert parameters"]
    for name in a.inert_parameters:
        out.extend(_wrap(f"{name} {INERT_SENTENCE}.", "  ", "    "))
    return out


def _text_equations(system: Any) -> list[str]:
    out = []
    for v, f in zip(system.variables, system.field):
        out.extend(_wrap(f"d{v.name}/dt = {_expr_text(f)}", "  ", "      "))
    return out


def analysis_to_text(a: Analysis) -> str:
    r"""A terminal report of an analysis, laid out for 100 columns.

    It gives the model, the parameter values, the inert parameters, the replicator
    equations, a table of rest points (state, rounded eigenvalues, verdict, Nash, strict Nash
    and ESS flags), then for each rest point the exact values, the reason for its verdict and
    the conditions under which it exists and is stable, the continua of rest points, the
    det/trace table of a two-dimensional system and the analysis notes.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> report = analysis_to_text(analyze(mp))
    >>> print(report.split("Rest points")[1].split("\n\n")[0])  # doctest: +NORMALIZE_WHITESPACE
    rest point    state             eigenvalues  verdict  Nash  strict  ESS
    ------------  ----------------  -----------  -------  ----  ------  ---
    r1, c1        x = 1, y = 1      -2, 2        saddle   no    no      no
    r1, c2        x = 1, y = 0      -2, 2        saddle   no    no      no
    r2, c1        x = 0, y = 1      -2, 2        saddle   no    no      no
    r2, c2        x = 0, y = 0      -2, 2        saddle   no    no      no
    r1+r2, c1+c2  x = 0.5, y = 0.5  ±i           centre   yes   no      no
    strict = strict Nash; - = undecided or not applicable; ~ = rounded
    """
    game = a.game
    lines: list[str] = [f"Analysis of {_title_line(game)}", *_wrap(_mode_sentence(a), "")]
    lines += ["", *_text_parameters(a)]
    inert = _text_inert(a)
    if inert:
        lines += ["", *inert]
    lines += ["", "Replicator equations" if _is_replicator(a) else "Equations"]
    lines += _text_equations(a.system)

    lines += ["", "Rest points"]
    if a.rest_points:
        rows = []
        for rp in a.rest_points:
            state = _state_text(game, rp, short=True)
            eig = _eigen_text(rp, short=True)
            if a.symbolic and len(state) > 3 * _SHORT:
                state = "(see below)"
            if a.symbolic and len(eig) > 3 * _SHORT:
                eig = "(see below)"
            rows.append(
                [
                    rp.label,
                    state,
                    eig,
                    _verdict_cell(rp),
                    _flag(rp.nash),
                    _flag(rp.strict_nash),
                    _flag(rp.ess),
                ]
            )
        headers = ["rest point", "state", "eigenvalues", "verdict", "Nash", "strict", "ESS"]
        lines += _text_table(headers, rows)
        lines.append("  strict = strict Nash; - = undecided or not applicable; ~ = rounded")
    else:
        lines.append("  none found")
    if not a.complete:
        lines += _wrap(
            "The list may be incomplete: not every face could be solved exactly (see notes).",
            "  ",
        )

    for rp in a.rest_points:
        lines += ["", f"{rp.label}"]
        lines += _wrap(f"state: {_state_text(game, rp, short=False)}", "  ", "    ")
        lines += _wrap(f"eigenvalues: {_eigen_text(rp, short=False)}", "  ", "    ")
        if rp.stability is not None:
            verdict = f"verdict: {rp.stability.value} - {rp.stability.message}"
        elif rp.stable_if is sympy.false:
            verdict = "verdict: depends on the parameters; never asymptotically stable"
        else:
            verdict = (
                "verdict: depends on the parameters; asymptotically stable exactly when "
                "'stable if' holds"
            )
        lines += _wrap(verdict, "  ", "    ")
        if rp.stability is Stability.NON_HYPERBOLIC and rp.asymptotically_stable:
            lines += _wrap("asymptotically stable all the same (see why)", "  ", "    ")
        if rp.reason:
            lines += _wrap(f"why: {rp.reason}", "  ", "    ")
        lines += _wrap(
            f"exists if: {_condition_words(rp.exists_if)}; "
            f"stable if: {_condition_words(rp.stable_if)}",
            "  ",
            "    ",
        )
        if rp.nash_if is not None and a.symbolic:
            lines += _wrap(f"Nash if: {_condition_words(rp.nash_if)}", "  ", "    ")
        for note in rp.notes:
            lines += _wrap(f"note: {note}", "  ", "    ")

    if a.continua:
        lines += ["", "Continua of rest points"]
        for c in a.continua:
            lines += _wrap(
                f"{c.face} (dimension {c.dimension}): {_continuum_points(a.game, c)}", "  ", "    "
            )
            lines += _wrap(f"verdict at a generic point: {_verdict(c.stability)}", "    ")
            if c.exists_if is not sympy.true:
                lines += _wrap(f"exists if: {_condition_words(c.exists_if)}", "    ")
            if c.description:
                lines += _wrap(c.description, "    ")

    if a.det_trace:
        lines += ["", "Det/trace table (two-dimensional system)"]
        rows = [
            [
                r.label,
                _expr_cell(r.det, a.symbolic),
                _expr_cell(r.trace, a.symbolic),
                f"{_sign(r.det_sign)} / {_sign(r.trace_sign)}",
                _verdict(r.verdict),
            ]
            for r in a.det_trace
        ]
        lines += _text_table(["rest point", "det", "trace", "signs", "det/trace verdict"], rows)
        notes = [r.note for r in a.det_trace]
        if len(a.det_trace) > 1 and all(n == notes[0] for n in notes):
            lines += _wrap(f"every row: {notes[0]}", "  ", "    ") if notes[0] else []
        else:
            for r in a.det_trace:
                if r.note:
                    lines += _wrap(f"{r.label}: {r.note}", "  ", "    ")

    if a.notes:
        lines += ["", "Notes"]
        for note in a.notes:
            lines += _wrap(note, "  - ", "    ")
    return "\n".join(lines) + "\n"


def _is_replicator(a: Analysis) -> bool:
    return getattr(a.system.dynamics, "name", "") == "replicator"


def _expr_cell(value: Any, symbolic: bool) -> str:
    if symbolic:
        return _expr_text(value)
    return _short_value(value, None)


def game_to_text(game: Game) -> str:
    r"""A terminal description of a game for ``lmc-games show``: populations, parameters,
    payoff table, replicator equations, scenarios and references.

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> print(game_to_text(mp).split("\n\n")[3])
    Payoffs (row , column)
           column
      row  c1      c2
      ---  ------  ------
      r1   1 , -1  -1 , 1
      r2   -1 , 1  1 , -1
    """
    from ._system import System

    lines = [_title_line(game)]
    if game.description:
        lines += _wrap(" ".join(game.description.split()), "  ")
    lines += ["", "Populations"]
    for pop in game.populations:
        lines += _wrap(
            f"{pop.name} ({pop.label}): {', '.join(pop.strategies)}; {_share_sentence(pop)}",
            "  ",
            "    ",
        )

    lines += ["", "Parameters"]
    if game.parameters:
        rows = [
            [p.name, _parameter_value(game, p), p.bounds_text(), p.description]
            for p in game.parameters
        ]
        lines += _text_table(["symbol", "value", "bounds", "meaning"], rows, wrap_last=True)
    else:
        lines.append("  none")

    if game.definitions:
        lines += ["", "Definitions"]
        for k, v in game.definitions.items():
            lines += _wrap(f"{k} = {_expr_text(v)}", "  ", "    ")

    lines += ["", _payoff_heading(game)]
    for heading, rows_, cols, cells in _payoff_layout(game):
        if heading:
            lines.append(f"  when {heading}")
        body = [
            [r, *[" , ".join(_expr_text(e) for e in cell) for cell in row]]
            for r, row in zip(rows_, cells)
        ]
        if len(game.populations) >= 2 and not game.is_symmetric:
            first = game.populations[0].name
            table = _text_table([first, *cols], body)
            top = " " * 2 + " " * (max(len(first), *(len(r) for r in rows_)) + 2)
            lines.append(top + game.populations[1].name)
            lines += table
        else:
            lines += _text_table(["", *cols], body)

    system = System.of(game)
    lines += ["", "Replicator equations"]
    lines += _text_equations(system)

    if game.scenarios:
        lines += ["", "Scenarios"]
        for name, values in game.scenarios.items():
            changes = ", ".join(f"{k} = {_decimal_text(v)}" for k, v in values.items())
            lines += _wrap(f"{name}: {changes or 'the defaults'}", "  ", "    ")
    if game.references:
        lines += ["", "References"]
        for ref in game.references:
            lines += _wrap(ref, "  - ", "    ")
    return "\n".join(lines) + "\n"


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


# =====================================================================================
# Markdown
# =====================================================================================
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
    body = [f"d{v.name}/dt = {_expr_text(f)}" for v, f in zip(system.variables, system.field)]
    return ["```text", *body, "```"]


def analysis_to_markdown(a: Analysis) -> str:
    """A Markdown report of an analysis: parameters, inert parameters, equations, a rest-point
    table with verdicts and conditions, continua, the det/trace table and notes.

    Expressions are written in the model-file formula syntax, in code spans.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> md = analysis_to_markdown(analyze(mp))
    >>> md.splitlines()[0]
    '# Rest points of pennies'
    >>> "| `r1+r2, c1+c2` |" in md
    True
    """
    game = a.game
    title = game.title or game.name
    lines = [f"# Rest points of {_md_text(title)}", ""]
    intro = f"Model `{game.name}`"
    if game.scenario_name:
        intro += f", scenario `{game.scenario_name}`"
    lines += [intro + ". " + _mode_sentence(a), ""]

    if game.parameters:
        if a.symbolic or a.values is None:
            rows = [
                [_md_code(p.name), p.bounds_text(), _md_text(p.description)]
                for p in game.parameters
            ]
            lines += _md_table(["Parameter", "Range", "Meaning"], rows)
        else:
            rows = []
            for p in game.parameters:
                value = a.values.get(p.name, game.values.get(p.name, p.value))
                rows.append(
                    [_md_code(p.name), _md_code(_decimal_text(value)), _md_text(p.description)]
                )
            lines += _md_table(["Parameter", "Value", "Meaning"], rows)
        lines.append("")
    if a.inert_parameters:
        lines.append("**Inert parameters.**")
        lines.append("")
        for name in a.inert_parameters:
            lines.append(f"- `{name}` {INERT_SENTENCE}.")
        lines.append("")

    lines += ["## Replicator equations" if _is_replicator(a) else "## Equations", ""]
    lines += _md_equations(a.system)
    lines += ["", "## Rest points", ""]
    if a.rest_points:
        headers = [
            "Rest point",
            "State",
            "Eigenvalues",
            "Verdict",
            "Asymptotically stable",
            "Nash",
            "Strict Nash",
            "ESS",
            "Exists if",
            "Stable if",
        ]
        rows = []
        for rp in a.rest_points:
            rows.append(
                [
                    _md_code(rp.label),
                    _md_code(_state_text(game, rp, short=not a.symbolic)),
                    _md_code(_eigen_text(rp, short=not a.symbolic)),
                    _verdict(rp.stability),
                    _flag(rp.asymptotically_stable),
                    _flag(rp.nash),
                    _flag(rp.strict_nash),
                    _flag(rp.ess),
                    _md_code(_condition_words(rp.exists_if)),
                    _md_code(_condition_words(rp.stable_if)),
                ]
            )
        lines += _md_table(headers, rows)
        lines += ["", "`~` marks a rounded value; `-` a flag not decided or not applicable.", ""]
        lines += ["### Why", ""]
        for rp in a.rest_points:
            reason = rp.reason or (rp.stability.message if rp.stability else "undecided")
            lines.append(f"- `{rp.label}`: {_md_text(reason)}")
            for note in rp.notes:
                lines.append(f"  - {_md_text(note)}")
    else:
        lines.append("No rest points found.")
    if not a.complete:
        lines += ["", "The list may be incomplete: not every face could be solved exactly."]

    if a.continua:
        lines += ["", "## Continua of rest points", ""]
        rows = [
            [
                _md_code(c.face),
                str(c.dimension),
                _md_code(_continuum_points(a.game, c)),
                _verdict(c.stability),
                _md_text(c.description),
            ]
            for c in a.continua
        ]
        lines += _md_table(["Face", "Dimension", "Points", "Verdict", "Description"], rows)
    if a.det_trace:
        lines += ["", "## Det/trace table", ""]
        rows = [
            [
                _md_code(r.label),
                _md_code(_expr_cell(r.det, a.symbolic)),
                _md_code(_expr_cell(r.trace, a.symbolic)),
                _verdict(r.verdict),
                _md_text(r.note),
            ]
            for r in a.det_trace
        ]
        lines += _md_table(["Rest point", "det J", "tr J", "Verdict", "Note"], rows)
    if a.notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {_md_text(n)}" for n in a.notes]
    return "\n".join(lines) + "\n"


def game_to_markdown(game: Game) -> str:
    r"""A Markdown description of a game: parameter table, payoff table, replicator equations.

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> print(game_to_markdown(mp))  # doctest: +ELLIPSIS
    # pennies
    ...
    | row \\ column | c1 | c2 |
    |---|---|---|
    | r1 | `1 , -1` | `-1 , 1` |
    | r2 | `-1 , 1` | `1 , -1` |
    ...
    """
    from ._system import System

    lines = [f"# {_md_text(game.title or game.name)}", ""]
    intro = f"Model `{game.name}`"
    if game.scenario_name:
        intro += f", scenario `{game.scenario_name}`"
    lines += [intro + ".", ""]
    if game.description:
        lines += [_md_text(game.description), ""]
    lines += ["## Populations", ""]
    for pop in game.populations:
        lines.append(
            f"- `{pop.name}` ({_md_text(pop.label)}): "
            f"{_md_text(', '.join(pop.strategies))}; {_share_sentence(pop)}"
        )
    lines += ["", "## Parameters", ""]
    if game.parameters:
        rows = [
            [
                _md_code(p.name),
                _md_text(p.description),
                _md_code(_parameter_value(game, p)),
                p.bounds_text(),
            ]
            for p in game.parameters
        ]
        lines += _md_table(["Symbol", "Meaning", "Value", "Bounds"], rows)
    else:
        lines.append("None.")
    if game.definitions:
        lines += ["", "## Definitions", ""]
        lines += [f"- `{k} = {_expr_text(v)}`" for k, v in game.definitions.items()]
    lines += ["", "## Payoffs", "", _payoff_caption(game), ""]
    for heading, rows_, cols, cells in _payoff_layout(game):
        if heading:
            lines += [f"When {_md_text(heading)}:", ""]
        if game.is_symmetric or len(game.populations) == 1:
            corner = ""
        else:
            corner = _md_text(f"{game.populations[0].name} \\ {game.populations[1].name}")
        body = [
            [_md_text(r), *[_md_code(" , ".join(_expr_text(e) for e in cell)) for cell in row]]
            for r, row in zip(rows_, cells)
        ]
        lines += _md_table([corner, *[_md_text(c) for c in cols]], body)
        lines.append("")
    lines += ["## Replicator equations", ""]
    lines += _md_equations(System.of(game))
    if game.scenarios:
        lines += ["", "## Scenarios", ""]
        for name, values in game.scenarios.items():
            changes = ", ".join(f"`{k} = {_decimal_text(v)}`" for k, v in values.items())
            lines.append(f"- `{name}`: {changes or 'the defaults'}")
    if game.references:
        lines += ["", "## References", ""]
        lines += [f"- {_md_text(ref, keep='_')}" for ref in game.references]
    return "\n".join(lines) + "\n"


# =====================================================================================
# LaTeX
# =====================================================================================
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


def _tex(expr: Any, names: Mapping[sympy.Symbol, str]) -> str:
    return sympy.latex(_as_sympy(expr), symbol_names=dict(names))


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


def _tex_table(
    spec: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str,
    label: str,
    pre_header: Sequence[str] = (),
) -> list[str]:
    out = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{caption}}}",
        rf"\label{{{label}}}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        *pre_header,
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    out += [" & ".join(row) + r" \\" for row in rows]
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return out


def _tex_complex(z: complex) -> str:
    return _complex_text(z).replace("i", r"\,i").replace("inf", r"\infty")


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
    roots = rf"roots of ${_tex(rp.charpoly, names)} = 0$" if _missing_eigenvalues(rp) else ""
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


def _gaussian_exact(z: complex | None, digits: int = 4) -> bool:
    """Whether a float prints exactly at ``digits`` significant digits (``-2``, ``0.5i``)."""
    if z is None:
        return False
    return all(
        float(_round(part, digits)) == part for part in (z.real, z.imag) if math.isfinite(part)
    )


def _tex_label(name: str, what: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in name)
    return f"tab:{safe}-{what}"


def analysis_to_latex(a: Analysis) -> str:
    r"""A LaTeX fragment for a paper: the replicator equations, the rest-point table
    (state, eigenvalues, verdict, Nash, strict Nash and ESS flags), the conditions under which
    each rest point exists and is stable, continua and the det/trace table.

    Tables use booktabs; the fragment compiles inside a document that loads
    ``\usepackage{booktabs,amsmath}``. Parameters are written with their declared LaTeX names.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> tex = analysis_to_latex(analyze(mp))
    >>> r"\toprule" in tex and r"r1+r2, c1+c2 & $x = \frac{1}{2},\ y = \frac{1}{2}$" in tex
    True
    """
    game = a.game
    names = _latex_names(game)
    out = [f"% Rest points of {' '.join(_title_line(game).split())}, computed by lmc_games."]
    out.append("% " + _mode_sentence(a))
    if not a.symbolic and a.values is not None and game.parameters:
        vals = ", ".join(
            f"{p.name} = {_decimal_text(a.values.get(p.name, p.value))}" for p in game.parameters
        )
        out.append(f"% Parameters: {vals}.")
    out.append(a.system.latex())
    if a.inert_parameters:
        params = game.parameter_map
        for name in a.inert_parameters:
            sym = params[name].symbol if name in params else sympy.Symbol(name)
            out.append("")
            out.append(f"${_tex(sym, names)}$ {_tex_text(INERT_SENTENCE)}.")
    title = _tex_text(game.title or game.name)
    rows = []
    for rp in a.rest_points:
        rows.append(
            [
                _tex_text(rp.label),
                _tex_state(game, rp, names),
                _tex_eigen(rp, names, a.symbolic),
                _verdict(rp.stability),
                _flag(rp.nash).replace("-", "--"),
                _flag(rp.strict_nash).replace("-", "--"),
                _flag(rp.ess).replace("-", "--"),
            ]
        )
    out.append("")
    out += _tex_table(
        "lllllll",
        ["Rest point", "State", "Eigenvalues", "Verdict", "Nash", "Strict Nash", "ESS"],
        rows,
        caption=f"Rest points of the replicator dynamics: {title}.",
        label=_tex_label(game.name, "rest-points"),
    )
    if any(_undecided_condition(c) for rp in a.rest_points for c in (rp.exists_if, rp.stable_if)):
        cond_rows = [
            [
                _tex_text(rp.label),
                _tex_condition(rp.exists_if, names),
                _tex_condition(rp.stable_if, names),
            ]
            for rp in a.rest_points
        ]
        out.append("")
        out += _tex_table(
            "lll",
            ["Rest point", "Exists if", "Asymptotically stable if"],
            cond_rows,
            caption=f"Conditions on the parameters: {title}.",
            label=_tex_label(game.name, "conditions"),
        )
    if a.continua:
        rows = []
        for c in a.continua:
            pts = [
                f"{_tex(s, names)} = {_tex(e, names)}" for s, e in _continuum_coordinates(game, c)
            ]
            cell = "$" + r",\ ".join(pts) + "$" if pts else ""
            if c.ranges:
                cell += f" ({_tex_text(c.ranges)})"
            rows.append([_tex_text(c.face), str(c.dimension), cell, _verdict(c.stability)])
        out.append("")
        out += _tex_table(
            "llll",
            ["Face", "Dimension", "Points", "Verdict"],
            rows,
            caption=f"Continua of rest points: {title}.",
            label=_tex_label(game.name, "continua"),
        )
    if a.det_trace:
        rows = [
            [
                _tex_text(r.label),
                _tex_math(r.det, names),
                _tex_math(r.trace, names),
                _verdict(r.verdict),
            ]
            for r in a.det_trace
        ]
        out.append("")
        out += _tex_table(
            "llll",
            ["Rest point", r"$\det J$", r"$\operatorname{tr} J$", "Verdict"],
            rows,
            caption=f"Determinant and trace of the Jacobian at the rest points: {title}.",
            label=_tex_label(game.name, "det-trace"),
        )
    for note in a.notes:
        out += ["% Note: " + line for line in textwrap.wrap(" ".join(note.split()), 95)]
    return "\n".join(out) + "\n"


def game_to_latex(game: Game) -> str:
    r"""A LaTeX fragment describing a game: the parameter table, the payoff table (a bimatrix
    for two populations, cells ``a, b``; the matrix of a symmetric game) and the replicator
    equations. Needs ``\usepackage{booktabs,amsmath}``.

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> tex = game_to_latex(mp)
    >>> r"r1 & $1$, $-1$ & $-1$, $1$ \\" in tex
    True
    """
    from ._system import System

    names = _latex_names(game)
    title = _tex_text(game.title or game.name)
    out = [f"% {' '.join(_title_line(game).split())}, written by lmc_games."]
    if game.parameters:
        rows = [
            [
                f"${p.latex_name}$",
                _tex_text(p.description),
                _tex_number(game.values.get(p.name, p.value), names),
                _tex_bounds(p),
            ]
            for p in game.parameters
        ]
        out.append("")
        out += _tex_table(
            "llll",
            ["Symbol", "Meaning", "Value", "Bounds"],
            rows,
            caption=f"Parameters: {title}.",
            label=_tex_label(game.name, "parameters"),
        )
    pops = game.populations
    for n, (heading, rows_, cols, cells) in enumerate(_payoff_layout(game)):
        body = [
            [_tex_text(r), *[", ".join(_tex_math(e, names) for e in cell) for cell in row]]
            for r, row in zip(rows_, cells)
        ]
        spec = "l" + "c" * len(cols)
        pre: list[str] = []
        if game.is_symmetric or len(pops) == 1:
            header = ["", *[_tex_text(c) for c in cols]]
            caption = f"Payoffs: {title}"
            if game.is_symmetric:
                caption += " (row: focal player's strategy, column: opponent's)"
        else:
            pre = [
                rf" & \multicolumn{{{len(cols)}}}{{c}}{{{_tex_text(pops[1].label)}}} \\",
                rf"\cmidrule(l){{2-{len(cols) + 1}}}",
            ]
            header = [_tex_text(pops[0].label), *[_tex_text(c) for c in cols]]
            who = ", ".join(_tex_text(p.label) for p in pops)
            caption = f"Payoffs ({who}): {title}"
            if heading:
                caption += f", when {_tex_text(heading)}"
        out.append("")
        out += _tex_table(
            spec,
            header,
            body,
            caption=caption + ".",
            label=_tex_label(game.name, f"payoffs-{n + 1}" if heading else "payoffs"),
            pre_header=pre,
        )
    out.append("")
    out.append(System.of(game).latex())
    return "\n".join(out) + "\n"

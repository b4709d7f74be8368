"""One self-contained HTML page to explore a model: sliders, a live phase diagram, the live
stability table.

The page needs no network and no server. Its numbers come from the library: the reduced field
and its Jacobian (:func:`lmc_games.system`), and the rest points with their existence and
stability conditions as the sweeps compile them (:func:`lmc_games.compile_rest_points`), are
printed as JavaScript by sympy's code printer after common-subexpression elimination (see
:mod:`lmc_games._explore._codegen`); the page integrates with the same fixed-step RK4 and
projection onto the simplex as :func:`lmc_games.simulate`. Text from the model goes into the
page as HTML-escaped text or as JSON that cannot close its ``<script>`` element.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from .._errors import ModelError, ParameterError
from ._codegen import GUARD_JS, ConditionError, condition_parts, js_field_kernel, js_function

if TYPE_CHECKING:
    from .._game import Game

__all__ = [
    "DT",
    "GRID_DEFAULT",
    "GRID_MAX_POINTS",
    "T_END",
    "ExplorerPage",
    "explore",
    "script_json",
]

#: RK4 step of the page's trajectories (pass the same ``dt`` to :func:`lmc_games.simulate`
#: to reproduce them).
DT = 0.05
#: Length of the trajectories drawn from the grid of starts and from a click.
T_END = 50.0
#: Largest page written, in bytes.
MAX_BYTES = 2 * 2**20
#: Points per axis of the precomputed grid (one varied parameter, two varied parameters).
GRID_DEFAULT = {1: 41, 2: 11}
#: Most points of a precomputed grid: each one is an exact analysis while the page is written.
GRID_MAX_POINTS = 2601


@dataclass(frozen=True)
class ExplorerPage:
    """An explorer page (see :func:`explore`).

    Attributes
    ----------
    html : str
        The whole page.
    model : str
        The model's name.
    live : bool
        Whether rest points and verdicts are computed live at every parameter value (closed
        forms exist); otherwise the page shows them only at the defaults and named scenarios.
    reason : str
        Why they are not live (empty when ``live``).
    grid : tuple of (str, tuple of float)
        Where they are not live and one or two parameters are varied: each varied
        parameter with the values of the precomputed grid at whose points
        :func:`lmc_games.analyze` was run (empty otherwise).
    """

    html: str = field(repr=False)
    model: str
    live: bool
    reason: str = ""
    grid: tuple[tuple[str, tuple[float, ...]], ...] = ()
    # What the Jupyter widget starts from: the sliders' bounds, the values and the stable set
    # the page shows when it opens.
    _start: dict = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def widget(self):
        """The page as a Jupyter widget (needs ``anywidget``: ``pip install
        'lmc-games[jupyter]'``), created once per page.

        Its traits follow the page: ``values`` (parameter name to value; setting it moves the
        sliders), ``stable_set`` (labels of the asymptotically stable rest points shown, or
        ``None`` where the page shows none), ``source`` (``"exact"``, ``"live"``, ``"grid"``
        or ``"none"``) and ``grid_point`` (the grid point shown, or ``None``). They are
        updated by the page in the notebook's front end.
        """
        from ._widget import make_widget

        return make_widget(self)

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        p = Path(path)
        p.write_text(self.html, encoding="utf-8")
        return p

    def _repr_mimebundle_(self, **kwargs):
        # In a notebook with anywidget installed the page shows as its widget (values synced
        # with Python); without anywidget as the iframe below.
        from ._widget import widget_available

        if widget_available():
            return self.widget._repr_mimebundle_(**kwargs)
        return {"text/html": self._repr_html_(), "text/plain": f"explorer page of {self.model}"}

    def _repr_html_(self) -> str:
        # An iframe with the page as srcdoc: shows inline in Jupyter without any widget
        # machinery, and the page's scripts stay inside their own document.
        return (
            '<iframe style="width:100%;height:900px;border:0" sandbox="allow-scripts" srcdoc="'
            + html.escape(self.html, quote=True)
            + '"></iframe>'
        )


def script_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>`` and ``&`` are
    written as ``\\u003c`` etc., so no string in it can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def explore(
    game: Game,
    *,
    out: str | Path | None = None,
    vary: str | Sequence[str] | None = None,
    grid: int | None = None,
):
    """Write a self-contained HTML page to explore ``game`` in a browser.

    The page has a slider and a number box per parameter in ``vary`` (default: all), buttons
    for the named scenarios and a reset; a phase diagram for the model's geometry (line,
    square, triangle; three projections for a cube) with the direction field, nullclines
    (two-dimensional state spaces), trajectories from a grid of starts and from a click, and
    the rest points marked by verdict as in :mod:`lmc_games.plot`; the stability table and
    the set of asymptotically stable rest points at the current values; the time series of
    the clicked start. Trajectories use RK4 with step :data:`DT` to :data:`T_END`, the
    arithmetic of :func:`lmc_games.simulate` with ``dt=DT``.

    Where the rest points have no closed forms in the varied parameters (non-polynomial
    payoffs, continua), the page says so and shows them at the defaults and the named
    scenarios, from the exact analysis; trajectories work everywhere. If then one or two
    parameters are varied, :func:`lmc_games.analyze` is also run at every point of a grid
    over them (the sliders' ranges, in the sliders' scales, values rounded to three
    significant digits), and at other values the page shows the nearest grid point's rest
    points and verdicts, saying beside the stable set at which values they were computed.

    Parameters
    ----------
    game : Game
        The model, at the values the sliders start from (and reset to).
    out : str or Path, optional
        Also write the page there.
    vary : str or sequence of str, optional
        The parameters that get sliders (names, or names separated by commas as in
        ``"p,F"``); the others stay at their values. Fewer parameters make the symbolic
        analysis behind the page faster.
    grid : int, optional
        Points per axis of the precomputed grid, used only where the rest points have no
        closed forms (default 41 for one varied parameter, 11 for two; at most
        :data:`GRID_MAX_POINTS` points in all).

    Returns
    -------
    ExplorerPage
        ``.html`` is the page. In Jupyter it displays inline: as a widget synced with Python
        (``.widget``: ``values``, ``stable_set``) where anywidget is installed, otherwise as
        an ``iframe``.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> page = explore(load_model("hawk_dove"))
    >>> page.live, page.html.startswith("<!DOCTYPE html>")
    (True, True)
    >>> page.model, len(page.html.encode()) < 2 * 2**20
    ('hawk_dove', True)
    """
    from .. import __version__
    from .._analysis import analyze
    from .._stability_table import _cached_formulas, label_order
    from .._system import system

    names = tuple(p.name for p in game.parameters) if vary is None else _names(vary)
    known = [p.name for p in game.parameters]
    for n in names:
        if n not in known:
            raise ParameterError(f"unknown parameter {n!r}; this model has {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ParameterError("each parameter may be varied only once")
    reduced = game.with_free(names)
    sys_ = system(reduced)
    variables = list(sys_.variables)
    psyms = [reduced.symbols[n] for n in names]
    n = len(variables)

    try:
        field_js = js_field_kernel(variables, psyms, list(sys_.field))
    except PrintMethodNotImplementedError as exc:
        raise ModelError(
            f"{game.name}: the field uses a function the explorer cannot write as JavaScript"
            f" ({_one_line(exc)})"
        ) from None
    jac_reason = ""
    try:
        jac_js = js_function("jacobian", variables, psyms, list(sys_.jacobian))
    except PrintMethodNotImplementedError as exc:
        jac_js = "function jacobian(s, p) { return null; }"
        jac_reason = f"the Jacobian uses a function the page cannot compute ({_one_line(exc)})"

    formulas = _cached_formulas(reduced, names)
    reason = formulas if isinstance(formulas, str) else ""
    rest_js = "function rest(s, p) { return null; }"
    points: list[dict] = []
    if not reason:
        try:
            rest_js, points = _rest_code(formulas, psyms, n)
        except (ConditionError, PrintMethodNotImplementedError) as exc:
            reason = _one_line(exc)
            points = []
            rest_js = "function rest(s, p) { return null; }"
    if jac_reason and not reason:
        reason, points, rest_js = jac_reason, [], "function rest(s, p) { return null; }"
    centre_faces, centre_js = _centre_theorem(reduced, psyms)

    pmap = game.parameter_map
    params = [_slider(pmap[nm], game.values[nm]) for nm in names]
    fixed = [
        {"name": p.name, "value": float(game.values[p.name]), "exact": str(game.values[p.name])}
        for p in game.parameters
        if p.name not in names
    ]
    if grid is not None and (isinstance(grid, bool) or not isinstance(grid, int) or grid < 2):
        raise ParameterError(f"grid must be a whole number of at least 2 points, not {grid!r}")
    exact = [_exact_entry("current values", game, analyze(game), names)]
    for sc in game.scenarios:
        g = game.scenario(sc)
        # A scenario keeps the values of the fixed parameters that the page cannot change.
        g = g.with_values({nm: game.values[nm] for nm in known if nm not in names})
        exact.append(_exact_entry(sc, g, analyze(g), names))
    grid_data = None
    if reason and 1 <= len(names) <= 2:
        grid_data = _grid(game, names, params, grid or GRID_DEFAULT[len(names)])
    labels = label_order(game, [pt["label"] for pt in points]) if points else []
    if grid_data is not None:
        # Labels of rest points found anywhere on the grid, in the command line's order.
        seen = {r["label"] for c in grid_data["cells"] for r in c["points"]}
        seen |= {r["label"] for e in exact for r in e["points"]}
        labels = label_order(game, sorted(seen))
    data = {
        "model": game.name,
        "title": game.title or game.name,
        "description": game.description,
        "references": list(game.references),
        "version": __version__,
        "populations": [
            {"name": p.name, "label": p.label, "strategies": list(p.strategies), "k": p.k}
            for p in game.populations
        ],
        "variables": [str(v) for v in variables],
        "groups": [list(g) for g in _groups(game)],
        "geometry": _geometry(game),
        "params": params,
        "fixed": fixed,
        "scenarios": [
            {
                "name": sc,
                "values": {k: float(v) for k, v in game.scenarios[sc].items() if k in names},
            }
            for sc in game.scenarios
        ],
        "live": not reason,
        "reason": reason,
        "grid": grid_data,
        "points": points,
        "labelOrder": labels,
        "centreFaces": centre_faces,
        "exact": exact,
        "dt": DT,
        "tEnd": T_END,
        "guard": float(GUARD_JS),
    }
    page = _assemble(data, "\n\n".join([field_js, jac_js, rest_js, centre_js]))
    if len(page.encode("utf-8")) > MAX_BYTES:
        fewer = "a smaller grid (grid=...)" if grid_data is not None else "fewer parameters"
        raise ParameterError(
            f"the explorer page of {game.name!r} would exceed {MAX_BYTES // 2**20} MB; "
            f"ask for {fewer} (vary=[...] or --vary)"
        )
    start = exact[0]
    stable = [r["label"] for r in start["points"] if r["stable"]]
    result = ExplorerPage(
        page,
        game.name,
        not reason,
        reason,
        ()
        if grid_data is None
        else tuple(zip(grid_data["params"], (tuple(a) for a in grid_data["axes"]))),
        {
            "params": params,
            "values": start["values"],
            "stable_set": label_order(game, stable),
        },
    )
    if out is not None:
        result.write(out)
    return result


def _names(vary: str | Sequence[str]) -> tuple[str, ...]:
    """Parameter names from ``vary``: names, or names joined by commas (``"p,F"``, as the
    command line's ``--vary p,F``; a name never holds a comma)."""
    items = [vary] if isinstance(vary, str) else list(vary)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ParameterError(f"vary takes parameter names, not {type(item).__name__}")
        out.extend(n.strip() for n in item.split(","))
    if any(not n for n in out):
        raise ParameterError("vary: an empty parameter name (a stray comma?)")
    return tuple(out)


def _grid_axis(q: dict, count: int) -> list[float]:
    """``count`` values across a slider's range, evenly spaced in the slider's scale and
    rounded to three significant digits (small exact rationals keep each analysis fast),
    inside the parameter's bounds."""
    lo, hi = q["sliderMin"], q["sliderMax"]
    if q["log"]:
        a, b = math.log10(lo), math.log10(hi)
        raw = [10 ** (a + (b - a) * k / (count - 1)) for k in range(count)]
    else:
        raw = [lo + (hi - lo) * k / (count - 1) for k in range(count)]
    out = []
    for v in raw:
        v = float(f"{v:.3g}")
        if q["min"] is not None:
            v = max(v, q["min"])
        if q["max"] is not None:
            v = min(v, q["max"])
        if v not in out:
            out.append(v)
    return out


def _grid(game: Game, names: tuple[str, ...], params: list[dict], count: int) -> dict:
    """:func:`lmc_games.analyze` at every point of a grid over the varied parameters: the
    rest points and verdicts the page shows where nothing is live."""
    from .._analysis import analyze
    from .._errors import LmcGamesError
    from .._formula import exact_number

    axes = [_grid_axis(q, count) for q in params]
    total = math.prod(len(a) for a in axes)
    if total > GRID_MAX_POINTS:
        raise ParameterError(
            f"a grid of {total} points is too large for the page (at most {GRID_MAX_POINTS});"
            " ask for fewer points per axis"
        )
    cells = []
    for combo in itertools.product(*axes):
        values = dict(zip(names, combo))
        g = game.with_values({k: exact_number(v) for k, v in values.items()})
        try:
            entry = _exact_entry("grid", g, analyze(g), names, exact=False)
            entry["error"] = None
        except LmcGamesError as exc:
            entry = {"name": "grid", "values": values, "points": [], "continua": 0}
            entry["error"] = _one_line(exc)
        cells.append(entry)
    return {"params": list(names), "axes": axes, "cells": cells}


def _rest_code(formulas: list[dict], psyms: list, n: int) -> tuple[str, list[dict]]:
    """One JS function ``rest(p)`` returning ``{c, e, st}``: coordinates, existence and
    stability of every rest point, in the order of ``formulas``."""
    exprs: list[Any] = []
    coord_parts, exist_parts, stable_parts = [], [], []
    for f in formulas:
        idx = []
        for c in f["coords"]:
            idx.append(len(exprs))
            exprs.append(c)
        coord_parts.append("[" + ", ".join(f"E[{i}]" for i in idx) + "]")
        for cond, parts in ((f["exists"], exist_parts), (f["stable"], stable_parts)):
            text, more = condition_parts(cond, len(exprs))
            exprs.extend(more)
            parts.append(text)
    tail = (
        "return {c: ["
        + ", ".join(coord_parts)
        + "], e: ["
        + ", ".join(exist_parts)
        + "], st: ["
        + ", ".join(stable_parts)
        + "]};"
    )
    code = js_function("rest", [], psyms, exprs, tail=tail)
    points = [
        {
            "label": f["label"],
            "base": f["base"],
            "orderVar": None if f["order_var"] is None else list(f["order_var"]),
        }
        for f in formulas
    ]
    return code, points


def _groups(game: Game) -> list[tuple[int, ...]]:
    out, i = [], 0
    for pop in game.populations:
        out.append(tuple(range(i, i + pop.k - 1)))
        i += pop.k - 1
    return out


def _geometry(game: Game) -> str:
    shape = tuple(p.k for p in game.populations)
    if shape == (2,):
        return "line"
    if shape == (2, 2):
        return "square"
    if shape == (3,):
        return "triangle"
    if shape == (2, 2, 2):
        return "cube"
    return "projections"


def _centre_theorem(game: Game, psyms: list) -> tuple[list[str], str]:
    """The faces where :func:`lmc_games.analyze` calls purely imaginary eigenvalues a centre,
    and a JS function ``centre(s, p)`` saying whether its theorem applies at parameters ``p``:
    the interior of a 2x2 bimatrix game (always), or of a 3x3 symmetric game whose matrix,
    minus each column's diagonal entry, is skew-symmetric -- a condition on the parameters
    (rock-paper-scissors with a = b), compiled with the guard band like the others."""
    from .._equilibria import enumerate_faces

    never = "function centre(s, p) { return false; }"
    if game.state_dependent:
        return [], never
    shape = tuple(p.k for p in game.populations)
    if not game.is_symmetric and shape == (2, 2):
        cond: Any = sympy.true
    elif game.is_symmetric and shape == (3,):
        A = sympy.Matrix(3, 3, lambda i, j: game.payoffs[(i, j)][0])
        shifted = sympy.Matrix(3, 3, lambda i, j: A[i, j] - A[j, j])
        entries = {sympy.expand(e) for e in shifted + shifted.T}
        cond = sympy.And(*[sympy.Eq(e, 0) for e in entries])
    else:
        return [], never
    faces = [
        f.label
        for f in enumerate_faces(game)
        if all(len(sup) == p.k for sup, p in zip(f.support, game.populations))
    ]
    text, exprs = condition_parts(cond)
    return faces, js_function("centre", [], psyms, exprs, tail=f"return {text};")


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _slider(par, value) -> dict:
    v = float(value)
    lo = None if par.min is None else float(par.min)
    hi = None if par.max is None else float(par.max)
    log = (lo is None or hi is None) and v > 0
    if log:
        a = v / 100 if lo is None or lo <= 0 else max(lo, v / 100)
        b = v * 100 if hi is None else min(hi, v * 100)
        # Slider ends stay finite for JSON however large the default (values are capped near
        # 1e300 by the model parser).
        smin, smax = max(a, 1e-300), min(b, 1e300)
    else:
        span = 10 * max(1.0, abs(v))
        smin = lo if lo is not None else max(v - span, -1e300)
        smax = hi if hi is not None else min(v + span, 1e300)
    return {
        "name": par.name,
        "description": par.description,
        "latex": par.latex_name,
        "value": v,
        "exact": str(value),
        "min": lo,
        "max": hi,
        "log": log,
        "sliderMin": smin,
        "sliderMax": smax,
    }


def _exact_entry(name: str, game: Game, an, names, *, exact: bool = True) -> dict:
    rows = []
    for r in an.rest_points:
        if r.numeric_shares is None:
            continue
        rows.append(
            {
                "label": r.label,
                "coords": [float(r.coordinates[v]) for v in game.variables],
                # Exact coordinates only where the table shows them (not on the grid,
                # whose rows are many: the file stays small).
                **(
                    {"exactCoords": [str(r.coordinates[v]) for v in game.variables]}
                    if exact
                    else {}
                ),
                "eigenvalues": [
                    [_finite(complex(z).real), _finite(complex(z).imag)]
                    for z in (r.numeric_eigenvalues or ())
                ],
                "verdict": None if r.stability is None else r.stability.value,
                "stable": bool(r.asymptotically_stable),
                "reason": r.reason,
            }
        )
    return {
        "name": name,
        "values": {nm: float(game.values[nm]) for nm in names},
        "points": rows,
        "continua": len(an.continua),
    }


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _template(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _assemble(data: dict, generated: str) -> str:
    title = html.escape(data["title"])
    page = _template("page.html")
    parts = {
        "{{TITLE}}": title,
        "{{CSS}}": _template("explore.css"),
        "{{DATA}}": script_json(data),
        "{{GENERATED}}": generated,
        "{{APP}}": _template("explore.js"),
    }
    # One pass over the template: text put in never gets searched for placeholders again.
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda m: parts["{{" + m.group(1) + "}}"], page)

"""One-call figures: compute what is needed, draw it in the paper style, optionally save.

These are what the command line uses (``lmc-games phase``, ``simulate --plot``,
``sweep --plot``). Figures are created without pyplot (``matplotlib.figure.Figure``), so no
GUI backend is involved and nothing accumulates in pyplot's figure registry; Jupyter still
displays them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import LmcGamesError
from ._data import basin_data, boundaries, geometry_of, portrait
from ._labels import parameter_label
from ._maps import basin_map, continuation_diagram, region_map
from ._phase import phase_diagram
from ._series import parameter_colorbar, sensitivity, time_series
from ._style import COLUMN_WIDTH, STYLE_ATTRIBUTE, paper_style, save, style_rc, text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .._game import Game
    from .._simulate import Simulation

__all__ = [
    "basin_figure",
    "continuation_figure",
    "phase_figure",
    "simulation_figure",
    "sweep_figure",
]

_STYLE_KEYS = tuple(style_rc())
_PORTRAIT_OPTIONS = (
    "analysis",
    "starts",
    "t_end",
    "dt",
    "grid",
    "shading_grid",
    "engine",
    "dynamics",
)


def _figure(size: tuple[float, float]) -> Figure:
    import matplotlib
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    # Remember the style, so that save() (and a later savefig through it) keeps it.
    setattr(fig, STYLE_ATTRIBUTE, {k: matplotlib.rcParams[k] for k in _STYLE_KEYS})
    return fig


def _finish(fig: Figure, out: str | Path | None) -> Figure:
    if out is not None:
        save(fig, out)
    return fig


def phase_figure(
    game: Game,
    *,
    out: str | Path | None = None,
    projections: bool = False,
    columns: float | None = None,
    font: str = "cm",
    usetex: bool = False,
    **options: Any,
) -> Figure:
    """The phase diagram of ``game`` at its parameter values, in the paper style.

    Parameters
    ----------
    game : Game
    out : path, optional
        Save to this file (``.pdf``, ``.svg`` or ``.png``).
    projections : bool
        For three populations of two strategies: three 2-D panels instead of a 3-D cube.
    columns : {1, 1.5, 2}, optional
        Figure width (default: one column; two for projections).
    font : {"cm", "stix"}
    usetex : bool
    **options
        ``analysis``, ``starts``, ``t_end``, ``dt``, ``grid``, ``shading_grid``, ``engine``,
        ``dynamics`` go to :func:`~lmc_games.plot.portrait`; the rest (``field``, ``nullclines``,
        ``legend``, ``colorbar``, ...) to :func:`~lmc_games.plot.phase_diagram`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from lmc_games import load_model
    >>> fig = phase_figure(load_model("hawk_dove_roles"), t_end=10)
    >>> fig.get_size_inches().round(2).tolist()
    [3.5, 2.45]
    """
    pkw = {k: options.pop(k) for k in _PORTRAIT_OPTIONS if k in options}
    pp = portrait(game, **pkw)
    geometry = pp.geometry
    many = geometry == "projections" or (geometry == "cube" and projections)
    columns = columns if columns is not None else (2 if many else 1)
    with paper_style(columns, font=font, usetex=usetex):
        width = COLUMN_WIDTH.get(int(columns), 5.5) if columns != 1.5 else 5.5
        if many:
            npairs = min(6, pp.dimension * (pp.dimension - 1) // 2)
            rows = -(-npairs // 3)
            fig = _figure((width, 0.33 * width * rows + 0.3))
            axes = fig.subplots(rows, min(3, npairs), squeeze=False).ravel()
            for extra in axes[npairs:]:
                extra.set_visible(False)
            if geometry == "cube":
                options["projections"] = True
            phase_diagram(pp, list(axes[:npairs]), **options)
        else:
            aspect = {"line": 0.62, "square": 0.7, "triangle": 0.8, "cube": 0.95}[geometry]
            if geometry == "square" and options.get("colorbar"):
                aspect = 0.85
            fig = _figure((width, width * aspect))
            ax = fig.add_subplot(projection="3d" if geometry == "cube" else None)
            phase_diagram(pp, ax, **options)
        return _finish(fig, out)


def simulation_figure(
    simulation: Simulation,
    game: Game,
    *,
    out: str | Path | None = None,
    columns: float = 1,
    font: str = "cm",
    usetex: bool = False,
    t_max: float | str | None = "settled",
) -> Figure:
    """Time series of a simulation: one panel per population (shares against time, every
    start). A simulation over several values of one parameter gives sensitivity panels
    instead (one per free share, the first start).

    The time axis of the time series ends soon after every trajectory has settled
    (``t_max="settled"``, see :func:`~lmc_games.plot.series_end`); give a time, or ``None``
    for the whole run.

    Examples
    --------
    >>> from lmc_games import load_model, simulate, starts_grid
    >>> g = load_model("inspection")
    >>> sim = simulate(g, starts_grid(g, 2), t_end=10, engine="numpy")
    >>> fig = simulation_figure(sim, g)
    >>> len(fig.axes)
    2
    """
    P = simulation.states.shape[2]
    with paper_style(columns, font=font, usetex=usetex):
        width = COLUMN_WIDTH.get(int(columns), 5.5) if columns != 1.5 else 5.5
        if P == 1:
            npop = len(game.populations)
            fig = _figure((width, min(1.6 * npop + 0.4, 8.0)))
            axes = fig.subplots(npop, 1, sharex=True, squeeze=False)[:, 0]
            for p, ax in enumerate(axes):
                time_series(simulation, ax, game=game, population=p, t_max=t_max)
                if p < npop - 1:
                    ax.set_xlabel("")
            return _finish(fig, out)
        varying = [
            k
            for q, k in enumerate(simulation.parameter_names)
            if np.unique(simulation.parameter_values[:, q]).size > 1
        ]
        if len(varying) != 1:
            raise LmcGamesError(
                f"the simulation varies {len(varying)} parameters ({', '.join(varying)}): "
                "draw one parameter point with time_series(point=...)"
            )
        n = simulation.states.shape[-1]
        fig = _figure((width, min(1.6 * n + 0.4, 8.0)))
        axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
        art = None
        for j, ax in enumerate(axes):
            art = sensitivity(simulation, varying[0], ax, game=game, variable=j, colorbar=False)
            if j < n - 1:
                ax.set_xlabel("")
        parameter_colorbar(fig, art.mappable, list(axes), parameter_label(game, varying[0]))
        return _finish(fig, out)


def _grid_2d(result: Any) -> bool:
    return tuple(result.dims) != ("point",) and len(result.dims) == 2


def sweep_figure(
    result: Any,
    game: Game,
    *,
    out: str | Path | None = None,
    analytic: bool = True,
    columns: float | None = None,
    font: str = "cm",
    usetex: bool = False,
) -> Figure:
    """The figure of a sweep.

    Measure ``stable``: the region map of stable rest points, with the analytic boundaries
    overlaid for a two-parameter grid (``analytic=True``; computed by
    :func:`~lmc_games.plot.boundaries`). Measure ``outcome``: over two parameters, one map
    per attractor (share of starts reaching it) and one of the median convergence time; over
    one parameter, the shares as stacked areas and the median convergence time below.

    Examples
    --------
    >>> import numpy as np
    >>> from lmc_games import load_model, sweep
    >>> g = load_model("hawk_dove")
    >>> res = sweep(g, {"V": np.linspace(0.5, 4, 6), "C": np.linspace(0.5, 4, 6)})
    >>> fig = sweep_figure(res, g)
    >>> [ln.get_gid() for ln in fig.axes[0].lines]
    ['boundary']
    """
    measure = getattr(result, "measure", "stable")
    with paper_style(columns or 1, font=font, usetex=usetex):
        if measure == "stable":
            grid = tuple(result.dims) != ("point",)
            if grid and len(result.dims) > 3:
                raise LmcGamesError(
                    f"sweep_figure draws sweeps over up to three parameters, not "
                    f"{len(result.dims)}: draw slices with region_map(result, at={{...}})"
                )
            if grid and len(result.dims) == 3:
                return _finish(_stable_panels(result, game, analytic), out)
            width = COLUMN_WIDTH[2] if columns == 2 else COLUMN_WIDTH[1] * 1.3
            one_d = grid and len(result.dims) == 1
            fig = _figure((width, 1.3 if one_d else width * 0.55))
            ax = fig.add_subplot()
            plane = _grid_2d(result) or (not grid and len(result.names) == 2)
            bs = _boundaries(result, game, *result.names[:2]) if analytic and plane else ()
            region_map(result, ax, boundaries=bs, game=game)
            return _finish(fig, out)
        if tuple(result.dims) != ("point",) and len(result.dims) == 1:
            return _finish(_outcome_profile(result, game, columns or 1), out)
        labels = list(result.labels)[:3]
        panels = len(labels) + 1
        width = COLUMN_WIDTH[2]
        fig = _figure((width, width / min(panels, 3) * 0.95 * -(-panels // 3)))
        axes = fig.subplots(-(-panels // 3), min(panels, 3), squeeze=False).ravel()
        for ax in axes[panels:]:
            ax.set_visible(False)
        for ax, lb in zip(axes, labels):
            region_map(result, ax, show="share", label=lb, game=game)
        region_map(result, axes[len(labels)], show="time", game=game)
        return _finish(fig, out)


def _boundaries(result: Any, game: Game, x: str | None = None, y: str | None = None) -> tuple:
    x, y = x or result.dims[0], y or result.dims[1]
    cx, cy = np.asarray(result.coords[x]), np.asarray(result.coords[y])
    try:
        return boundaries(
            game,
            x,
            y,
            x_range=(float(cx.min()), float(cx.max())),
            y_range=(float(cy.min()), float(cy.max())),
        )
    except (LmcGamesError, NotImplementedError):
        # A map without the overlay beats no map: the colours themselves are exact.
        return ()


def _stable_panels(result: Any, game: Game, analytic: bool) -> Figure:
    """Small multiples: one region map per value (up to four) of the third parameter."""
    x, y, third = result.dims
    values = np.asarray(result.coords[third], dtype=float)
    picks = sorted(set(np.linspace(0, values.size - 1, min(4, values.size)).round().astype(int)))
    width = COLUMN_WIDTH[2]
    fig = _figure((width, width / len(picks) * 0.9 + 0.9))
    axes = fig.subplots(1, len(picks), sharey=True, squeeze=False)[0]
    for n, (ax, k) in enumerate(zip(axes, picks)):
        value = float(values[k])
        bs = _boundaries(result, game.with_values({third: value})) if analytic else ()
        last = n == len(picks) - 1
        region_map(result, ax, at={third: value}, boundaries=bs, game=game, legend=last)
        ax.set_title(text(f"{parameter_label(game, third)} = ${value:g}$"))
        if n:
            ax.set_ylabel("")
    return fig


def _outcome_profile(result: Any, game: Game, columns: float) -> Figure:
    from ._maps import NOT_CONVERGED_COLOUR, _set_name, category_colours

    name = result.dims[0]
    x = np.asarray(result.coords[name], dtype=float)
    width = COLUMN_WIDTH.get(int(columns), 5.5)
    fig = _figure((width, width * 0.8))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    labels = list(result.labels)
    ys = [np.asarray(result.shares[lb], dtype=float) for lb in labels]
    colours = category_colours(len(labels))
    names = [_set_name([lb]) for lb in labels]
    if result.not_converged is not None:
        ys.append(np.asarray(result.not_converged, dtype=float))
        colours.append(NOT_CONVERGED_COLOUR)
        names.append("not converged")
    # Steps centred on the sweep's values: each value's shares, not an interpolation between
    # values (a basin cannot be "half reached" between two grid points).
    base = np.zeros_like(x)
    for y, colour, nm in zip(ys, colours, names):
        band = top.fill_between(
            x,
            base,
            base + y,
            step="mid",
            facecolor=colour,
            edgecolor="0.4",
            lw=0.4,
            label=text(nm),
        )
        band.set_gid(f"share:{nm}")
        base = base + y
    top.set_ylim(0, 1)
    top.set_xlim(x.min(), x.max())
    top.set_ylabel(text("Share of starts"))
    top.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    bottom.plot(x, np.asarray(result.convergence_time_median, dtype=float), color="0.15", lw=1.0)
    bottom.set_ylabel(text("Median time"))
    bottom.set_xlabel(text(parameter_label(game, name)))
    return fig


def continuation_figure(
    continuation: Any,
    game: Game | None = None,
    *,
    out: str | Path | None = None,
    columns: float = 1,
    font: str = "cm",
    usetex: bool = False,
) -> Figure:
    """Continuation diagrams, one panel per free share, stacked.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> from lmc_games._continuation import continuation
    >>> fig = continuation_figure(continuation(load_model("hawk_dove"), "C", 0.5, 4, num=41))
    >>> len(fig.axes)
    1
    """
    game = game if game is not None else getattr(continuation, "game", None)
    n = len(getattr(continuation, "variables", ())) or 1
    with paper_style(columns, font=font, usetex=usetex):
        width = COLUMN_WIDTH.get(int(columns), 5.5) * (1.3 if columns == 1 else 1.0)
        fig = _figure((width, min(1.7 * n + 0.4, 8.0)))
        axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
        for j, ax in enumerate(axes):
            continuation_diagram(continuation, ax, variable=j, game=game, legend=j == 0, wrap=28)
            if j < n - 1:
                ax.set_xlabel("")
        return _finish(fig, out)


def basin_figure(
    game: Game,
    *,
    out: str | Path | None = None,
    columns: float = 1,
    font: str = "cm",
    usetex: bool = False,
    **options: Any,
) -> Figure:
    """Basins of attraction of ``game`` (``options`` go to
    :func:`~lmc_games.plot.basin_data`).

    Examples
    --------
    >>> from lmc_games import load_model
    >>> fig = basin_figure(load_model("hawk_dove_roles"), n=5, t_end=60)
    >>> fig.axes[0].collections[0].get_gid()
    'basins'
    """
    data = basin_data(game, **options)
    geometry = geometry_of(game.shape)
    with paper_style(columns, font=font, usetex=usetex):
        width = COLUMN_WIDTH.get(int(columns), 5.5)
        aspect = {"line": 0.45, "square": 0.95, "triangle": 0.8, "cube": 0.95}.get(geometry, 0.9)
        fig = _figure((width, width * aspect))
        ax = fig.add_subplot(projection="3d" if geometry == "cube" else None)
        basin_map(data, ax)
        return _finish(fig, out)

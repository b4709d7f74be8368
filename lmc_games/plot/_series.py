"""Time series of shares, and sensitivity panels (one curve per parameter value)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import LmcGamesError
from ._data import series_end
from ._labels import full_share_label, parameter_label, share_label, symbol_latex
from ._phase import unit_ticks
from ._style import PALETTE, text

if TYPE_CHECKING:
    from .._game import Game
    from .._simulate import Simulation

__all__ = ["SeriesArtists", "sensitivity", "time_series"]


@dataclass(frozen=True, eq=False)
class SeriesArtists:
    """The matplotlib objects of a time-series or sensitivity panel.

    Attributes
    ----------
    ax : Axes
    lines : tuple of Line2D
        One per curve drawn.
    legend : Legend or None
    colorbar : Colorbar or None
    mappable : ScalarMappable or None
        The colour scale of a sensitivity panel (for a colorbar shared by several panels).
    """

    ax: Any
    lines: tuple[Any, ...]
    legend: Any = None
    colorbar: Any = None
    mappable: Any = None


def _series(sim: Simulation, game: Game | None, population: int | None):
    """(label, column of the full states) of each curve: the first share of a two-strategy
    population, every share of a larger one."""
    groups = sim.groups
    out = []
    col = 0
    for p, g in enumerate(groups):
        k = len(g) + 1
        if population is None or population == p:
            shown = range(k) if k > 2 else range(1)
            for i in shown:
                if game is not None:
                    label = full_share_label(game, p, i)
                elif i < len(g):
                    label = sim.variables[g[i]]
                else:
                    label = f"1 - {' - '.join(sim.variables[j] for j in g)}"
                out.append((label, col + i))
        col += k
    if not out:
        raise LmcGamesError(f"no population {population!r}: give an index below {len(groups)}")
    return out


def _check_game(sim: Simulation, game: Game | None) -> None:
    if game is not None and tuple(str(v) for v in game.variables) != tuple(sim.variables):
        raise LmcGamesError(
            f"the simulation's shares {sim.variables} are not those of the game "
            f"{tuple(str(v) for v in game.variables)}: pass the game that was simulated"
        )


def _new_ax() -> Any:
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def time_series(
    simulation: Simulation,
    ax: Any = None,
    *,
    game: Game | None = None,
    population: int | None = None,
    point: int | None = None,
    starts: Sequence[int] | None = None,
    legend: bool | None = None,
    t_max: float | str | None = "settled",
) -> SeriesArtists:
    """Shares against time, from one or several starts.

    A two-strategy population shows the share of its first strategy; a larger one shows
    every share. Each share has its colour; several starts give several curves of that
    colour. By default the time axis ends soon after every trajectory drawn has settled
    (:func:`~lmc_games.plot.series_end`, over all populations, so panels of one simulation
    share one axis), not at a distant ``t_end`` after a long flat tail.

    Parameters
    ----------
    simulation : Simulation
    ax : Axes, optional
    game : Game, optional
        The game simulated: labels from its populations and strategies.
    population : int, optional
        Draw one population only.
    point : int, optional
        The parameter point, required when the simulation has several.
    starts : sequence of int, optional
        Indices of the starts to draw (default: all).
    legend : bool, optional
        Default: when more than one share is shown.
    t_max : "settled", float or None
        End of the time axis: ``"settled"`` (the default) as above; a time; or ``None`` for
        the simulation's last time.

    Returns
    -------
    SeriesArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model, simulate
    >>> g = load_model("hawk_dove_roles")
    >>> sim = simulate(g, [[0.3, 0.4], [0.8, 0.6]], t_end=10, engine="numpy")
    >>> art = time_series(sim, game=g)
    >>> len(art.lines), art.ax.get_xlabel()
    (4, 'Time, $t$')
    """
    _check_game(simulation, game)
    P = simulation.states.shape[2]
    if point is None:
        if P > 1:
            raise LmcGamesError(
                f"the simulation has {P} parameter points: pass point=, or draw them all "
                "with sensitivity()"
            )
        point = 0
    if not 0 <= point < P:
        raise LmcGamesError(f"point must be in 0..{P - 1}; got {point}")
    full = simulation.full_states()[:, :, point, :]
    idx = list(range(full.shape[1])) if starts is None else [int(i) for i in starts]
    ax = _new_ax() if ax is None else ax
    series = _series(simulation, game, population)
    lines = []
    alpha = 1.0 if len(idx) <= 3 else max(0.35, 3.0 / len(idx))
    for c, (label, col) in enumerate(series):
        colour = PALETTE[c % len(PALETTE)]
        for n, i in enumerate(idx):
            (ln,) = ax.plot(
                simulation.times,
                full[:, i, col],
                color=colour,
                lw=1.0,
                alpha=alpha,
                label=text(label) if n == 0 else "_nolegend_",
            )
            ln.set_gid(f"series:{col}:{i}")
            lines.append(ln)
    if isinstance(t_max, str):
        if t_max != "settled":
            raise LmcGamesError(f't_max must be "settled", a time or None; got {t_max!r}')
        end = series_end(simulation, point=point, starts=idx)
    elif t_max is None:
        end = float(simulation.times[-1])
    else:
        end = float(t_max)
        if not end > simulation.times[0]:
            raise LmcGamesError(f"t_max must be after the first time {simulation.times[0]:g}")
    ax.set_xlim(simulation.times[0], end)
    ax.set_ylim(-0.02, 1.02)
    unit_ticks(ax, axes="y")
    ax.set_xlabel(text("Time, $t$"))
    if len(series) == 1 and game is not None:
        p = population if population is not None else 0
        j = sum(len(g) for g in simulation.groups[:p])
        ax.set_ylabel(text(share_label(game, j, wrap=28)))
    else:
        ax.set_ylabel(text("Share"))
    leg = None
    if legend or (legend is None and len(series) > 1):
        leg = ax.legend(loc="best")
    return SeriesArtists(ax=ax, lines=tuple(lines), legend=leg)


def sensitivity(
    simulation: Simulation | Sequence[Simulation],
    parameter: str,
    ax: Any = None,
    *,
    game: Game | None = None,
    variable: int = 0,
    start: int = 0,
    cmap: str = "viridis",
    colorbar: bool = True,
) -> SeriesArtists:
    """One free share against time for several values of one parameter, coloured so that
    the colour scale reads as "more of the parameter" (dark = low, bright = high).

    Parameters
    ----------
    simulation : Simulation or sequence of Simulation
        With one parameter point per value (e.g. from :func:`sensitivity_runs`), or several
        simulations of one parameter point each.
    parameter : str
        The parameter that varies.
    ax : Axes, optional
    game : Game, optional
        For the labels (parameter LaTeX, share names).
    variable : int
        Index of the free share drawn.
    start : int
        Index of the start drawn.
    cmap : str
        A sequential colormap (``viridis`` and ``cividis`` read in grey and to colour-blind
        readers).
    colorbar : bool

    Returns
    -------
    SeriesArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games.plot import sensitivity_runs
    >>> g = load_model("hawk_dove")
    >>> sim = sensitivity_runs(g, "C", [2.5, 3, 4, 6], start=[0.1], t_end=20)
    >>> art = sensitivity(sim, "C", game=g)
    >>> len(art.lines), art.colorbar.ax.get_title()
    (4, '$C$')
    """
    import matplotlib as mpl

    sims = [simulation] if not isinstance(simulation, Sequence) else list(simulation)
    curves: list[tuple[float, np.ndarray, np.ndarray]] = []
    for sim in sims:
        _check_game(sim, game)
        if parameter not in sim.parameter_names:
            raise LmcGamesError(
                f"unknown parameter {parameter!r}; simulated: {sim.parameter_names}"
            )
        q = sim.parameter_names.index(parameter)
        if not 0 <= variable < sim.states.shape[-1]:
            raise LmcGamesError(f"variable must be in 0..{sim.states.shape[-1] - 1}")
        for j in range(sim.states.shape[2]):
            curves.append(
                (float(sim.parameter_values[j, q]), sim.times, sim.states[:, start, j, variable])
            )
    values = np.array([c[0] for c in curves])
    if np.unique(values).size < 2:
        raise LmcGamesError(f"{parameter!r} takes a single value: nothing to compare")
    ax = _new_ax() if ax is None else ax
    norm = mpl.colors.Normalize(vmin=values.min(), vmax=values.max())
    cm = mpl.colormaps[cmap]
    lines = []
    # Ascending, so the highest values are drawn last (on top).
    for value, times, ys in sorted(curves, key=lambda c: c[0]):
        # Keep the colormap's brightest tenth out: yellow lines vanish on white paper.
        (ln,) = ax.plot(times, ys, color=cm(0.9 * norm(value)), lw=1.0)
        ln.set_gid(f"sensitivity:{value!r}")
        lines.append(ln)
    ax.set_xlim(min(c[1][0] for c in curves), max(c[1][-1] for c in curves))
    ax.set_ylim(-0.02, 1.02)
    unit_ticks(ax, axes="y")
    ax.set_xlabel(text("Time, $t$"))
    if game is not None:
        ax.set_ylabel(text(share_label(game, variable, wrap=28)))
    else:
        ax.set_ylabel(text(f"${symbol_latex_name(sims[0].variables[variable])}$"))
    colours = mpl.colors.ListedColormap(cm(np.linspace(0, 0.9, 256)))
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=colours)
    cbar = None
    if colorbar:
        cbar = parameter_colorbar(ax.figure, sm, ax, parameter_label(game, parameter))
    return SeriesArtists(ax=ax, lines=tuple(lines), colorbar=cbar, mappable=sm)


def parameter_colorbar(fig: Any, mappable: Any, axes: Any, label: str) -> Any:
    """A colorbar for a parameter, its (short) symbol written upright beside it."""
    cbar = fig.colorbar(mappable, ax=axes, pad=0.02, aspect=25)
    if len(label) <= 12:
        # A short symbol reads best upright; above the bar it cannot touch the tick labels.
        cbar.ax.set_title(text(label), fontsize="medium", pad=4)
    else:
        cbar.set_label(text(label), rotation=90, labelpad=4)
    cbar.outline.set_linewidth(0.5)
    return cbar


def symbol_latex_name(name: str) -> str:
    import sympy

    return symbol_latex(sympy.Symbol(name))

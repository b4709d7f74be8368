"""Maps: basins of attraction, regions of a parameter sweep, continuation diagrams."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import LmcGamesError
from .._results import Stability
from ._data import BasinData, Boundary, geometry_of
from ._labels import parameter_label, share_label, strategy_name
from ._markers import INK, draw_rest_points
from ._phase import TRIANGLE_VERTICES, label_vertices, to_triangle, unit_ticks
from ._style import PALETTE, text

if TYPE_CHECKING:
    from .._game import Game

__all__ = ["MapArtists", "basin_map", "category_colours", "continuation_diagram", "region_map"]

NOT_CONVERGED_COLOUR = "#d9d9d9"
NONE_COLOUR = "#f2f2f2"


def _lighten(colour: str, amount: float) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def category_colours(n: int) -> list[tuple[float, float, float]]:
    """``n`` fill colours for categories: the Okabe–Ito palette lightened for area fills
    (black left out), then darker and lighter variants when more are needed.

    Examples
    --------
    >>> len(category_colours(10))
    10
    """
    base = [c for c in PALETTE if c != "#000000"]
    out = []
    for k in range(n):
        shade = (0.35, 0.0, 0.65)[(k // len(base)) % 3]
        out.append(_lighten(base[k % len(base)], shade))
    return out


@dataclass(frozen=True, eq=False)
class MapArtists:
    """The matplotlib objects of a map.

    Attributes
    ----------
    ax : Axes
    image : Artist
        The coloured cells, triangles or points.
    categories : tuple of str
        For a categorical map: the legend text of each colour code (``image.get_array()``
        holds the codes).
    keys : tuple
        What each code stands for: a tuple of labels (the set of stable rest points, or of
        attractors reached) for a region map; a label, or ``None`` for starts that did not
        converge, for a basin map.
    codes : ndarray or None
        The category code of each cell or point, in the data's layout.
    legend, colorbar : Legend, Colorbar or None
    lines : tuple of Line2D
        Analytic boundaries, or continuation branches.
    markers : tuple of Artist
        Rest points, or stability changes.
    """

    ax: Any
    image: Any = None
    categories: tuple[str, ...] = ()
    keys: tuple[Any, ...] = ()
    codes: np.ndarray | None = None
    legend: Any = None
    colorbar: Any = None
    lines: tuple[Any, ...] = ()
    markers: tuple[Any, ...] = ()
    extra: dict = field(default_factory=dict, repr=False)


def _new_ax(projection: str | None = None) -> Any:
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot(projection=projection)


def _edges(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])


def _patches(names: Sequence[str], colours: Sequence[Any]) -> list[Any]:
    from matplotlib.patches import Patch

    return [
        Patch(facecolor=c, edgecolor="0.4", linewidth=0.4, label=text(n))
        for n, c in zip(names, colours)
    ]


def _label_words(label: str) -> str:
    return strategy_name(label)


def _set_name(labels: Sequence[str]) -> str:
    if not labels:
        return "none"
    if len(labels) == 1:
        return _label_words(labels[0])
    parts = [f"({_label_words(lb)})" if ", " in lb else _label_words(lb) for lb in labels]
    return " and ".join(parts)


# ----------------------------------------------------------------------------- basins
def basin_map(
    data: BasinData,
    ax: Any = None,
    *,
    legend: bool = True,
    markers: bool = True,
) -> MapArtists:
    """Initial points coloured by the attractor they reach.

    Square: one cell per start of a regular grid; triangle: the triangles between starts,
    each coloured by the attractor most of its corners reach; line: a strip; cube: points in
    3-D; other shapes: points projected on the first two free shares. Starts that did not
    converge are grey.

    Parameters
    ----------
    data : BasinData
        From :func:`~lmc_games.plot.basin_data` (or ``BasinData.from_convergence`` /
        ``from_sweep``).
    ax : Axes, optional
    legend, markers : bool
        Legend of attractors; rest-point markers on top.

    Returns
    -------
    MapArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games.plot import basin_data
    >>> art = basin_map(basin_data(load_model("hawk_dove_roles"), n=6, t_end=60))
    >>> art.categories  # the diagonal is the saddle's stable manifold
    ('hawk, dove', 'dove, hawk', 'hawk+dove, hawk+dove')
    """
    from matplotlib.colors import ListedColormap

    if not isinstance(data, BasinData):
        raise LmcGamesError("basin_map draws BasinData: compute it with plot.basin_data(game)")
    game = data.game
    geometry = geometry_of(game.shape)
    labels = list(data.labels)
    codes = np.array([labels.index(r) if r is not None else -1 for r in data.reached])
    names = [_label_words(lb) for lb in labels]
    colours: list[Any] = list(category_colours(len(labels)))
    has_nc = bool(np.any(codes < 0))
    # Shift codes so "not converged" is the last colour.
    shown = np.where(codes < 0, len(labels), codes)
    if has_nc:
        names.append("not converged")
        colours.append(NOT_CONVERGED_COLOUR)
    cmap = ListedColormap(colours if colours else [NOT_CONVERGED_COLOUR])
    vmax = max(len(colours) - 1, 1)
    x = data.starts
    if ax is None:
        ax = _new_ax("3d" if geometry == "cube" else None)
    image = None
    if geometry == "square" and _is_grid(x):
        xs, ys = np.unique(x[:, 0]), np.unique(x[:, 1])
        grid = np.full((ys.size, xs.size), np.nan)
        ix, iy = np.searchsorted(xs, x[:, 0]), np.searchsorted(ys, x[:, 1])
        grid[iy, ix] = shown
        # Cells tile the whole square: the outermost ones reach the edges.
        ex, ey = np.clip(_edges(xs), 0, 1), np.clip(_edges(ys), 0, 1)
        ex[[0, -1]], ey[[0, -1]] = (0.0, 1.0), (0.0, 1.0)
        image = ax.pcolormesh(ex, ey, grid, cmap=cmap, vmin=0, vmax=vmax)
        _square_axes(ax, game)
    elif geometry == "triangle":
        from matplotlib.tri import Triangulation

        xy = to_triangle(x)
        tri = Triangulation(xy[:, 0], xy[:, 1])
        corner = shown[tri.triangles]
        face = np.array([np.bincount(c, minlength=len(colours) + 1).argmax() for c in corner])
        image = ax.tripcolor(tri, facecolors=face, cmap=cmap, vmin=0, vmax=vmax, edgecolors="face")
        outline = np.vstack([TRIANGLE_VERTICES, TRIANGLE_VERTICES[:1]])
        ax.plot(outline[:, 0], outline[:, 1], color=INK, lw=0.8, clip_on=False)
        label_vertices(ax, game.populations[0].strategies)
        ax.set_aspect("equal")
        ax.set_axis_off()
    elif geometry == "line":
        order = np.argsort(x[:, 0])
        xs = x[order, 0]
        ex = np.clip(_edges(xs), 0, 1)
        ex[[0, -1]] = (0.0, 1.0)
        image = ax.pcolormesh(ex, [-0.5, 0.5], shown[order][None, :], cmap=cmap, vmin=0, vmax=vmax)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        unit_ticks(ax, axes="x")
        ax.set_xlabel(text(share_label(game, 0)))
    else:
        colours_pts = cmap(shown / vmax if vmax else shown)
        if geometry == "cube":
            image = ax.scatter(*x.T, c=colours_pts, s=6, depthshade=False, linewidths=0)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.set_zlim(0, 1)
        else:
            image = ax.scatter(x[:, 0], x[:, 1], c=colours_pts, s=8, linewidths=0)
            _square_axes(ax, game)
        image.set_array(None)
    image.set_gid("basins")
    marks = []
    if markers and data.rest_points:
        if geometry == "triangle":
            pts = [(tuple(to_triangle(np.array(m.state))), m.stability) for m in data.rest_points]
        elif geometry == "line":
            pts = [((m.state[0], 0.0), m.stability) for m in data.rest_points]
        elif geometry == "cube":
            pts = [(m.state, m.stability) for m in data.rest_points]
        else:
            pts = [(m.state[:2], m.stability) for m in data.rest_points]
        marks = draw_rest_points(ax, pts)
    leg = None
    if legend and names:
        # Above the map: attractor labels are long, and a legend at the side would squeeze it.
        kw = {
            "loc": "lower center",
            "bbox_to_anchor": (0.5, 1.02),
            "ncol": min(len(names), 2 if max(len(n) for n in names) > 14 else 3),
            "borderaxespad": 0.0,
        }
        if geometry == "triangle":
            kw = {"loc": "upper left", "bbox_to_anchor": (-0.02, 1.02)}
        leg = ax.legend(handles=_patches(names, colours), **kw)
    return MapArtists(
        ax=ax,
        image=image,
        categories=tuple(names),
        keys=tuple(labels) + ((None,) if has_nc else ()),
        codes=codes,
        legend=leg,
        markers=tuple(marks),
    )


def _is_grid(x: np.ndarray) -> bool:
    xs, ys = np.unique(x[:, 0]), np.unique(x[:, 1])
    return xs.size * ys.size == x.shape[0] and x.shape[1] == 2


def _square_axes(ax: Any, game: Game) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    unit_ticks(ax)
    ax.set_xlabel(text(share_label(game, 0)))
    ax.set_ylabel(text(share_label(game, 1, wrap=36)))


# ----------------------------------------------------------------------------- regions
def _slice(result: Any, arr: np.ndarray, at: Mapping[str, float] | None):
    """The plane (or line) of ``arr`` to draw: names and coordinates of its axes."""
    dims = tuple(result.dims)
    arr = np.asarray(arr)
    if dims == ("point",):
        names = tuple(result.names)
        return "points", names[:2], [np.asarray(result.coords[n]) for n in names[:2]], arr
    at = dict(at or {})
    unknown = [k for k in at if k not in dims]
    if unknown:
        raise LmcGamesError(f"at= names {unknown[0]!r}, not a swept parameter {dims}")
    free = [d for d in dims if d not in at]
    if len(free) > 2:
        raise LmcGamesError(
            f"the sweep varies {len(dims)} parameters {dims}: fix all but two with "
            f"at={{{free[-1]!r}: value, ...}}"
        )
    index: list[Any] = []
    for d in dims:
        if d in at:
            c = np.asarray(result.coords[d], dtype=float)
            index.append(int(np.argmin(np.abs(c - float(at[d])))))
        else:
            index.append(slice(None))
    sub = arr[tuple(index) + (Ellipsis,)]
    return "grid", tuple(free), [np.asarray(result.coords[d], dtype=float) for d in free], sub


def _categories(result: Any, show: str) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    labels = list(result.labels)
    if show == "stable":
        if not getattr(result, "stable", None) and labels:
            raise LmcGamesError("show='stable' needs a sweep with measure='stable'")
        flags = [np.asarray(result.stable[lb], dtype=bool) for lb in labels]
    else:
        if not getattr(result, "shares", None) and labels:
            raise LmcGamesError("show='reached' needs a sweep with measure='outcome'")
        flags = [np.asarray(result.shares[lb]) > 0 for lb in labels]
    shape = tuple(result.shape)
    if not flags:
        return np.zeros(shape, dtype=int), [()]
    stack = np.stack([f.reshape(-1) for f in flags], axis=-1)  # (size, L)
    rows, inverse = np.unique(stack, axis=0, return_inverse=True)
    sets = [tuple(lb for lb, f in zip(labels, row) if f) for row in rows]
    # Order: by number of labels, then by label order; "none" last.
    order = sorted(
        range(len(sets)),
        key=lambda k: (len(sets[k]) == 0, len(sets[k]), [labels.index(s) for s in sets[k]]),
    )
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    codes = rank[np.asarray(inverse).reshape(-1)].reshape(shape)
    return codes, [sets[k] for k in order]


def region_map(
    result: Any,
    ax: Any = None,
    *,
    show: str | None = None,
    label: str | None = None,
    at: Mapping[str, float] | None = None,
    boundaries: Sequence[Boundary] = (),
    game: Game | None = None,
    legend: bool = True,
    colorbar: bool = True,
    cmap: str | None = None,
) -> MapArtists:
    """A two-parameter map of a sweep: which rest points are stable (categorical), the
    median convergence time or the share of starts reaching an attractor (continuous).

    Parameters
    ----------
    result : SweepResult
        From :func:`lmc_games.sweep`: a grid over two parameters (or more, sliced with
        ``at``), one parameter (drawn as a strip), or a sample of points (drawn as dots).
    ax : Axes, optional
    show : {"stable", "reached", "time", "share"}, optional
        ``stable``: the set of stable rest points (measure ``stable``, the default there);
        ``reached``: the set of attractors reached from some start; ``time``: the median
        convergence time (the default for measure ``outcome``); ``share``: the share of starts
        reaching ``label``.
    label : str, optional
        The attractor of ``show="share"``.
    at : mapping, optional
        Values of the swept parameters to hold fixed (nearest grid value).
    boundaries : sequence of Boundary
        Analytic boundaries to overlay (from :func:`~lmc_games.plot.boundaries`).
    game : Game, optional
        For labels: parameters' LaTeX, strategy names.
    legend, colorbar : bool
    cmap : str, optional
        For continuous maps (default ``cividis``, read by colour-blind readers and in grey).

    Returns
    -------
    MapArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from lmc_games import load_model, sweep
    >>> g = load_model("hawk_dove")
    >>> res = sweep(g, {"V": np.linspace(0.5, 4, 8), "C": np.linspace(0.5, 4, 8)})
    >>> art = region_map(res, game=g)
    >>> art.categories  # on the diagonal C = V no rest point is asymptotically stable
    ('hawk', 'hawk+dove', 'none')
    """
    import matplotlib as mpl

    measure = getattr(result, "measure", "stable" if getattr(result, "stable", None) else "outcome")
    show = show or ("stable" if measure == "stable" else "time")
    if show not in ("stable", "reached", "time", "share"):
        raise LmcGamesError(f"show must be 'stable', 'reached', 'time' or 'share'; got {show!r}")
    ax = _new_ax() if ax is None else ax
    categorical = show in ("stable", "reached")
    if categorical:
        codes, sets = _categories(result, show)
        values = codes
        names = [_set_name(s) for s in sets]
        colours = [NONE_COLOUR if not s else c for s, c in zip(sets, category_colours(len(sets)))]
        colour_map = mpl.colors.ListedColormap(colours)
        norm = mpl.colors.BoundaryNorm(np.arange(len(sets) + 1) - 0.5, len(sets))
    else:
        if show == "time":
            if getattr(result, "convergence_time_median", None) is None:
                raise LmcGamesError("show='time' needs a sweep with measure='outcome'")
            values = np.asarray(result.convergence_time_median, dtype=float)
            bar_label = "Median convergence time"
        else:
            if label is None or label not in getattr(result, "shares", {}):
                known = ", ".join(repr(k) for k in getattr(result, "shares", {}))
                raise LmcGamesError(f"show='share' needs label= one of: {known or 'none'}")
            values = np.asarray(result.shares[label], dtype=float)
            bar_label = f"Share of starts reaching {_set_name([label])}"
        colour_map = mpl.colormaps[cmap or "cividis"].with_extremes(bad=NOT_CONVERGED_COLOUR)
        finite = values[np.isfinite(values)]
        lo = 0.0 if show == "share" else (float(finite.min()) if finite.size else 0.0)
        hi = 1.0 if show == "share" else (float(finite.max()) if finite.size else 1.0)
        norm = mpl.colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    kind, axes_names, coords, plane = _slice(result, values, at)
    if kind == "points":
        if len(axes_names) < 2:
            raise LmcGamesError("a sample sweep needs two varied parameters for a map")
        image = ax.scatter(
            coords[0], coords[1], c=plane, cmap=colour_map, norm=norm, s=10, linewidths=0
        )
    elif len(axes_names) == 2:
        image = ax.pcolormesh(
            _edges(coords[0]),
            _edges(coords[1]),
            plane.T,
            cmap=colour_map,
            norm=norm,
            rasterized=True,
        )
    else:
        image = ax.pcolormesh(
            _edges(coords[0]), [0, 1], plane[None, :], cmap=colour_map, norm=norm, rasterized=True
        )
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    image.set_gid("regions")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    if len(axes_names) > 1:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    else:
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    ax.set_xlabel(text(parameter_label(game, axes_names[0])))
    if len(axes_names) > 1:
        ax.set_ylabel(text(parameter_label(game, axes_names[1])))
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
    lines = []
    for b in boundaries:
        if len(axes_names) < 2:
            break
        if (b.x_name, b.y_name) == tuple(axes_names[:2]):
            bx, by = b.x, b.y
        elif (b.y_name, b.x_name) == tuple(axes_names[:2]):
            bx, by = b.y, b.x
        else:
            raise LmcGamesError(
                f"boundary in ({b.x_name}, {b.y_name}) does not match the map's axes {axes_names}"
            )
        (ln,) = ax.plot(bx, by, color=INK, lw=0.9, zorder=3)
        ln.set_gid("boundary")
        lines.append(ln)
    if len(axes_names) > 1 and kind == "grid":
        ax.set_xlim(_edges(coords[0])[[0, -1]])
        ax.set_ylim(_edges(coords[1])[[0, -1]])
    leg = cbar = None
    if categorical and legend:
        handles = _patches(names, colours)
        if lines:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], color=INK, lw=0.9, label=text("analytic boundary")))
        leg = ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            title=text("Stable rest points" if show == "stable" else "Attractors reached"),
            alignment="left",
        )
    if not categorical and colorbar:
        cbar = ax.figure.colorbar(image, ax=ax, pad=0.03)
        cbar.set_label(text(bar_label))
        cbar.outline.set_linewidth(0.5)
    return MapArtists(
        ax=ax,
        image=image,
        categories=tuple(names) if categorical else (),
        keys=tuple(sets) if categorical else (),
        codes=values if categorical else None,
        legend=leg,
        colorbar=cbar,
        lines=tuple(lines),
    )


# ----------------------------------------------------------------------------- continuation
_STYLE_OF = {
    Stability.STABLE: ("solid", 1.4),
    Stability.CENTRE: ((0, (1, 1.5)), 1.2),
}
_CHANGE_MARKERS = {"zero eigenvalue": "s", "Hopf": "^", "degenerate": "X", "existence": "o"}


def continuation_diagram(
    continuation: Any,
    ax: Any = None,
    *,
    variable: int | str = 0,
    game: Game | None = None,
    labels: Sequence[str] | None = None,
    legend: bool = True,
    wrap: int | None = None,
) -> MapArtists:
    """Rest-point coordinate against a parameter: solid where asymptotically stable, dotted
    where a centre, dashed elsewhere (unstable, saddle, non-hyperbolic); the stability
    changes marked (square: a real eigenvalue crosses zero; triangle: Hopf; cross:
    degenerate).

    Parameters
    ----------
    continuation : Continuation
        From :func:`lmc_games.continuation`.
    ax : Axes, optional
    variable : int or str
        The free share on the vertical axis (index or name).
    game : Game, optional
        For labels (default: the continuation's game).
    labels : sequence of str, optional
        The branches to draw (default: all that exist somewhere).
    legend : bool
    wrap : int, optional
        Break a vertical-axis label longer than this many characters.

    Returns
    -------
    MapArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games._continuation import continuation
    >>> c = continuation(load_model("hawk_dove"), "C", 0.5, 4, num=41)
    >>> art = continuation_diagram(c)
    >>> sorted({ln.get_linestyle() for ln in art.lines})
    ['-', '--']
    """
    from matplotlib.lines import Line2D

    game = game if game is not None else getattr(continuation, "game", None)
    variables = tuple(getattr(continuation, "variables", ()))
    if isinstance(variable, str):
        if variable not in variables:
            raise LmcGamesError(f"unknown share {variable!r}; the shares are {variables}")
        variable = variables.index(variable)
    ax = _new_ax() if ax is None else ax
    branches = [b for b in continuation.branches if labels is None or b.label in labels]
    lines, marks = [], []
    legend_items: list[tuple[Any, str]] = []
    styles_used: set[str] = set()
    colour_i = 0
    for b in branches:
        y = np.asarray(b.states, dtype=float)[:, variable]
        x = np.asarray(b.parameter, dtype=float)
        stab = list(b.stability)
        if all(s is None for s in stab):
            continue
        colour = PALETTE[colour_i % len(PALETTE)]
        colour_i += 1
        k = 0
        while k < len(stab):
            if stab[k] is None or not np.isfinite(y[k]):
                k += 1
                continue
            j = k
            while j + 1 < len(stab) and stab[j + 1] == stab[k] and np.isfinite(y[j + 1]):
                j += 1
            # Overlap one point into the next run so the curve has no gap at a change.
            end = j + 2 if j + 1 < len(stab) and np.isfinite(y[j + 1]) else j + 1
            ls, lw = _STYLE_OF.get(stab[k], ("dashed", 1.0))
            (ln,) = ax.plot(x[k:end], y[k:end], color=colour, ls=ls, lw=lw, zorder=3)
            ln.set_gid(f"branch:{b.label}:{stab[k].value}")
            lines.append(ln)
            styles_used.add(
                "stable"
                if stab[k] is Stability.STABLE
                else "centre"
                if stab[k] is Stability.CENTRE
                else "unstable"
            )
            k = j + 1
        legend_items.append((Line2D([], [], color=colour, lw=1.4), _label_words(b.label)))
    kinds_used = []
    for ch in continuation.changes:
        if labels is not None and ch.label not in labels:
            continue
        if ch.kind == "existence" and (ch.before is None or ch.after is None):
            continue
        if len(ch.state) > variable:
            yv = float(ch.state[variable])
        else:
            br = next((b for b in continuation.branches if b.label == ch.label), None)
            if br is None:
                continue
            yv = float(np.interp(ch.value, br.parameter, np.asarray(br.states)[:, variable]))
        m = _CHANGE_MARKERS.get(ch.kind, "X")
        (pt,) = ax.plot(
            [ch.value],
            [yv],
            marker=m,
            ls="none",
            ms=4.5,
            mfc="white",
            mec=INK,
            mew=0.9,
            zorder=6,
            clip_on=False,
        )
        pt.set_gid(f"change:{ch.label}:{ch.kind}")
        marks.append(pt)
        if ch.kind not in kinds_used:
            kinds_used.append(ch.kind)
    name = getattr(continuation, "parameter", None)
    if name is None and continuation.changes:
        name = continuation.changes[0].parameter
    ax.set_xlabel(text(parameter_label(game, name) if name else "Parameter"))
    if game is not None:
        ax.set_ylabel(text(share_label(game, variable, wrap=wrap)))
    elif variables:
        ax.set_ylabel(text(variables[variable]))
    xs = np.asarray(getattr(continuation, "values", branches[0].parameter if branches else [0, 1]))
    ax.set_xlim(float(np.min(xs)), float(np.max(xs)))
    ax.set_ylim(-0.03, 1.03)
    unit_ticks(ax, axes="y")
    leg = None
    if legend:
        items = list(legend_items)
        if "stable" in styles_used:
            items.append((Line2D([], [], color="0.3", lw=1.4), "asymptotically stable"))
        if "centre" in styles_used:
            items.append((Line2D([], [], color="0.3", lw=1.2, ls=(0, (1, 1.5))), "centre"))
        if "unstable" in styles_used:
            items.append((Line2D([], [], color="0.3", lw=1.0, ls="dashed"), "not stable"))
        for kind in kinds_used:
            items.append(
                (
                    Line2D(
                        [],
                        [],
                        marker=_CHANGE_MARKERS.get(kind, "X"),
                        ls="none",
                        ms=4.5,
                        mfc="white",
                        mec=INK,
                        mew=0.9,
                    ),
                    f"change: {kind}",
                )
            )
        leg = ax.legend(
            [h for h, _ in items],
            [text(t) for _, t in items],
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
        )
    return MapArtists(ax=ax, legend=leg, lines=tuple(lines), markers=tuple(marks))

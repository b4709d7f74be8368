"""Phase diagrams by geometry: line, square, triangle, cube, and projections onto pairs of
free shares for any other shape. Each function draws a :class:`PhasePortrait` (computed by
:func:`~lmc_games.plot.portrait`) and returns the artists it made."""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import numpy as np

from .._errors import LmcGamesError
from ._data import PhasePortrait
from ._labels import population_label, share_label, strategy_name, symbol_latex, variable_info
from ._markers import INK, draw_rest_points, draw_several, legend_handles
from ._style import PALETTE, text

__all__ = [
    "PhaseArtists",
    "phase_cube",
    "phase_diagram",
    "phase_line",
    "phase_projections",
    "phase_square",
    "phase_triangle",
]

TRAJECTORY_COLOUR = PALETTE[0]
NULLCLINE_COLOURS = (PALETTE[1], PALETTE[2], PALETTE[3])
FIELD_COLOUR = "0.62"
CONTINUUM_COLOUR = "0.72"
SHADING_CMAP = "Greys"
_SQRT3_2 = math.sqrt(3.0) / 2.0
#: Triangle vertices: first strategy on top, second bottom left, third bottom right.
TRIANGLE_VERTICES = np.array([[0.5, _SQRT3_2], [0.0, 0.0], [1.0, 0.0]])


@dataclass(frozen=True, eq=False)
class PhaseArtists:
    """The matplotlib objects a phase diagram is made of.

    Attributes
    ----------
    axes : tuple of Axes
        One axes, or one per panel of the projections.
    rest_points : tuple of Line2D
        One per verdict and axes; ``gid`` is ``"rest-points:<verdict>"``.
    trajectories : tuple of Line2D
    field : tuple of Artist
        Direction arrows (Quiver) and speed shading.
    nullclines : tuple of Line2D
    continua : tuple of Line2D
    flow : tuple of Artist
        Arrowheads giving the direction of the flow (edges, trajectories, the line).
    legend : Legend or None
    colorbar : Colorbar or None
    """

    axes: tuple[Any, ...]
    rest_points: tuple[Any, ...] = ()
    trajectories: tuple[Any, ...] = ()
    field: tuple[Any, ...] = ()
    nullclines: tuple[Any, ...] = ()
    continua: tuple[Any, ...] = ()
    flow: tuple[Any, ...] = ()
    legend: Any = None
    colorbar: Any = None
    extra: dict = dc_field(default_factory=dict, repr=False)

    @property
    def ax(self) -> Any:
        """The (first) axes."""
        return self.axes[0]

    @property
    def figure(self) -> Any:
        """The figure drawn on."""
        return self.axes[0].figure


# ----------------------------------------------------------------------------- helpers
def _new_axes(projection: str | None = None, figsize: tuple[float, float] | None = None) -> Any:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(projection=projection)


def _check_portrait(portrait: Any, geometries: Sequence[str], fname: str) -> PhasePortrait:
    if not isinstance(portrait, PhasePortrait):
        raise LmcGamesError(
            f"{fname} draws a PhasePortrait: compute one with lmc_games.plot.portrait(game)"
        )
    if portrait.geometry not in geometries:
        raise LmcGamesError(
            f"{fname} draws {' or '.join(geometries)} portraits; this game's is a "
            f"{portrait.geometry}: use phase_diagram, which picks the geometry"
        )
    return portrait


def label_vertices(ax: Any, strategies: Sequence[str]) -> list[Any]:
    """Strategy names outside the triangle's vertices."""
    placement = (
        ((0, 7), "center", "bottom"),
        ((-5, -6), "right", "top"),
        ((5, -6), "left", "top"),
    )
    out = []
    for (vx, vy), (off, ha, va), name in zip(TRIANGLE_VERTICES, placement, strategies):
        out.append(
            ax.annotate(
                text(strategy_name(name)),
                (vx, vy),
                xytext=off,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=8,
            )
        )
    return out


def to_triangle(free: np.ndarray) -> np.ndarray:
    """Cartesian coordinates in the triangle of free shares (x1, x2) of three strategies."""
    free = np.asarray(free, dtype=float)
    full = np.concatenate([free, 1.0 - free.sum(axis=-1, keepdims=True)], axis=-1)
    return full @ TRIANGLE_VERTICES


def _triangle_direction(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    full = np.concatenate([v, -v.sum(axis=-1, keepdims=True)], axis=-1)
    return full @ TRIANGLE_VERTICES


def _arrowhead(ax: Any, at: np.ndarray, direction: np.ndarray, *, color: str, size: float) -> Any:
    """An arrowhead centred at ``at`` pointing along ``direction`` (data coordinates)."""
    from matplotlib.patches import FancyArrowPatch

    d = np.asarray(direction, dtype=float)
    norm = float(np.hypot(*d))
    if norm == 0:
        return None
    d = d / norm * 1e-3
    patch = FancyArrowPatch(
        posA=tuple(at - d),
        posB=tuple(at + d),
        arrowstyle="-|>",
        mutation_scale=size,
        color=color,
        linewidth=0,
        shrinkA=0,
        shrinkB=0,
        clip_on=False,
        zorder=6,
    )
    ax.add_patch(patch)
    return patch


def _arrow_index(free: np.ndarray) -> tuple[int | None, int, int]:
    """Where a trajectory's arrowhead goes: about a third of the way along it, at a point
    away from the boundary (where paths merge with the edges and each other), and the two
    indices of a short chord giving its direction."""
    seg = np.max(np.abs(np.diff(free, axis=0)), axis=1)
    total = float(seg.sum())
    if free.shape[0] < 3 or total < 0.04:
        return None, 0, 0
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    low = np.min(free, axis=1)
    # For a population with k >= 3 strategies the implied share counts as well; a margin on
    # the free shares alone is a fair proxy for a figure.
    high = np.max(free, axis=1)
    inside = (low > 0.03) & (high < 0.97)
    k = None
    for frac in (0.35, 0.25, 0.45, 0.15, 0.6, 0.08):
        cand = min(max(int(np.searchsorted(cum, frac * total)), 1), free.shape[0] - 2)
        if inside[cand]:
            k = cand
            break
    if k is None:
        k = min(max(int(np.searchsorted(cum, 0.35 * total)), 1), free.shape[0] - 2)
    j = k
    # Direction from a short chord, not one step: steps near a rest point are tiny.
    while j < free.shape[0] - 1 and cum[j] - cum[k - 1] < 0.01:
        j += 1
    return k, k - 1, j


def _draw_path(ax: Any, xy: np.ndarray, free: np.ndarray, *, color: str, lw: float):
    (line,) = ax.plot(xy[:, 0], xy[:, 1], color=color, lw=lw, solid_capstyle="round", zorder=4)
    head = None
    k, j0, j1 = _arrow_index(free)
    if k is not None:
        head = _arrowhead(ax, xy[k], xy[j1] - xy[j0], color=color, size=7)
    return line, head


def _trajectory_xy(portrait: PhasePortrait, mapping) -> list[tuple[np.ndarray, np.ndarray]]:
    """(axes coordinates, free shares) of each trajectory."""
    return [(mapping(p), p) for p in portrait.trajectories]


def _legend(ax: Any, artists: Sequence[Any], extra: Sequence[tuple[Any, str]], **kw) -> Any:
    from matplotlib.legend_handler import HandlerTuple

    handles, labels = legend_handles(artists)
    for h, lb in extra:
        handles.append(h)
        labels.append(lb)
    if not handles:
        return None
    kw.setdefault("handler_map", {tuple: HandlerTuple(ndivide=1)})
    return ax.legend(handles, [text(lb) for lb in labels], **kw)


def unit_ticks(ax: Any, *, axes: str = "xy", ticks: Sequence[float] = (0, 0.5, 1)) -> None:
    """Ticks at shares 0, 1/2 and 1, labelled ``0``, ``0.5``, ``1`` (not ``0.0``, ``1.0``)."""
    labels = [text(f"${t:g}$") for t in ticks]
    for a in axes:
        getattr(ax, f"set_{a}ticks")(list(ticks), labels=labels)


def _continua(ax: Any, portrait: PhasePortrait, mapping, lw: float = 3.0) -> list[Any]:
    out = []
    for c in portrait.continua:
        for seg in c.segments:
            xy = mapping(seg)
            (ln,) = ax.plot(
                *xy.T,
                color=CONTINUUM_COLOUR,
                lw=lw,
                solid_capstyle="butt",
                zorder=5,
            )
            if getattr(ax, "name", "") != "3d":
                ln.set_clip_on(False)
            ln.set_gid("continuum")
            out.append(ln)
    return out


def _continuum_handle() -> tuple[Any, str]:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=CONTINUUM_COLOUR, lw=3.0), "rest points (continuum)"


# ----------------------------------------------------------------------------- line
def phase_line(
    portrait: PhasePortrait,
    ax: Any = None,
    *,
    rate: bool = True,
    legend: bool = True,
) -> PhaseArtists:
    r"""Phase line of one population with two strategies.

    The flow on [0, 1] with arrows between rest points; with ``rate`` (the default) above it
    the graph of the rate of change :math:`\dot{x}` against :math:`x`.

    Parameters
    ----------
    portrait : PhasePortrait
        Of a game with one population of two strategies.
    ax : Axes, optional
    rate : bool
        Draw the graph of the rate of change.
    legend : bool

    Returns
    -------
    PhaseArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games.plot import portrait, phase_line
    >>> art = phase_line(portrait(load_model("hawk_dove")))
    >>> [a.get_gid() for a in art.rest_points]
    ['rest-points:stable', 'rest-points:unstable']
    """
    portrait = _check_portrait(portrait, ("line",), "phase_line")
    game = portrait.game
    ax = _new_axes() if ax is None else ax
    flow = []
    field_artists = []
    sym = symbol_latex(game.variables[0])
    if rate and portrait.arrows is not None:
        x = portrait.arrows.points[:, 0]
        v = portrait.arrows.velocity[:, 0]
        ax.axhline(0.0, color=INK, lw=0.6, zorder=2)
        (curve,) = ax.plot(x, v, color=TRAJECTORY_COLOUR, lw=1.2, zorder=3)
        curve.set_gid("rate")
        field_artists.append(curve)
        ax.set_ylabel(text(f"Rate of change, $\\dot{{{sym}}}$"))
        top = float(np.max(np.abs(v))) or 1.0
        ax.set_ylim(-1.15 * top, 1.15 * top)
        ax.spines["bottom"].set_position(("outward", 3))
        ax.spines["left"].set_position(("outward", 3))
    else:
        ax.axhline(0.0, color=INK, lw=0.8, zorder=2)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)
    for fa in portrait.edge_flow:
        head = _arrowhead(
            ax, np.array([fa.position[0], 0.0]), np.array([fa.direction[0], 0.0]), color=INK, size=9
        )
        flow.append(head)
    conts = _continua(ax, portrait, lambda s: np.column_stack([s[:, 0], np.zeros(len(s))]))
    marks = draw_rest_points(ax, [((m.state[0], 0.0), m.stability) for m in portrait.rest_points])
    ax.set_xlim(0, 1)
    unit_ticks(ax, axes="x")
    ax.set_xlabel(text(share_label(game, 0)))
    leg = None
    if legend:
        extra = [_continuum_handle()] if conts else []
        leg = _legend(
            ax,
            marks,
            extra,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.02),
            ncol=min(5, len(marks) + len(extra)),
            borderaxespad=0.0,
        )
    return PhaseArtists(
        axes=(ax,),
        rest_points=tuple(marks),
        field=tuple(field_artists),
        continua=tuple(conts),
        flow=tuple(f for f in flow if f is not None),
        legend=leg,
    )


# ----------------------------------------------------------------------------- square
def _quiver(ax: Any, pts: np.ndarray, vel: np.ndarray, speed: np.ndarray, spacing: float) -> Any:
    ok = speed > 1e-12 * max(1.0, float(speed.max()))
    norm = np.where(ok, np.hypot(vel[..., 0], vel[..., 1]), 1.0)
    u = np.where(ok, vel[..., 0] / norm, np.nan)
    v = np.where(ok, vel[..., 1] / norm, np.nan)
    length = 0.5 * spacing
    q = ax.quiver(
        pts[..., 0],
        pts[..., 1],
        u * length,
        v * length,
        angles="xy",
        scale_units="xy",
        scale=1.0,
        pivot="mid",
        color=FIELD_COLOUR,
        width=0.0045,
        headwidth=4.0,
        headlength=4.5,
        headaxislength=4.0,
        zorder=2,
    )
    # A quiver's extent is not its arrows' (it can be huge): keep it out of the layout.
    q.set_in_layout(False)
    q.set_gid("field-arrows")
    return q


def phase_square(
    portrait: PhasePortrait,
    ax: Any = None,
    *,
    field: str | None = "arrows",
    nullclines: bool = True,
    trajectories: bool = True,
    legend: bool = True,
    colorbar: bool = False,
) -> PhaseArtists:
    """Phase portrait of two populations of two strategies on the unit square.

    Parameters
    ----------
    portrait : PhasePortrait
    ax : Axes, optional
    field : {"arrows", "speed", "both", None}
        Direction arrows on a grid, speed shading (darker = faster), both, or neither.
    nullclines : bool
        Interior curves where one population's share does not change (dashed).
    trajectories : bool
        Solutions from the portrait's starts, with an arrowhead giving the direction.
    legend, colorbar : bool

    Returns
    -------
    PhaseArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games.plot import portrait, phase_square
    >>> art = phase_square(portrait(load_model("matching_pennies"), t_end=5))
    >>> sorted(a.get_gid() for a in art.rest_points)
    ['rest-points:centre', 'rest-points:centre-dot', 'rest-points:saddle']
    """
    portrait = _check_portrait(portrait, ("square",), "phase_square")
    if field not in ("arrows", "speed", "both", None):
        raise LmcGamesError(f"field must be 'arrows', 'speed', 'both' or None; got {field!r}")
    game = portrait.game
    ax = _new_axes() if ax is None else ax
    field_artists: list[Any] = []
    cbar = None
    if field in ("speed", "both") and portrait.shading is not None:
        sh = portrait.shading
        mesh = ax.pcolormesh(
            sh.points[..., 0],
            sh.points[..., 1],
            sh.speed,
            shading="gouraud",
            cmap=_light_cmap(),
            vmin=0.0,
            zorder=0,
            rasterized=True,
        )
        mesh.set_gid("field-speed")
        field_artists.append(mesh)
        if colorbar:
            cbar = ax.figure.colorbar(mesh, ax=ax, shrink=0.8, pad=0.04, aspect=25)
            cbar.set_label(text("Speed"))
            cbar.outline.set_linewidth(0.5)
    if field in ("arrows", "both") and portrait.arrows is not None:
        ar = portrait.arrows
        field_artists.append(_quiver(ax, ar.points, ar.velocity, ar.speed, ar.spacing))
    ncl = []
    extra: list[tuple[Any, str]] = []
    if nullclines:
        from matplotlib.lines import Line2D

        for c in portrait.nullclines:
            colour = NULLCLINE_COLOURS[c.variable % len(NULLCLINE_COLOURS)]
            sym = symbol_latex(game.variables[c.variable])
            for seg in c.segments:
                (ln,) = ax.plot(
                    seg[:, 0], seg[:, 1], color=colour, lw=1.0, ls=(0, (4, 2)), zorder=3
                )
                ln.set_gid(f"nullcline:{c.variable}")
                ncl.append(ln)
            extra.append(
                (Line2D([], [], color=colour, lw=1.0, ls=(0, (4, 2))), f"$\\dot{{{sym}}} = 0$")
            )
    lines, flow = [], []
    if trajectories:
        for xy, free in _trajectory_xy(portrait, lambda s: s):
            ln, head = _draw_path(ax, xy, free, color=TRAJECTORY_COLOUR, lw=0.8)
            ln.set_gid("trajectory")
            lines.append(ln)
            if head is not None:
                flow.append(head)
    for fa in portrait.edge_flow:
        head = _arrowhead(ax, np.array(fa.position), np.array(fa.direction), color=INK, size=8)
        if head is not None:
            flow.append(head)
    conts = _continua(ax, portrait, lambda s: s)
    if conts:
        extra.append(_continuum_handle())
    marks = draw_rest_points(ax, [(m.state, m.stability) for m in portrait.rest_points])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_linewidth(0.8)
    unit_ticks(ax)
    ax.set_xlabel(text(share_label(game, 0)))
    ax.set_ylabel(text(share_label(game, 1, wrap=36)))
    leg = None
    if legend:
        if cbar is None:
            leg = _legend(ax, marks, extra, loc="center left", bbox_to_anchor=(1.04, 0.5))
        else:
            # The colorbar takes the right side: the legend goes above.
            n = len(legend_handles(marks)[0]) + len(extra)
            leg = _legend(
                ax,
                marks,
                extra,
                loc="lower center",
                bbox_to_anchor=(0.5, 1.03),
                ncol=min(n, 4),
                borderaxespad=0.0,
                columnspacing=1.0,
            )
    return PhaseArtists(
        axes=(ax,),
        rest_points=tuple(marks),
        trajectories=tuple(lines),
        field=tuple(field_artists),
        nullclines=tuple(ncl),
        continua=tuple(conts),
        flow=tuple(flow),
        legend=leg,
        colorbar=cbar,
    )


def _light_cmap() -> Any:
    """Light greys: shading that trajectories and markers stay readable on."""
    import matplotlib as mpl
    from matplotlib.colors import LinearSegmentedColormap

    base = mpl.colormaps[SHADING_CMAP]
    return LinearSegmentedColormap.from_list("lmc_speed", base(np.linspace(0.02, 0.45, 64)))


# ----------------------------------------------------------------------------- triangle
def phase_triangle(
    portrait: PhasePortrait,
    ax: Any = None,
    *,
    field: str | None = "speed",
    trajectories: bool = True,
    legend: bool = True,
    colorbar: bool = True,
    vertex_labels: bool = True,
) -> PhaseArtists:
    """Phase portrait of one population with three strategies on the simplex (a triangle
    in barycentric coordinates: first strategy at the top, second bottom left, third bottom
    right).

    Parameters
    ----------
    portrait : PhasePortrait
    ax : Axes, optional
    field : {"speed", "arrows", "both", None}
        Speed shading (darker = faster), direction arrows, both, or neither.
    trajectories, legend, colorbar, vertex_labels : bool

    Returns
    -------
    PhaseArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games.plot import portrait, phase_triangle
    >>> art = phase_triangle(portrait(load_model("rock_paper_scissors"), t_end=5))
    >>> [t.get_text() for t in art.extra["vertex_labels"]]
    ['rock', 'paper', 'scissors']
    """
    from matplotlib.tri import Triangulation

    portrait = _check_portrait(portrait, ("triangle",), "phase_triangle")
    if field not in ("arrows", "speed", "both", None):
        raise LmcGamesError(f"field must be 'speed', 'arrows', 'both' or None; got {field!r}")
    game = portrait.game
    ax = _new_axes() if ax is None else ax
    field_artists: list[Any] = []
    cbar = None
    if field in ("speed", "both") and portrait.shading is not None:
        sh = portrait.shading
        xy = to_triangle(sh.points)
        tri = Triangulation(xy[:, 0], xy[:, 1])
        top = float(sh.speed.max()) or 1.0
        cs = ax.tricontourf(
            tri, sh.speed, levels=np.linspace(0.0, top, 11), cmap=_light_cmap(), zorder=0
        )
        cs.set_gid("field-speed")
        field_artists.append(cs)
        if colorbar:
            # In the empty corner right of the top vertex, so the triangle keeps its size.
            cax = ax.inset_axes([0.74, 0.9, 0.24, 0.03])
            cbar = ax.figure.colorbar(cs, cax=cax, orientation="horizontal")
            cbar.set_ticks([0.0, top], labels=[text("$0$"), text(f"${top:.2g}$")])
            cbar.ax.tick_params(length=2, pad=1.5, labelsize="small")
            cbar.ax.set_title(text("Speed"), fontsize="small", pad=2)
            cbar.outline.set_linewidth(0.5)
    if field in ("arrows", "both") and portrait.arrows is not None:
        ar = portrait.arrows
        pts = to_triangle(ar.points)
        vel = _triangle_direction(ar.velocity)
        field_artists.append(_quiver(ax, pts, vel, ar.speed, ar.spacing))
    outline = np.vstack([TRIANGLE_VERTICES, TRIANGLE_VERTICES[:1]])
    (edge,) = ax.plot(outline[:, 0], outline[:, 1], color=INK, lw=0.8, zorder=3, clip_on=False)
    edge.set_gid("simplex")
    lines, flow = [], []
    if trajectories:
        for xy, free in _trajectory_xy(portrait, to_triangle):
            full = np.column_stack([free, 1.0 - free.sum(axis=1)])
            ln, head = _draw_path(ax, xy, full, color=TRAJECTORY_COLOUR, lw=0.8)
            ln.set_gid("trajectory")
            lines.append(ln)
            if head is not None:
                flow.append(head)
    for fa in portrait.edge_flow:
        at = to_triangle(np.array(fa.position))
        d = _triangle_direction(np.array(fa.direction))
        head = _arrowhead(ax, at, d, color=INK, size=8)
        if head is not None:
            flow.append(head)
    conts = _continua(ax, portrait, to_triangle)
    marks = draw_rest_points(
        ax, [(tuple(to_triangle(np.array(m.state))), m.stability) for m in portrait.rest_points]
    )
    vlabels = label_vertices(ax, game.populations[0].strategies) if vertex_labels else []
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, _SQRT3_2 + 0.02)
    ax.set_aspect("equal")
    ax.set_axis_off()
    leg = None
    if legend:
        extra = [_continuum_handle()] if conts else []
        leg = _legend(ax, marks, extra, loc="upper left", bbox_to_anchor=(-0.02, 1.02))
    return PhaseArtists(
        axes=(ax,),
        rest_points=tuple(marks),
        trajectories=tuple(lines),
        field=tuple(field_artists),
        continua=tuple(conts),
        flow=tuple(flow),
        legend=leg,
        colorbar=cbar,
        extra={"vertex_labels": vlabels, "simplex": edge},
    )


# ----------------------------------------------------------------------------- cube
def phase_cube(
    portrait: PhasePortrait,
    ax: Any = None,
    *,
    projections: bool = False,
    trajectories: bool = True,
    legend: bool = True,
    elev: float = 24.0,
    azim: float = -62.0,
) -> PhaseArtists:
    """Phase portrait of three populations of two strategies in the unit cube (3-D), or,
    with ``projections``, as three 2-D panels (the projections onto each pair of shares),
    which print better.

    Parameters
    ----------
    portrait : PhasePortrait
    ax : Axes, optional
        A 3-D axes (``projection="3d"``); with ``projections``, a sequence of three axes.
    projections : bool
    trajectories, legend : bool
    elev, azim : float
        Viewing angle in degrees.

    Returns
    -------
    PhaseArtists

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import Game
    >>> from lmc_games.plot import portrait, phase_cube
    >>> g = Game.from_table(
    ...     [("a", ["c", "d"]), ("b", ["c", "d"]), ("e", ["c", "d"])],
    ...     {("c", "c", "c"): [1, 1, 1], ("c", "c", "d"): [0, 0, 0],
    ...      ("c", "d", "c"): [0, 0, 0], ("c", "d", "d"): [0, 0, 0],
    ...      ("d", "c", "c"): [0, 0, 0], ("d", "c", "d"): [0, 0, 0],
    ...      ("d", "d", "c"): [0, 0, 0], ("d", "d", "d"): [1, 1, 1]})
    >>> art = phase_cube(portrait(g, t_end=5))
    >>> art.ax.name
    '3d'
    """
    portrait = _check_portrait(portrait, ("cube",), "phase_cube")
    if projections:
        return phase_projections(portrait, ax, legend=legend, trajectories=trajectories)
    game = portrait.game
    if ax is None:
        ax = _new_axes("3d")
    elif getattr(ax, "name", "") != "3d":
        raise LmcGamesError(
            "phase_cube needs a 3-D axes: fig.add_subplot(projection='3d'), "
            "or pass projections=True for three 2-D panels"
        )
    # Axes first: the arrowheads are placed through the projection of this view.
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_zlim(0, 1)
    # No tick labels: the corners are 0 and 1, and labels there collide with the axis labels.
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_zticks([])
    ax.set_box_aspect((1, 1, 1), zoom=0.84)
    ax.view_init(elev=elev, azim=azim)
    ax.grid(False)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((1, 1, 1, 0))
        axis.line.set_linewidth(0.6)
    for a, b in itertools.combinations(itertools.product((0.0, 1.0), repeat=3), 2):
        if sum(abs(p - q) for p, q in zip(a, b)) == 1.0:
            ax.plot(*np.array([a, b]).T, color="0.45", lw=0.6, zorder=1)
    lines, flow = [], []
    if trajectories:
        for free in portrait.trajectories:
            (ln,) = ax.plot(*free.T, color=TRAJECTORY_COLOUR, lw=0.8, alpha=0.9, zorder=4)
            ln.set_gid("trajectory")
            lines.append(ln)
            k, j0, j1 = _arrow_index(free)
            if k is not None:
                head = _arrowhead3d(ax, free[k], free[j1] - free[j0], TRAJECTORY_COLOUR, 7)
                if head is not None:
                    flow.append(head)
    for fa in portrait.edge_flow:
        head = _arrowhead3d(ax, np.array(fa.position), np.array(fa.direction), INK, 8)
        if head is not None:
            flow.append(head)
    conts = _continua(ax, portrait, lambda s: s)
    marks = draw_rest_points(ax, [(m.state, m.stability) for m in portrait.rest_points], zorder=20)
    labels = _cube_axis_labels(game)
    pads = [2 if "\n" in lab else -12 for lab in labels]
    ax.set_xlabel(text(labels[0]), labelpad=pads[0])
    ax.set_ylabel(text(labels[1]), labelpad=pads[1])
    ax.set_zlabel(text(labels[2]), labelpad=pads[2])
    leg = None
    if legend:
        extra = [_continuum_handle()] if conts else []
        leg = _legend(ax, marks, extra, loc="upper left", bbox_to_anchor=(0.0, 1.0))
    return PhaseArtists(
        axes=(ax,),
        rest_points=tuple(marks),
        trajectories=tuple(lines),
        continua=tuple(conts),
        flow=tuple(flow),
        legend=leg,
    )


def _cube_axis_labels(game) -> list[str]:
    out = []
    for j, (p, i) in enumerate(variable_info(game)):
        pop = game.populations[p]
        sym = symbol_latex(game.variables[j])
        strat = strategy_name(pop.strategies[i])
        # Long labels go on two or three lines of at most 30 characters: on the cube's short
        # edges a long line runs into the neighbouring axis label (a supervisor named
        # "Supervisor (central government or LMC secretariat)" met the y label), and more
        # lines would push the z label off the figure.
        lines = textwrap.wrap(f"{population_label(pop)}:", 30)
        tail = f"{strat}, ${sym}$"
        if len(lines) == 1 and len(lines[0]) + len(strat) <= 22:
            out.append(f"{lines[0]} {tail}")
        elif len(lines[-1]) + len(strat) + 3 <= 30 and len(lines) > 1:
            out.append("\n".join(lines[:-1] + [f"{lines[-1]} {tail}"]))
        else:
            out.append("\n".join(lines + [tail]))
    return out


def _arrowhead3d(ax: Any, at: np.ndarray, direction: np.ndarray, color: str, size: float):
    """A 2-D arrowhead at a 3-D point, oriented along the projected direction.

    mplot3d has no filled 3-D arrowheads (its quiver draws open chevrons), so the head is
    drawn in the projected plane of the current view; it does not follow an interactive
    rotation.
    """
    from matplotlib.patches import FancyArrowPatch
    from mpl_toolkits.mplot3d import proj3d

    class _Head(FancyArrowPatch):
        # mplot3d asks every patch for its depth to order them; this one is flat.
        def do_3d_projection(self, renderer: Any = None) -> float:
            return depth

    d = np.asarray(direction, dtype=float)
    n = float(np.linalg.norm(d))
    if n == 0:
        return None
    d = d / n * 1e-3
    M = ax.get_proj()
    x0, y0, _ = proj3d.proj_transform(*(np.asarray(at) - d), M)
    x1, y1, z1 = proj3d.proj_transform(*(np.asarray(at) + d), M)
    depth = float(z1)
    patch = _Head(
        (float(x0), float(y0)),
        (float(x1), float(y1)),
        arrowstyle="-|>",
        mutation_scale=size,
        color=color,
        linewidth=0,
        shrinkA=0,
        shrinkB=0,
        transform=ax.transData,
        zorder=6,
    )
    patch.set_in_layout(False)
    ax.add_artist(patch)
    return patch


# ----------------------------------------------------------------------------- projections
def phase_projections(
    portrait: PhasePortrait,
    axes: Any = None,
    *,
    pairs: Sequence[tuple[int, int]] | None = None,
    trajectories: bool = True,
    legend: bool = True,
) -> PhaseArtists:
    """Trajectories and rest points projected onto pairs of free shares, one square panel
    per pair: the printable alternative to a 3-D cube, and the phase diagram of any shape
    without a geometry of its own.

    Parameters
    ----------
    portrait : PhasePortrait
    axes : sequence of Axes, optional
        One per pair; by default a new figure with the panels in a row (up to three per row).
    pairs : sequence of (int, int), optional
        Indices of free shares (horizontal, vertical); default every pair, at most six.
    trajectories, legend : bool

    Returns
    -------
    PhaseArtists
    """
    if not isinstance(portrait, PhasePortrait):
        raise LmcGamesError("phase_projections draws a PhasePortrait: use plot.portrait(game)")
    game = portrait.game
    n = portrait.dimension
    if n < 2:
        raise LmcGamesError("projections need at least two free shares")
    pairs = list(pairs) if pairs is not None else list(itertools.combinations(range(n), 2))[:6]
    if axes is None:
        import matplotlib.pyplot as plt

        ncols = min(3, len(pairs))
        nrows = math.ceil(len(pairs) / ncols)
        fig, grid = plt.subplots(nrows, ncols, squeeze=False)
        axes = list(grid.ravel())
        for extra_ax in axes[len(pairs) :]:
            extra_ax.set_visible(False)
        axes = axes[: len(pairs)]
    axes = list(np.atleast_1d(axes))
    if len(axes) != len(pairs):
        raise LmcGamesError(f"give one axes per projection: {len(pairs)} needed")
    marks_all, lines, flow = [], [], []
    for ax, (i, j) in zip(axes, pairs):
        if trajectories:
            for xy, free in _trajectory_xy(portrait, lambda s, i=i, j=j: s[:, [i, j]]):
                ln, head = _draw_path(ax, xy, free, color=TRAJECTORY_COLOUR, lw=0.7)
                ln.set_gid("trajectory")
                lines.append(ln)
                if head is not None:
                    flow.append(head)
        # Several rest points may land on one point of a panel (a corner collects every
        # corner of the other shares): the most stable is drawn, in a ring if verdicts differ.
        projected = portrait.projection(i, j)
        marks_all += draw_rest_points(ax, [(pm.position, pm.shown) for pm in projected])
        marks_all += draw_several(ax, [pm.position for pm in projected if pm.mixed])
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
        unit_ticks(ax)
        ax.set_xlabel(text(share_label(game, i, wrap=30)))
        ax.set_ylabel(text(share_label(game, j, wrap=30)))
    leg = None
    if legend:
        fig = axes[0].figure
        from matplotlib.legend_handler import HandlerTuple

        handles, labels = legend_handles(marks_all)
        if handles:
            leg = fig.legend(
                handles,
                [text(lb) for lb in labels],
                loc="outside upper center",
                ncol=len(handles),
                handler_map={tuple: HandlerTuple(ndivide=1)},
            )
    return PhaseArtists(
        axes=tuple(axes),
        rest_points=tuple(marks_all),
        trajectories=tuple(lines),
        flow=tuple(flow),
        legend=leg,
    )


# ----------------------------------------------------------------------------- dispatch
def phase_diagram(portrait: PhasePortrait, ax: Any = None, **options: Any) -> PhaseArtists:
    """Draw a phase portrait in its geometry: line, square, triangle, cube or projections.

    ``options`` go to :func:`phase_line`, :func:`phase_square`, :func:`phase_triangle`,
    :func:`phase_cube` or :func:`phase_projections`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lmc_games import load_model
    >>> from lmc_games.plot import portrait, phase_diagram
    >>> pp = portrait(load_model("rock_paper_scissors"), t_end=5)
    >>> art = phase_diagram(pp, field="arrows")
    >>> art.field[0].get_gid()
    'field-arrows'
    """
    if not isinstance(portrait, PhasePortrait):
        raise LmcGamesError(
            "phase_diagram draws a PhasePortrait: compute one with lmc_games.plot.portrait(game)"
        )
    draw = {
        "line": phase_line,
        "square": phase_square,
        "triangle": phase_triangle,
        "cube": phase_cube,
        "projections": phase_projections,
    }[portrait.geometry]
    return draw(portrait, ax, **options)

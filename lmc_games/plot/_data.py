"""The computing layer of the figures: everything a drawing shows, computed once.

Drawing functions never compute what they draw (rest points, trajectories, the field,
nullclines, boundaries): they take the frozen objects built here. Each object can be kept,
inspected, pickled or drawn several times with different options.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from .._errors import LmcGamesError, PlotWarning

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis, Stability
    from .._simulate import Convergence, Simulation

__all__ = [
    "BasinData",
    "Boundary",
    "Curve",
    "FieldSample",
    "FlowArrow",
    "PhasePortrait",
    "PlotWarning",
    "ProjectedMark",
    "RestMark",
    "basin_data",
    "boundaries",
    "geometry_of",
    "portrait",
    "sensitivity_runs",
    "series_end",
    "settled_time",
]


GEOMETRIES = ("line", "square", "triangle", "cube", "projections")


def geometry_of(shape: Sequence[int]) -> str:
    """The phase-diagram geometry of a game with ``shape`` strategies per population.

    ``line`` (one population, two strategies), ``square`` (two populations of two),
    ``triangle`` (one population, three), ``cube`` (three populations of two); any other
    shape is drawn as ``projections`` onto pairs of free shares.

    Examples
    --------
    >>> geometry_of((2, 2)), geometry_of((3,)), geometry_of((2, 3))
    ('square', 'triangle', 'projections')
    """
    shape = tuple(int(k) for k in shape)
    named = {(2,): "line", (2, 2): "square", (3,): "triangle", (2, 2, 2): "cube"}
    if shape in named:
        return named[shape]
    if sum(k - 1 for k in shape) < 2:
        raise LmcGamesError(f"a game with strategies per population {shape} has no phase space")
    return "projections"


@dataclass(frozen=True)
class RestMark:
    """A rest point as a figure marks it: label, free shares and verdict."""

    label: str
    state: tuple[float, ...]
    stability: Stability | None


#: Which verdict a marker shows where several rest points meet in a projection: the one
#: that decides where nearby trajectories go (an attractor first, a source last).
SHOWN_FIRST = ("stable", "centre", "non-hyperbolic", "undecided", "saddle", "unstable")


@dataclass(frozen=True)
class ProjectedMark:
    """Rest points that fall on one point of a projection onto two free shares.

    Attributes
    ----------
    position : tuple of float
        The two projected coordinates.
    marks : tuple of RestMark
        Every rest point projected there, in the portrait's order.
    """

    position: tuple[float, float]
    marks: tuple[RestMark, ...]

    @property
    def verdicts(self) -> tuple[str, ...]:
        """The distinct verdicts of :attr:`marks` (``"undecided"`` for none), most stable
        first (:data:`SHOWN_FIRST`)."""
        keys = {_verdict(m.stability) for m in self.marks}
        return tuple(k for k in SHOWN_FIRST if k in keys)

    @property
    def shown(self) -> Stability | None:
        """The verdict a marker shows: the most stable of :attr:`verdicts`."""
        for m in self.marks:
            if _verdict(m.stability) == self.verdicts[0]:
                return m.stability
        return None  # pragma: no cover - verdicts always come from marks

    @property
    def mixed(self) -> bool:
        """Rest points with different verdicts meet here."""
        return len(self.verdicts) > 1


def _verdict(stability: Stability | None) -> str:
    return "undecided" if stability is None else str(getattr(stability, "value", stability))


@dataclass(frozen=True, eq=False)
class Curve:
    """A curve in the state space (free shares): a continuum of rest points or a nullcline.

    ``segments`` is a tuple of arrays of shape (K, n); ``variable`` is the index of the free
    share whose rate vanishes on a nullcline (``None`` for a continuum).
    """

    name: str
    segments: tuple[np.ndarray, ...]
    stability: Stability | None = None
    variable: int | None = None


@dataclass(frozen=True, eq=False)
class FieldSample:
    """The vector field sampled at points of the state space.

    Attributes
    ----------
    points : ndarray, shape (..., n)
        Free shares.
    velocity : ndarray, shape (..., n)
        Time derivatives of the free shares.
    speed : ndarray, shape (...)
        Euclidean norm of the rate of change of all shares (the implied last one of each
        population included), so that speeds compare across geometries.
    """

    points: np.ndarray
    velocity: np.ndarray
    speed: np.ndarray
    spacing: float = 0.0


@dataclass(frozen=True)
class FlowArrow:
    """The direction of the flow on an edge of the state space, between two rest points."""

    position: tuple[float, ...]
    direction: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class PhasePortrait:
    """Everything a phase diagram shows, computed for one game at its parameter values.

    Build it with :func:`portrait`; draw it with :func:`~lmc_games.plot.phase_diagram`.

    Attributes
    ----------
    game : Game
    analysis : Analysis
        The numeric analysis the rest points come from.
    geometry : str
        ``line``, ``square``, ``triangle``, ``cube`` or ``projections``.
    rest_points : tuple of RestMark
    continua : tuple of Curve
        Sets of rest points (sampled), with the verdict at a generic point.
    starts : ndarray, shape (N, n)
        Initial free shares of the trajectories (none for the line).
    trajectories : tuple of ndarray
        One array (K, n) of free shares per start: the solution until it settles at a rest
        point (or, around a centre, until it closes).
    arrows : FieldSample or None
        The field on a coarse grid, for direction arrows (line: a fine grid, for the graph of
        the rate of change).
    shading : FieldSample or None
        The field on a fine grid, for speed shading.
    nullclines : tuple of Curve
        Interior curves on which one free share does not change (square only).
    edge_flow : tuple of FlowArrow
        Flow direction on the edges between consecutive rest points.
    """

    game: Game
    analysis: Analysis
    geometry: str
    rest_points: tuple[RestMark, ...]
    continua: tuple[Curve, ...]
    starts: np.ndarray
    trajectories: tuple[np.ndarray, ...]
    arrows: FieldSample | None
    shading: FieldSample | None
    nullclines: tuple[Curve, ...]
    edge_flow: tuple[FlowArrow, ...]

    @property
    def dimension(self) -> int:
        """Number of free shares."""
        return len(self.game.variables)

    def projection(self, i: int, j: int, *, tol: float = 1e-9) -> tuple[ProjectedMark, ...]:
        """The rest points projected onto free shares ``i`` (horizontal) and ``j``
        (vertical), those that land within ``tol`` of each other grouped into one
        :class:`ProjectedMark` — with four populations, four corners of the cube of the
        other shares land on each corner of a panel.

        Examples
        --------
        >>> from lmc_games import load_model
        >>> pp = portrait(load_model("hawk_dove_roles"), starts=[[0.5, 0.5]])
        >>> [(m.position, len(m.marks)) for m in pp.projection(0, 1)][:2]
        [((1.0, 1.0), 1), ((1.0, 0.0), 1)]
        """
        n = self.dimension
        if not (0 <= i < n and 0 <= j < n):
            raise LmcGamesError(f"free shares are numbered 0..{n - 1}; got {i}, {j}")
        groups: list[tuple[tuple[float, float], list[RestMark]]] = []
        for m in self.rest_points:
            xy = (float(m.state[i]), float(m.state[j]))
            for pos, members in groups:
                if abs(pos[0] - xy[0]) <= tol and abs(pos[1] - xy[1]) <= tol:
                    members.append(m)
                    break
            else:
                groups.append((xy, [m]))
        return tuple(ProjectedMark(pos, tuple(members)) for pos, members in groups)

    def __repr__(self) -> str:
        ntraj = len(self.trajectories)
        return (
            f"<PhasePortrait of {self.game.name!r} ({self.geometry}): "
            f"{len(self.rest_points)} rest points, {ntraj} trajectories>"
        )


# ----------------------------------------------------------------------------- helpers
def _numeric_analysis(game: Game, analysis: Analysis | None, dynamics: Any = None) -> Analysis:
    from .._analysis import analyze
    from ..dynamics import dynamics_from_spec

    if analysis is None:
        return analyze(game, dynamics=dynamics_from_spec(dynamics))
    if dynamics is not None and dynamics_from_spec(dynamics) != analysis.system.dynamics:
        raise LmcGamesError(
            f"the analysis is of the {analysis.system.dynamics.describe()}, not of "
            f"{dynamics_from_spec(dynamics).spec()!r}: analyse the game under the dynamics you "
            "draw, or leave dynamics out"
        )
    if analysis.values is None:
        raise LmcGamesError(
            "a figure needs a numeric analysis: call analyze(game) without symbolic=True"
        )
    for name, v in game.values.items():
        if name in analysis.values and analysis.values[name] != v:
            raise LmcGamesError(
                f"the analysis was made with {name} = {analysis.values[name]} but the game has "
                f"{name} = {v}: analyse the game you draw"
            )
    return analysis


def _parameter_vector(game: Game, names: Sequence[str]) -> np.ndarray:
    return np.array([float(game.values[k]) for k in names], dtype=np.float64)


def _free_state(shares: Sequence[Sequence[float]]) -> tuple[float, ...]:
    return tuple(float(v) for pop in shares for v in pop[:-1])


def _full(states: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    parts = []
    for g in groups:
        free = states[..., list(g)]
        parts += [free, 1.0 - free.sum(axis=-1, keepdims=True)]
    return np.concatenate(parts, axis=-1)


def _groups(game: Game) -> tuple[tuple[int, ...], ...]:
    out, start = [], 0
    for pop in game.populations:
        out.append(tuple(range(start, start + pop.k - 1)))
        start += pop.k - 1
    return tuple(out)


def _sample(
    cf: Any, params: np.ndarray, points: np.ndarray, groups, spacing: float = 0.0
) -> FieldSample:
    vel = np.asarray(cf(points, params), dtype=np.float64)
    full_vel = _full(vel, groups) - _full(np.zeros_like(vel), groups)
    speed = np.sqrt(np.sum(full_vel**2, axis=-1))
    return FieldSample(points=points, velocity=vel, speed=speed, spacing=spacing)


def _rates(analysis: Analysis) -> np.ndarray:
    rates = [
        abs(complex(e))
        for r in analysis.rest_points
        if r.numeric_eigenvalues is not None
        for e in r.numeric_eigenvalues
        if abs(complex(e)) > 1e-9
    ]
    return np.array(rates, dtype=np.float64)


def _time_scale(analysis: Analysis, factor: float) -> tuple[float, float]:
    """A default ``t_end`` and step from the eigenvalues: ``factor`` time constants of the
    median rate (at least a few periods around a centre), a step of a tenth of the fastest
    time constant."""
    rates = _rates(analysis)
    if rates.size == 0:
        return 20.0, 0.05
    t_end = factor / float(np.median(rates))
    for r in analysis.rest_points:
        if r.numeric_eigenvalues is None:
            continue
        imag = [abs(complex(e).imag) for e in r.numeric_eigenvalues if abs(complex(e).imag) > 1e-9]
        if imag:
            # Orbits far from a centre are slower than its linear period: allow two of them.
            t_end = max(t_end, 2 * 2 * math.pi / min(imag))
    t_end = float(min(max(t_end, 2.0), 5000.0))
    dt = float(min(0.05, 0.1 / rates.max(), t_end / 400))
    return t_end, dt


def _edges(geometry: str, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if geometry == "line":
        verts = [np.array([0.0]), np.array([1.0])]
        return [(verts[0], verts[1])]
    if geometry in ("square", "cube"):
        corners = [np.array(c, dtype=float) for c in itertools.product((0.0, 1.0), repeat=n)]
        return [
            (a, b) for a, b in itertools.combinations(corners, 2) if np.sum(np.abs(a - b)) == 1.0
        ]
    if geometry == "triangle":
        e1, e2, e3 = np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.0, 0.0])
        return [(e1, e2), (e2, e3), (e3, e1)]
    return []


def _edge_flow(cf, params, geometry, marks, continua) -> tuple[FlowArrow, ...]:
    n = cf.n
    out: list[FlowArrow] = []
    for a, b in _edges(geometry, n):
        d = b - a
        cuts = {0.0, 1.0}
        for m in marks:
            s = float(np.dot(np.array(m.state) - a, d) / np.dot(d, d))
            if 0 < s < 1 and np.max(np.abs(a + s * d - np.array(m.state))) < 1e-9:
                cuts.add(s)
        ss = sorted(cuts)
        for lo, hi in zip(ss[:-1], ss[1:]):
            pos = a + 0.5 * (lo + hi) * d
            v = np.asarray(cf(pos, params), dtype=np.float64)
            along = float(np.dot(v, d))
            # A segment of rest points (continuum) has no flow; neither has a tiny rate.
            if abs(along) <= 1e-9 * max(1.0, float(np.max(np.abs(v)))):
                continue
            out.append(
                FlowArrow(
                    position=tuple(float(c) for c in pos),
                    direction=tuple(float(c) for c in np.sign(along) * d / np.linalg.norm(d)),
                )
            )
    return tuple(out)


def _continuum_curves(analysis: Analysis, game: Game) -> tuple[Curve, ...]:
    variables = list(game.variables)
    groups = _groups(game)
    out = []
    for c in analysis.continua:
        exprs = [_expr(c.parametrisation.get(v, v)) for v in variables]
        ts = sorted(set().union(*(e.free_symbols for e in exprs)) - set(variables), key=str)
        if not ts or any(e.free_symbols & set(variables) for e in exprs):
            continue
        if len(ts) == 1:
            grid = [np.linspace(-0.5, 1.5, 801)]
        else:
            g = np.linspace(-0.5, 1.5, 61)
            grid = [a.ravel() for a in np.meshgrid(*([g] * len(ts)), indexing="ij")]
        cols = []
        for e in exprs:
            if not e.free_symbols:
                cols.append(np.full(grid[0].shape, float(e)))
                continue
            # Continua are rare and small: evaluate by substitution rather than compiling.
            vals = np.empty(grid[0].shape)
            for j in range(vals.size):
                vals[j] = float(e.xreplace({t: float(gr[j]) for t, gr in zip(ts, grid)}))
            cols.append(vals)
        pts = np.stack(cols, axis=-1)
        full = _full(pts, groups)
        inside = np.all((full >= -1e-12) & (full <= 1 + 1e-12), axis=-1)
        pts = pts[inside]
        if pts.shape[0] < 2:
            continue
        out.append(Curve(name=c.face, segments=(pts,), stability=c.stability))
    return tuple(out)


def _nullclines(cf, params, game: Game, n_fine: int) -> tuple[Curve, ...]:
    import contourpy

    # Cell centres: the edges of the square are nullclines of every replicator field and
    # would hide the interior curves that matter.
    c = (np.arange(n_fine) + 0.5) / n_fine
    X, Y = np.meshgrid(c, c, indexing="xy")
    vel = np.asarray(cf(np.stack([X, Y], axis=-1), params), dtype=np.float64)
    out = []
    for i, v in enumerate(game.variables):
        z = vel[..., i]
        if np.all(np.abs(z) <= 1e-14):
            continue
        lines = contourpy.contour_generator(x=c, y=c, z=z).lines(0.0)
        segs = tuple(np.asarray(s, dtype=np.float64) for s in lines if len(s) >= 2)
        if segs:
            out.append(Curve(name=f"{v} nullcline", segments=segs, variable=i))
    return tuple(out)


def _grid_points(geometry: str, g: int) -> np.ndarray:
    if geometry == "line":
        return np.linspace(0.0, 1.0, g)[:, None]
    if geometry == "square":
        # Cell centres: arrows on the edges would sit on the edge-flow arrowheads.
        c = (np.arange(g) + 0.5) / g
        X, Y = np.meshgrid(c, c, indexing="xy")
        return np.stack([X, Y], axis=-1)
    if geometry == "triangle":
        pts = [(i / g, j / g) for i in range(g + 1) for j in range(g + 1 - i)]
        return np.array(pts, dtype=np.float64)
    if geometry == "triangle-interior":
        pts = [(i / g, j / g) for i in range(1, g) for j in range(1, g - i)]
        return np.array(pts, dtype=np.float64)
    raise AssertionError(geometry)


def _default_starts(game: Game, geometry: str) -> np.ndarray:
    from .._simulate import starts_grid

    n = {"line": 0, "square": 4, "triangle": 4, "cube": 2}.get(geometry, 2)
    if n == 0:
        return np.zeros((0, len(game.variables)))
    return starts_grid(game, n)


def _centre_starts(marks: Sequence[RestMark], geometry: str) -> np.ndarray:
    """Starts on a ray from an interior centre to the farthest corner: nested closed orbits,
    where a grid of starts would draw overlapping ones."""
    centre = next(m for m in marks if m.stability is not None and m.stability.value == "centre")
    c = np.array(centre.state)
    if geometry == "triangle":
        corners = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    else:
        corners = np.array(list(itertools.product((0.0, 1.0), repeat=c.size)))
    far = corners[int(np.argmax(np.max(np.abs(corners - c), axis=1)))]
    fractions = np.array([0.15, 0.35, 0.55, 0.75, 0.9])
    return c + fractions[:, None] * (far - c)


def _integrate(
    sys_: Any,
    x0: np.ndarray,
    t_end: float,
    dt: float,
    engine: str,
    *,
    extend: bool,
    max_rate: float,
) -> list[np.ndarray]:
    """Trajectories from ``x0``; with ``extend``, runs that have not settled (nor closed)
    are continued for 8 and 64 times as long, at coarser saving."""
    from .._simulate import SimulationWarning, simulate

    if _discrete(sys_):
        # A map: its iterates, one per unit of time, are the trajectory (no step to choose).
        sim = simulate(sys_, x0, t_end=max(1, round(t_end)), engine=engine)
        return [sim.states[:, a, 0, :] for a in range(x0.shape[0])]
    pieces: list[list[np.ndarray]] = [[row[None, :]] for row in x0]
    current = x0.copy()
    active = np.arange(x0.shape[0])
    span = t_end
    for stage in range(3 if extend else 1):
        h = dt if stage == 0 else max(dt, span / 5000)
        # rk4 is unstable beyond h * |lambda| ~ 2.8: stop extending rather than blow up.
        if stage and h * max_rate > 2.0:
            break
        with warnings.catch_warnings():
            if stage:
                # A continued run may start on the boundary (clipped there): that is expected.
                warnings.simplefilter("ignore", SimulationWarning)
            sim = simulate(
                sys_,
                current[active],
                t_end=span,
                dt=h,
                method="rk4",
                engine=engine,
                save_every=span / 800 if stage else span / min(1500, max(1, math.ceil(span / h))),
            )
        states = sim.states[:, :, 0, :]
        for a, i in enumerate(active):
            pieces[i].append(states[1:, a, :])
        current[active] = states[-1]
        tail = states[-max(2, states.shape[0] // 10) :]
        moved = np.max(np.abs(tail - tail[-1]), axis=(0, 2))
        closed = np.array([_first_return(np.concatenate(pieces[i])) is not None for i in active])
        active = active[(moved > 1e-6) & ~closed]
        if not active.size:
            break
        span *= 8
    return [np.concatenate(p) for p in pieces]


def _first_return(path: np.ndarray) -> int | None:
    """Index where a path first comes back to its start after going away (a closed orbit)."""
    d = np.max(np.abs(path - path[0]), axis=1)
    reach = float(d.max())
    if reach < 1e-6:
        return None
    away = np.flatnonzero(d > 0.3 * reach)
    if not away.size:
        return None
    back = np.flatnonzero(d[away[0] :] < 0.01 * reach)
    if not back.size:
        return None
    return int(away[0] + back[0])


def _trim(path: np.ndarray, *, closed: bool) -> np.ndarray:
    """A path up to where it settles (stays within 1e-4 of its end); around a centre, up to
    its first return, closed exactly; a path that does neither (a cycle, a slow drift on a
    face of rest points) up to where it first comes back near a point it has passed, so
    that repeated turns do not pile up into a blot."""
    if closed:
        k = _first_return(path)
        if k is not None:
            return np.vstack([path[: k + 1], path[:1]])
    far = np.flatnonzero(np.max(np.abs(path - path[-1]), axis=1) > 1e-4)
    if far.size == 0:
        return path[:2]
    path = path[: min(int(far[-1]) + 2, path.shape[0])]
    k = _self_approach(path)
    return path if k is None else path[: k + 1]


def _self_approach(path: np.ndarray, tol: float = 4e-3) -> int | None:
    """First index at which a path comes within ``tol`` of a point it passed at least one
    turn earlier (it went more than ``20 * tol`` away in between)."""
    stride = max(1, math.ceil(path.shape[0] / 3000))
    path = path[::stride]
    # Arc length, to tell "one turn earlier" from "the previous step".
    seg = np.max(np.abs(np.diff(path, axis=0)), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    for k in range(1, path.shape[0]):
        earlier = arc < arc[k] - 40 * tol
        if not earlier[:k].any():
            continue
        d = np.max(np.abs(path[:k][earlier[:k]] - path[k]), axis=1)
        if d.min() < tol:
            return k * stride
    return None


# ----------------------------------------------------------------------------- portrait
def _discrete(sys_: Any) -> bool:
    return getattr(sys_.dynamics, "time", None) is not None and sys_.dynamics.time.value == (
        "discrete"
    )


def portrait(
    game: Game,
    *,
    analysis: Analysis | None = None,
    starts: Any = None,
    t_end: float | None = None,
    dt: float | None = None,
    grid: int | None = None,
    shading_grid: int | None = None,
    engine: str = "auto",
    dynamics: Any = None,
) -> PhasePortrait:
    """Compute what the phase diagram of ``game`` shows, at the game's parameter values.

    Parameters
    ----------
    game : Game
    analysis : Analysis, optional
        A numeric analysis of the same game (computed when not given).
    starts : array_like (N, n) or int, optional
        Initial free shares of the trajectories, or ``N`` for the ``--starts N`` grid
        (:func:`lmc_games.starts_grid`). Default: ``4`` for the square and the triangle,
        ``2`` for the cube and the projections, none for the line. Starts at a rest point are
        dropped from a default grid (they would not move).
    t_end, dt : float, optional
        Length and step of the trajectories; by default from the eigenvalues (a dozen time
        constants, and at least two periods around a centre).
    grid : int, optional
        Points per side of the grid of direction arrows (line: of the rate graph).
    shading_grid : int, optional
        Points per side of the fine grid for speed shading and nullclines.
    engine : {"auto", "numpy", "numba"}
        The engine of the trajectories (``"auto"``: numba when it is installed).
    dynamics : Dynamics or str, optional
        The dynamics drawn (default: the analysis's, or the replicator dynamics); for a map
        in discrete time the trajectories are its iterates (``t_end`` rounded to whole steps)
        and the arrows its increments.

    Returns
    -------
    PhasePortrait

    Examples
    --------
    >>> from lmc_games import load_model
    >>> pp = portrait(load_model("hawk_dove_roles"), t_end=10)
    >>> pp.geometry, [m.label for m in pp.rest_points if str(m.stability) == "stable"]
    ('square', ['hawk, dove', 'dove, hawk'])
    >>> pp.starts.shape, len(pp.trajectories)
    ((16, 2), 16)
    """
    from .._compile import compile_field
    from .._simulate import starts_grid

    geometry = geometry_of(game.shape)
    analysis = _numeric_analysis(game, analysis, dynamics)
    cf = compile_field(analysis.system, engine=engine)
    params = _parameter_vector(game, cf.parameters)
    groups = _groups(game)
    marks = tuple(
        RestMark(r.label, _free_state(r.numeric_shares), r.stability)
        for r in analysis.rest_points
        if r.numeric_shares is not None
    )
    continua = _continuum_curves(analysis, game)

    auto_t, auto_dt = _time_scale(analysis, 12.0)
    t_given = t_end
    t_end = auto_t if t_end is None else float(t_end)
    dt = min(auto_dt, t_end / 400) if dt is None else float(dt)

    centre = any(m.stability is not None and m.stability.value == "centre" for m in marks)
    if starts is None or isinstance(starts, (int, np.integer)):
        if starts is None and centre and geometry in ("square", "triangle", "cube"):
            x0 = _centre_starts(marks, geometry)
        elif starts is None:
            x0 = _default_starts(game, geometry)
        else:
            x0 = starts_grid(game, starts)
        if x0.shape[0]:
            speed = np.max(np.abs(np.asarray(cf(x0, params))), axis=-1)
            x0 = x0[speed > 1e-9]
    else:
        x0 = np.atleast_2d(np.asarray(starts, dtype=np.float64))
    paths: tuple[np.ndarray, ...] = ()
    if x0.shape[0]:
        rates = _rates(analysis)
        max_rate = float(rates.max()) if rates.size else 1.0
        paths = _integrate(
            analysis.system, x0, t_end, dt, engine, extend=t_given is None, max_rate=max_rate
        )
        paths = tuple(_trim(p, closed=centre) for p in paths)

    arrows = shading = None
    nullclines: tuple[Curve, ...] = ()
    if geometry == "line":
        g = grid or 201
        arrows = _sample(cf, params, _grid_points("line", g), groups, 1.0 / (g - 1))
    elif geometry == "square":
        g = grid or 10
        arrows = _sample(cf, params, _grid_points("square", g), groups, 1.0 / g)
        c = np.linspace(0.0, 1.0, shading_grid or 101)
        fine = np.stack(np.meshgrid(c, c, indexing="xy"), axis=-1)
        shading = _sample(cf, params, fine, groups)
        nullclines = _nullclines(cf, params, game, shading_grid or 200)
    elif geometry == "triangle":
        g = grid or 12
        arrows = _sample(cf, params, _grid_points("triangle-interior", g), groups, 1.0 / g)
        shading = _sample(cf, params, _grid_points("triangle", shading_grid or 60), groups)
    edge_flow = _edge_flow(cf, params, geometry, marks, continua)
    return PhasePortrait(
        game=game,
        analysis=analysis,
        geometry=geometry,
        rest_points=marks,
        continua=continua,
        starts=x0,
        trajectories=paths,
        arrows=arrows,
        shading=shading,
        nullclines=nullclines,
        edge_flow=edge_flow,
    )


# ----------------------------------------------------------------------------- basins
@dataclass(frozen=True, eq=False)
class BasinData:
    """Initial points and the attractor each one reaches.

    Attributes
    ----------
    game : Game
    starts : ndarray, shape (N, n)
        Initial free shares.
    reached : tuple of str or None
        Label of the rest point reached from each start (``None``: not converged).
    labels : tuple of str
        The labels reached, in the analysis order.
    rest_points : tuple of RestMark
        The rest points, for markers.
    """

    game: Game
    starts: np.ndarray
    reached: tuple[str | None, ...]
    labels: tuple[str, ...]
    rest_points: tuple[RestMark, ...] = ()

    @classmethod
    def from_convergence(
        cls,
        simulation: Simulation,
        convergence: Convergence,
        game: Game,
        *,
        analysis: Analysis | None = None,
        point: int = 0,
    ) -> BasinData:
        """From a simulation and its :func:`~lmc_games.converge` result, at one parameter
        point."""
        reached = tuple(convergence.reached[:, point].tolist())
        labels = tuple(lb for lb in convergence.labels if lb in reached)
        marks: tuple[RestMark, ...] = ()
        if analysis is not None:
            marks = tuple(
                RestMark(r.label, _free_state(r.numeric_shares), r.stability)
                for r in analysis.rest_points
                if r.numeric_shares is not None
            )
        return cls(game, np.asarray(simulation.inits, dtype=float), reached, labels, marks)

    @classmethod
    def from_sweep(cls, result: Any, game: Game, index: Sequence[int] = ()) -> BasinData:
        """From an ``outcome`` sweep, at the grid point ``index`` (a tuple of indices, one
        per dimension of the sweep)."""
        index = tuple(int(i) for i in index)
        if len(index) != len(result.shape):
            raise LmcGamesError(
                f"give one index per sweep dimension {tuple(result.dims)}; got {index}"
            )
        codes = np.asarray(result.reached)[index]
        labels = tuple(result.labels)
        reached = tuple(labels[c] if c >= 0 else None for c in codes.tolist())
        used = tuple(lb for lb in labels if lb in reached)
        return cls(game, np.asarray(result.starts, dtype=float), reached, used)


def basin_data(
    game: Game,
    *,
    n: int | None = None,
    t_end: float | None = None,
    eps: float = 1e-3,
    analysis: Analysis | None = None,
    engine: str = "auto",
    dynamics: Any = None,
) -> BasinData:
    """Simulate from a fine grid of starts and record which rest point each one reaches.

    Parameters
    ----------
    game : Game
    n : int, optional
        The ``--starts N`` grid (default: 40 for the line, 25 for the square and the
        triangle, 8 for the cube).
    t_end : float, optional
        Default: forty time constants of the median rate.
    eps : float
        Convergence tolerance (:func:`lmc_games.converge`).
    dynamics : Dynamics or str, optional
        Default: the analysis's, or the replicator dynamics (a map in discrete time is
        iterated ``t_end`` times, rounded to whole steps).

    Examples
    --------
    >>> from lmc_games import load_model
    >>> b = basin_data(load_model("hawk_dove_roles"), n=4, t_end=60)
    >>> b.labels  # starts on the diagonal lie on the saddle's stable manifold
    ('hawk, dove', 'dove, hawk', 'hawk+dove, hawk+dove')
    >>> b.reached[:3]
    ('hawk+dove, hawk+dove', 'dove, hawk', 'dove, hawk')
    """
    from .._simulate import converge, simulate, starts_grid

    geometry = geometry_of(game.shape)
    analysis = _numeric_analysis(game, analysis, dynamics)
    if n is None:
        n = {"line": 40, "square": 25, "triangle": 25, "cube": 8}.get(geometry, 6)
    x0 = starts_grid(game, n)
    auto_t, dt = _time_scale(analysis, 40.0)
    t_end = auto_t if t_end is None else float(t_end)
    with warnings.catch_warnings():
        # A grid point that happens to be a rest point is a fair start for a basin picture.
        from .._simulate import SimulationWarning

        warnings.simplefilter("ignore", SimulationWarning)
        if _discrete(analysis.system):
            sim = simulate(analysis.system, x0, t_end=max(1, round(t_end)), engine=engine)
        else:
            sim = simulate(
                analysis.system,
                x0,
                t_end=t_end,
                dt=min(dt, t_end / 400),
                engine=engine,
                save_every=t_end / 400,
            )
    conv = converge(sim, analysis, eps=eps)
    return BasinData.from_convergence(sim, conv, game, analysis=analysis)


# ----------------------------------------------------------------------------- boundaries
@dataclass(frozen=True, eq=False)
class Boundary:
    """An analytic boundary between regions of a two-parameter map.

    Attributes
    ----------
    x_name, y_name : str
        The parameters on the horizontal and vertical axes.
    equation : str
        The curve in LaTeX (without dollar signs), e.g. ``F = \\frac{15}{4 p}``.
    x, y : ndarray
        Points of the curve; NaN breaks it where it is not a boundary (no stable set
        changes across it) or leaves the plotted range.
    """

    x_name: str
    y_name: str
    equation: str
    x: np.ndarray
    y: np.ndarray


def _canonical(expr: sympy.Expr) -> sympy.Expr:
    num, _ = sympy.fraction(sympy.together(expr))
    num = sympy.expand(num)
    _, prim = num.as_content_primitive()
    if prim.could_extract_minus_sign():
        prim = -prim
    return prim


def boundaries(
    game: Game,
    x: str,
    y: str,
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    num: int = 161,
) -> tuple[Boundary, ...]:
    """The analytic boundaries between stability regions in the (``x``, ``y``) plane.

    The game is analysed symbolically in ``x`` and ``y`` only (the other parameters at
    their values); every sign condition in a rest point's ``stable_if`` gives a candidate
    curve, solved for ``y`` (or for ``x`` when it does not involve ``y``). A curve is kept
    only where the set of stable rest points differs on its two sides.

    Parameters
    ----------
    game : Game
    x, y : str
        Parameter names (horizontal, vertical axis).
    x_range, y_range : (float, float)
    num : int
        Points per curve.

    Returns
    -------
    tuple of Boundary

    Examples
    --------
    >>> from lmc_games import load_model
    >>> bs = boundaries(load_model("hawk_dove"), "V", "C", x_range=(0, 4), y_range=(0, 4))
    >>> [b.equation for b in bs]
    ['C = V']
    """
    from .._analysis import analyze

    for name in (x, y):
        if name not in game.parameter_map:
            known = ", ".join(game.parameter_map)
            raise LmcGamesError(f"unknown parameter {name!r}; this model has: {known}")
    if x == y:
        raise LmcGamesError("a region map needs two different parameters")
    reduced = game.with_free((x, y))
    an = analyze(reduced, symbolic=True)
    sx, sy = reduced.parameter_map[x].symbol, reduced.parameter_map[y].symbol
    names = {p.symbol: p.latex_name for p in game.parameters if p.name in (x, y)}
    conds = [r.stable_if for r in an.rest_points if isinstance(r.stable_if, sympy.Basic)]
    factors: dict[str, sympy.Expr] = {}
    for cond in conds:
        for atom in cond.atoms(sympy.core.relational.Relational):
            expr = atom.lhs - atom.rhs
            _, flist = sympy.factor_list(sympy.fraction(sympy.together(expr))[0])
            for f, _mult in flist:
                if not (f.free_symbols & {sx, sy}):
                    continue
                c = _canonical(f)
                factors.setdefault(sympy.srepr(c), c)
    xs = np.linspace(x_range[0], x_range[1], num)
    ylo, yhi = min(y_range), max(y_range)
    dy = 1e-3 * (yhi - ylo)
    dx = 1e-3 * (max(x_range) - min(x_range))

    def stable_set(xv: float, yv: float) -> tuple[bool, ...]:
        sub = {sx: sympy.Float(xv), sy: sympy.Float(yv)}
        return tuple(bool(c.xreplace(sub)) for c in conds)

    out: list[Boundary] = []
    for f in factors.values():
        curves: list[tuple[str, np.ndarray, np.ndarray, bool]] = []
        if sy in f.free_symbols:
            try:
                sols = sympy.solve(f, sy)
            except NotImplementedError:
                sols = []
            for s in sols:
                ys = np.full(xs.shape, np.nan)
                for j, xv in enumerate(xs):
                    val = complex(s.xreplace({sx: sympy.Float(xv)}).evalf())
                    if abs(val.imag) < 1e-12:
                        ys[j] = val.real
                eq = sympy.latex(sympy.Eq(sy, s), symbol_names=names)
                curves.append((eq, xs.copy(), ys, False))
        else:
            for s in sympy.solve(f, sx):
                if s.free_symbols:
                    continue
                xv = float(s)
                ys = np.linspace(ylo, yhi, num)
                eq = sympy.latex(sympy.Eq(sx, s), symbol_names=names)
                curves.append((eq, np.full(num, xv), ys, True))
        for eq, cx, cy, vertical in curves:
            with np.errstate(invalid="ignore"):
                ok = np.isfinite(cy) & (cy >= ylo) & (cy <= yhi)
                ok &= (cx >= min(x_range)) & (cx <= max(x_range))
            # A curve on the edge of the plotted range separates nothing that is shown.
            if vertical:
                ok &= (cx - dx >= min(x_range)) & (cx + dx <= max(x_range))
            else:
                ok &= (cy - dy >= ylo) & (cy + dy <= yhi)
            for j in np.flatnonzero(ok):
                if vertical:
                    a, b = stable_set(cx[j] - dx, cy[j]), stable_set(cx[j] + dx, cy[j])
                else:
                    a, b = stable_set(cx[j], cy[j] - dy), stable_set(cx[j], cy[j] + dy)
                ok[j] = a != b
            if not np.any(ok):
                continue
            cy = np.where(ok, cy, np.nan)
            out.append(Boundary(x, y, eq, cx, cy))
    return tuple(out)


# ----------------------------------------------------------------------------- sensitivity
def sensitivity_runs(
    game: Game,
    parameter: str,
    values: Sequence[float],
    *,
    start: Sequence[float],
    t_end: float | None = None,
    dt: float | None = None,
    engine: str = "auto",
    dynamics: Any = None,
) -> Simulation:
    """Simulate one start for several values of one parameter (the data of a sensitivity
    panel).

    Warns :class:`PlotWarning` when the parameter cannot affect the dynamics (the field does
    not depend on it), so that a panel of identical curves is not mistaken for a finding.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> sim = sensitivity_runs(load_model("hawk_dove"), "C", [3, 4, 6], start=[0.1], t_end=5)
    >>> sim.parameter_values.shape, sim.params["C"].tolist()
    ((3, 2), [3.0, 4.0, 6.0])
    """
    from .._simulate import simulate, system_for

    if parameter not in game.parameter_map:
        known = ", ".join(game.parameter_map)
        raise LmcGamesError(f"unknown parameter {parameter!r}; this model has: {known}")
    sys_ = system_for(game, dynamics)
    sym = game.parameter_map[parameter].symbol
    if not any(sym in getattr(f, "free_symbols", ()) for f in sys_.field):
        field_name = "replicator field" if sys_.dynamics.name == "replicator" else "field"
        warnings.warn(
            f"parameter {parameter!r} cannot affect the dynamics (the {field_name} does not "
            "depend on it): every curve of a sensitivity panel would be the same",
            PlotWarning,
            stacklevel=2,
        )
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size < 2:
        raise LmcGamesError("a sensitivity panel needs at least two parameter values")
    for v in values:
        game.parameter_map[parameter].check(float(v))
    if t_end is None or dt is None:
        from .._analysis import analyze

        auto_t, auto_dt = _time_scale(analyze(game, dynamics=sys_.dynamics), 12.0)
        t_end = auto_t if t_end is None else t_end
        dt = min(auto_dt, t_end / 400) if dt is None else dt
    if _discrete(sys_):
        return simulate(
            sys_,
            np.atleast_2d(np.asarray(start, dtype=np.float64)),
            params={parameter: values},
            t_end=max(1, round(float(t_end))),
            engine=engine,
        )
    return simulate(
        sys_,
        np.atleast_2d(np.asarray(start, dtype=np.float64)),
        params={parameter: values},
        t_end=float(t_end),
        dt=float(dt),
        engine=engine,
        save_every=float(t_end) / 500,
    )


def settled_time(
    simulation: Simulation,
    *,
    point: int = 0,
    starts: Sequence[int] | None = None,
    tol: float = 5e-3,
) -> float | None:
    """The earliest saved time from which every chosen trajectory stays within ``tol`` of
    where it ends (max norm over all shares, the implied last share of each population
    included): after it, a time series is a set of flat lines. The default is half a percent
    of the share axis, less than the width of a drawn line in a column-wide panel; this is a
    drawing tolerance, not the convergence rule of docs/cli.md (``--eps``).

    ``None`` when some state is not a finite number. A trajectory that is still moving at the
    end (a cycle, a slow approach) settles only at the last saved times, so this says so by
    returning a time close to the end.

    Examples
    --------
    >>> from lmc_games import load_model, simulate
    >>> g = load_model("hawk_dove")
    >>> sim = simulate(g, [[0.1]], t_end=100, engine="numpy")
    >>> t = settled_time(sim)
    >>> 5 < t < 30
    True
    """
    full = simulation.full_states()[:, :, point, :]
    if starts is not None:
        full = full[:, [int(i) for i in starts], :]
    if not np.all(np.isfinite(full)):
        return None
    away = np.max(np.abs(full - full[-1]), axis=(1, 2))  # per saved time, over all curves
    moving = np.nonzero(away > tol)[0]
    if moving.size == 0:
        return float(simulation.times[0])
    return float(simulation.times[min(moving[-1] + 1, len(simulation.times) - 1)])


def series_end(
    simulation: Simulation,
    *,
    point: int = 0,
    starts: Sequence[int] | None = None,
    tol: float = 5e-3,
) -> float:
    """Where the time axis of a time series should end: a round number about a fifth past
    :func:`settled_time`, so the curves are seen to have settled without a long flat tail —
    or the simulation's last time when the trajectories settle late (after 80% of the run),
    never, or at the start (nothing to zoom on).

    Examples
    --------
    >>> from lmc_games import load_model, simulate
    >>> g = load_model("water_use")
    >>> sim = simulate(g, [[0.3, 0.3], [0.7, 0.2]], t_end=100, engine="numpy")
    >>> end = series_end(sim)
    >>> settled_time(sim) < end < 100
    True
    """
    t0, t1 = float(simulation.times[0]), float(simulation.times[-1])
    settled = settled_time(simulation, point=point, starts=starts, tol=tol)
    if settled is None or settled <= t0 or settled - t0 > 0.8 * (t1 - t0):
        return t1
    return min(t1, t0 + _round_up(1.2 * (settled - t0)))


def _round_up(x: float) -> float:
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) that
    is at least ``x`` (> 0)."""
    scale = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if m * scale >= x * (1 - 1e-12):
            return m * scale
    return 10.0 * scale


def _expr(value: Any) -> sympy.Expr:
    """A parametrisation entry as a sympy expression (the analysis stores plain ints for
    constant shares)."""
    return sympy.Integer(value) if isinstance(value, int) else value

"""Parameter sweeps: which rest points are stable, and where trajectories go, over a grid or a
sample of parameter values.

Two measures:

* ``"stable"`` — the rest points that exist and are asymptotically stable at each parameter
  point, straight from the compiled symbolic answers (:mod:`lmc_games._stability_table`): no
  integration.
* ``"outcome"`` — from a grid of starts at each parameter point, the rest point each trajectory
  reaches and when (fixed-step RK4, tracked in one pass: the convergence rule of docs/cli.md),
  giving basin shares, the share not converged and the median convergence time.

Any dynamics (``dynamics=``, the replicator's by default): under the replicator dynamics the
rest points come from the compiled symbolic answers; under any other dynamics they come from
:func:`lmc_games.analyze` under that dynamics at every parameter point (slow, but the
symbolic table holds the replicator's stability only). A dynamics in discrete time is iterated
(``x' = x + F(x)``, once per unit of time) instead of integrated, for ``"outcome"``; the
settings name the dynamics (``"dynamics"``: its spec), and so does the key of the resumable
chunks for any dynamics other than the replicator (whose keys are unchanged).

Work is cut into chunks of parameter points. A chunk's results depend only on its points, never
on the chunk's size or on where it runs, so the result is bit-identical whatever the executor,
chunk size or number of workers. With ``resume=DIR`` each finished chunk is written to ``DIR``
at once; a sweep that is stopped and started again with the same ``DIR`` computes only the
chunks that are missing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._chunkstore import ChunkStore
from ._errors import LmcGamesError, ParameterError, SweepError

if TYPE_CHECKING:
    from ._game import Game

__all__ = [
    "ParameterSample",
    "SweepError",
    "SweepResult",
    "latin_hypercube",
    "random_points",
    "sweep",
]


# ---------------------------------------------------------------------- samples


@dataclass(frozen=True, eq=False)
class ParameterSample:
    """A set of parameter points that is not a grid (see :func:`latin_hypercube`).

    Attributes
    ----------
    names : tuple of str
    points : ndarray, shape (n, len(names))
    kind : str
        ``"latin_hypercube"``, ``"random"`` or ``"points"``.
    seed : int or None
    """

    names: tuple[str, ...]
    points: np.ndarray
    kind: str = "points"
    seed: int | None = None

    def __post_init__(self) -> None:
        pts = np.array(self.points, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[1] != len(self.names):
            raise ParameterError(
                f"a sample needs one column per parameter ({len(self.names)}); got shape "
                f"{pts.shape}"
            )
        pts.setflags(write=False)
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "names", tuple(self.names))


def _ranges(ranges: Mapping[str, Sequence[float]]) -> tuple[tuple[str, ...], np.ndarray]:
    names, lo_hi = [], []
    for name, r in ranges.items():
        try:
            lo, hi = (float(v) for v in r)
        except (TypeError, ValueError):
            raise ParameterError(f"{name}: give a range as (low, high); got {r!r}") from None
        if not lo <= hi:
            raise ParameterError(f"{name}: the range ({lo:g}, {hi:g}) is empty")
        names.append(name)
        lo_hi.append((lo, hi))
    if not names:
        raise ParameterError("name at least one parameter range")
    return tuple(names), np.array(lo_hi)


def latin_hypercube(
    ranges: Mapping[str, Sequence[float]], n: int, *, seed: int = 0
) -> ParameterSample:
    """A Latin hypercube sample of ``n`` points: each parameter's range is cut into ``n``
    equal strata and every stratum holds exactly one point.

    Reproducible: the same ``seed`` gives the same points.

    Examples
    --------
    >>> s = latin_hypercube({"p": (0, 1), "F": (0, 20)}, 4, seed=1)
    >>> s.points.shape
    (4, 2)
    >>> sorted((s.points[:, 0] * 4).astype(int).tolist())  # one point per stratum
    [0, 1, 2, 3]
    """
    names, lo_hi = _ranges(ranges)
    n = _count(n)
    rng = np.random.default_rng(seed)
    u = np.empty((n, len(names)))
    for d in range(len(names)):
        u[:, d] = (rng.permutation(n) + rng.random(n)) / n
    pts = lo_hi[:, 0] + u * (lo_hi[:, 1] - lo_hi[:, 0])
    return ParameterSample(names, pts, "latin_hypercube", seed)


def random_points(
    ranges: Mapping[str, Sequence[float]], n: int, *, seed: int = 0
) -> ParameterSample:
    """``n`` points drawn uniformly from the box ``ranges`` (reproducible with ``seed``).

    Examples
    --------
    >>> s = random_points({"p": (0, 1)}, 3, seed=7)
    >>> bool(((s.points >= 0) & (s.points <= 1)).all()), s.points.shape
    (True, (3, 1))
    """
    names, lo_hi = _ranges(ranges)
    n = _count(n)
    rng = np.random.default_rng(seed)
    pts = lo_hi[:, 0] + rng.random((n, len(names))) * (lo_hi[:, 1] - lo_hi[:, 0])
    return ParameterSample(names, pts, "random", seed)


def _count(n: Any) -> int:
    if int(n) != n or n < 1:
        raise ParameterError(f"the number of points must be a positive integer; got {n!r}")
    return int(n)


# ---------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class SweepResult:
    """What a sweep measured at every parameter point.

    Arrays are labelled: their leading dimensions are :attr:`dims`, of lengths :attr:`shape`;
    for a grid the dimensions are the varied parameters, for a sample one dimension
    ``"point"``.

    Attributes
    ----------
    measure : str
        ``"stable"`` or ``"outcome"``.
    names : tuple of str
        The varied parameters.
    dims : tuple of str
    shape : tuple of int
    coords : dict
        For a grid, ``name -> values along its dimension``; for a sample,
        ``name -> value at each point``.
    parameter_names : tuple of str
        Every parameter of the game.
    fixed : dict
        ``name -> value`` of the parameters not varied.
    labels : tuple of str
        ``"stable"``: every rest point stable somewhere in the sweep; ``"outcome"``: every rest
        point reached somewhere. In the order of the faces (corners first).
    stable : dict
        ``"stable"`` only: ``label -> bool array of shape``.
    shares, not_converged, convergence_time_median : dict, ndarray, ndarray
        ``"outcome"`` only: ``label -> share of the starts reaching it``; the share of starts
        not converged; the median convergence time over converged starts (``nan`` if none).
    starts : ndarray, shape (N, n) or None
    reached : ndarray of int, shape ``shape + (N,)`` or None
        Index into :attr:`labels` of the rest point reached from each start, ``-1`` if none.
    convergence_time : ndarray, shape ``shape + (N,)`` or None
    settings : dict
        The settings that produced it (model, measure, starts, t_end, eps, dt, method).
    """

    measure: str
    names: tuple[str, ...]
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    coords: Mapping[str, np.ndarray]
    parameter_names: tuple[str, ...]
    fixed: Mapping[str, float]
    labels: tuple[str, ...]
    stable: Mapping[str, np.ndarray] = field(default_factory=dict)
    shares: Mapping[str, np.ndarray] = field(default_factory=dict)
    not_converged: np.ndarray | None = None
    convergence_time_median: np.ndarray | None = None
    starts: np.ndarray | None = None
    reached: np.ndarray | None = None
    convergence_time: np.ndarray | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of parameter points."""
        return math.prod(self.shape)

    def parameter(self, name: str) -> np.ndarray:
        """The value of parameter ``name`` (varied or not) at every point, shaped like the
        measures."""
        if name in self.fixed:
            return np.full(self.shape, self.fixed[name])
        if name not in self.names:
            raise ParameterError(f"unknown parameter {name!r}")
        if self.dims == ("point",):
            return np.asarray(self.coords[name])
        axes = [np.asarray(self.coords[n]) for n in self.names]
        return np.meshgrid(*axes, indexing="ij")[self.names.index(name)]

    @property
    def values(self) -> np.ndarray:
        """Every parameter's value at each point, shape ``shape + (len(parameter_names),)``
        (built on request: it can be large)."""
        return np.stack([self.parameter(n) for n in self.parameter_names], axis=-1)

    def stable_labels(self, *index: int) -> tuple[str, ...]:
        """Labels of the rest points stable at one point (``"stable"`` measure).

        Examples
        --------
        >>> from lmc_games import load_model
        >>> r = sweep(load_model("inspection"), {"f": [0.5, 4]}, measure="stable")
        >>> r.stable_labels(0), r.stable_labels(1)
        (('inspect, violate',), ())
        """
        if self.measure != "stable":
            raise SweepError("stable_labels needs a sweep with measure='stable'")
        return tuple(lab for lab in self.labels if self.stable[lab][index])

    def _rows(self) -> list[tuple[list[str], list[str]]]:
        # Columns are converted to text once each, and repeated values (grid coordinates,
        # shares k/N) share one repr: the CSV of a large sweep is written in a fraction of the
        # time a per-cell repr takes.
        memo: dict[float, str] = {}

        def text(column: np.ndarray) -> list[str]:
            out = []
            for v in column.tolist():
                t = memo.get(v)
                if t is None:
                    t = memo[v] = "" if math.isnan(v) else repr(float(v))
                out.append(t)
            return out

        cols = [text(self.parameter(n).reshape(-1)) for n in self.names]
        if self.measure == "stable":
            flags = (
                np.stack([self.stable[lab].reshape(-1) for lab in self.labels], axis=-1)
                if self.labels
                else np.zeros((self.size, 0), dtype=bool)
            )
            joined: dict[bytes, str] = {}
            meas_cols = [[]]
            for row in flags:
                key = row.tobytes()
                if key not in joined:
                    joined[key] = ";".join(lab for lab, f in zip(self.labels, row) if f)
                meas_cols[0].append(joined[key])
        else:
            meas_cols = [text(self.shares[lab].reshape(-1)) for lab in self.labels]
            meas_cols.append(text(self.not_converged.reshape(-1)))
            meas_cols.append(text(self.convergence_time_median.reshape(-1)))
        return [([c[k] for c in cols], [m[k] for m in meas_cols]) for k in range(self.size)]

    def header(self) -> list[str]:
        """The CSV header (docs/cli.md, "sweep --out FILE.csv")."""
        if self.measure == "stable":
            return [*self.names, "stable"]
        return [
            *self.names,
            *(f"share:{lab}" for lab in self.labels),
            "not_converged",
            "convergence_time_median",
        ]

    def to_csv(self, path: Any) -> None:
        """One header line, then one row per parameter point (docs/cli.md): the varied
        parameters, then the measures; numbers as ``repr`` of a float."""
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(self.header())
            for params, meas in self._rows():
                w.writerow(params + meas)

    def to_npz(self, path: Any) -> None:
        """All arrays in one ``.npz`` file (names as in the attributes; a label's arrays as
        ``stable:LABEL`` / ``share:LABEL``; coordinates as ``coord:NAME``)."""
        arrays: dict[str, Any] = {
            "measure": np.array(self.measure),
            "names": np.array(self.names),
            "dims": np.array(self.dims),
            "parameter_names": np.array(self.parameter_names),
            "fixed": np.array(json.dumps(dict(self.fixed), sort_keys=True)),
            "labels": np.array(self.labels, dtype=str),
            "settings": np.array(json.dumps(dict(self.settings), sort_keys=True)),
        }
        for k, v in self.coords.items():
            arrays[f"coord:{k}"] = v
        for k, v in self.stable.items():
            arrays[f"stable:{k}"] = v
        for k, v in self.shares.items():
            arrays[f"share:{k}"] = v
        for k in (
            "not_converged",
            "convergence_time_median",
            "starts",
            "reached",
            "convergence_time",
        ):
            v = getattr(self, k)
            if v is not None:
                arrays[k] = v
        np.savez(path, **arrays)

    def _columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {}
        if self.measure == "stable":
            for lab in self.labels:
                cols[f"stable:{lab}"] = self.stable[lab]
        else:
            for lab in self.labels:
                cols[f"share:{lab}"] = self.shares[lab]
            cols["not_converged"] = self.not_converged
            cols["convergence_time_median"] = self.convergence_time_median
        return cols

    def to_dataframe(self):
        """A pandas DataFrame, one row per parameter point (needs the ``data`` extra).

        Columns: the varied parameters, then ``stable:LABEL`` (bool) or ``share:LABEL``,
        ``not_converged`` and ``convergence_time_median``.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - exercised only without pandas
            raise LmcGamesError(
                "to_dataframe needs pandas: pip install 'lmc-games[data]'"
            ) from None
        data = {n: self.parameter(n).reshape(-1) for n in self.names}
        data.update({k: v.reshape(-1) for k, v in self._columns().items()})
        return pd.DataFrame(data)

    def to_xarray(self):
        """An ``xarray.Dataset`` with the varied parameters as dimensions (needs the ``data``
        extra). Per-start arrays get a further dimension ``start``."""
        try:
            import xarray as xr
        except ImportError:  # pragma: no cover - exercised only without xarray
            raise LmcGamesError("to_xarray needs xarray: pip install 'lmc-games[data]'") from None
        if self.dims == ("point",):
            coords = {n: ("point", v) for n, v in self.coords.items()}
        else:
            coords = {n: np.asarray(v) for n, v in self.coords.items()}
        data = {k: (self.dims, v) for k, v in self._columns().items()}
        if self.reached is not None:
            data["reached"] = ((*self.dims, "start"), self.reached)
            data["convergence_time"] = ((*self.dims, "start"), self.convergence_time)
        ds = xr.Dataset(data, coords=coords)
        ds.attrs["labels"] = list(self.labels)
        ds.attrs["settings"] = json.dumps(dict(self.settings), sort_keys=True)
        return ds

    def __repr__(self) -> str:
        dims = " x ".join(f"{d}={s}" for d, s in zip(self.dims, self.shape))
        return f"<SweepResult {self.measure}: {dims}; labels {list(self.labels)}>"


# ---------------------------------------------------------------------- the sweep


@dataclass(frozen=True)
class _Plan:
    """Everything a chunk needs; pickled to worker processes."""

    game: Game
    names: tuple[str, ...]
    measure: str
    starts: np.ndarray | None
    t_end: float
    eps: float
    dt: float | None
    engine: str
    key: str
    build_key: str
    base: tuple[float, ...]
    index: tuple[int, ...]
    dynamics: Any = None


_BUILT: dict[str, Any] = {}


def _is_replicator(dyn: Any) -> bool:
    from .dynamics import Replicator

    return dyn is None or type(dyn) is Replicator


def _dynamics_identity(dyn: Any) -> str:
    """The spec and the class of a dynamics: two classes a user gave one name stay apart."""
    cls = type(dyn)
    return f"{dyn.spec()} ({cls.__module__}.{cls.__qualname__})"


class _PointwiseTable:
    """The rest points of a game under a dynamics other than the replicator, from an analysis
    at every parameter point (the symbolic table knows only the replicator's stability)."""

    def __init__(self, game: Game, names: tuple[str, ...], dynamics: Any) -> None:
        self.game, self.names, self.dynamics = game, names, dynamics

    def evaluate(self, values: Any):
        from ._analysis import analyze
        from ._formula import exact_number
        from ._stability_table import RestPointValues, label_order

        vals = np.asarray(values, dtype=np.float64)
        labels: list[str] = []
        rows = []
        for row in vals:
            g = self.game.with_values({k: exact_number(float(v)) for k, v in zip(self.names, row)})
            an = analyze(g, dynamics=self.dynamics)
            found = {r.label: r for r in an.rest_points if r.numeric_shares is not None}
            rows.append(found)
            labels += [lab for lab in found if lab not in labels]
        order = label_order(self.game, labels)
        P, R, n = len(rows), len(order), len(self.game.variables)
        coords = np.full((P, R, n), np.nan)
        exists = np.zeros((P, R), dtype=bool)
        stable = np.zeros((P, R), dtype=bool)
        for j, found in enumerate(rows):
            for r, lab in enumerate(order):
                rp = found.get(lab)
                if rp is None:
                    continue
                free = [float(v) for shares in rp.numeric_shares for v in shares[:-1]]
                coords[j, r] = free
                exists[j, r] = True
                stable[j, r] = bool(rp.asymptotically_stable)
        return RestPointValues(tuple(order), coords, exists, stable)


def _built(plan: _Plan):
    """Per process, the rest-point table of a plan, and for ``"outcome"`` the compiled field
    and the system (built once)."""
    hit = _BUILT.get(plan.build_key)
    if hit is None:
        from ._stability_table import compile_rest_points

        if _is_replicator(plan.dynamics):
            table = compile_rest_points(plan.game, plan.names)
        else:
            table = _PointwiseTable(plan.game, plan.names, plan.dynamics)
        cf = sys_ = None
        if plan.measure == "outcome":
            from ._compile import compile_field
            from ._system import System

            sys_ = System.of(plan.game, plan.dynamics)
            cf = compile_field(sys_, engine=plan.engine)
        hit = (table, cf, sys_)
        _BUILT.clear()
        _BUILT[plan.build_key] = hit
    return hit


def _run_chunk(plan: _Plan, varied: np.ndarray) -> dict[str, Any]:
    """Results at the points of one chunk. Depends on nothing but these points.

    ``"outcome"``: tracking RK4 with a step per parameter point (automatic unless the plan
    forces one, see :func:`lmc_games.simulate`); a trajectory whose error estimate is not
    trusted is re-run alone with dopri5 (automatic step) and, if that fails or the step was
    forced, counted as not converged: an untrusted trajectory never reaches anything.
    """
    import warnings

    from ._compile._steps import refinements, stiffness
    from ._simulate import DEFAULT_DT, confirm_reached

    table, cf, sys_ = _built(plan)
    rp = table.evaluate(varied)
    if plan.measure == "stable":
        return {"labels": rp.labels, "stable": rp.stable}
    full = np.broadcast_to(np.asarray(plan.base), (varied.shape[0], len(plan.base))).copy()
    full[:, list(plan.index)] = varied
    if sys_.dynamics.time.value == "discrete":
        return _run_map_chunk(plan, cf, rp, full)
    forced = plan.dt is not None
    nsteps = max(1, math.ceil(plan.t_end / (plan.dt if forced else DEFAULT_DT) - 1e-9))
    h = plan.t_end / nsteps
    P, N = full.shape[0], plan.starts.shape[0]
    if forced:
        refine, stiff = np.ones(P, dtype=np.int64), np.zeros(P, dtype=bool)
    else:
        refine, stiff = refinements(stiffness(sys_, full), h)
    track = cf.rk4_track(plan.starts, full, rp.coordinates, h / refine, nsteps * refine, plan.eps)
    # The rule of converge() for rest points that are not asymptotically stable
    # (docs/explanation/convergence.md): a passage near a saddle is not an outcome.
    reached, when = confirm_reached(
        track.reached,
        track.time,
        final=track.final,
        velocity=cf(track.final, full[:, None, :]),
        starts=plan.starts[None],
        rest=rp.coordinates[:, None],
        attracting=rp.stable[:, None],
        groups=cf.groups,
        t_end=plan.t_end,
        invariant_faces=sys_.dynamics.invariant_faces,
    )
    trusted = track.trusted & ~stiff[:, None]
    if not forced and not trusted.all():
        times = np.arange(nsteps + 1) * h
        for j in np.flatnonzero(~trusted.all(axis=1)):
            idx = np.flatnonzero(~trusted[j])
            r_j, t_j, ok = _redo(
                cf,
                plan.starts[idx],
                full[j],
                rp.coordinates[j],
                rp.stable[j],
                times,
                plan.eps,
                invariant_faces=sys_.dynamics.invariant_faces,
            )
            reached[j, idx] = r_j
            when[j, idx] = t_j
            trusted[j, idx] = ok
    reached[~trusted] = -1
    when[~trusted] = np.nan
    if not trusted.all():
        from ._simulate import SimulationWarning

        warnings.warn(
            f"{int((~trusted).sum())} of {P * N} trajectories could not be integrated "
            "trustworthily ("
            + (
                "the field is not differentiable everywhere: kinks or jumps"
                if not sys_.dynamics.smooth
                else "forced step too large for the field; drop --dt"
                if forced
                else "field too stiff or not finite even for dopri5"
            )
            + "); they count as not converged",
            SimulationWarning,
            stacklevel=2,
        )
    return {"labels": rp.labels, "reached": reached, "time": when}


def _run_map_chunk(plan: _Plan, cf, rp, full: np.ndarray) -> dict[str, Any]:
    """``"outcome"`` for a map in discrete time: ``x' = project(x + F(x))`` iterated
    ``t_end`` times, every iterate tracked as :meth:`CompiledField.rk4_track` tracks the
    steps of RK4, then the rule of :func:`lmc_games.confirm_reached`."""
    from ._compile._common import project
    from ._simulate import confirm_reached

    nsteps = int(round(plan.t_end))
    P, N = full.shape[0], plan.starts.shape[0]
    rest = rp.coordinates  # (P, R, n)
    R = rest.shape[1]
    targets = _all_shares_arr(rest, cf.groups)  # (P, R, K)
    missing = np.any(np.isnan(targets), axis=-1)  # (P, R)
    x = np.ascontiguousarray(np.broadcast_to(plan.starts[None, :, :], (P, N, cf.n)))
    p = full[:, None, :]

    def nearest(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if R == 0:
            return np.zeros((P, N), dtype=np.int64), np.full((P, N), np.inf)
        with np.errstate(invalid="ignore"):
            d = np.abs(_all_shares_arr(y, cf.groups)[:, :, None, :] - targets[:, None]).max(-1)
        d = np.where(missing[:, None, :] | np.isnan(d), np.inf, d)  # (P, N, R)
        return np.argmin(d, axis=-1), d

    # The rest point nearest at the end is only known at the end: keep, per rest point, the
    # last iterate farther than eps from it.
    last_far = np.full((P, N, max(R, 1)), -1, dtype=np.int64)
    with np.errstate(all="ignore"):
        for k in range(nsteps + 1):
            if k:
                x = x + cf(x, p)
                project(x, cf.groups)
            _, d = nearest(x)
            if R:
                last_far[~(d <= plan.eps)] = k
    best, d = nearest(x)
    near = np.take_along_axis(d, best[..., None], axis=-1)[..., 0] <= plan.eps if R else None
    finite = np.all(np.isfinite(x), axis=-1)
    if R:
        index = np.where(near & finite, best, -1)
        first = np.take_along_axis(last_far, best[..., None], axis=-1)[..., 0] + 1
        when = np.where(index >= 0, first.astype(np.float64), np.nan)
    else:
        index = np.full((P, N), -1, dtype=np.int64)
        when = np.full((P, N), np.nan)
    with np.errstate(all="ignore"):
        velocity = cf(x, p)
    reached, when = confirm_reached(
        index,
        when,
        final=x,
        velocity=velocity,
        starts=plan.starts[None],
        rest=rest[:, None],
        attracting=rp.stable[:, None],
        groups=cf.groups,
        t_end=float(nsteps),
    )
    return {"labels": rp.labels, "reached": reached, "time": when}


def _redo(cf, starts, point, rest, attracting, times, eps, *, invariant_faces=True):
    """dopri5 from ``starts`` at one parameter point, saved at ``times``, then the rule of
    :meth:`CompiledField.rk4_track` and :func:`confirm_reached` applied to the saved states:
    reached rest point (index, -1 if none), convergence time, and whether dopri5 succeeded."""
    from ._simulate import HANDOVER_MAX_STEPS, confirm_reached

    res = cf.dopri5(
        starts,
        point[None, :],
        times,
        1e-6,
        1e-9,
        max_steps=HANDOVER_MAX_STEPS,
        on_failure="flag",
    )
    states = res.states[:, :, 0]  # (T, k, n)
    ok = ~res.failed[:, 0] & np.all(np.isfinite(states[-1]), axis=-1)
    full = _all_shares_arr(states, cf.groups)  # (T, k, K)
    exists = np.all(np.isfinite(rest), axis=1)
    k = states.shape[1]
    reached = np.full(k, -1, dtype=np.int64)
    when = np.full(k, np.nan)
    if exists.any():
        targets = _all_shares_arr(rest[exists], cf.groups)  # (R', K)
        with np.errstate(invalid="ignore"):
            dist = np.abs(full[:, :, None, :] - targets[None, None]).max(axis=-1)  # (T, k, R')
        dist = np.where(np.isnan(dist), np.inf, dist)
        best = np.argmin(dist[-1], axis=1)
        for i in range(k):
            if not ok[i] or dist[-1, i, best[i]] > eps:
                continue
            far = np.flatnonzero(dist[:, i, best[i]] > eps)
            reached[i] = np.flatnonzero(exists)[best[i]]
            when[i] = times[far[-1] + 1] if far.size else 0.0
    final = states[-1]
    with np.errstate(all="ignore"):
        velocity = cf(final, point[None, :])
    reached, when = confirm_reached(
        reached,
        when,
        final=final,
        velocity=velocity,
        starts=starts,
        rest=rest[None],
        attracting=attracting[None],
        groups=cf.groups,
        t_end=float(times[-1]),
        invariant_faces=invariant_faces,
    )
    return reached, when, ok


def _all_shares_arr(free: np.ndarray, groups) -> np.ndarray:
    parts = []
    for g in groups:
        tot = free[..., g[0]]
        for i in g[1:]:
            tot = tot + free[..., i]
        parts += [free[..., i] for i in g] + [1.0 - tot]
    return np.stack(parts, axis=-1)


def sweep(
    game: Game,
    vary: Mapping[str, Any] | ParameterSample,
    *,
    measure: str = "stable",
    starts: int | Any = 4,
    t_end: float = 100.0,
    eps: float = 1e-3,
    dt: float | None = None,
    engine: str = "auto",
    executor: Executor | Any | None = None,
    chunk_size: int | None = None,
    resume: str | os.PathLike | None = None,
    progress: bool | None = None,
    dynamics: Any = None,
) -> SweepResult:
    """Measure a game over a grid or a sample of parameter values.

    Parameters
    ----------
    game : Game
        Parameters not varied keep their values in ``game``.
    vary : mapping or ParameterSample
        ``name -> values`` for a grid (the product of the value lists, first name slowest),
        or a sample from :func:`latin_hypercube` / :func:`random_points`.
    measure : {"stable", "outcome"}
        See the module docstring.
    starts : int or array_like, shape (N, n)
        ``"outcome"``: the ``--starts N`` grid of docs/cli.md, or explicit free shares.
    t_end, eps : float
        ``"outcome"``: final time and convergence radius (max norm over all shares).
    dt : float, optional
        ``"outcome"``: RK4 step, forced at every point; default: chosen per parameter point
        from the field, with untrusted trajectories re-run by dopri5 (see
        :func:`lmc_games.simulate`). A trajectory that is not trusted counts as not
        converged.
    engine : {"auto", "numpy", "numba"}
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the chunks (e.g. a ``ProcessPoolExecutor``); by default they run in this process
        (the numba engine uses all cores through its threads).
    chunk_size : int, optional
        Parameter points per chunk (default: about 20 chunks, at least 1,000 points each for
        ``"outcome"``). Results do not depend on it.
    resume : path, optional
        Keep each finished chunk in this directory and reuse those already there. The
        directory is tied to one sweep: chunks of another one are an error.
    progress : bool, optional
        Show a progress bar on stderr (default: when stderr is a terminal).
    dynamics : Dynamics or str, optional
        The dynamics (or its spec, ``"mutator:mu=0.01"``); default: the replicator dynamics.
        Under any other dynamics the rest points and their stability come from
        :func:`lmc_games.analyze` at every parameter point, and a map in discrete time is
        iterated ``t_end`` times (``t_end`` a whole number, ``dt`` 1 or omitted).

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> from lmc_games import load_model
    >>> r = sweep(load_model("hawk_dove"), {"C": [1, 3, 6]}, measure="stable")
    >>> r.labels
    ('hawk', 'hawk+dove')
    >>> [r.stable_labels(i) for i in range(3)]
    [('hawk',), ('hawk+dove',), ('hawk+dove',)]
    >>> r = sweep(load_model("hawk_dove"), {"C": [1, 3, 6]}, dynamics="imitation")
    >>> r.settings["dynamics"], [r.stable_labels(i) for i in range(3)]
    ('imitation:rate=1', [('hawk',), ('hawk+dove',), ('hawk+dove',)])
    """
    from .dynamics import Time, dynamics_from_spec

    if measure not in ("stable", "outcome"):
        raise SweepError(f"measure must be 'stable' or 'outcome'; got {measure!r}")
    dyn = dynamics_from_spec(dynamics)
    if measure == "outcome" and dyn.time is Time.DISCRETE:
        if dt is not None and float(dt) != 1.0:
            raise SweepError(
                f"the {dyn.describe()} is a map in discrete time: one step per unit of time, "
                f"so dt must be 1 (or left out), not {dt!r}"
            )
        if not (math.isfinite(t_end) and t_end >= 1 and float(t_end) == round(t_end)):
            raise SweepError(
                f"the {dyn.describe()} is a map in discrete time: t_end is a whole number of "
                f"steps, not {t_end!r}"
            )
    names, dims, shape, coords, varied = _points(game, vary)
    start_arr = None
    if measure == "outcome":
        if not (t_end > 0 and (dt is None or dt > 0) and eps > 0):
            raise SweepError("t_end, dt and eps must be positive")
        start_arr = _starts(game, starts)
    settings = {
        "model": game.name,
        "scenario": game.scenario_name,
        "measure": measure,
        "vary": {n: np.asarray(coords[n]).tolist() for n in names},
        "dims": list(dims),
        "fixed": {k: str(v) for k, v in game.values.items() if k not in names},
    }
    if measure == "outcome":
        settings.update(
            {
                "starts": start_arr.tolist(),
                "t_end": float(t_end),
                "eps": float(eps),
                "dt": "auto" if dt is None else float(dt),
                "method": "rk4",
                "engine": _engine_name(engine),
                # The rule for stays near rest points that are not asymptotically stable
                # (confirm_reached): chunks computed under another rule are another sweep.
                "passage_rule": "final-half, not leaving, normal shares",
            }
        )
    if measure == "outcome" and dyn.time is Time.DISCRETE:
        settings.update({"dt": 1.0, "method": "map"})
    grid = {f"coord:{n}": np.asarray(coords[n]) for n in names}
    # The replicator's keys are those of the sweeps before dynamics existed (kept chunks stay
    # valid); any other dynamics is part of the key, class included.
    replicator = _is_replicator(dyn)
    keyed = settings if replicator else {**settings, "dynamics": _dynamics_identity(dyn)}
    build = {"measure": measure, "engine": engine}
    if not replicator:
        build["dynamics"] = _dynamics_identity(dyn)
    key = _fingerprint(game, names, keyed, {"vary": None, "starts": start_arr, **grid})
    settings["dynamics"] = dyn.spec()
    order = [p.name for p in game.parameters]
    plan = _Plan(
        game,
        names,
        measure,
        start_arr,
        float(t_end),
        float(eps),
        None if dt is None else float(dt),
        engine,
        key,
        build_key=_fingerprint(game, names, build),
        base=tuple(float(game.values[n]) for n in order),
        index=tuple(order.index(n) for n in names),
        dynamics=dyn,
    )
    P = varied.shape[0]
    if chunk_size is None:
        chunk_size = max(1000 if measure == "outcome" else 1, math.ceil(P / 20))
        if measure == "stable":
            chunk_size = max(chunk_size, 100_000)
    chunk_size = _count(chunk_size)
    store = None
    if resume is not None:
        describe = {"model": game.name, "measure": measure, "names": list(names), "points": P}
        if not replicator:
            describe["dynamics"] = dyn.spec()
        store = ChunkStore(Path(resume), key, chunk_size, describe, error=SweepError)
        chunk_size = store.chunk_size
    bounds = [(lo, min(P, lo + chunk_size)) for lo in range(0, P, chunk_size)]
    results: dict[int, dict[str, Any]] = {}
    if store is not None:
        spec = _chunk_spec(plan)
        for c in range(len(bounds)):
            got = store.load(c, bounds[c], spec)
            if got is not None:
                results[c] = got
    todo = [c for c in range(len(bounds)) if c not in results]
    bar = _progress(len(bounds), len(results), progress)
    try:
        for c, res in _execute(plan, bounds, todo, varied, executor):
            results[c] = res
            if store is not None:
                store.save(c, bounds[c], res)
            bar.update(1)
    finally:
        bar.close()
    return _assemble(game, plan, names, dims, shape, coords, results, bounds, settings)


def _engine_name(engine: str) -> str:
    from ._compile import numba_available

    if engine == "auto":
        return "numba" if numba_available() else "numpy"
    if engine not in ("numpy", "numba"):
        raise SweepError(f"engine must be 'auto', 'numpy' or 'numba'; got {engine!r}")
    return engine


def _fingerprint(
    game: Game,
    names: Sequence[str],
    settings: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray | None] | None = None,
) -> str:
    """A digest of everything that determines a sweep's numbers, stable across processes and
    sessions: the library version, the model's content (populations, strategies, shares,
    payoffs, definitions, parameters with bounds and values), the varied names, the settings,
    and the bytes of ``arrays`` (the grid and the starts).

    The digest is fed piece by piece, each piece length-prefixed so that no two descriptions
    run together; an array is hashed from its buffer, never turned into text, so a grid of
    millions of points costs one pass over its memory. Entries of ``settings`` named in
    ``arrays`` are left to the array. Text forms only: pickles of sympy objects are
    not canonical, and ``srepr`` fails on integers past 4,300 digits
    (:func:`lmc_games._exprjson.canonical` does neither).
    """
    from . import __version__
    from ._exprjson import canonical

    arrays = dict(arrays or {})
    h = hashlib.sha256()

    def feed(*parts: Any) -> None:
        for part in parts:
            b = part if isinstance(part, bytes) else str(part).encode()
            h.update(len(b).to_bytes(8, "little"))
            h.update(b)

    feed("lmc_games sweep", __version__, game.name, game.is_symmetric)
    for pop in game.populations:
        feed("population", pop.name, len(pop.strategies), *pop.strategies)
        feed(*(canonical(s) for s in pop.share_symbols))
    for profile in sorted(game.payoffs):
        feed("payoff", *profile, *(canonical(e) for e in game.payoffs[profile]))
    for name in sorted(game.definitions):
        feed("definition", name, canonical(game.definitions[name]))
    for par in game.parameters:
        values = (par.min, par.max, game.values.get(par.name))
        feed("parameter", par.name, *(canonical(v) for v in values))
    feed("names", *names)
    rest = {k: v for k, v in settings.items() if k not in arrays}
    feed("settings", json.dumps(rest, sort_keys=True, default=str))
    for name in sorted(arrays):
        a = arrays[name]
        if a is None:
            feed("array", name, "none")
            continue
        a = np.ascontiguousarray(a, dtype=np.float64)
        feed("array", name, a.shape)
        h.update(memoryview(a).cast("B"))
    return h.hexdigest()[:32]


def _execute(plan, bounds, todo, varied, executor):
    if not todo:
        return
    if executor is None:
        for c in todo:
            lo, hi = bounds[c]
            yield c, _run_chunk(plan, varied[lo:hi])
        return
    ex = executor
    if not isinstance(ex, Executor) and hasattr(ex, "get_executor"):
        ex = ex.get_executor()  # a dask.distributed.Client
    futures = {}
    for c in todo:
        lo, hi = bounds[c]
        futures[ex.submit(_run_chunk, plan, varied[lo:hi])] = c
    for fut in as_completed(futures):
        yield futures[fut], fut.result()


def _progress(total: int, done: int, show: bool | None):
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if show is None else (not show)
    return tqdm(
        total=total, initial=done, disable=disable, unit="chunk", file=sys.stderr, desc="sweep"
    )


def _points(game: Game, vary):
    pmap = game.parameter_map
    if isinstance(vary, ParameterSample):
        names = vary.names
        varied = np.array(vary.points, dtype=np.float64)
        dims: tuple[str, ...] = ("point",)
        shape: tuple[int, ...] = (varied.shape[0],)
        coords = {n: varied[:, q].copy() for q, n in enumerate(names)}
    else:
        if not vary:
            raise ParameterError("vary at least one parameter")
        names = tuple(vary)
        axes = []
        for n in names:
            v = np.atleast_1d(np.asarray(vary[n], dtype=np.float64))
            if v.ndim != 1 or v.size == 0:
                raise ParameterError(f"{n}: give a non-empty list of values")
            axes.append(v)
        mesh = np.meshgrid(*axes, indexing="ij")
        varied = np.stack([m.reshape(-1) for m in mesh], axis=-1)
        dims = names
        shape = tuple(a.size for a in axes)
        coords = {n: a for n, a in zip(names, axes)}
    for q, n in enumerate(names):
        if n not in pmap:
            known = ", ".join(pmap)
            raise ParameterError(f"unknown parameter {n!r}; this model has {known}")
        if not np.all(np.isfinite(varied[:, q])):
            raise ParameterError(f"{n}: values must be finite numbers")
        par = pmap[n]
        lo = -np.inf if par.min is None else float(par.min)
        hi = np.inf if par.max is None else float(par.max)
        bad = (varied[:, q] < lo) | (varied[:, q] > hi)
        if bad.any():
            v = varied[np.argmax(bad), q]
            raise ParameterError(
                f"{n} = {v:g} is outside its bounds [{lo:g}, {hi:g}]; sweep inside them"
            )
    if len(set(names)) != len(names):
        raise ParameterError("each parameter may be varied only once")
    return names, dims, shape, coords, varied


def _starts(game: Game, starts) -> np.ndarray:
    from ._simulate import starts_grid

    if np.isscalar(starts):
        return starts_grid(game, starts)
    arr = np.array(starts, dtype=np.float64)
    n = len(game.variables)
    if arr.ndim != 2 or arr.shape[1] != n:
        raise SweepError(f"starts must have shape (N, {n}); got {arr.shape}")
    return arr


def _assemble(game, plan, names, dims, shape, coords, results, bounds, settings):
    from ._stability_table import label_order

    P = bounds[-1][1] if bounds else 0
    labels_all: list[str] = []
    for c in range(len(bounds)):
        labels_all.extend(results[c]["labels"])
    order = label_order(game, labels_all)
    pos = {lab: i for i, lab in enumerate(order)}
    param_names = tuple(p.name for p in game.parameters)
    common = {
        "names": names,
        "dims": dims,
        "shape": shape,
        "coords": {k: np.asarray(v) for k, v in coords.items()},
        "parameter_names": param_names,
        "fixed": {k: float(v) for k, v in game.values.items() if k not in names},
        "settings": settings,
    }
    if plan.measure == "stable":
        st = np.zeros((P, len(order)), dtype=bool)
        for c, (lo, hi) in enumerate(bounds):
            res = results[c]
            for r, lab in enumerate(res["labels"]):
                st[lo:hi, pos[lab]] |= res["stable"][:, r]
        keep = [i for i in range(len(order)) if st[:, i].any()]
        labels = tuple(order[i] for i in keep)
        stable = {order[i]: st[:, i].reshape(shape) for i in keep}
        return SweepResult(plan.measure, labels=labels, stable=stable, **common)
    N = plan.starts.shape[0]
    reached = np.full((P, N), -1, dtype=np.int64)
    time = np.full((P, N), np.nan)
    for c, (lo, hi) in enumerate(bounds):
        res = results[c]
        local = np.array([pos[lab] for lab in res["labels"]] + [-1], dtype=np.int64)
        reached[lo:hi] = local[res["reached"]]  # -1 indexes the appended -1
        time[lo:hi] = res["time"]
    used = sorted(set(np.unique(reached).tolist()) - {-1})
    remap = np.full(len(order) + 1, -1, dtype=np.int64)
    for new, old in enumerate(used):
        remap[old] = new
    reached = remap[reached]
    labels = tuple(order[i] for i in used)
    shares = {lab: (reached == k).mean(axis=1).reshape(shape) for k, lab in enumerate(labels)}
    not_conv = (reached == -1).mean(axis=1).reshape(shape)
    with np.errstate(all="ignore"):
        conv = np.where(reached >= 0, time, np.nan)
        median = np.full(P, np.nan)
        ok = np.any(reached >= 0, axis=1)
        if ok.any():
            median[ok] = np.nanmedian(conv[ok], axis=1)
    return SweepResult(
        plan.measure,
        labels=labels,
        shares=shares,
        not_converged=not_conv,
        convergence_time_median=median.reshape(shape),
        starts=plan.starts,
        reached=reached.reshape(*shape, N),
        convergence_time=conv.reshape(*shape, N),
        **common,
    )


# ---------------------------------------------------------------------- resume


def _chunk_spec(plan: _Plan) -> dict[str, tuple]:
    """What a finished chunk must hold, for :meth:`ChunkStore.load` to check a kept chunk
    against: ``name -> (dtype, shape, low, high)`` (see there). Keep it in step with
    :func:`_run_chunk`: a chunk with other arrays is recomputed."""
    if plan.measure == "stable":
        return {"stable": (np.bool_, ("rows", "labels"), None, None)}
    n = plan.starts.shape[0]
    return {
        "reached": (np.int64, ("rows", n), -1, "labels"),
        "time": (np.float64, ("rows", n), None, None),
    }

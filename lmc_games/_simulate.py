"""Batched simulation, convergence to rest points, and basins of attraction.

:func:`simulate` integrates many trajectories at once: every initial point times every
parameter point. Two methods:

* ``"rk4"``: classical fixed-step Runge–Kutta, vectorised over all trajectories (with the
  numba engine, a fused compiled loop over trajectories);
* ``"dopri5"``: the embedded Dormand–Prince 5(4) pair with error control *per trajectory*:
  each trajectory has its own step size and accepts or rejects its own steps (numpy engine:
  steps shortened to land on every output time; numba engine: SIMD blocks of trajectories,
  free steps and Hairer's continuous extension at the output times). No quantity is shared
  across the batch, so a trajectory gives bit-identical results alone or inside any batch.

After every step the free shares are clipped to [0, 1] and, for a population with k >= 3
strategies, divided by their sum where it exceeds one (the last share is implied), so states
stay on the simplex.

:func:`converge` matches trajectories against the rest points of an analysis (docs/cli.md,
"Starts and convergence"): a trajectory has converged when, from some saved time until the
end, it stays within ``eps`` (max norm over all shares) of one rest point; the first such time
is its convergence time.
"""

from __future__ import annotations

import csv
import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._compile import TRUST_TOLERANCE, CompiledField, compile_field
from ._compile._common import project
from ._compile._steps import refinements, stiffness
from ._errors import IntegrationError, LmcGamesError, ParameterError, SimulationWarning
from ._limits import check_simulation, check_starts, check_time
from ._system import System
from .dynamics import Dynamics, Time, dynamics_from_spec

if TYPE_CHECKING:
    from ._game import Game
    from ._results import Analysis

__all__ = [
    "Convergence",
    "Simulation",
    "SimulationWarning",
    "basins",
    "confirm_reached",
    "converge",
    "simulate",
    "starts_grid",
    "system_for",
]


def system_for(game_or_system: Game | System, dynamics: Dynamics | str | None = None) -> System:
    """The system a stage works on: ``game`` under ``dynamics`` (a :class:`Dynamics`, its
    spec ``NAME[:KEY=VALUE,...]``, or ``None`` for the replicator dynamics).

    A :class:`System` is taken as it is; a ``dynamics`` given with it must be its own.

    Examples
    --------
    >>> from lmc_games import Game
    >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                     parameters={"V": 2, "C": 3})
    >>> system_for(hd).dynamics.spec()
    'replicator'
    """
    if isinstance(game_or_system, System):
        if dynamics is not None and dynamics_from_spec(dynamics) != game_or_system.dynamics:
            raise IntegrationError(
                f"the system is of the {game_or_system.dynamics.describe()}, but dynamics="
                f"{dynamics_from_spec(dynamics).spec()!r} was given: pass the game instead"
            )
        return game_or_system
    return System.of(game_or_system, dynamics_from_spec(dynamics))


@dataclass(frozen=True, eq=False)
class Simulation:
    """Trajectories from every initial point for every parameter point.

    Attributes
    ----------
    times : ndarray, shape (T,)
        The saved times, from 0 to ``t_end``.
    states : ndarray, shape (T, N, P, n)
        Free shares at each saved time, for initial point ``i`` and parameter point ``j`` at
        ``states[:, i, j]``.
    inits : ndarray, shape (N, n)
    variables : tuple of str
        Names of the free shares.
    parameter_names : tuple of str
    parameter_values : ndarray, shape (P, m)
        Every parameter's value at each parameter point (in ``parameter_names`` order).
    method, engine : str
    steps, rejected, evaluations : ndarray of int, shape (N, P)
        Accepted steps, rejected steps (always 0 for ``rk4``) and field evaluations per
        trajectory.
    groups : tuple of tuple of int
        Indices of each population's free shares.
    trusted : ndarray of bool, shape (N, P)
        Whether each trajectory is to be believed: for ``rk4``, its largest error estimate
        is at most :data:`~lmc_games._compile.TRUST_TOLERANCE` and its states are finite
        (or it was re-run with dopri5, which succeeded); for ``dopri5``, it did not fail.
        An untrusted trajectory's states are what the integrator gave, not the solution.
    dt : ndarray of float, shape (P,)
        The RK4 step used at each parameter point (``nan`` for ``dopri5``).
    error : ndarray of float, shape (N, P)
        The largest RK4 error estimate of each trajectory (see
        :class:`~lmc_games._compile.RK4Result`; ``nan`` for ``dopri5`` and for trajectories
        re-run with it).
    redone : ndarray of bool, shape (N, P)
        Trajectories whose fixed-step run was not trusted and that were re-run with dopri5
        (automatic step only); their ``steps``, ``rejected``, ``evaluations`` are dopri5's.
    dynamics : str
        The spec of the dynamics integrated (``"replicator"``, ``"logit:eta=0.1"``).
    time : str
        ``"continuous"`` (a flow, integrated by ``method``) or ``"discrete"`` (a map
        iterated once per unit of time; ``method`` is then ``"map"``).
    """

    times: np.ndarray
    states: np.ndarray
    inits: np.ndarray
    variables: tuple[str, ...]
    parameter_names: tuple[str, ...]
    parameter_values: np.ndarray
    method: str
    engine: str
    steps: np.ndarray
    rejected: np.ndarray
    evaluations: np.ndarray
    groups: tuple[tuple[int, ...], ...]
    trusted: np.ndarray | None = None
    dt: np.ndarray | None = None
    error: np.ndarray | None = None
    redone: np.ndarray | None = None
    dynamics: str = "replicator"
    time: str = "continuous"

    def __post_init__(self) -> None:
        # Older callers build a Simulation without the trust fields: fill them in.
        N, P = self.states.shape[1], self.states.shape[2]
        if self.trusted is None:
            object.__setattr__(self, "trusted", np.ones((N, P), dtype=bool))
        if self.dt is None:
            object.__setattr__(self, "dt", np.full(P, np.nan))
        if self.error is None:
            object.__setattr__(self, "error", np.full((N, P), np.nan))
        if self.redone is None:
            object.__setattr__(self, "redone", np.zeros((N, P), dtype=bool))

    @property
    def final(self) -> np.ndarray:
        """Free shares at ``t_end``, shape (N, P, n)."""
        return self.states[-1]

    @property
    def params(self) -> dict[str, np.ndarray]:
        """``name -> values`` (shape (P,)) of the parameter points."""
        return {k: self.parameter_values[:, j] for j, k in enumerate(self.parameter_names)}

    def full_states(self) -> np.ndarray:
        """All shares (the implied last one of each population included), shape
        (T, N, P, sum of k)."""
        return _full(self.states, self.groups)

    def to_csv(self, path: Any) -> None:
        """Write one header line, then one row per saved time and trajectory.

        Columns: ``start`` (index of the initial point), ``point`` (index of the parameter
        point), the parameters, ``t``, then the free shares. Numbers are ``repr(float)``, so
        reading them back gives the same floats.
        """
        header = ["start", "point", *self.parameter_names, "t", *self.variables]
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            T, N, P, _ = self.states.shape
            for i in range(N):
                for j in range(P):
                    pv = [repr(float(v)) for v in self.parameter_values[j]]
                    for k in range(T):
                        row = [str(i), str(j), *pv, repr(float(self.times[k]))]
                        row += [repr(float(v)) for v in self.states[k, i, j]]
                        w.writerow(row)

    def __repr__(self) -> str:
        T, N, P, n = self.states.shape
        dyn = "" if self.dynamics == "replicator" else f" of {self.dynamics}"
        return (
            f"<Simulation{dyn} {self.method}/{self.engine}: {N} starts x {P} parameter points, "
            f"{T} saved times to t={self.times[-1]:g}>"
        )


#: Default RK4 step (and spacing of saved times): fine for payoffs of order 1-10; the
#: automatic choice shortens it per parameter point for faster fields.
DEFAULT_DT = 0.05
#: Step budget (accepted plus rejected) of each dopri5 re-run of an untrusted trajectory.
HANDOVER_MAX_STEPS = 50_000


def simulate(
    game_or_system: Game | System,
    inits: Any,
    *,
    params: Mapping[str, Any] | None = None,
    t_end: float = 100.0,
    dt: float | None = None,
    method: str = "rk4",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    engine: str = "auto",
    save_every: float | None = None,
    dynamics: Dynamics | str | None = None,
) -> Simulation:
    """Integrate the field of a dynamics (the replicator's by default) from many starts for
    many parameter points.

    With ``method="rk4"`` and no ``dt``, the step is chosen per parameter point from the field
    (a bound ``rho`` on the Jacobian over the state space: 0.05 where ``0.05 rho <= 1``, else
    ``0.05 / m`` with ``rho dt <= 1/2``), every step's error is estimated at no extra cost,
    and a trajectory whose estimate exceeds :data:`~lmc_games._compile.TRUST_TOLERANCE` is
    re-run with dopri5 and replaced. With a ``dt`` you give, that step is used everywhere and
    an untrusted trajectory is kept but flagged (``Simulation.trusted``) with a
    :class:`SimulationWarning`. See docs/explanation/numerics.md.

    Parameters
    ----------
    game_or_system : Game or System
    inits : array_like, shape (N, n) or (n,)
        Initial free shares, in the order of ``system.variables``.
    params : mapping, optional
        ``name -> value or array``; arrays broadcast against each other and are flattened
        into P parameter points. Parameters not named keep the game's values. ``None``: the
        game's values (P = 1).
    t_end : float
        Final time.
    dt : float, optional
        Step of ``rk4``, forced at every parameter point (shortened so that a whole number
        of steps reaches ``t_end``); default: chosen per point (at most 0.05). For
        ``dopri5`` the default spacing of saved times (default 0.05).
    method : {"rk4", "dopri5"}
    rtol, atol : float
        Tolerances of ``dopri5`` (and of the dopri5 re-runs of untrusted trajectories).
    engine : {"auto", "numpy", "numba"}
        See :func:`lmc_games._compile.compile_field`: numba runs compiled loops over SIMD
        blocks of trajectories on all cores, numpy runs array operations over all of them.
    save_every : float, optional
        Spacing of saved times (default ``dt``, or 0.05); for ``rk4`` rounded to whole
        steps of ``min(dt, 0.05)``: every parameter point saves at the same times.
    dynamics : Dynamics or str, optional
        The dynamics (or its spec, ``"mutator:mu=0.01"``); default: the system's own, or the
        replicator dynamics for a game. A dynamics in discrete time (``Time.DISCRETE``) is a
        map ``x' = x + F(x)``, iterated once per unit of time with no integrator:
        ``t_end`` and ``save_every`` are whole numbers of steps, ``dt`` must be 1 (or
        omitted), ``method`` must be ``"rk4"`` (the default) or ``"map"``, and the result's
        ``method`` is ``"map"``. After every step of a map, as of an integrator, the free
        shares are kept on the simplex (see :func:`lmc_games._compile.project`).

    Returns
    -------
    Simulation

    Warns
    -----
    SimulationWarning
        When a start is a rest point or lies on the boundary of the state space, and when
        trajectories are not to be trusted (a forced step too large for the field, or a
        field too stiff or not finite even for dopri5).

    Examples
    --------
    >>> from lmc_games import Game
    >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                     parameters={"V": 2, "C": 3})
    >>> sim = simulate(hd, [[0.1], [0.9]], params={"C": [3, 4]}, t_end=60, engine="numpy")
    >>> sim.states.shape
    (1201, 2, 2, 1)
    >>> sim.final.round(4).tolist()
    [[[0.6667], [0.5]], [[0.6667], [0.5]]]
    >>> sim.dt.tolist(), bool(sim.trusted.all())
    ([0.05, 0.05], True)

    With payoffs 1000 times larger the field is 1000 times faster; the step follows:

    >>> big = simulate(hd, [[0.1]], params={"V": 2000, "C": 3000}, t_end=1, engine="numpy")
    >>> float(big.dt[0]), big.final.round(4).tolist()
    (0.0005, [[[0.6667]]])

    Another dynamics, by its spec: mutation moves the interior rest point off 2/3; a map in
    discrete time is iterated once per unit of time.

    >>> simulate(hd, [[0.1]], t_end=60, dynamics="mutator:mu=0.1", engine="numpy").final.round(4)
    array([[[0.6296]]])
    >>> m = simulate(hd, [[0.1]], t_end=3, dynamics="discrete:base=2", engine="numpy")
    >>> m.method, m.times.tolist(), m.states[:, 0, 0, 0].round(4).tolist()
    ('map', [0.0, 1.0, 2.0, 3.0], [0.1, 0.1256, 0.1556, 0.1896])
    """
    sys_ = system_for(game_or_system, dynamics)
    if sys_.dynamics.time is Time.DISCRETE:
        return _iterate_map(sys_, inits, params, t_end, dt, method, engine, save_every)
    if method not in ("rk4", "dopri5"):
        raise IntegrationError(f"method must be 'rk4' or 'dopri5'; got {method!r}")
    forced = dt is not None
    step = DEFAULT_DT if dt is None else float(dt)
    if not (t_end > 0 and step > 0 and math.isfinite(t_end) and math.isfinite(step)):
        raise IntegrationError("t_end and dt must be positive and finite")
    cf = compile_field(sys_, engine=engine)
    x0 = np.array(inits, dtype=np.float64)
    if x0.ndim == 1:
        x0 = x0[None, :]
    if x0.ndim != 2 or x0.shape[1] != cf.n:
        raise IntegrationError(f"inits must have shape (N, {cf.n}); got {np.shape(inits)}")
    _check_states(x0, cf.groups)
    names, pvals = _parameter_points(sys_, params)
    # Sizes before any work: the saved states of every trajectory must fit in memory.
    check_simulation(x0.shape[0], pvals.shape[0], cf.n, t_end, step, save_every=save_every)
    _warn_starts(cf, x0, pvals)
    save_every = step if save_every is None else float(save_every)
    N, P = x0.shape[0], pvals.shape[0]
    if method == "dopri5":
        nsave = max(1, math.ceil(t_end / save_every - 1e-9))
        times = np.linspace(0.0, t_end, nsave + 1)
        res = cf.dopri5(x0, pvals, times, rtol, atol)
        return _simulation(
            cf,
            x0,
            names,
            pvals,
            method,
            times,
            res.states,
            res.steps,
            res.rejected,
            res.evaluations,
            dynamics=sys_.dynamics.spec(),
        )
    nsteps = max(1, math.ceil(t_end / step - 1e-9))
    h = t_end / nsteps
    # A save spacing longer than the run still saves the end of the run.
    stride = min(nsteps, max(1, round(save_every / h)))
    if forced:
        refine = np.ones(P, dtype=np.int64)
        stiff = np.zeros(P, dtype=bool)
    else:
        refine, stiff = refinements(stiffness(sys_, pvals), h)
    hs = h / refine
    # The refined step counts too: a field so fast that the steps would not fit the budget
    # is refused with a message rather than overflowing the kernels' step counter.
    check_time(t_end, float(hs.min()))
    run = cf.rk4(x0, pvals, hs, nsteps * refine, stride * refine)
    states = run.states
    times = np.arange(states.shape[0]) * (stride * h)
    steps = np.broadcast_to(nsteps * refine, (N, P)).copy()
    rejected = np.zeros((N, P), dtype=np.int64)
    evaluations = 4 * steps + 2
    trusted = (run.error <= TRUST_TOLERANCE) & np.all(np.isfinite(states[-1]), axis=-1)
    trusted &= ~stiff[None, :]
    error = run.error.copy()
    redone = np.zeros((N, P), dtype=bool)
    if not forced and not trusted.all():
        states = states.copy()
        for j in np.flatnonzero(~trusted.all(axis=0)):
            idx = np.flatnonzero(~trusted[:, j])
            res = cf.dopri5(
                x0[idx],
                pvals[j : j + 1],
                times,
                rtol,
                atol,
                max_steps=HANDOVER_MAX_STEPS,
                on_failure="flag",
            )
            ok = ~res.failed[:, 0]
            states[:, idx, j] = np.where(ok[None, :, None], res.states[:, :, 0], states[:, idx, j])
            redone[idx[ok], j] = True
            trusted[idx[ok], j] = True
            error[idx[ok], j] = np.nan
            steps[idx[ok], j] = res.steps[ok, 0]
            rejected[idx[ok], j] = res.rejected[ok, 0]
            evaluations[idx[ok], j] = res.evaluations[ok, 0]
    if not trusted.all():
        _warn_untrusted(trusted, pvals, names, hs, forced, stiff, sys_.dynamics)
    return _simulation(
        cf,
        x0,
        names,
        pvals,
        method,
        times,
        states,
        steps,
        rejected,
        evaluations,
        trusted=trusted,
        dt=hs,
        error=error,
        redone=redone,
        dynamics=sys_.dynamics.spec(),
    )


def _whole(value: float, what: str) -> int:
    n = round(value)
    if not (math.isfinite(value) and n >= 1 and abs(value - n) <= 1e-9 * max(1.0, value)):
        raise IntegrationError(
            f"{what} = {value!r}: a map in discrete time takes whole numbers of steps (at least 1)"
        )
    return int(n)


def _iterate_map(sys_, inits, params, t_end, dt, method, engine, save_every) -> Simulation:
    """Iterate ``x_{k+1} = project(x_k + F(x_k))`` once per unit of time (see
    :func:`simulate`)."""
    name = sys_.dynamics.describe()
    if method not in ("rk4", "map"):
        raise IntegrationError(
            f"the {name} is a map in discrete time: it is iterated, not integrated, so "
            f"method={method!r} does not apply (leave it out)"
        )
    if dt is not None and float(dt) != 1.0:
        raise IntegrationError(
            f"the {name} is a map in discrete time: one step per unit of time, so dt must be 1 "
            f"(or left out), not {dt!r}"
        )
    nsteps = _whole(float(t_end), "t_end")
    stride = min(nsteps, _whole(1.0 if save_every is None else float(save_every), "save_every"))
    cf = compile_field(sys_, engine=engine)
    x0 = np.array(inits, dtype=np.float64)
    if x0.ndim == 1:
        x0 = x0[None, :]
    if x0.ndim != 2 or x0.shape[1] != cf.n:
        raise IntegrationError(f"inits must have shape (N, {cf.n}); got {np.shape(inits)}")
    _check_states(x0, cf.groups)
    names, pvals = _parameter_points(sys_, params)
    check_simulation(x0.shape[0], pvals.shape[0], cf.n, float(nsteps), 1.0, save_every=stride)
    _warn_starts(cf, x0, pvals)
    N, P = x0.shape[0], pvals.shape[0]
    nsave = nsteps // stride + 1
    states = np.empty((nsave, N, P, cf.n))
    x = np.ascontiguousarray(np.broadcast_to(x0[:, None, :], (N, P, cf.n)))
    states[0] = x
    p = pvals[None, :, :]
    with np.errstate(all="ignore"):
        for k in range(1, (nsave - 1) * stride + 1):
            x = x + cf(x, p)
            project(x, cf.groups)
            if k % stride == 0:
                states[k // stride] = x
    times = np.arange(nsave, dtype=np.float64) * stride
    steps = np.full((N, P), (nsave - 1) * stride, dtype=np.int64)
    trusted = np.all(np.isfinite(states[-1]), axis=-1)
    if not trusted.all():
        warnings.warn(
            f"{int((~trusted).sum())} iterations of the {name} left the numbers (the map is "
            "not finite there)",
            SimulationWarning,
            stacklevel=3,
        )
    return _simulation(
        cf,
        x0,
        names,
        pvals,
        "map",
        times,
        states,
        steps,
        np.zeros((N, P), dtype=np.int64),
        steps.copy(),
        trusted=trusted,
        dt=np.ones(P),
        error=np.full((N, P), np.nan),
        redone=np.zeros((N, P), dtype=bool),
        dynamics=sys_.dynamics.spec(),
        time=Time.DISCRETE.value,
    )


def _simulation(
    cf, x0, names, pvals, method, times, states, steps, rejected, evaluations, **trust
) -> Simulation:
    return Simulation(
        times=times,
        states=states,
        inits=x0,
        variables=cf.variables,
        parameter_names=names,
        parameter_values=pvals,
        method=method,
        engine=cf.engine,
        steps=steps,
        rejected=rejected,
        evaluations=evaluations,
        groups=cf.groups,
        **trust,
    )


def _warn_untrusted(trusted, pvals, names, hs, forced: bool, stiff, dynamics=None) -> None:
    bad = np.flatnonzero(~trusted.all(axis=0))
    count = int((~trusted).sum())
    where = ", ".join(
        "(" + ", ".join(f"{k}={v:g}" for k, v in zip(names, pvals[j])) + ")" for j in bad[:3]
    ) + (" ..." if bad.size > 3 else "")
    if dynamics is not None and not dynamics.smooth:
        # A step size does not help across a kink or a jump: say what happened, not "drop dt".
        failed = (
            "the fixed steps do not pass" if forced else "neither the fixed steps nor dopri5 pass"
        )
        msg = (
            f"{count} trajectories are not to be trusted: the field of the "
            f"{dynamics.describe()} is not differentiable everywhere (it has kinks or jumps, "
            f"at parameter point(s) {where}), and {failed} their error test across them; the "
            "states kept are the fixed-step ones"
        )
    elif forced:
        msg = (
            f"{count} trajectories are not to be trusted: the RK4 error estimate exceeds "
            f"{TRUST_TOLERANCE:g} with the step dt={float(hs[bad[0]]):g} at parameter point(s) "
            f"{where}; drop dt (--dt) for an automatic step, or use method='dopri5' "
            "(--method dopri5)"
        )
    else:
        msg = (
            f"{count} trajectories are not to be trusted: the field at parameter point(s) "
            f"{where} is too fast or not finite for fixed steps, and dopri5 failed too (step "
            f"budget {HANDOVER_MAX_STEPS} or a non-finite field); dividing every payoff by a "
            "positive constant leaves the orbits unchanged and slows the field down"
        )
    warnings.warn(msg, SimulationWarning, stacklevel=3)


def _check_states(x0: np.ndarray, groups) -> None:
    if not np.all(np.isfinite(x0)) or np.any(x0 < 0) or np.any(x0 > 1):
        raise LmcGamesError("initial shares must lie in [0, 1]")
    for g in groups:
        if len(g) > 1 and np.any(x0[:, list(g)].sum(axis=1) > 1 + 1e-12):
            raise LmcGamesError("the free shares of a population must sum to at most 1")


def _parameter_points(sys_: System, params) -> tuple[tuple[str, ...], np.ndarray]:
    game = sys_.game
    names = tuple(p.name for p in game.parameters)
    base = {k: float(game.values[k]) for k in names}
    if not params:
        return names, np.array([[base[k] for k in names]], dtype=np.float64).reshape(1, -1)
    unknown = [k for k in params if k not in base]
    if unknown:
        raise ParameterError(
            f"unknown parameter {unknown[0]!r}; this model has: {', '.join(names) or 'none'}"
        )
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in params.values()])
    given = {k: a.reshape(-1) for k, a in zip(params, arrays)}
    P = next(iter(given.values())).size
    cols = [given[k] if k in given else np.full(P, base[k]) for k in names]
    out = np.stack(cols, axis=-1) if cols else np.zeros((P, 0))
    return names, np.ascontiguousarray(out, dtype=np.float64)


def _warn_starts(cf: CompiledField, x0: np.ndarray, pvals: np.ndarray) -> None:
    # Checked for all starts at once; only the offending ones cost Python time.
    speed = np.abs(cf(x0[:, None, :], pvals[None, :, :])).max(axis=-1)  # (N, P)
    at_rest = np.any(speed <= 1e-12, axis=1)
    on_boundary = np.any(_full(x0, cf.groups) == 0.0, axis=1)
    for i in np.flatnonzero(at_rest):
        warnings.warn(
            f"start {i} {x0[i].tolist()} is a rest point (the field vanishes there): "
            "it will not move",
            SimulationWarning,
            stacklevel=3,
        )
    for i in np.flatnonzero(on_boundary):
        warnings.warn(
            f"start {i} {x0[i].tolist()} lies on the boundary: a strategy absent there never "
            "appears, so the trajectory stays on that face",
            SimulationWarning,
            stacklevel=3,
        )


def _full_velocity(velocity: np.ndarray, groups) -> np.ndarray:
    # The implied last share of a population moves by minus the sum of the others' moves.
    parts = []
    for g in groups:
        free = velocity[..., list(g)]
        parts += [free, -free.sum(axis=-1, keepdims=True)]
    return np.concatenate(parts, axis=-1)


def _full(states: np.ndarray, groups) -> np.ndarray:
    parts = []
    for g in groups:
        free = states[..., list(g)]
        parts += [free, 1.0 - free.sum(axis=-1, keepdims=True)]
    return np.concatenate(parts, axis=-1)


def starts_grid(game: Game, n: int) -> np.ndarray:
    """The grid of starts of ``--starts N`` (docs/cli.md, "Starts and convergence").

    In each population with k strategies, the interior lattice points with shares
    ``n_j / (N + k - 1)``, integers ``n_j >= 1``; the grid is their product over populations,
    as free shares in population order.

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> g = starts_grid(mp, 4)
    >>> g.shape
    (16, 2)
    >>> g[:2].tolist()
    [[0.2, 0.2], [0.2, 0.4]]
    """
    if int(n) != n or n < 1:
        raise IntegrationError(f"the number of starts must be a positive integer; got {n!r}")
    check_starts(game, n)
    n = int(n)
    per_pop = []
    for pop in game.populations:
        k = pop.k
        total = n + k - 1
        pts = [
            tuple(c / total for c in combo)
            for combo in itertools.product(range(1, n + 1), repeat=k - 1)
            if total - sum(combo) >= 1
        ]
        per_pop.append(pts)
    rows = [sum(parts, ()) for parts in itertools.product(*per_pop)]
    return np.array(rows, dtype=np.float64).reshape(len(rows), -1)


#: A trajectory "reaches" a rest point that is not asymptotically stable only if its final stay
#: within ``eps`` covers at least this fraction of the run (see :func:`confirm_reached`).
MIN_STAY_FRACTION = 0.5

#: A share at most this large counts as absent (a rest point's implied last share on a face
#: is ``1 - sum`` of the others, which rounding leaves near, not at, zero).
_ABSENT = 1e-12


@dataclass(frozen=True, eq=False)
class Convergence:
    """Which rest point each trajectory reached, and when.

    Attributes
    ----------
    reached : ndarray of object, shape (N, P)
        The label of the rest point reached, or ``None`` (not converged: e.g. a cycle, or a
        passage near a point that is not asymptotically stable, see :func:`confirm_reached`).
    time : ndarray of object, shape (N, P)
        The convergence time (first saved time from which the trajectory stays within
        ``eps`` of that rest point until the end), or ``None``.
    eps : float
    labels : tuple of str
        The rest points matched against, in the analysis order.
    """

    reached: np.ndarray
    time: np.ndarray
    eps: float
    labels: tuple[str, ...]

    @property
    def converged(self) -> np.ndarray:
        """Boolean array (N, P)."""
        return np.vectorize(lambda v: v is not None, otypes=[bool])(self.reached)


def converge(
    simulation: Simulation,
    analysis: Analysis | Sequence[Analysis],
    *,
    eps: float = 1e-3,
) -> Convergence:
    """Match each trajectory against the analysed rest points (docs/cli.md).

    A trajectory has converged to a rest point when it lies within ``eps`` of it (max norm
    over all shares, the implied last ones included) at every saved time from some time until
    the end; the first such time is the convergence time. A trajectory still moving at the end
    (a cycle around a centre, a slow drift) is reported as not converged (``None``), and so
    is one whose final stay is near a rest point that is not asymptotically stable but does
    not pass :func:`confirm_reached` (a passage near a saddle, e.g. on a heteroclinic
    cycle). A state that is not a number is never near anything.

    The saved states are read in blocks of saved times, so the extra memory is a small
    multiple of ``N * P * R`` numbers (R rest points), whatever the number of saved times.

    Parameters
    ----------
    simulation : Simulation
    analysis : Analysis or sequence of Analysis
        One analysis per parameter point of the simulation (a single one when P = 1), at
        the same parameter values (checked).
    eps : float

    Examples
    --------
    >>> from lmc_games import Game, analyze
    >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                     parameters={"V": 2, "C": 3})
    >>> sim = simulate(hd, [[0.1], [0.9]], t_end=40, engine="numpy")
    >>> conv = converge(sim, analyze(hd))
    >>> conv.reached.tolist()
    [['hawk+dove'], ['hawk+dove']]
    >>> basins(conv)
    {'hawk+dove': array([1.]), 'not_converged': array([0.])}
    """
    analyses = [analysis] if not isinstance(analysis, Sequence) else list(analysis)
    T, N, P, n = simulation.states.shape
    if len(analyses) != P:
        raise IntegrationError(f"need one analysis per parameter point ({P}); got {len(analyses)}")
    labels: list[str] = []
    points: list[list[Any]] = []
    for j, an in enumerate(analyses):
        _check_values(an, simulation, j)
        _check_dynamics(an, simulation)
        points.append([r for r in an.rest_points if r.numeric_shares is not None])
        labels += [r.label for r in points[-1] if r.label not in labels]
    R = max((len(p) for p in points), default=0)
    reached = np.full((N, P), None, dtype=object)
    when = np.full((N, P), None, dtype=object)
    if R == 0:
        return Convergence(reached, when, float(eps), tuple(labels))
    # Free shares of the rest points, padded with nan where a point has fewer rest points.
    K = n + len(simulation.groups)
    targets = np.full((P, R, K), np.nan)
    attracting = np.zeros((P, R), dtype=bool)
    for j, pts in enumerate(points):
        for r, rp in enumerate(pts):
            targets[j, r] = sum(rp.numeric_shares, ())
            attracting[j, r] = bool(rp.asymptotically_stable)
    free = [c for c in range(K) if c + 1 not in np.cumsum([len(g) + 1 for g in simulation.groups])]
    rest = targets[..., free]
    index, entry = _track_saved(simulation.states, targets, simulation.groups, float(eps))
    times = simulation.times
    entry_time = np.where(index >= 0, times[np.maximum(entry, 0)], np.nan)
    stable = np.take_along_axis(
        np.broadcast_to(attracting, (N, P, R)), np.maximum(index, 0)[..., None], axis=-1
    )[..., 0]
    if np.any((index >= 0) & ~stable):
        velocity = _velocity(analyses[0], simulation)
        index, entry_time = confirm_reached(
            index,
            entry_time,
            final=simulation.final,
            velocity=velocity,
            starts=simulation.inits[:, None, :],
            rest=rest[None],  # S = (N, P)
            attracting=attracting[None, :, :],
            groups=simulation.groups,
            t_end=float(times[-1]),
            invariant_faces=analyses[0].system.dynamics.invariant_faces,
        )
    for i, j in zip(*np.nonzero(index >= 0)):
        reached[i, j] = points[j][index[i, j]].label
        when[i, j] = float(entry_time[i, j])
    return Convergence(reached, when, float(eps), tuple(labels))


def _track_saved(states: np.ndarray, targets: np.ndarray, groups, eps: float):
    """Nearest rest point at the last saved time (if within ``eps``) and the index of the
    first saved time of the final stay within ``eps`` of it, both (N, P); -1 where none.

    Only the rest point nearest at the end can have been reached, so the saved times are
    streamed in blocks against that one point: the extra memory is O(N * P * (R + K)).
    """
    T, N, P, _ = states.shape
    missing = np.any(np.isnan(targets), axis=-1)  # (P, R)
    dist = _distance(_full(states[-1], groups), targets)  # (N, P, R)
    dist = np.where(missing[None] | np.isnan(dist), np.inf, dist)
    best = np.argmin(dist, axis=-1)  # the first of equally near points, in analysis order
    near = np.take_along_axis(dist, best[..., None], axis=-1)[..., 0] <= eps
    index = np.where(near, best, -1)
    # targets[p, best[i, p]] for every (i, p): (N, P, K)
    chosen = targets[np.arange(P)[None, :], best]
    last_out = np.full((N, P), -1, dtype=np.int64)
    # Blocks of about 2**18 distances (2 MB): few Python-level steps, little memory.
    block = max(1, (1 << 18) // max(1, N * P))
    for t0 in range(0, T, block):
        chunk = states[t0 : t0 + block]
        d = np.zeros(chunk.shape[:-1])  # (B, N, P)
        tmp = np.empty_like(d)
        k = 0
        for g in groups:
            implied = np.ones_like(d)
            for c in g:
                np.subtract(chunk[..., c], chosen[..., k], out=tmp)
                np.abs(tmp, out=tmp)
                np.maximum(d, tmp, out=d)
                implied -= chunk[..., c]
                k += 1
            np.subtract(implied, chosen[..., k], out=tmp)
            np.abs(tmp, out=tmp)
            np.maximum(d, tmp, out=d)
            k += 1
        out = ~(d <= eps)  # a nan is never near
        steps = np.arange(t0, t0 + out.shape[0])[:, None, None]
        np.maximum(last_out, np.where(out, steps, -1).max(axis=0), out=last_out)
    return index, np.where(near, last_out + 1, -1)


def _distance(full: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Max-norm distance of states (..., N, P, K) to targets (P, R, K): (..., N, P, R),
    share by share, so no (..., R, K) array is ever built."""
    d = np.subtract(full[..., None, 0], targets[..., 0])
    np.abs(d, out=d)
    tmp = np.empty_like(d)
    for k in range(1, full.shape[-1]):
        np.subtract(full[..., None, k], targets[..., k], out=tmp)
        np.abs(tmp, out=tmp)
        np.maximum(d, tmp, out=d)
    return d


def _velocity(analysis: Analysis, sim: Simulation) -> np.ndarray:
    """The field at the final states, (N, P, n), from the analysed game's compiled field."""
    cf = compile_field(analysis.system, engine="numpy")
    return cf(sim.final, sim.parameter_values[None, :, :])


def confirm_reached(
    index: np.ndarray,
    entry_time: np.ndarray,
    *,
    final: np.ndarray,
    velocity: np.ndarray,
    starts: np.ndarray,
    rest: np.ndarray,
    attracting: np.ndarray,
    groups: Sequence[Sequence[int]],
    t_end: float,
    invariant_faces: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Keep a trajectory's final stay near a rest point that is not asymptotically stable
    only when it is not a passage: the rule of :func:`converge`, for any tracker's result.

    A trajectory that ends within ``eps`` of an asymptotically stable rest point has reached
    it (docs/cli.md, "Starts and convergence"). One that ends near any other rest point (a
    saddle, a source, a centre, a non-hyperbolic point not proven asymptotically stable) has
    reached it only if

    1. its final stay began no later than ``(1 - MIN_STAY_FRACTION) * t_end`` (half the
       run), and
    2. it is not leaving: no strategy absent at the rest point but present at the start has
       a positive, growing share at ``t_end``, and
    3. no such strategy's share has fallen below the smallest normal double: the arithmetic
       can no longer carry its growth (a subnormal has too few digits, zero absorbs), so the
       computed trajectory has fallen onto a face that the exact one never reaches.

    Near a rest point on the boundary, the share of a strategy absent there grows at the rate
    of that strategy's payoff advantage, an eigenvalue of the rest point; where it is
    positive the trajectory must leave, however long it has stayed. Trajectories on a
    heteroclinic cycle (rock--paper--scissors with a loss larger than the gain) stay ever
    longer near each corner, so no length of stay alone separates them from convergence;
    rules 2 and 3 do, and rule 1 handles rest points inside the state space. See
    ``docs/explanation/convergence.md``.

    Parameters
    ----------
    index : ndarray of int, shape S
        The rest point nearest at the end if within ``eps``, else -1 (as
        :class:`~lmc_games.TrackResult` ``reached``).
    entry_time : ndarray of float, shape S
        Start of the final stay within ``eps`` (``nan`` where ``index`` is -1).
    final, velocity : ndarray, shape S + (n,)
        Free shares at ``t_end`` and the field there.
    starts : ndarray, broadcastable to S + (n,)
        Free shares at time 0.
    rest : ndarray, broadcastable to S + (R, n)
        Free shares of the rest points (``nan`` rows: absent points).
    attracting : ndarray of bool, broadcastable to S + (R,)
        Whether each rest point is asymptotically stable.
    groups : sequence of sequence of int
        Indices of each population's free shares.
    t_end : float
    invariant_faces : bool, optional
        Whether the dynamics keeps every face invariant (imitative dynamics such as the
        replicator, :attr:`Dynamics.invariant_faces`). Only then is rule 3 applied: under
        BNN, Smith, best-response or logit dynamics a trajectory reaches a face in finite
        time, and a share of exactly zero is the true solution, not underflow.

    Returns
    -------
    index, entry_time : ndarray
        Copies with the rejected stays set to -1 and ``nan``.

    Examples
    --------
    Two trajectories end near the saddle corner of a one-population game with strategies
    A, B (free share: A's), where B invades: the first started at the corner and stayed
    (B absent from the start), the second has a growing share of B.

    >>> import numpy as np
    >>> idx, t = confirm_reached(
    ...     np.array([0, 0]), np.array([0.0, 10.0]),
    ...     final=np.array([[1.0], [1 - 1e-6]]), velocity=np.array([[0.0], [-1e-6]]),
    ...     starts=np.array([[1.0], [0.5]]), rest=np.array([[[1.0]]]),
    ...     attracting=np.array([[False]]), groups=((0,),), t_end=40.0)
    >>> idx.tolist(), t.tolist()
    ([0, -1], [0.0, nan])
    """
    index = np.asarray(index)
    entry_time = np.asarray(entry_time, dtype=np.float64)
    shape = index.shape
    R = np.shape(rest)[-2]
    n = np.shape(rest)[-1]
    rest = np.broadcast_to(rest, shape + (R, n))
    attracting = np.broadcast_to(attracting, shape + (R,))
    sel = np.maximum(index, 0)[..., None]
    target = np.take_along_axis(rest, sel[..., None], axis=-2)[..., 0, :]  # S + (n,)
    stable = np.take_along_axis(attracting, sel, axis=-1)[..., 0]
    absent = _full(target, groups) <= _ABSENT
    present = _full(np.broadcast_to(starts, shape + (n,)), groups) > _ABSENT
    watch = absent & present  # S + (K,)
    share = _full(np.asarray(final, dtype=np.float64), groups)
    growth = _full_velocity(np.asarray(velocity, dtype=np.float64), groups)
    leaving = np.any(watch & (share > 0) & (growth > 0), axis=-1)
    lost = np.any(watch & ~(share >= np.finfo(np.float64).tiny), axis=-1)
    if not invariant_faces:
        lost = np.zeros_like(lost)
    short = ~(t_end - entry_time >= MIN_STAY_FRACTION * t_end)
    reject = (index >= 0) & ~stable & (short | leaving | lost)
    return np.where(reject, -1, index), np.where(reject, np.nan, entry_time)


def _check_dynamics(an: Analysis, sim: Simulation) -> None:
    # Rest points of one dynamics say nothing about where another one's trajectories go.
    spec = an.system.dynamics.spec()
    if spec != sim.dynamics:
        raise IntegrationError(
            f"the analysis is of the dynamics {spec!r} but the simulation of {sim.dynamics!r}: "
            "analyse the game under the simulation's dynamics (analyze(game, dynamics=...))"
        )


def _check_values(an: Analysis, sim: Simulation, j: int) -> None:
    if an.values is None:
        raise LmcGamesError("convergence needs a numeric analysis, not a symbolic one")
    for q, name in enumerate(sim.parameter_names):
        if name in an.values:
            a, b = float(an.values[name]), float(sim.parameter_values[j, q])
            if abs(a - b) > 1e-12 * max(1.0, abs(a)):
                raise IntegrationError(
                    f"the analysis has {name} = {a:g} but parameter point {j} of the "
                    f"simulation has {name} = {b:g}"
                )


def basins(convergence: Convergence) -> dict[str, np.ndarray]:
    """Shares of the starts reaching each rest point, per parameter point.

    Returns ``label -> array (P,)`` for every label reached somewhere, in the analysis
    order, then ``"not_converged"``; for each parameter point the shares sum to 1.
    """
    reached = convergence.reached
    N = reached.shape[0]
    out: dict[str, np.ndarray] = {}
    for label in convergence.labels:
        hits = np.sum(reached == label, axis=0)
        if np.any(hits):
            out[label] = hits / N
    out["not_converged"] = np.sum(np.equal(reached, None), axis=0) / N
    return out

r"""The stochastic replicator: payoff noise, and where the runs end.

The model
---------
Each strategy's payoff is hit by white noise of strength :math:`\sigma_p` (one per population
``p``, in payoff units per square root of model time): the score of strategy ``i`` grows as
:math:`dY_i = \pi_i(x)\,dt + \sigma_p\,dW_i`, with independent Brownian motions :math:`W_i`,
and the shares are the normalised exponentials of the scores (exponential learning with
noisy payoffs; Mertikopoulos & Moustakas 2010). Equivalently, the log-ratio of each free
share to the population's last one,
:math:`u_i = \log(x_i / x_k)`, is a diffusion with additive noise:

.. math::

    du_i = (\pi_i - \pi_k)(x)\,dt + \sigma_p\,(dW_i - dW_k).

In the shares, by Itô's formula,

.. math::

    dx_i = x_i\Big[\pi_i - \bar\pi + \sigma_p^2\Big(\sum_j x_j^2 - x_i\Big)\Big]dt
           + \sigma_p\, x_i\Big(dW_i - \sum_j x_j\, dW_j\Big),

the replicator drift plus the Itô correction :math:`\sigma_p^2 x_i(\sum_j x_j^2 - x_i)`. This
is also Fudenberg & Harris's (1992) replicator with aggregate shocks (population sizes
:math:`dz_i = z_i(\pi_i\,dt + \sigma\,dW_i)`, Imhof 2005, eq. 2.3) when every strategy of a
population has the same :math:`\sigma_p`: both models are one SDE here. With a common
:math:`\sigma_p` the noise changes no log-ratio's drift, so strict Nash equilibria stay
attracting for every noise level (Mertikopoulos & Moustakas 2010, Thm 4.3); noise moves runs
*across* basin boundaries and, on a finite horizon, keeps them from settling.

The scheme
----------
The state is kept in log-ratio coordinates: the boundary of the state space is at infinite
distance, as for the SDE, which never reaches it. Each step of length ``h`` is the classical
RK4 step of the drift :math:`(\pi_i - \pi_k)(x(u))` followed by the exact noise increment
:math:`\sigma_p\sqrt{h}\,(Z_i - Z_k)` (a Lie splitting; the noise is additive in these
coordinates, so the scheme has strong order 1 and weak order 1, and the drift alone is
integrated to fourth order). Shares are recovered by a shifted softmax, so they always lie in
[0, 1] and sum to one in each population (a share smaller than about 1e-308 underflows to 0,
but the log-ratio carries on).

Why not the shares themselves: kept as floating-point shares, a run that approaches a corner
loses the missing strategy's share once it is below about 1e-16 of the population (the last
share is one minus the others), and the noise can then never bring that strategy back. For
water_use under strong supervision with sigma = 10, a run at log-ratio 37 (where that
happens) still falls back below log-ratio 6.9 -- out of the 1e-3 neighbourhood of the
corner -- at some later time with probability about 0.37 (drift 3.26, noise variance 200 per
unit time: exp(-2 * 3.26 * 30 / 200)); an absorbing floor would bias the outcome
probabilities. In log-ratio coordinates there is none.

At ``sigma = 0`` in every population the noise is absent and the result is computed by
:func:`~lmc_games.simulate` itself (fixed-step RK4 in the shares, the same automatic step),
so it equals the deterministic replicator bit for bit. With any noise, the log-ratio scheme
runs; as sigma tends to 0 it tends to the same trajectories (a different RK4, in other
coordinates: within 1e-6 at the default step).

Randomness
----------
``seed`` seeds a :class:`numpy.random.Generator` (PCG64). The normals are drawn step by step
as an array over (start, run, free share), in that order, and the same normals drive every
noise level and every parameter point of one call (common random numbers): a row of
:func:`sigma_sweep` is exactly :func:`stochastic_outcomes` at that sigma and those values,
and a curve over sigma is smooth rather than jittered by independent draws. The numba engine
draws them with numba's compiled copy of the generator's ziggurat: the same numbers as
``Generator.standard_normal``, however many threads run.

References
----------
Fudenberg, D. & Harris, C. (1992). Evolutionary dynamics with aggregate shocks. Journal of
Economic Theory, 57(2), 420--441.
Imhof, L. A. (2005). The long-run behavior of the stochastic replicator dynamics. Annals of
Applied Probability, 15(1B), 1019--1045.
Mertikopoulos, P. & Moustakas, A. L. (2010). The emergence of rational behavior in the
presence of stochastic perturbations. Annals of Applied Probability, 20(4), 1359--1388.
Kloeden, P. E. & Platen, E. (1992). Numerical Solution of Stochastic Differential Equations.
Springer (additive noise: Euler--Maruyama-type schemes have strong order 1, section 10.2).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._compile import CompiledField, compile_field, numba_available
from ._compile._steps import refinements, stiffness
from ._errors import IntegrationError, ParameterError
from ._limits import check_memory, check_time
from ._simulate import DEFAULT_DT, simulate, starts_grid
from ._system import System, system

if TYPE_CHECKING:
    from ._game import Game

__all__ = [
    "ELSEWHERE",
    "SigmaSweep",
    "SigmaSweepRow",
    "StochasticOutcomes",
    "sigma_sweep",
    "stochastic_outcomes",
]

#: The label of runs that end farther than ``eps`` from every rest point.
ELSEWHERE = "elsewhere"

#: Largest array of normals drawn at once (numbers): about 16 MB.
_NORMALS_PER_DRAW = 1 << 21

#: Chunks of normals drawn ahead of the slowest tile of the numba engine (buffers of
#: :data:`_NORMALS_PER_DRAW` numbers each).
_AHEAD = 3

#: Path-steps from which the numba engine on several threads calls the field's row loop
#: through :func:`._stochastic_numba.released` (compiled for each game in each process).
_NOGIL_WORK = 20_000_000

#: Numbers per array of a tile of the numba engine (128 KB): a tile's working arrays (its
#: log-ratios and normals, the seven scratch arrays of an RK4 step and the coefficients,
#: 1.7 MB) stay in a core's L2 cache through a step. On water_use, 8,192 paths per tile
#: take 5% less time than 4,096 or 16,384, 15% less than all 10^5 at once.
_TILE_NUMBERS = 1 << 14


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class StochasticOutcomes:
    """Where the runs of the stochastic replicator end, from each start.

    Attributes
    ----------
    labels : tuple of str
        The rest points of :func:`~lmc_games.analyze` at the game's values (those with
        numeric shares, in the analysis order), then :data:`ELSEWHERE`.
    counts : ndarray of int64, shape (S, L)
        ``counts[s, l]``: runs from start ``s`` that end within ``eps`` (max norm over all
        shares) of rest point ``labels[l]`` at ``t_end`` -- the nearest one if several are --
        or, in the last column, within ``eps`` of none.
    starts : ndarray, shape (S, n)
        Initial free shares.
    final : ndarray, shape (S, R, n)
        Free shares at ``t_end`` of each run.
    sigma : tuple of float
        Noise strength of each population.
    runs : int
        Runs per start (R).
    t_end, dt : float
        Final time and the step used.
    steps : int
        Steps per run.
    seed : int
    eps : float
    engine : str
        ``"numpy"`` or ``"numba"``.
    method : str
        ``"deterministic"`` (sigma = 0: :func:`~lmc_games.simulate`'s RK4) or
        ``"log-ratio RK4 + exact noise"``.
    parameters : mapping of str to float
        The game's values.
    variables : tuple of str
        Names of the free shares.
    """

    labels: tuple[str, ...]
    counts: np.ndarray
    starts: np.ndarray
    final: np.ndarray
    sigma: tuple[float, ...]
    runs: int
    t_end: float
    dt: float
    steps: int
    seed: int
    eps: float
    engine: str
    method: str
    parameters: Mapping[str, float] = field(repr=False)
    variables: tuple[str, ...] = field(repr=False)

    @property
    def total(self) -> int:
        """Number of runs over all starts."""
        return int(self.counts.sum())

    @property
    def probabilities(self) -> dict[str, float]:
        """``label -> share of all runs`` (over every start) ending there; sums to 1."""
        pooled = self.counts.sum(axis=0)
        return {lab: float(c) / self.total for lab, c in zip(self.labels, pooled)}

    def probability(self, label: str) -> float:
        """Share of all runs ending near ``label`` (or :data:`ELSEWHERE`)."""
        if label not in self.labels:
            raise ParameterError(
                f"no rest point {label!r}; the labels are: {', '.join(self.labels)}"
            )
        return self.probabilities[label]

    def standard_error(self, label: str) -> float:
        """Binomial standard error ``sqrt(p (1 - p) / total)`` of :meth:`probability`."""
        p = self.probability(label)
        return math.sqrt(p * (1.0 - p) / self.total)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: settings, pooled probabilities and counts per start."""
        return {
            "sigma": list(self.sigma),
            "runs": self.runs,
            "t_end": self.t_end,
            "dt": self.dt,
            "steps": self.steps,
            "seed": self.seed,
            "eps": self.eps,
            "engine": self.engine,
            "method": self.method,
            "parameters": dict(self.parameters),
            "probabilities": self.probabilities,
            "starts": [
                {
                    "init": [float(v) for v in self.starts[s]],
                    "counts": {lab: int(c) for lab, c in zip(self.labels, self.counts[s])},
                }
                for s in range(self.counts.shape[0])
            ],
        }

    def __repr__(self) -> str:
        probs = ", ".join(f"{k}: {v:.3g}" for k, v in self.probabilities.items() if v > 0)
        sig = ", ".join(f"{s:g}" for s in self.sigma)
        return f"<StochasticOutcomes sigma=({sig}), {self.total} runs to t={self.t_end:g}: {probs}>"


@dataclass(frozen=True)
class SigmaSweepRow:
    """One noise level (and value of the varied parameter) of a :class:`SigmaSweep`.

    Attributes
    ----------
    sigma : tuple of float
        Noise strength of each population.
    value : float or None
        Value of the varied parameter (``None`` when none is varied).
    counts : mapping of str to int
        Runs ending near each label of the sweep (all starts pooled), :data:`ELSEWHERE` last.
    """

    sigma: tuple[float, ...]
    value: float | None
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return int(sum(self.counts.values()))

    @property
    def probabilities(self) -> dict[str, float]:
        """``label -> share of the runs``; sums to 1."""
        return {k: c / self.total for k, c in self.counts.items()}


@dataclass(frozen=True, eq=False)
class SigmaSweep:
    """Outcome probabilities of the stochastic replicator over noise levels.

    Attributes
    ----------
    rows : tuple of SigmaSweepRow
        One per noise level, for each value of the varied parameter (values outer).
    labels : tuple of str
        Every rest point met at any parameter point (in order of first appearance), then
        :data:`ELSEWHERE`.
    populations : tuple of str
        Population names (the order of each row's ``sigma``).
    vary : str or None
        Name of the varied parameter.
    runs, seed : int
        Runs per start and the seed (the same for every row: common random numbers).
    starts : ndarray, shape (S, n)
    t_end, eps : float
    engine : str
    """

    rows: tuple[SigmaSweepRow, ...]
    labels: tuple[str, ...]
    populations: tuple[str, ...]
    vary: str | None
    runs: int
    seed: int
    starts: np.ndarray = field(repr=False)
    t_end: float = 100.0
    eps: float = 1e-3
    engine: str = "numpy"

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SigmaSweepRow]:
        return iter(self.rows)

    def __getitem__(self, i: int) -> SigmaSweepRow:
        return self.rows[i]

    def column(self, label: str) -> np.ndarray:
        """The probability of ending near ``label`` in every row."""
        if label not in self.labels:
            raise ParameterError(
                f"no rest point {label!r}; the labels are: {', '.join(self.labels)}"
            )
        return np.array([r.probabilities[label] for r in self.rows])

    def header(self) -> list[str]:
        """Column names of :meth:`to_csv`."""
        cols = [f"sigma:{p}" for p in self.populations]
        if self.vary is not None:
            cols.append(self.vary)
        return cols + ["runs"] + [f"probability:{lab}" for lab in self.labels]

    def to_csv(self, path: Any) -> None:
        """Write one header line, then one line per row; numbers as ``repr(float)``."""
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(self.header())
            for r in self.rows:
                line = [repr(float(s)) for s in r.sigma]
                if self.vary is not None:
                    line.append(repr(float(r.value)))  # type: ignore[arg-type]
                line.append(str(r.total))
                line += [repr(r.probabilities[lab]) for lab in self.labels]
                w.writerow(line)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: settings and one object per row."""
        return {
            "populations": list(self.populations),
            "vary": self.vary,
            "runs": self.runs,
            "seed": self.seed,
            "t_end": self.t_end,
            "eps": self.eps,
            "engine": self.engine,
            "labels": list(self.labels),
            "rows": [
                {
                    "sigma": list(r.sigma),
                    **({} if self.vary is None else {self.vary: r.value}),
                    "runs": r.total,
                    "probabilities": r.probabilities,
                    "counts": dict(r.counts),
                }
                for r in self.rows
            ],
        }


# --------------------------------------------------------------------------- public API


def stochastic_outcomes(
    game: Game,
    sigma: float | Sequence[float],
    *,
    starts: int | Any = 3,
    runs: int = 100,
    t_end: float = 100.0,
    dt: float | None = None,
    seed: int = 0,
    eps: float = 1e-3,
    scheme: str = "rk4",
    engine: str = "auto",
) -> StochasticOutcomes:
    """Probability that the stochastic replicator ends near each rest point by ``t_end``.

    Runs ``runs`` paths of the replicator with payoff noise (see the module docstring and
    docs/explanation/stochastic.md) from every start, and counts where each one is at
    ``t_end``: within ``eps`` of a rest point of :func:`~lmc_games.analyze` at the game's
    values (max norm over all shares; the nearest if several), or :data:`ELSEWHERE`.

    Parameters
    ----------
    game : Game
        The game, at its current values.
    sigma : float or sequence of float
        Noise strength, one for every population or one per population (payoff units per
        square root of time); 0 everywhere gives the deterministic replicator.
    starts : int or array_like, shape (S, n)
        The ``--starts N`` grid (an int, default 3) or initial free shares. Every share must
        be positive: the SDE never leaves a face, and its log-ratios need every strategy.
    runs : int
        Paths per start.
    t_end : float
    dt : float, optional
        Step (shortened so a whole number of steps reaches ``t_end``); default: the
        automatic step of :func:`~lmc_games.simulate` (0.05 for payoffs of order 1).
    seed : int
        Seed of the normals (:class:`numpy.random.Generator` with PCG64).
    eps : float
        Radius of "near" a rest point.
    scheme : {"rk4", "euler"}
        The drift step in log-ratio coordinates: classical RK4 (four evaluations of the
        payoff advantages per step; at small noise the paths follow the deterministic ones
        to RK4 accuracy) or Euler (one evaluation: Euler--Maruyama, about four times
        cheaper, first order in the drift too). Both have strong order 1 (additive noise).
    engine : {"auto", "numpy", "numba"}
        numba (the ``fast`` extra) runs compiled loops over tiles of paths on numba's
        threads, drawing the next normals while they advance; numpy runs array operations
        over all paths. The two agree to rounding: the same normals and the same arithmetic,
        but for the rounding of each engine's compiled payoff advantages.

    Returns
    -------
    StochasticOutcomes

    Raises
    ------
    IntegrationError
        Negative or non-finite ``sigma``, a start with a zero share, ``runs < 1``.
    LimitError
        Too many steps, or paths that would not fit in memory.

    Notes
    -----
    Cost: ``runs * S`` paths of ``t_end / dt`` steps; per step, four evaluations of the payoff
    advantages (one with ``scheme="euler"``), each after one exponential per two-strategy
    population, and one normal per free share. Measured on water_use under strong
    supervision (2x2), 10^5 paths of 10^3 steps (the runs of ``python
    benchmarks/bench_stochastic.py --threads 1,2``, on a 2-core machine shared with other
    jobs): the numba engine takes 4.4 s of CPU time with RK4 (2.3e7 path-steps per second,
    drawing the 2e8 normals included) and 1.7 s with Euler (6e7); on two threads of otherwise
    idle cores, 2.85 s and 1.0 s of wall time. The numpy engine does 1.1e7 and 2.2e7
    path-steps per second of CPU time.

    Examples
    --------
    Hawk-dove with V = 2, C = 3: every run ends at the mixed rest point without noise; with
    strong noise, runs are still wandering at ``t_end`` and end elsewhere.

    >>> from lmc_games import Game
    >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                     parameters={"V": 2, "C": 3})
    >>> calm = stochastic_outcomes(hd, 0.0, starts=[[0.2]], runs=10, t_end=40, engine="numpy")
    >>> calm.probabilities
    {'hawk': 0.0, 'dove': 0.0, 'hawk+dove': 1.0, 'elsewhere': 0.0}
    >>> rough = stochastic_outcomes(hd, 1.0, starts=[[0.2]], runs=400, t_end=40, seed=1,
    ...                             engine="numpy")
    >>> rough.probability("hawk+dove") < 0.05, rough.probability("elsewhere") > 0.9
    (True, True)
    """
    sys_ = system(game)
    x0 = _starts(game, sys_, starts)
    sig = _sigmas(game, [sigma])
    runs = _positive_int(runs, "runs")
    seed = _seed(seed)
    eps = _eps(eps)
    names, pvals = _points(game, None, None)
    an = _analyses(game, None, None)
    out = _run(sys_, x0, pvals, sig, runs, float(t_end), dt, seed, scheme, engine)
    labels = tuple(r.label for r in _rest(an[0])) + (ELSEWHERE,)
    idx = _classify(out.full[0, 0], an[0], groups=out.groups, eps=eps)  # (S, R)
    counts = np.stack([np.bincount(row, minlength=len(labels)) for row in idx]).astype(np.int64)
    return StochasticOutcomes(
        labels=labels,
        counts=counts,
        starts=x0,
        final=out.free[0, 0],
        sigma=sig[0],
        runs=runs,
        t_end=float(t_end),
        dt=float(out.h[0]),
        steps=int(out.nsteps[0]),
        seed=seed,
        eps=eps,
        engine=out.engine,
        method=out.methods[0],
        parameters={k: float(v) for k, v in zip(names, pvals[0])},
        variables=tuple(str(v) for v in sys_.variables),
    )


def sigma_sweep(
    game: Game,
    sigmas: Sequence[float | Sequence[float]],
    *,
    vary: tuple[str, Sequence[float]] | None = None,
    starts: int | Any = 3,
    runs: int = 100,
    t_end: float = 100.0,
    dt: float | None = None,
    seed: int = 0,
    eps: float = 1e-3,
    scheme: str = "rk4",
    engine: str = "auto",
    resume: Any = None,
    chunk_size: int | None = None,
) -> SigmaSweep:
    """Outcome probabilities of the stochastic replicator for many noise levels at once.

    Every noise level (and every value of ``vary``) runs on the same normals (common random
    numbers), so each row equals :func:`stochastic_outcomes` with the same arguments at that
    noise level and value, bit for bit, whatever chunk it was computed in.

    Parameters
    ----------
    game : Game
    sigmas : sequence
        Noise levels: each a number (every population) or one number per population.
    vary : (str, sequence of float), optional
        A parameter and its values: a row for each value and noise level (values outer).
    starts, runs, t_end, dt, seed, eps, scheme, engine
        As in :func:`stochastic_outcomes`.
    resume : path, optional
        A directory keeping finished chunks of rows (created if absent; see
        :class:`~lmc_games._chunkstore.ChunkStore`): an interrupted sweep run again with the
        same arguments computes only the missing chunks. A directory of another sweep is an
        error (:class:`~lmc_games.SweepError`); a damaged chunk is computed again with a
        :class:`~lmc_games.ResumeWarning`.
    chunk_size : int, optional
        Rows per chunk (default: the number of noise levels, one chunk per value of
        ``vary``); a resume directory keeps the size it was created with. Chunks never
        change the numbers.

    Returns
    -------
    SigmaSweep

    Examples
    --------
    A stag hunt whose mixed rest point is at a stag share of 3/4: started at 0.8, every
    deterministic run hunts stag; payoff noise sends more and more runs to hare.

    >>> from lmc_games import Game
    >>> sh = Game.symmetric([[4, 0], [3, 3]], ["stag", "hare"])
    >>> sw = sigma_sweep(sh, [0.0, 0.5, 2.0], starts=[[0.8]], runs=200, t_end=20,
    ...                  engine="numpy")
    >>> sw.labels
    ('stag', 'hare', 'stag+hare', 'elsewhere')
    >>> sw.column("stag").tolist(), sw.column("hare").tolist()
    ([1.0, 0.61, 0.39], [0.0, 0.385, 0.58])
    >>> sw.header()
    ['sigma:players', 'runs', 'probability:stag', 'probability:hare', \
'probability:stag+hare', 'probability:elsewhere']
    """
    sys_ = system(game)
    x0 = _starts(game, sys_, starts)
    if isinstance(sigmas, (int, float)) or len(sigmas) == 0:
        raise IntegrationError("sigmas must be a non-empty sequence of noise levels")
    sig = _sigmas(game, list(sigmas))
    runs = _positive_int(runs, "runs")
    seed = _seed(seed)
    eps = _eps(eps)
    vname, values = (None, None) if vary is None else _vary(game, vary)
    _, pvals = _points(game, vname, values)
    analyses = _analyses(game, vname, values)
    eng = _engine(engine)
    labels: list[str] = []
    for an in analyses:
        labels += [r.label for r in _rest(an) if r.label not in labels]
    labels.append(ELSEWHERE)
    Q, P = len(sig), pvals.shape[0]
    # Row i = j * Q + q (values outer). Rows do not depend on their batch (common random
    # numbers), so any cut into chunks gives the same numbers.
    size = Q if chunk_size is None else _positive_int(chunk_size, "chunk_size")
    bounds = [(lo, min(P * Q, lo + size)) for lo in range(0, P * Q, size)]
    store = None
    counts = np.zeros((P * Q, len(labels)), dtype=np.int64)
    done: set[int] = set()
    if resume is not None:
        from pathlib import Path

        from ._chunkstore import ChunkStore
        from ._errors import SweepError
        from ._sweep import _fingerprint

        settings = {
            "kind": "sigma_sweep",
            "runs": runs,
            "seed": seed,
            "t_end": float(t_end),
            "dt": None if dt is None else float(dt),
            "eps": eps,
            "scheme": scheme,
            "engine": eng,
        }
        arrays = {"sigmas": np.array(sig), "values": values, "starts": x0}
        key = _fingerprint(game, [] if vname is None else [vname], settings, arrays)
        describe = {"model": game.name, "kind": "sigma_sweep", "rows": P * Q}
        store = ChunkStore(Path(resume), key, size, describe, error=SweepError)
        if store.chunk_size != size:
            size = store.chunk_size
            bounds = [(lo, min(P * Q, lo + size)) for lo in range(0, P * Q, size)]
        spec = {"counts": ("int64", ("rows", "labels"), 0, None)}
        for c, (lo, hi) in enumerate(bounds):
            got = store.load(c, (lo, hi), spec)
            if got is not None and got["labels"] == tuple(labels):
                counts[lo:hi] = got["counts"]
                done.add(c)
    engine_used = eng
    for c, (lo, hi) in enumerate(bounds):
        if c in done:
            continue
        for j in sorted({i // Q for i in range(lo, hi)}):
            qs = [i % Q for i in range(lo, hi) if i // Q == j]
            point = pvals[j : j + 1]
            levels = [sig[q] for q in qs]
            out = _run(sys_, x0, point, levels, runs, float(t_end), dt, seed, scheme, eng)
            engine_used = out.engine
            local = [labels.index(r.label) for r in _rest(analyses[j])] + [len(labels) - 1]
            for k, q in enumerate(qs):
                idx = _classify(out.full[k, 0], analyses[j], groups=out.groups, eps=eps)
                hits = np.bincount(idx.ravel(), minlength=len(local))
                np.add.at(counts[j * Q + q], local, hits)
        if store is not None:
            store.save(c, (lo, hi), {"counts": counts[lo:hi], "labels": labels})
    rows = []
    for i in range(P * Q):
        j, q = divmod(i, Q)
        value = None if values is None else float(values[j])
        row_counts = {lab: int(v) for lab, v in zip(labels, counts[i])}
        rows.append(SigmaSweepRow(sig[q], value, row_counts))
    return SigmaSweep(
        rows=tuple(rows),
        labels=tuple(labels),
        populations=tuple(p.name for p in game.populations),
        vary=vname,
        runs=runs,
        seed=seed,
        starts=x0,
        t_end=float(t_end),
        eps=eps,
        engine=engine_used,
    )


# --------------------------------------------------------------------------- checks


def _engine(engine: str) -> str:
    if engine not in ("auto", "numpy", "numba"):
        raise IntegrationError(f"engine must be 'auto', 'numpy' or 'numba'; got {engine!r}")
    return ("numba" if numba_available() else "numpy") if engine == "auto" else engine


def _positive_int(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise IntegrationError(f"{name} must be a positive whole number; got {v!r}")
    return int(v)


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise IntegrationError(f"seed must be a non-negative whole number; got {seed!r}")
    return int(seed)


def _eps(eps: Any) -> float:
    try:
        e = float(eps)
    except (TypeError, ValueError):
        e = math.nan
    if not (e > 0 and math.isfinite(e)):
        raise IntegrationError(f"eps must be a positive number; got {eps!r}")
    return e


def _sigmas(game: Game, sigmas: list[Any]) -> list[tuple[float, ...]]:
    G = len(game.populations)
    out = []
    for s in sigmas:
        arr = np.atleast_1d(np.asarray(s, dtype=np.float64))
        if arr.ndim != 1 or arr.size not in (1, G):
            raise IntegrationError(
                f"a noise level is one number or one per population ({G}); got {s!r}"
            )
        if not np.all(np.isfinite(arr) & (arr >= 0)):
            raise IntegrationError(f"noise levels must be finite and non-negative; got {s!r}")
        out.append(tuple(float(v) for v in np.broadcast_to(arr, (G,))))
    return out


def _starts(game: Game, sys_: System, starts: Any) -> np.ndarray:
    if isinstance(starts, (int, np.integer)) and not isinstance(starts, bool):
        return starts_grid(game, int(starts))
    x0 = np.array(starts, dtype=np.float64)
    if x0.ndim == 1:
        x0 = x0[None, :]
    n = len(sys_.variables)
    if x0.ndim != 2 or x0.shape[1] != n or x0.shape[0] == 0:
        raise IntegrationError(f"starts must have shape (S, {n}); got {np.shape(starts)}")
    full = _full(x0, _groups(game))
    if not np.all(np.isfinite(full)) or np.any(full <= 0.0) or np.any(full > 1.0):
        raise IntegrationError(
            "every share of a start must be positive (the SDE never leaves a face of the "
            "state space; integrate a start on the boundary with simulate)"
        )
    return x0


def _vary(game: Game, vary: Any) -> tuple[str, np.ndarray]:
    try:
        name, values = vary
    except (TypeError, ValueError):
        raise IntegrationError("vary must be a pair (name, values)") from None
    known = [p.name for p in game.parameters]
    if name not in known:
        raise ParameterError(
            f"unknown parameter {name!r}; this model has: {', '.join(known) or 'none'}"
        )
    vals = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if vals.ndim != 1 or vals.size == 0 or not np.all(np.isfinite(vals)):
        raise IntegrationError(f"the values of {name} must be finite numbers; got {values!r}")
    return name, vals


def _points(game: Game, name: str | None, values: Any) -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(p.name for p in game.parameters)
    base = np.array([[float(game.values[k]) for k in names]], dtype=np.float64).reshape(1, -1)
    if name is None:
        return names, base
    pv = np.repeat(base, len(values), axis=0)
    pv[:, names.index(name)] = values
    return names, pv


def _analyses(game: Game, name: str | None, values: Any) -> list[Any]:
    from ._analysis import analyze

    if name is None:
        return [analyze(game)]
    # with_values checks the parameter's bounds.
    return [analyze(game.with_values({name: float(v)})) for v in values]


def _rest(an: Any) -> list[Any]:
    return [r for r in an.rest_points if r.numeric_shares is not None]


# --------------------------------------------------------------------------- classification


def _classify(full: np.ndarray, an: Any, *, groups: Any, eps: float) -> np.ndarray:
    """Index of the rest point each final state (..., K) lies within ``eps`` of (the nearest,
    the first in analysis order on a tie), else the number of rest points (elsewhere)."""
    rest = _rest(an)
    shape = full.shape[:-1]
    if not rest:
        return np.zeros(shape, dtype=np.int64)
    targets = np.array([sum(r.numeric_shares, ()) for r in rest], dtype=np.float64)  # (R, K)
    d = np.max(np.abs(full[..., None, :] - targets), axis=-1)  # (..., R)
    d = np.where(np.isnan(d), np.inf, d)
    best = np.argmin(d, axis=-1)
    near = np.take_along_axis(d, best[..., None], axis=-1)[..., 0] <= eps
    return np.where(near, best, len(rest)).astype(np.int64)


# --------------------------------------------------------------------------- integration


@dataclass(frozen=True)
class _Run:
    free: np.ndarray  # (Q, P, S, R, n) free shares at t_end
    full: np.ndarray  # (Q, P, S, R, K) all shares at t_end
    h: np.ndarray  # (P,) step
    nsteps: np.ndarray  # (P,)
    engine: str
    methods: tuple[str, ...]  # per noise level
    groups: tuple[tuple[int, ...], ...]


def _groups(game: Game) -> tuple[tuple[int, ...], ...]:
    out, start = [], 0
    for pop in game.populations:
        out.append(tuple(range(start, start + pop.k - 1)))
        start += pop.k - 1
    return tuple(out)


def _full(free: np.ndarray, groups: Any) -> np.ndarray:
    parts = []
    for g in groups:
        f = free[..., list(g)]
        parts += [f, 1.0 - f.sum(axis=-1, keepdims=True)]
    return np.concatenate(parts, axis=-1)


class _AdvantageSystem:
    """What :func:`compile_field` reads of a system, with the payoff advantages (each free
    strategy's payoff minus its population's last) as the field: the drift of the
    log-ratios. Compiled by the library's one code generator, cached on the real system."""

    def __init__(self, sys_: System) -> None:
        self.game = sys_.game
        self.variables = sys_.variables
        self.field = tuple(a for adv in sys_.advantages for a in adv)
        self._cache: dict = {}


def _advantages(sys_: System, engine: str) -> CompiledField:
    key = ("stochastic_advantages",)
    if key not in sys_._cache:
        sys_._cache[key] = _AdvantageSystem(sys_)
    return compile_field(sys_._cache[key], engine=engine)  # type: ignore[arg-type]


def _steps(sys_: System, pvals: np.ndarray, t_end: float, dt: float | None):
    """Step and number of steps per parameter point: simulate()'s rule (a forced ``dt``
    shortened to divide ``t_end``; else 0.05 refined where the field is fast)."""
    step = DEFAULT_DT if dt is None else float(dt)
    n0 = check_time(t_end, step)
    h = t_end / n0
    if dt is None:
        refine, _ = refinements(stiffness(sys_, pvals), h)
    else:
        refine = np.ones(pvals.shape[0], dtype=np.int64)
    hs = h / refine
    check_time(t_end, float(hs.min()))
    return hs, (n0 * refine).astype(np.int64)


def _run(
    sys_: System,
    x0: np.ndarray,
    pvals: np.ndarray,
    sig: list[tuple[float, ...]],
    runs: int,
    t_end: float,
    dt: float | None,
    seed: int,
    scheme: str,
    engine: str,
) -> _Run:
    if scheme not in ("rk4", "euler"):
        raise IntegrationError(f"scheme must be 'rk4' or 'euler'; got {scheme!r}")
    eng = _engine(engine)
    groups = _groups(sys_.game)
    n = len(sys_.variables)
    K = n + len(groups)
    S, P, Q = x0.shape[0], pvals.shape[0], len(sig)
    hs, nsteps = _steps(sys_, pvals, t_end, dt)
    # The paths, their stages and the final shares, about a dozen numbers per free share.
    paths = Q * P * S * runs
    check_memory(
        paths * (12 * n + 2 * K) * 8.0,
        f"{paths:,} paths of the stochastic replicator",
        "use fewer runs, starts or noise levels",
    )
    free = np.empty((Q, P, S, runs, n))
    noisy = [q for q in range(Q) if any(s > 0 for s in sig[q])]
    calm = [q for q in range(Q) if q not in noisy]
    noisy_name = {"rk4": "log-ratio RK4 + exact noise", "euler": "log-ratio Euler-Maruyama"}
    methods = ["deterministic" if q in calm else noisy_name[scheme] for q in range(Q)]
    if calm:
        # No noise: the deterministic replicator itself, saving only the end of the run.
        det = simulate(
            sys_,
            x0,
            params=dict(zip([p.name for p in sys_.game.parameters], pvals.T)) or None,
            t_end=t_end,
            dt=dt,
            engine=eng,
            save_every=t_end,
        )
        end = np.moveaxis(det.final, 1, 0)  # (P, S, n)
        for q in calm:
            free[q] = end[:, :, None, :]
    if noisy:
        u0 = _logratios(x0, groups)  # (S, n)
        scale = np.array([[sig[q][g] for g, grp in enumerate(groups) for _ in grp] for q in noisy])
        cfa = _advantages(sys_, eng)
        rng = np.random.Generator(np.random.PCG64(seed))
        args = (cfa, u0, pvals, scale, hs, nsteps, runs, rng, groups, scheme)
        u = _integrate_numba(*args) if eng == "numba" else _integrate_numpy(*args)
        free[noisy], full_noisy = _shares(u, groups)
    full = np.empty((Q, P, S, runs, K))
    for q in calm:
        full[q] = _full(free[q], groups)
    if noisy:
        full[noisy] = full_noisy
    return _Run(free, full, hs, nsteps, eng, tuple(methods), groups)


def _logratios(x0: np.ndarray, groups: Any) -> np.ndarray:
    u = np.empty_like(x0)
    for g in groups:
        last = 1.0 - x0[:, list(g)].sum(axis=1)
        for c in g:
            u[:, c] = np.log(x0[:, c]) - np.log(last)
    return u


def _mixing(groups: Any) -> list[float]:
    """Per population, ``a`` with ``Y = Z + a * sum(Z)`` over its k - 1 free shares having
    covariance ``I + 1 1^T`` (that of ``W_i - W_k``): ``2a + (k - 1) a^2 = 1``."""
    return [1.0 / (math.sqrt(len(g) + 1) + 1.0) for g in groups]


def _shares(u: np.ndarray, groups: Any) -> tuple[np.ndarray, np.ndarray]:
    """Free shares and all shares from log-ratios (..., n): a shifted softmax per population,
    the formulas of the numba kernel."""
    free = np.empty_like(u)
    parts = []
    for g in groups:
        if len(g) == 1:
            v = u[..., g[0]]
            e = np.exp(-np.abs(v))
            big = 1.0 / (1.0 + e)
            small = e / (1.0 + e)
            x = np.where(v >= 0, big, small)
            last = np.where(v >= 0, small, big)
            free[..., g[0]] = x
            parts += [x[..., None], last[..., None]]
            continue
        cols = u[..., list(g)]
        mx = np.maximum(cols.max(axis=-1), 0.0)
        ex = np.exp(cols - mx[..., None])
        el = np.exp(-mx)
        den = el.copy()
        for i in range(len(g)):
            den = den + ex[..., i]
        x = ex / den[..., None]
        free[..., list(g)] = x
        parts += [x, (el / den)[..., None]]
    return free, np.concatenate(parts, axis=-1)


def _steps_per_draw(rows: int, n: int) -> int:
    """Steps of normals drawn at once for ``rows`` paths of ``n`` free shares (both engines
    cut the one stream the same way)."""
    return max(1, _NORMALS_PER_DRAW // max(1, rows * n))


def _draws(rng: np.random.Generator, total: int, rows: int, n: int) -> Iterator[np.ndarray]:
    """The normals of steps 0 .. total - 1 as arrays (steps, rows, n), in chunks: the stream
    is the same however it is cut."""
    per = _steps_per_draw(rows, n)
    for k0 in range(0, total, per):
        yield rng.standard_normal((min(per, total - k0), rows, n))


def _integrate_numpy(cfa, u0, pvals, scale, hs, nsteps, runs, rng, groups, scheme) -> np.ndarray:
    """Log-ratios at the end, (Qn, P, S, R, n): array operations over every path."""
    Qn, P, S, n = scale.shape[0], pvals.shape[0], u0.shape[0], u0.shape[1]
    SR = S * runs
    u = np.broadcast_to(np.repeat(u0, runs, axis=0), (Qn, P, SR, n)).copy()
    prm = pvals[None, :, None, :]
    h = hs[None, :, None, None]
    hh = 0.5 * h
    h6 = h / 6.0
    sq = scale[:, None, None, :] * np.sqrt(hs)[None, :, None, None]  # (Qn, P, 1, n)
    mix = _mixing(groups)
    uniform = bool(np.all(nsteps == nsteps[0]))

    def field(state: np.ndarray) -> np.ndarray:
        return cfa(_free_shares(state, groups), prm)

    k = 0
    for z in _draws(rng, int(nsteps.max()), SR, n):
        for zs in z:
            k1 = field(u)
            if scheme == "euler":
                new = u + h * k1
            else:
                k2 = field(u + hh * k1)
                k3 = field(u + hh * k2)
                k4 = field(u + h * k3)
                new = u + h6 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            new = new + sq * _mixed(zs, groups, mix)
            u = new if uniform else np.where((k < nsteps)[None, :, None, None], new, u)
            k += 1
    return u.reshape(Qn, P, S, runs, n)


def _free_shares(u: np.ndarray, groups: Any) -> np.ndarray:
    """Free shares from log-ratios: the formulas of the numba engine's ``logistic`` and
    ``softmax_out``."""
    x = np.empty_like(u)
    for g in groups:
        if len(g) == 1:
            v = u[..., g[0]]
            e = np.exp(-np.abs(v))
            # 1 / (1 + e) where v >= 0, else e / (1 + e): one division of the selected
            # numerator, the same quotient.
            x[..., g[0]] = np.where(v >= 0, 1.0, e) / (1.0 + e)
            continue
        mx = np.maximum(u[..., g[0]], 0.0)
        for c in g[1:]:
            mx = np.maximum(mx, u[..., c])
        den = np.exp(-mx)
        for c in g:
            den = den + np.exp(u[..., c] - mx)
        for c in g:
            x[..., c] = np.exp(u[..., c] - mx) / den
    return x


def _mixed(z: np.ndarray, groups: Any, mix: list[float]) -> np.ndarray:
    y = np.empty_like(z)
    for g, a in zip(groups, mix):
        tot = z[..., g[0]]
        for c in g[1:]:
            tot = tot + z[..., c]
        for c in g:
            y[..., c] = z[..., c] + a * tot
    return y


@dataclass(frozen=True)
class _Tile:
    """Paths ``a .. b - 1`` of the numba engine, advanced together through a chunk of steps."""

    a: int
    b: int
    parts: tuple[tuple[int, int, int], ...]  # (block g, first path, end) in each block met
    steps: int  # steps of its paths (every path of a tile takes the same number)

    @property
    def key(self) -> tuple[tuple[int, int], ...]:
        """What its coefficients depend on: the blocks and how many of their paths."""
        return tuple((g, hi - lo) for g, lo, hi in self.parts)


def _tiles(M: int, SR: int, P: int, nsteps: np.ndarray, size: int) -> list[_Tile]:
    """Tiles of at most ``size`` paths over the M paths, in order; a tile crosses the
    boundary of two blocks (of SR paths) only where their numbers of steps agree."""
    cuts = set(range(0, M, size)) | {M}
    if not np.all(nsteps == nsteps[0]):
        cuts |= set(range(0, M, SR))
    ends = sorted(cuts)
    out = []
    for a, b in zip(ends, ends[1:]):
        parts = tuple(
            (g, max(a, g * SR), min(b, (g + 1) * SR)) for g in range(a // SR, -(-b // SR))
        )
        out.append(_Tile(a, b, parts, int(nsteps[parts[0][0] % P])))
    return out


def _integrate_numba(cfa, u0, pvals, scale, hs, nsteps, runs, rng, groups, scheme) -> np.ndarray:
    """As :func:`_integrate_numpy`, with compiled element loops (:mod:`._stochastic_numba`)
    and the field's compiled row loop, tile by tile of paths, on numba's threads.

    Each tile (:data:`_TILE_NUMBERS` numbers per array) advances through a chunk of steps
    as one job, its working arrays in the core's cache. The normals are those of
    :func:`_draws` (one stream, however cut), drawn by numba's compiled copy of numpy's
    ziggurat (:func:`._stochastic_numba.normals`, 2.5 times faster). With more than one
    thread, drawing the next chunks is one more task beside the tiles' (:func:`_pipeline`;
    the draw releases the GIL), instead of work on the main thread while the others wait.
    Neither tiles nor threads change any number.
    """
    import threading

    import numba

    from . import _stochastic_numba as nb

    Qn, P, S, n = scale.shape[0], pvals.shape[0], u0.shape[0], u0.shape[1]
    SR = S * runs
    G = Qn * P
    M = G * SR
    # Path t = g * SR + r in block g = q * P + j: noise level q, parameter point j,
    # start-and-run r; u holds the paths' free log-ratios one after another.
    u = np.broadcast_to(np.repeat(u0, runs, axis=0), (G, SR, n)).reshape(M * n).copy()
    sq = scale[:, None, :] * np.sqrt(hs)[None, :, None]  # (Qn, P, n)
    mix = _mixing(groups)
    mix_col = np.array([mix[g] for g, grp in enumerate(groups) for _ in grp], dtype=np.float64)
    first = np.array([g[0] for g in groups], dtype=np.int64)
    stop = np.array([g[-1] + 1 for g in groups], dtype=np.int64)
    # The exponentials of the softmax are taken by numpy's vectorised exp over the tile:
    # 3-4 times faster than the compiled loop's scalar calls, and the numpy engine's very
    # arithmetic. With two strategies in every population (one free share each) the
    # exponents are -|u| and the shares a logistic, in flat loops; otherwise row by row,
    # W exponents a row (1 for a population of two, k for a population of k).
    pairs = all(len(g) == 1 for g in groups)
    W = sum(1 if len(g) == 1 else len(g) + 1 for g in groups)
    # Each block of paths takes its parameter values from one row (stride 0).
    prm = [np.broadcast_to(pvals[j], (SR, pvals.shape[1])) for j in range(P)]
    tiles = _tiles(M, SR, P, nsteps, max(1, _TILE_NUMBERS // n))
    threads = max(1, min(numba.get_num_threads(), len(tiles)))
    batch = cfa._batch
    if (
        threads > 1
        and not batch.targetoptions.get("nogil", False)
        and M * int(nsteps.max()) >= _NOGIL_WORK
    ):
        # The field's row loop holds the GIL (a third of an RK4 step): called through a
        # compiled wrapper that releases it, the threads evaluate it in parallel. The
        # wrapper is compiled for each game in each process (60 ms): only for long runs.
        batch = nb.released(batch)
        # Compiled here, once, for the array types of the later calls.
        batch(np.zeros((SR, n)), prm[0], np.empty((SR, n)))

    # One coefficient per element of a tile: h, h / 2, h / 6 (as the numpy engine computes
    # them), the noise scale and the mixing coefficient. Tiles of the same blocks share
    # them, so the benchmark's 13 tiles read one set, which stays in the cache.
    coef: dict[tuple[tuple[int, int], ...], tuple[np.ndarray, ...]] = {}
    for tile in tiles:
        if tile.key in coef:
            continue
        cols: list[list[np.ndarray]] = [[], [], [], [], []]
        for g, rows in tile.key:
            q, j = divmod(g, P)
            h = hs[j]
            for c, v in enumerate((h, 0.5 * h, h / 6.0)):
                cols[c].append(np.full(rows * n, v))
            cols[3].append(np.tile(sq[q, j], rows))
            cols[4].append(np.tile(mix_col, rows))
        coef[tile.key] = tuple(np.concatenate(c) for c in cols)

    most = max(t.b - t.a for t in tiles)
    local = threading.local()

    def scratch() -> list[np.ndarray]:
        # Per thread: y, w, xs, k1..k4, the population sums, the gathered normals, and the
        # exponents of the softmax row by row.
        arrays = getattr(local, "arrays", None)
        if arrays is None:
            arrays = [np.empty(most * n) for _ in range(9)] + [np.empty(most * W)]
            local.arrays = arrays
        return arrays

    def advance(tile: _Tile, z: np.ndarray, k0: int) -> None:
        """Tile ``tile`` through steps ``k0 ..`` with the normals ``z`` (steps, SR, n)."""
        m = min(z.shape[0], tile.steps - k0)
        if m <= 0:
            return
        rows = tile.b - tile.a
        e = rows * n
        *flat, ex = scratch()
        y, w, xs, k1, k2, k3, k4, t, zb = (v[:e] for v in flat)
        ex2 = ex[: rows * W].reshape(rows, W)
        ut = u[tile.a * n : tile.b * n]
        ch, chh, ch6, csc, cmix = coef[tile.key]
        xs2 = xs.reshape(rows, n)
        ks2 = [k.reshape(rows, n) for k in (k1, k2, k3, k4)]
        pieces = [(lo - tile.a, hi - tile.a, prm[g % P][: hi - lo]) for g, lo, hi in tile.parts]

        def advantages(out: np.ndarray) -> None:
            for lo, hi, pp in pieces:
                batch(xs2[lo:hi], pp, out[lo:hi])

        def field(out: np.ndarray) -> None:
            if pairs:
                nb.neg_abs(ut, w)
                np.exp(w, out=w)
                nb.logistic(ut, w, xs)
            else:
                softmax(ut.reshape(rows, n))
            advantages(out)

        def softmax(state: np.ndarray) -> None:
            nb.softmax_in(state, ex2, first, stop)
            np.exp(ex2, out=ex2)
            nb.softmax_out(state, ex2, xs2, first, stop)

        def stage(k_in: np.ndarray, s: np.ndarray, out: np.ndarray) -> None:
            """``out = field(u + s * k_in)``."""
            if pairs:
                nb.stage(ut, k_in, s, y, w)
                np.exp(w, out=w)
                nb.logistic(y, w, xs)
            else:
                nb.axpy(ut, k_in, s, y)
                softmax(y.reshape(rows, n))
            advantages(out)

        for step in range(m):
            if len(tile.parts) == 1:
                g, lo, _ = tile.parts[0]
                zs = z[step, lo - g * SR : lo - g * SR + rows].reshape(e)
            else:
                for g, lo, hi in tile.parts:
                    r0 = lo - g * SR
                    zb[(lo - tile.a) * n : (hi - tile.a) * n] = z[step, r0 : r0 + hi - lo].ravel()
                zs = zb
            ts = zs
            if not pairs:
                nb.totals(zs.reshape(rows, n), t.reshape(rows, n), first, stop)
                ts = t
            field(ks2[0])
            if scheme == "euler":
                nb.euler(ut, k1, ch, zs, ts, cmix, csc)
                continue
            stage(k1, chh, ks2[1])
            stage(k2, chh, ks2[2])
            stage(k3, ch, ks2[3])
            nb.finish(ut, k1, k2, k3, k4, ch6, zs, ts, cmix, csc)

    total = int(nsteps.max())
    per = _steps_per_draw(SR, n)
    chunks = list(range(0, total, per))
    bufs = [np.empty((min(per, total), SR, n)) for _ in range(min(_AHEAD, len(chunks)))]

    def normals(c: int) -> np.ndarray:
        # The chunks of _draws in a ring of buffers: chunk c in buffer c % _AHEAD.
        return bufs[c % len(bufs)][: min(per, total - chunks[c])]

    def draw(c: int) -> None:
        nb.normals(rng, normals(c).reshape(-1))

    if threads == 1:
        for c, k0 in enumerate(chunks):
            draw(c)
            for tile in tiles:
                advance(tile, normals(c), k0)
    else:
        _pipeline(
            threads,
            len(chunks),
            len(tiles),
            draw,
            lambda i, c: advance(tiles[i], normals(c), chunks[c]),
        )
    return u.reshape(Qn, P, S, runs, n)


def _pipeline(
    threads: int,
    chunks: int,
    tiles: int,
    draw: Callable[[int], None],
    advance: Callable[[int, int], None],
) -> None:
    """Run ``draw(c)`` for every chunk of normals and ``advance(i, c)`` for every tile and
    chunk on ``threads`` threads: chunk ``c`` is drawn after chunk ``c - 1`` (one stream) and
    once every tile is through chunk ``c - _AHEAD`` (whose buffer it fills); tile ``i``
    advances through chunk ``c`` after chunk ``c - 1`` and once ``c`` is drawn.

    No barrier between chunks: a thread takes the next draw when it may (it is on the
    critical path), else the tile that has waited longest, so the threads stay busy while
    the stragglers of a chunk finish. The first error stops every thread and is raised.
    """
    import threading
    from collections import deque

    cond = threading.Condition()
    drawn = 0  # chunks drawn
    drawing = False
    through = [0] * chunks  # tiles through each chunk
    ready: deque[tuple[int, int]] = deque()  # (tile, chunk) whose normals are drawn
    waiting: list[int] = []  # tiles through every drawn chunk
    errors: list[BaseException] = []

    def take() -> tuple[str, int, int] | None:
        nonlocal drawing
        if errors or (drawn == chunks and not ready and len(waiting) == tiles):
            return ("stop", 0, 0)
        if not drawing and drawn < chunks and (drawn < _AHEAD or through[drawn - _AHEAD] == tiles):
            drawing = True
            return ("draw", drawn, 0)
        if ready:
            i, c = ready.popleft()
            return ("advance", i, c)
        return None

    def work() -> None:
        nonlocal drawn, drawing
        while True:
            with cond:
                task = take()
                while task is None:
                    cond.wait()
                    task = take()
            kind, a, b = task
            if kind == "stop":
                with cond:
                    cond.notify_all()
                return
            try:
                if kind == "draw":
                    draw(a)
                else:
                    advance(a, b)
            except BaseException as exc:  # raised again by the caller
                with cond:
                    errors.append(exc)
                    cond.notify_all()
                return
            with cond:
                if kind == "draw":
                    drawing = False
                    drawn += 1
                    ready.extend((i, a) for i in waiting)
                    waiting.clear()
                else:
                    through[b] += 1
                    if b + 1 < drawn:
                        ready.append((a, b + 1))
                    else:
                        waiting.append(a)
                cond.notify_all()

    # Every tile waits for chunk 0.
    waiting.extend(range(tiles))
    workers = [
        threading.Thread(target=work, name=f"lmc_games_sde_{k}", daemon=True)
        for k in range(threads)
    ]
    for w in workers:
        w.start()
    try:
        for w in workers:
            w.join()
    except BaseException as exc:
        # Interrupted (Ctrl-C): the threads stop after their current task.
        with cond:
            errors.append(exc)
            cond.notify_all()
        for w in workers:
            w.join()
        raise
    if errors:
        raise errors[0]

"""Stochastic simulation of finite populations: many runs at once, vectorised with numpy.

The process is the one of :mod:`lmc_games._finite`: at each step one member, drawn uniformly
from all ``Σ N_p`` members, revises (Fermi) or one birth–death event happens in its population
(Moran); with probability ``μ_p`` the new strategy is a random other one. Time is counted so
that each member revises once per unit of time on average: ``t = steps / Σ N_p``. With this
clock, as N grows, the share of a strategy in a two-strategy population under the Fermi rule
follows the mean dynamic ``dx/dt = x(1 − x) tanh(β Δπ / 2)`` (Traulsen, Claussen & Hauert 2005).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ._errors import LimitError, ParameterError
from ._finite import _check_fitness, _check_game, _number, _settings
from ._finite_core import Payoffs
from ._game import Game

__all__ = ["FiniteSimulation", "simulate_finite"]


@dataclass(frozen=True, eq=False)
class FiniteSimulation:
    """Runs of a finite-population process.

    Attributes
    ----------
    model : str
    populations : tuple of str
    strategies : tuple of tuple of str
    sizes : Mapping
        N per population.
    process : str
    selection : float
    mutation : Mapping
        Mutation probability per revision, per population.
    seed : int or None
    times : numpy.ndarray
        ``(T,)`` saved times (one unit: one revision per member on average).
    counts : numpy.ndarray
        ``(T, runs, Σ k_p)`` number of members playing each strategy, population after
        population.
    """

    model: str
    populations: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    sizes: Mapping[str, int]
    process: str
    selection: float
    mutation: Mapping[str, float]
    seed: int | None
    times: np.ndarray
    counts: np.ndarray

    def shares(self) -> np.ndarray:
        """``counts`` divided by the population sizes, same shape."""
        n = np.concatenate(
            [[self.sizes[p]] * len(s) for p, s in zip(self.populations, self.strategies)]
        )
        return self.counts / n


def _draw(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One index per row, with probability proportional to the row's weights."""
    cw = np.cumsum(weights, axis=1)
    idx = (cw <= (u * cw[:, -1])[:, None]).sum(axis=1)
    return np.minimum(idx, weights.shape[1] - 1)


def _start_counts(game: Game, sizes: tuple[int, ...], start: Any) -> list[np.ndarray]:
    out = []
    if start is None:
        for n, k in zip(sizes, game.shape):
            c = np.full(k, n // k, dtype=np.int64)
            c[: n - c.sum()] += 1
            out.append(c)
        return out
    free = [float(v) for v in np.asarray(start, dtype=float).ravel()]
    need = sum(k - 1 for k in game.shape)
    if len(free) != need:
        raise ParameterError(
            f"start gives {len(free)} shares; give the {need} free shares (all strategies but "
            "the last of each population, in population order)"
        )
    i = 0
    for pop, n in zip(game.populations, sizes):
        x = free[i : i + pop.k - 1]
        i += pop.k - 1
        if any(not (math.isfinite(v) and 0 <= v <= 1) for v in x) or sum(x) > 1 + 1e-12:
            raise ParameterError(
                f"start for {pop.name!r}: shares must be in [0, 1] and sum to at most 1"
            )
        c = [round(v * n) for v in x]
        last = n - sum(c)
        if last < 0:
            c[-1] += last
            last = 0
        out.append(np.array([*c, last], dtype=np.int64))
    return out


def simulate_finite(
    game: Game,
    size: int | Mapping[str, int] | Sequence[int],
    *,
    selection: float,
    process: str = "fermi",
    mutation: float | Mapping[str, float] = 0.0,
    runs: int = 100,
    t_end: float = 10.0,
    saves: int = 101,
    start: Sequence[float] | None = None,
    seed: int | None = None,
    engine: str = "numpy",
) -> FiniteSimulation:
    """Simulate many runs of a finite-population process at once.

    Parameters
    ----------
    game : Game
    size : int, mapping or sequence
        N per population (see :func:`~lmc_games.finite`).
    selection : float
        β (Fermi) or w (Moran).
    process : {"fermi", "moran"}
    mutation : float or mapping
        Probability that a revision takes a random other strategy (0: none).
    runs : int
        Independent runs, simulated together.
    t_end : float
        End time; one unit is one revision per member on average.
    saves : int
        Number of saved times, evenly spaced from 0 to ``t_end``.
    start : sequence of float, optional
        The free shares in population order (as ``simulate --init``), rounded to whole
        members; default: the members spread evenly over the strategies.
    seed : int, optional
        Seed of the numpy Generator; the same seed gives the same runs (with the same engine).
    engine : {"numpy", "numba"}
        ``numpy``: all runs advance together, vectorised. ``numba``: a compiled loop, one run
        after another, for payoffs that do not depend on the shares (many times faster for
        long runs; needs numba). The engines draw different random numbers: their runs agree
        in distribution, not bit for bit.

    Returns
    -------
    FiniteSimulation

    Examples
    --------
    >>> from lmc_games import load_model
    >>> sim = simulate_finite(load_model("hawk_dove"), 50, selection=1.0, runs=4,
    ...                       t_end=2.0, saves=3, seed=1)
    >>> sim.counts.shape, sim.times.tolist()
    ((3, 4, 2), [0.0, 1.0, 2.0])
    >>> bool((sim.counts.sum(axis=2) == 50).all())
    True
    """
    game = _check_game(game)
    no_mutation = isinstance(mutation, (int, float)) and not isinstance(mutation, bool)
    no_mutation = no_mutation and mutation == 0
    settings = _settings(game, size, selection, process, None if no_mutation else mutation)
    mus = np.zeros(len(game.shape)) if no_mutation else np.array(settings.mutation)
    for name, value in (("runs", runs), ("saves", saves)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} must be a positive whole number, got {value!r}")
    if saves < 2:
        raise ParameterError("saves must be at least 2 (the start and the end)")
    t = _number(t_end, "t_end")
    if t <= 0:
        raise ParameterError(f"t_end must be positive, got {t:g}")
    sizes = settings.sizes
    total = sum(sizes)
    steps = int(round(t * total))
    from ._limits import check_memory, limit

    if steps * runs > 100 * limit("steps"):
        raise LimitError(
            f"{steps:,} steps x {runs:,} runs is more than {100 * limit('steps'):,} member "
            "revisions; shorten t_end, use fewer runs or smaller populations"
        )
    width = sum(game.shape)
    check_memory(8.0 * saves * runs * width, "the saved counts", "use fewer saves or runs")
    if engine not in ("numpy", "numba"):
        raise ParameterError(f"engine {engine!r}: choose 'numpy' or 'numba'")
    rng = np.random.default_rng(seed)
    pay = Payoffs(game)
    if engine == "numba" and pay.state_dependent:
        raise ParameterError(
            "engine='numba' needs payoffs that do not depend on the shares; use engine='numpy'"
        )
    npop = len(sizes)
    kmax = max(game.shape)
    ks = np.array(game.shape)
    sizes_a = np.array(sizes)
    state = np.zeros((runs, npop, kmax), dtype=np.int64)
    for p, c in enumerate(_start_counts(game, sizes, start)):
        state[:, p, : len(c)] = c
    save_steps = np.unique(np.round(np.linspace(0, steps, saves)).astype(np.int64))
    out = np.empty((len(save_steps), runs, width), dtype=np.int64)
    if engine == "numba":
        _run_numba(game, pay, settings, state, sizes_a, ks, mus, save_steps, out, rng)
        return _result(game, settings, sizes, mus, seed, save_steps / total, out)
    cum = np.cumsum(sizes_a) / total
    rows = np.arange(runs)
    beta = settings.selection
    si = 0

    def save(i: int) -> None:
        out[i] = np.concatenate([state[:, p, :k] for p, k in enumerate(game.shape)], axis=1)

    for step in range(steps + 1):
        if si < len(save_steps) and step == save_steps[si]:
            save(si)
            si += 1
        if step == steps:
            break
        u = rng.random((runs, 5))
        p = np.searchsorted(cum, u[:, 0], side="right") if npop > 1 else np.zeros(runs, int)
        p = np.minimum(p, npop - 1)
        counts = [state[:, q, :k] for q, k in enumerate(game.shape)]
        payoffs = pay.strategy_payoffs(counts, sizes)
        pi = np.zeros((runs, npop, kmax))
        for q, k in enumerate(game.shape):
            pi[:, q, :k] = payoffs[q]
        n = state[rows, p].astype(float)
        pip = pi[rows, p]
        if settings.process == "fermi":
            old = _draw(n, u[:, 1])
            others = n.copy()
            others[rows, old] -= 1
            model = _draw(others, u[:, 2])
            z = beta * (pip[rows, model] - pip[rows, old])
            adopt = 0.5 * (1.0 + np.tanh(0.5 * z))
            new = np.where((model != old) & (u[:, 3] < adopt), model, old)
            base = old
        else:
            w = beta
            fit = 1.0 - w + w * pip
            live = n > 0
            if live.any():
                _check_fitness(float(fit[live].min()), pip[live], w)
            parent = _draw(n * fit, u[:, 1])
            old = _draw(n, u[:, 2])
            new = parent
            base = parent
        if mus.any():
            kp = ks[p]
            mutate = u[:, 4] < mus[p]
            j = np.floor(rng.random(runs) * (kp - 1)).astype(np.int64)
            target = j + (j >= base)
            new = np.where(mutate, target, new)
        state[rows, p, old] -= 1
        state[rows, p, new] += 1
    return _result(game, settings, sizes, mus, seed, save_steps / total, out)


def _result(game, settings, sizes, mus, seed, times, out) -> FiniteSimulation:
    return FiniteSimulation(
        model=game.name,
        populations=tuple(pop.name for pop in game.populations),
        strategies=tuple(pop.strategies for pop in game.populations),
        sizes=MappingProxyType({pop.name: n for pop, n in zip(game.populations, sizes)}),
        process=settings.process,
        selection=settings.selection,
        mutation=MappingProxyType({pop.name: float(m) for pop, m in zip(game.populations, mus)}),
        seed=seed,
        times=times,
        counts=out,
    )


def _run_numba(game, pay, settings, state, sizes_a, ks, mus, save_steps, out, rng) -> None:
    import itertools

    from ._finite_numba import simulate_kernel

    kernel = simulate_kernel()
    if pay.symmetric:
        flat = np.ascontiguousarray(pay.const, dtype=float).ravel()
        profiles = np.zeros((1, 1), dtype=np.int64)
    else:
        profiles = np.array(list(itertools.product(*(range(k) for k in game.shape))), np.int64)
        flat = np.ascontiguousarray(pay.const, dtype=float).reshape(len(game.shape), -1).ravel()
    cumw = np.cumsum(sizes_a) / sizes_a.sum()
    failed = kernel(
        state,
        sizes_a.astype(np.int64),
        ks.astype(np.int64),
        cumw,
        flat,
        profiles,
        bool(pay.symmetric),
        settings.process == "fermi",
        float(settings.selection),
        np.asarray(mus, dtype=float),
        save_steps,
        out,
        rng,
    )
    if failed:
        raise ParameterError(
            f"Moran fitness 1 - w + w*payoff is not positive for w = {settings.selection:g} at "
            "some composition; choose a smaller w, or shift the payoffs up"
        )

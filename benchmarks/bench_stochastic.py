"""Throughput of the stochastic replicator (issue 12 §4): paths x steps per second.

water_use under strong supervision (2x2, 20 parameters), one start (0.5, 0.5), sigma = 10,
``dt = 0.1`` and ``t_end = 100`` (1,000 steps). Issue 12's target: 10^5 paths of 10^3 steps
in under 5 s with numba. Each row is one call of :func:`lmc_games.stochastic_outcomes`
(warm: the numba pieces were compiled or loaded from the disk cache by a small call first),
so it includes drawing the normals (numpy's PCG64: 2 x 10^8 numbers for the full run, about
2 s of CPU time; with two threads the numba engine draws the next chunk while the tiles of
paths advance) and classifying the end states. The numpy rows run fewer paths (array
operations over all of them; the rate per path-step hardly depends on the count beyond
10^4) and their time for the full size is extrapolated, marked ``~``.

The machine is shared: besides the wall time each row gives the process's CPU time, the
1-minute load average just before it (``load``; other jobs running make the wall time
longer than on idle cores), and ``(cpu)``, which extrapolates the full run from the CPU time
per thread: what the wall time would be on otherwise idle cores. ``--repeat N`` runs each
row N times and keeps the fastest (by wall time).

Per step and path the RK4 scheme evaluates the payoff advantages four times, each after a
softmax with one exponential per two-strategy population; Euler evaluates them once. Run::

    python benchmarks/bench_stochastic.py [--paths 100000] [--steps 1000]
        [--numpy-paths 10000] [--threads 1,2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import time


def _run(game, engine: str, scheme: str, paths: int, steps: int) -> tuple[float, float, dict]:
    from lmc_games._stochastic import stochastic_outcomes

    t_end = 100.0
    t0, c0 = time.perf_counter(), time.process_time()
    out = stochastic_outcomes(
        game,
        10.0,
        starts=[[0.5, 0.5]],
        runs=paths,
        t_end=t_end,
        dt=t_end / steps,
        seed=1,
        scheme=scheme,
        engine=engine,
    )
    return time.perf_counter() - t0, time.process_time() - c0, out.probabilities


def _best(game, engine: str, scheme: str, paths: int, steps: int, repeat: int):
    """The fastest of ``repeat`` runs (by wall time), and the load average before them."""
    load = os.getloadavg()[0]
    runs = [_run(game, engine, scheme, paths, steps) for _ in range(max(1, repeat))]
    return (load,) + min(runs, key=lambda r: r[0])


def _row(engine, scheme, threads, args, paths, load, sec, cpu, probs) -> None:
    full = 1e5 * 1e3
    work = paths * args.steps
    mark = "" if paths * args.steps >= full else "~"
    print(
        f"{engine:8} {scheme:6} {threads:>7} {paths:>8} {args.steps:>6} {load:>5.1f} "
        f"{sec:>8.2f} {cpu:>8.2f} "
        f"{work / sec:>13.3g} {mark + format(full * sec / work, '.1f'):>12} "
        f"{mark + format(full * cpu / work / threads, '.1f'):>8}  "
        f"{probs['reasonable, reasonable']:.4f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--numpy-paths", type=int, default=10_000)
    ap.add_argument("--threads", default="1,2", help="numba thread counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=1, help="runs per row; the fastest is kept")
    args = ap.parse_args()

    import numba

    from lmc_games import load_model

    game = load_model("water_use").scenario("strong_supervision")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'engine':8} {'scheme':6} {'threads':>7} {'paths':>8} {'steps':>6} {'load':>5} "
        f"{'wall s':>8} {'cpu s':>8} {'path-steps/s':>13} {'10^5x10^3 s':>12} "
        f"{'(cpu)':>8}  P(agreement)"
    )
    for scheme in ("rk4", "euler"):
        for threads in [int(t) for t in args.threads.split(",")]:
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            _run(game, "numba", scheme, 64, 10)  # compile or load the numba pieces
            row = _best(game, "numba", scheme, args.paths, args.steps, args.repeat)
            _row("numba", scheme, numba.get_num_threads(), args, args.paths, *row)
        row = _best(game, "numpy", scheme, args.numpy_paths, args.steps, args.repeat)
        _row("numpy", scheme, 1, args, args.numpy_paths, *row)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

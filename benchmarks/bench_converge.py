"""What matching trajectories against rest points costs (:func:`lmc_games.converge`).

One table for the two-population hawk-dove game (9 rest points) with uniformly random starts:
per number of starts and saved times, the CPU seconds of ``converge`` (the figure that does not
depend on how busy the machine is), the peak of memory it allocated (``tracemalloc``), the size
of the saved states it reads, and the size of the (T, N, R, K) distance array the former
implementation built (which no longer exists).

Run::

    NUMBA_NUM_THREADS=1 python benchmarks/bench_converge.py
"""

from __future__ import annotations

import time
import tracemalloc
import warnings


def main() -> None:
    import numpy as np

    import lmc_games as lg

    game = lg.load_model("hawk_dove_roles")
    analysis = lg.analyze(game)
    R, K = len(analysis.rest_points), 4
    rng = np.random.default_rng(0)
    head = ("starts", 7), ("saved", 6), ("cpu s", 7), ("peak MB", 8), ("states MB", 10)
    print(" ".join(f"{h:>{w}}" for h, w in head), f"{'old 4-D MB':>11}")
    for n, t_end in [(1_000, 100), (10_000, 5), (10_000, 100), (100_000, 5)]:
        starts = rng.uniform(0.05, 0.95, size=(n, 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim = lg.simulate(game, starts, t_end=t_end, engine="auto")
        T = sim.states.shape[0]
        tracemalloc.start()
        cpu = time.process_time()
        lg.converge(sim, analysis)
        cpu = time.process_time() - cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        old = T * n * R * K * 8
        print(
            f"{n:>7} {T:>6} {cpu:>7.2f} {peak / 2**20:>8.1f} {sim.states.nbytes / 2**20:>10.1f}"
            f" {old / 2**20:>11.0f}"
        )


if __name__ == "__main__":
    main()

"""Speed of the finite-population computations (issue 12 §3).

Targets from the issue (measured here, never asserted in tests):

* fixation probabilities of a population of N = 1,000: under 10 ms;
* the rare-mutation stationary distribution of a 2x2x2 game with N = 100 per population:
  under 1 s.

Also: the same at other sizes, the full chain with mutation for small populations, exact
(rational) Moran fixation, and the batched simulation (member revisions per second).
Each row is the best of several repetitions, after one warm-up call.

Run::

    python benchmarks/bench_finite.py
"""

from __future__ import annotations

import time
from collections.abc import Callable


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    from lmc_games import load_model
    from lmc_games._finite import finite, fixation_probabilities, full_stationary
    from lmc_games._finite_sim import simulate_finite

    hawk_dove = load_model("hawk_dove")
    rps = load_model("rock_paper_scissors")
    water = load_model("water_use")
    basin = load_model("basin_compensation")  # 2x2x2

    rows: list[tuple[str, str, float, str]] = []

    def row(what: str, size: str, seconds: float, target: str = "") -> None:
        rows.append((what, size, seconds, target))

    for n in (100, 1_000, 10_000, 100_000):
        target = "< 0.010 s" if n == 1_000 else ""
        row(
            "fixation, hawk_dove (2 strategies)",
            f"N={n:,}",
            _best(lambda n=n: fixation_probabilities(hawk_dove, n, selection=1.0)),
            target,
        )
    row(
        "fixation, rock_paper_scissors (3)",
        "N=1,000",
        _best(lambda: fixation_probabilities(rps, 1000, selection=1.0)),
    )
    row(
        "fixation, basin_compensation (2x2x2)",
        "N=1,000 each",
        _best(lambda: fixation_probabilities(basin, 1000, selection=1.0)),
    )
    for n in (100, 1_000):
        target = "< 1 s" if n == 100 else ""
        row(
            "rare-mutation stationary, basin_compensation (2x2x2)",
            f"N={n:,} each",
            _best(lambda n=n: finite(basin, n, selection=1.0)),
            target,
        )
    row(
        "rare-mutation stationary, water_use (2x2)",
        "N=100 each",
        _best(lambda: finite(water, 100, selection=1.0)),
    )
    row(
        "exact Moran fixation + stationary, water_use",
        "N=100 each",
        _best(lambda: finite(water, 100, selection=0.1, process="moran", exact=True), 2),
    )
    row(
        "full chain, hawk_dove, mu=1e-3",
        "N=1,000 (1,001 states)",
        _best(lambda: full_stationary(hawk_dove, 1000, selection=1.0, mutation=1e-3), 3),
    )
    row(
        "full chain, rock_paper_scissors, mu=1e-3",
        "N=100 (5,151 states)",
        _best(lambda: full_stationary(rps, 100, selection=1.0, mutation=1e-3), 3),
    )
    row(
        "full chain, basin_compensation, mu=1e-3",
        "N=20 each (9,261 states)",
        _best(lambda: full_stationary(basin, 20, selection=1.0, mutation=1e-3), 3),
    )
    runs, t_end, n = 1000, 1.0, 1000
    seconds = _best(
        lambda: simulate_finite(hawk_dove, n, selection=1.0, runs=runs, t_end=t_end, seed=1), 2
    )
    revisions = runs * t_end * n
    row(
        f"simulation, hawk_dove, {runs} runs ({revisions / seconds:,.0f} revisions/s)",
        f"N={n:,}, t=1",
        seconds,
    )

    try:
        import numba  # noqa: F401
    except ImportError:
        numba_rows = False
    else:
        numba_rows = True
    if numba_rows:
        seconds = _best(
            lambda: simulate_finite(
                hawk_dove, n, selection=1.0, runs=runs, t_end=t_end, seed=1, engine="numba"
            ),
            2,
        )
        row(
            f"simulation, numba engine, {runs} runs ({revisions / seconds:,.0f} revisions/s)",
            f"N={n:,}, t=1",
            seconds,
        )
        basin_runs = 1000
        seconds = _best(
            lambda: simulate_finite(
                basin, 100, selection=1.0, runs=basin_runs, t_end=t_end, seed=1, engine="numba"
            ),
            2,
        )
        row(
            f"simulation, numba, basin_compensation, {basin_runs} runs "
            f"({basin_runs * 300 / seconds:,.0f} revisions/s)",
            "N=100 each, t=1",
            seconds,
        )
    w = max(len(r[0]) for r in rows)
    s = max(len(r[1]) for r in rows)
    print(f"{'computation'.ljust(w)}  {'size'.ljust(s)}  {'seconds':>9}  target")
    for what, size, sec, target in rows:
        print(f"{what.ljust(w)}  {size.ljust(s)}  {sec:>9.4f}  {target}")


if __name__ == "__main__":
    main()

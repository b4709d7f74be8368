"""Sweep benchmarks (issue 3): the 200 x 200 x 16 outcome sweep as a user runs it, and the
analytic stability sweep over 10^6 parameter points.

    python benchmarks/bench_sweep.py [--quick]

Prints a table. The outcome sweep is timed as the whole command
``lmc-games sweep water_use --vary p=0:1:200 --vary F=0:20:200 --measure outcome --starts 4
--t-end 50 --out s.csv`` in a fresh process: cold (empty kernel cache, as on the first run
after installing) and warm (second run), once per engine. The baseline is a loop of
``scipy.integrate.solve_ivp`` calls (RK45, rtol 1e-6) over a random subset of the same
trajectories, extrapolated to all 640,000; on that subset the rest point reached is compared
with the sweep's, and the sweep's classes at dt = 0.05 are compared with dt = 0.005.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lmc_games import (  # noqa: E402
    compile_rest_points,
    load_model,
    starts_grid,
    sweep,
    system,
)
from lmc_games._compile import numba_available  # noqa: E402

COMMAND = [
    "sweep",
    "water_use",
    "--vary",
    "p=0:1:200",
    "--vary",
    "F=0:20:200",
    "--measure",
    "outcome",
    "--starts",
    "4",
    "--t-end",
    "50",
]


def run_cli(cache: str, out: str, engine: str) -> float:
    env = dict(os.environ, LMC_GAMES_CACHE=cache, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lmc_games", *COMMAND, "--engine", engine, "--out", out],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def classes(path: str) -> list[list[str]]:
    return list(csv.reader(open(path)))


def scipy_baseline(n_traj: int, seed: int = 0):
    """solve_ivp, one call per trajectory, on random (p, F, start) triples of the sweep."""
    from scipy.integrate import solve_ivp

    game = load_model("water_use")
    sys_ = system(game)
    names = [p.name for p in game.parameters]
    import sympy

    f = sympy.lambdify([sys_.variables, [game.symbols[n] for n in names]], sys_.field, "math")
    rng = np.random.default_rng(seed)
    starts = starts_grid(game, 4)
    base = [float(game.values[n]) for n in names]
    ip, iF = names.index("p"), names.index("F")
    ps, Fs = np.linspace(0, 1, 200), np.linspace(0, 20, 200)
    picks = []
    for _ in range(n_traj):
        a, b, s = rng.integers(200), rng.integers(200), rng.integers(len(starts))
        picks.append((a, b, s))
    finals = []
    t0 = time.perf_counter()
    for a, b, s in picks:
        vals = list(base)
        vals[ip], vals[iF] = ps[a], Fs[b]
        sol = solve_ivp(lambda t, y, v=vals: f(y, v), (0, 50), starts[s], rtol=1e-6, atol=1e-9)
        finals.append(sol.y[:, -1])
    seconds = time.perf_counter() - t0
    return picks, np.array(finals), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer baseline trajectories")
    opts = ap.parse_args()
    rows = []
    engines = ["numpy"] + (["numba"] if numba_available() else [])
    with tempfile.TemporaryDirectory() as tmp:
        outs = {}
        for engine in engines:
            cache = os.path.join(tmp, f"cache-{engine}")
            out = os.path.join(tmp, f"s-{engine}.csv")
            cold = run_cli(cache, out, engine)
            warm = run_cli(cache, out, engine)
            outs[engine] = out
            rows.append((f"200x200x16 outcome sweep, {engine}, cold", f"{cold:.2f} s", ""))
            rows.append((f"200x200x16 outcome sweep, {engine}, warm", f"{warm:.2f} s", ""))
        engine = engines[-1]
        game = load_model("water_use")
        grid = {"p": np.linspace(0, 1, 200), "F": np.linspace(0, 20, 200)}
        fine = sweep(game, grid, measure="outcome", starts=4, t_end=50, dt=0.005, engine=engine)
        coarse = sweep(game, grid, measure="outcome", starts=4, t_end=50, dt=0.05, engine=engine)
        same = np.mean(
            np.array(coarse.labels + ("",))[coarse.reached]
            == np.array(fine.labels + ("",))[fine.reached]
        )
        rows.append(("classes equal, dt 0.05 vs 0.005", f"{same:.6f}", "fraction of trajectories"))
        n = 100 if opts.quick else 400
        picks, finals, seconds = scipy_baseline(n)
        per = seconds / n
        rows.append(
            (
                "solve_ivp loop, extrapolated to 640,000",
                f"{per * 640_000:.0f} s",
                f"{1 / per:.0f} trajectories/s measured on {n}",
            )
        )
        table = compile_rest_points(game, ["p", "F"])
        vals = table.evaluate(np.array([[grid["p"][a], grid["F"][b]] for a, b, _ in picks]))
        agree = 0
        for k, (a, b, s) in enumerate(picks):
            d = np.abs(vals.coordinates[k] - finals[k]).max(axis=-1)
            d[~vals.exists[k]] = np.inf
            r = int(np.argmin(d))
            lab = vals.labels[r] if d[r] <= 1e-3 else ""
            got = coarse.reached[a, b, s]
            agree += lab == (coarse.labels[got] if got >= 0 else "")
        rows.append(("classes equal, sweep vs solve_ivp", f"{agree}/{n}", "random subset"))

        big = {"p": np.linspace(0, 1, 1000), "F": np.linspace(0, 20, 1000)}
        t0 = time.perf_counter()
        sweep(game, big, measure="stable")
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        sweep(game, big, measure="stable")
        warm = time.perf_counter() - t0
        rows.append(
            (
                "analytic stability sweep, 10^6 points",
                f"{warm:.2f} s",
                f"first call {cold:.2f} s (symbolic analysis included)",
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'result':>12}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}")


if __name__ == "__main__":
    main()

"""Trajectory throughput of the compiled fields against a scipy ``solve_ivp`` loop.

Issue 3 baselines (this machine, 2 cores, 2-population 2x2 game, t in [0, 50]): scipy
``solve_ivp`` one call per start, about 660 trajectories/s; numpy RK4 over all points at once,
about 1e8 trajectory-steps/s; numba fused RK4, about 2.7e9. Targets: numpy >= 6e7, numba >=
1.5e9 trajectory-steps/s. Run::

    python benchmarks/bench_simulate.py [--trajectories 10000] [--steps 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

from lmc_games import compile_field, load_model, system
from lmc_games._compile import numba_available


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trajectories", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--scipy-starts", type=int, default=200)
    args = ap.parse_args()
    game = load_model("matching_pennies")
    s = system(game)
    rng = np.random.default_rng(0)
    inits = rng.uniform(0.05, 0.95, size=(args.trajectories, 2))
    params = np.array([[float(game.values[p.name]) for p in game.parameters]])
    dt = 50.0 / args.steps
    print(f"{'method':<40}{'traj-steps/s':>14}{'trajectories/s':>16}")
    engines = ["numpy"] + (["numba"] if numba_available() else [])
    for engine in engines:
        cf = compile_field(s, engine=engine)
        cf.rk4(inits[:10], params, dt, 10, 10)  # compile / warm up
        t0 = time.perf_counter()
        cf.rk4(inits, params, dt, args.steps, args.steps)
        el = time.perf_counter() - t0
        rate = args.trajectories * args.steps / el
        print(f"{'lmc_games rk4 (' + engine + ')':<40}{rate:>14.3g}{args.trajectories / el:>16.3g}")
    cf = compile_field(s, engine="numpy")

    def rhs(t, y):
        return cf(y, params[0])

    t0 = time.perf_counter()
    for y0 in inits[: args.scipy_starts]:
        solve_ivp(rhs, (0.0, 50.0), y0, rtol=1e-6)
    el = time.perf_counter() - t0
    print(f"{'scipy solve_ivp RK45 loop (rtol 1e-6)':<40}{'-':>14}{args.scipy_starts / el:>16.3g}")


if __name__ == "__main__":
    main()

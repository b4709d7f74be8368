"""Trajectory throughput and accuracy of lmc_games' integrators against scipy and nashpy.

The 2x2 bimatrix inspection game (``load_model("inspection")``, default values), t in
[0, 50], dt = 0.05 (1000 steps), starts uniform in [0.05, 0.95]^2. Issue 3 baselines on the
2-core development machine: scipy ``solve_ivp`` loop about 660 trajectories/s; targets numba
RK4 >= 1.5e9 and numpy RK4 >= 6e7 trajectory-steps/s, numba dopri5 >= 2e8 accepted
trajectory-steps/s at rtol 1e-6 with final states within 1e-6 of ``solve_ivp`` (rtol 1e-10)
when run at rtol 1e-9.

Each lmc_games row is measured three ways: *warm* (best of a few repeats, compiled code in
memory), *cold* (a fresh process with an empty numba cache: compilation of the field and
the kernel plus the first call) and *disk* (a fresh process reusing that cache). RK4 saves
only the final state; dopri5 rows say what they save. Since issue 10 every RK4 step also
estimates its error (free: the next step's first stage), and lanes may run different steps;
the ``simulate()`` row adds the automatic step choice (a Jacobian bound per parameter point)
and the trust check. Run::

    python benchmarks/bench_simulate.py [--trajectories 10000] [--scipy-starts 200]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.integrate import solve_ivp

T_END, DT = 50.0, 0.05
NSTEPS = round(T_END / DT)

# row name -> engine
ROWS = {
    "numpy rk4": "numpy",
    "numba rk4": "numba",
    "numba rk4_track (5 rest points)": "numba",
    "numba simulate() automatic step (final state)": "numba",
    "numba dopri5 rtol 1e-6 (final state)": "numba",
    "numba dopri5 rtol 1e-6 (1001 saved times)": "numba",
}


def _setup(trajectories: int):
    from lmc_games import load_model, system

    game = load_model("inspection")
    s = system(game)
    _SYSTEMS["inspection"] = s
    rng = np.random.default_rng(0)
    inits = rng.uniform(0.05, 0.95, size=(trajectories, 2))
    values = {p.name: float(game.values[p.name]) for p in game.parameters}
    params = np.array([[values[p.name] for p in game.parameters]])
    v = values
    rest = np.array(
        [[[0, 0], [0, 1], [1, 0], [1, 1], [v["g"] / v["f"], v["c"] / (v["r"] + v["l"])]]],
        dtype=float,
    )
    return s, inits, params, rest, values


def _run(name: str, cf, inits, params, rest) -> tuple[float, float]:
    """Run one row once; return (trajectory-steps, trajectories)."""
    N = inits.shape[0]
    if name.endswith("rk4"):
        cf.rk4(inits, params, DT, NSTEPS, NSTEPS)
        return N * NSTEPS, N
    if "simulate()" in name:
        # The whole default path: the Jacobian bound per parameter point, RK4 with its error
        # estimate, and the trust check (no trajectory is re-run here).
        from lmc_games import simulate

        sim = simulate(cf_system(cf), inits, t_end=T_END, save_every=T_END, engine="numba")
        assert sim.trusted.all() and not sim.redone.any()
        return N * NSTEPS, N
    if "rk4_track" in name:
        cf.rk4_track(inits, params, rest, DT, NSTEPS, 1e-3)
        return N * NSTEPS, N
    times = np.array([0.0, T_END]) if "final" in name else np.linspace(0.0, T_END, NSTEPS + 1)
    res = cf.dopri5(inits, params, times, 1e-6, 1e-9)
    return float(res.steps.sum()), N


_SYSTEMS: dict = {}


def cf_system(cf):
    """The system a compiled field was made from (kept by :func:`_setup`)."""
    return _SYSTEMS["inspection"]


def _first_call(name: str, trajectories: int) -> float:
    """Child process: seconds from compile_field to the end of the first call."""
    s, inits, params, rest, _ = _setup(trajectories)
    from lmc_games import compile_field

    t0 = time.perf_counter()
    cf = compile_field(s, engine=ROWS[name])
    _run(name, cf, inits, params, rest)
    return time.perf_counter() - t0


def _child(name: str, trajectories: int, cache: str) -> float:
    env = dict(os.environ, LMC_GAMES_CACHE=cache)
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--trajectories", str(trajectories)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def _warm(name: str, cf, inits, params, rest, repeats: int = 3) -> tuple[float, float]:
    _run(name, cf, inits[:64], params, rest)
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        work, n = _run(name, cf, inits, params, rest)
        best = min(best, time.perf_counter() - t0)
    return work / best, n / best


def _inspection_rhs(values):
    g, f, c, r, l_ = (values[k] for k in ("g", "f", "c", "r", "l"))

    def rhs(t, y):
        p, q = y
        return np.array([p * (1 - p) * (-c + q * (l_ + r)), q * (1 - q) * (g - f * p)])

    return rhs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trajectories", type=int, default=10_000)
    ap.add_argument("--scipy-starts", type=int, default=200)
    ap.add_argument("--accuracy-starts", type=int, default=50)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps({"seconds": _first_call(args.child, args.trajectories)}))
        return

    from lmc_games import compile_field
    from lmc_games._compile import numba_available

    s, inits, params, rest, values = _setup(args.trajectories)
    threads = 1
    if numba_available():
        import numba

        threads = numba.get_num_threads()
    print(
        f"inspection game, t in [0, {T_END:g}], dt {DT:g}, {args.trajectories} trajectories, "
        f"{threads} numba threads, {os.cpu_count()} cores"
    )
    head = f"{'method':<44}{'traj-steps/s':>14}{'traj/s':>11}{'cold s':>9}{'disk s':>9}"
    print(head)
    print("-" * len(head))
    for name, engine in ROWS.items():
        if engine == "numba" and not numba_available():
            continue
        with tempfile.TemporaryDirectory(prefix="lmc_games_bench_") as cache:
            cold = _child(name, args.trajectories, cache)
            disk = _child(name, args.trajectories, cache)
            os.environ["LMC_GAMES_CACHE"] = cache
            cf = compile_field(s, engine=engine)
            rate, traj = _warm(name, cf, inits, params, rest)
        print(f"{name:<44}{rate:>14.3g}{traj:>11.3g}{cold:>9.2f}{disk:>9.2f}")

    rhs = _inspection_rhs(values)
    t0 = time.perf_counter()
    for y0 in inits[: args.scipy_starts]:
        solve_ivp(rhs, (0.0, T_END), y0, rtol=1e-6)
    el = time.perf_counter() - t0
    print(f"{'scipy solve_ivp RK45 loop (rtol 1e-6)':<44}{'-':>14}{args.scipy_starts / el:>11.3g}")
    try:
        import nashpy
    except ImportError:
        print(f"{'nashpy asymmetric_replicator_dynamics':<44}{'(nashpy not installed)':>25}")
    else:
        v = values
        A = np.array([[v["r"] - v["c"], -v["c"]], [-v["l"], 0.0]])
        B = np.array([[v["g"] - v["f"], 0.0], [v["g"], 0.0]])
        tp = np.linspace(0.0, T_END, NSTEPS + 1)
        n = min(args.scipy_starts, 100)
        t0 = time.perf_counter()
        for p, q in inits[:n]:
            nashpy.Game(A, B).asymmetric_replicator_dynamics(
                x0=np.array([p, 1 - p]), y0=np.array([q, 1 - q]), timepoints=tp
            )
        el = time.perf_counter() - t0
        print(f"{'nashpy asymmetric_replicator_dynamics loop':<44}{'-':>14}{n / el:>11.3g}")

    if numba_available():
        # Accuracy: numba dopri5 at rtol 1e-9 against solve_ivp at rtol 1e-10, final states.
        cf = compile_field(s, engine="numba")
        starts = inits[: args.accuracy_starts]
        res = cf.dopri5(starts, params, np.array([0.0, T_END]), 1e-9, 1e-12)
        err = 0.0
        for i, y0 in enumerate(starts):
            ref = solve_ivp(rhs, (0.0, T_END), y0, rtol=1e-10, atol=1e-12)
            err = max(err, float(np.abs(res.states[-1, i, 0] - ref.y[:, -1]).max()))
        steps = res.steps[:, 0]
        print(
            f"numba dopri5 rtol 1e-9 vs solve_ivp RK45 rtol 1e-10 ({len(starts)} starts): max "
            f"final-state error {err:.2g}; accepted steps per trajectory {steps.min()}.."
            f"{steps.max()}"
        )


if __name__ == "__main__":
    main()

"""The figures and tables of the water-use game (docs/models/water_use.md).

Usage::

    python examples/01_water_use.py OUTDIR [--quick] [--format png|pdf|svg]

Savannakhet (Laos) and Mukdahan (Thailand) use shared water reasonably or excessively under
LMC supervision. Writes the analysis tables (defaults and each scenario), the stability
conditions in the supervision parameters, phase diagrams, time series, sensitivity panels
for the spot-check probability ``p`` and for the differential penalty ``k`` (its "catalytic
effect" on convergence time), region maps over (p, F) and (p, k) with their analytic
boundaries, the basins of the ``bistable`` scenario, a continuation diagram in ``p``, the
scenario table and the CSV data of every sweep. Prints the numbers the model page states
(claims W1, W2 and W5).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _common import Output, continuation, parse_args, scenario_table

import lmc_games as lg
from lmc_games import plot

RR, ER, EE = "reasonable, reasonable", "excessive, reasonable", "excessive, excessive"
K_VALUES = [1.0, 1.5, 2.0, 2.5]  # claim W2


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    quick = args.quick
    out = Output(args.outdir, args.format)
    game = lg.load_model("water_use")
    print(f"{game.title} ({'quick' if quick else 'full'} run)")

    # Analysis tables: the defaults and each named scenario; the scenario table from them.
    analysis = lg.analyze(game)
    out.analysis("analysis", analysis)
    md, tex, analyses = scenario_table(game)
    out.text("scenarios.md", md)
    out.text("scenarios.tex", tex)
    for name, an in analyses[1:]:
        out.analysis(f"analysis_{name}", an)
    print("\nStable rest points (scenario table):")
    for name, an in analyses:
        print(f"  {name}: {'; '.join(r.label for r in an.stable()) or 'none'}")
    print(f"  inert parameters: {', '.join(analysis.inert_parameters)}")

    # Stability conditions in the supervision parameters, the sides' own at their defaults.
    conditions = lg.analyze(game.with_free(["p", "theta", "F", "k"]), symbolic=True)
    out.analysis("conditions", conditions)
    print("\nStable if (symbolic in p, theta, F, k):")
    for rp in conditions.rest_points:
        print(f"  {rp.label}: {rp.stable_if}")

    # Phase diagrams at the defaults and in the bistable scenario.
    bistable = game.scenario("bistable")
    out.figure(plot.phase_figure(game), "phase")
    out.figure(plot.phase_figure(bistable), "phase_bistable")

    # Time series from the four starts of the --starts 2 grid, and when they arrive.
    starts = lg.starts_grid(game, 2)
    sim = lg.simulate(game, starts, t_end=40, dt=0.01)
    out.figure(plot.simulation_figure(sim, game), "time_series")
    conv = lg.converge(sim, analysis)
    print("\nFrom the --starts 2 grid (defaults, RK4 dt = 0.01, eps = 1e-3):")
    for x0, lab, t in zip(starts, conv.reached[:, 0], conv.time[:, 0]):
        when = "not converged" if lab is None else f"{lab} at t = {t:.2f}"
        print(f"  ({x0[0]:.3f}, {x0[1]:.3f}) -> {when}")

    # Sensitivity to the spot-check probability p (W1), from (0.5, 0.5).
    ps = np.linspace(0.1, 0.9, 9)
    runs = plot.sensitivity_runs(game, "p", ps, start=[0.5, 0.5], t_end=15)
    out.figure(plot.simulation_figure(runs, game), "sensitivity_p")

    # The catalytic effect of k (W2): at p = 0.9, from (0.3, 0.3), the time to come within
    # 1e-3 of (reasonable, reasonable) falls as k rises.
    strong = game.scenario("strong_supervision")
    runs = plot.sensitivity_runs(strong, "k", K_VALUES, start=[0.3, 0.3], t_end=8, dt=0.01)
    out.figure(plot.simulation_figure(runs, strong), "sensitivity_k")
    k_res = lg.sweep(
        strong,
        {"k": K_VALUES},
        measure="outcome",
        starts=[[0.3, 0.3]],
        t_end=40,
        dt=0.01,
        progress=False,
    )
    out.sweep(k_res, "convergence_time_k")
    times = k_res.convergence_time[:, 0]
    print("\nConvergence time from (0.3, 0.3) at p = 0.9 (W2):")
    print("  " + ", ".join(f"k = {k:g}: {t:.2f}" for k, t in zip(K_VALUES, times)))

    # Region map over (p, F): where each corner is stable, with the analytic boundaries
    # p theta F = 3/2 and p theta k F = 9/2 (W1).
    n = 41 if quick else 201
    pf = lg.sweep(game, {"p": np.linspace(0, 1, n), "F": np.linspace(0, 20, n)}, progress=False)
    out.sweep(pf, "region_p_F")
    out.figure(plot.sweep_figure(pf, game), "region_p_F")

    # Region map over (p, k): where both (reasonable, reasonable) and (excessive, excessive)
    # are stable (W5: only for k > 3, inside 45/(64 k) < p < 15/64).
    pk = lg.sweep(
        game,
        {"p": np.linspace(0, 1, 50 if quick else 200), "k": np.linspace(1, 6, 26 if quick else 51)},
        progress=False,
    )
    out.sweep(pk, "region_p_k")
    out.figure(plot.sweep_figure(pk, game), "region_p_k")
    both = pk.stable[RR] & pk.stable[EE]
    k_grid = np.asarray(pk.coords["k"])
    k_both = k_grid[both.any(axis=0)]
    print(f"\nBoth corners stable on the (p, k) grid for k >= {k_both.min():.2f} (W5: k > 3)")

    # Basins of the bistable scenario (p = 0.2, k = 4): shares of the --starts N grid (W5).
    n_basin = 10 if quick else 30
    basin = lg.sweep(
        bistable, {"p": [0.2]}, measure="outcome", starts=n_basin, t_end=100, progress=False
    )
    out.sweep(basin, "basins_bistable")
    out.figure(plot.basin_figure(bistable, n=15 if quick else 40, t_end=100), "basins_bistable")
    print(f"\nBasins in `bistable` ({n_basin}x{n_basin} starts, t_end = 100):")
    for lab in basin.labels:
        print(f"  share {lab}: {basin.shares[lab][0]:.4f}")
    print(f"  not converged: {basin.not_converged[0]:.4f}")
    print(f"  median convergence time: {basin.convergence_time_median[0]:.1f}")

    # Outcome along p: share of starts reaching each corner and the median time.
    outcome = lg.sweep(
        game,
        {"p": np.linspace(0, 1, 21 if quick else 41)},
        measure="outcome",
        starts=4 if quick else 5,
        t_end=60,
        progress=False,
    )
    out.sweep(outcome, "outcome_p")
    out.figure(plot.sweep_figure(outcome, game), "outcome_p")

    # Continuation of every rest point in p: the regime switches of W1, located exactly.
    cont = continuation(game, "p", 0, 1, num=101 if quick else 401)
    out.continuation(cont, "continuation_p")
    out.figure(plot.continuation_figure(cont, game), "continuation_p")
    print("\nStability changes along p (continuation):")
    for ch in cont.changes:
        if ch.after is lg.Stability.STABLE:
            print(f"  threshold p = {ch.value:.6g}: {ch.label} becomes stable")
    return out.finish()


if __name__ == "__main__":
    raise SystemExit(main())

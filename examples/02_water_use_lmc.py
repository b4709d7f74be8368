"""The figures and tables of the water-use game with the LMC secretariat as a third player
(docs/models/water_use_lmc.md).

Usage::

    python examples/02_water_use_lmc.py OUTDIR [--quick] [--format png|pdf|svg] [--continuation]

Savannakhet, Mukdahan and the LMC secretariat, which supervises strictly or laxly. Writes the
analysis tables (defaults and ``real_power``), the stability conditions in (G_m, C_m) and in
(F, theta, G_m), the phase diagram as three projections of the cube, the persistent cycle
from (0.5, 0.5, 0.5) as a time series, a sensitivity panel for the credibility gain ``G_m``, a
region map over (G_m, F) with its analytic boundaries, the outcomes of simulations along
``G_m``, the rest points along ``G_m`` with the switch at G_m = C_m = 3, the scenario table and
the CSV data of every sweep. The model has at most one attractor, so there are no basins to
draw.

The rest points along ``G_m`` come from :func:`lmc_games.compile_rest_points` (stable or not).
``--continuation`` also runs :func:`lmc_games.continuation`, whose symbolic method does not
finish for this model in lmc_games 0.1.0 (more than 6 minutes on the interior rest points'
characteristic polynomials).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _common import (
    Output,
    branches,
    branches_figure,
    continuation,
    parse_args,
    scenario_table,
)

import lmc_games as lg
from lmc_games import plot

RRS = "reasonable, reasonable, strict"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv, slow_continuation=True)
    quick = args.quick
    out = Output(args.outdir, args.format)
    game = lg.load_model("water_use_lmc")
    real_power = game.scenario("real_power")
    print(f"{game.title} ({'quick' if quick else 'full'} run)")

    # Analysis tables and the scenario table.
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

    # Stability conditions: in the secretariat's gain and cost at the defaults; in the fine,
    # the feedback efficiency and the gain at the real_power values.
    cond = lg.analyze(game.with_free(["G_m", "C_m"]), symbolic=True)
    out.analysis("conditions_G_m_C_m", cond)
    cond_rp = lg.analyze(real_power.with_free(["F", "theta", "G_m"]), symbolic=True)
    out.analysis("conditions_real_power_F_theta_G_m", cond_rp)
    for title, an in (("G_m, C_m", cond), ("F, theta, G_m at real_power", cond_rp)):
        print(f"\nStable if (symbolic in {title}), corners:")
        for rp in an.rest_points:
            if "+" not in rp.label:
                print(f"  {rp.label}: {rp.stable_if}")

    # Phase diagrams: three projections of the cube, at the defaults and with real power.
    out.figure(plot.phase_figure(game, projections=True), "phase")
    out.figure(plot.phase_figure(real_power, projections=True), "phase_real_power")

    # The persistent cycle from (0.5, 0.5, 0.5): Mukdahan settles on reasonable use while
    # Savannakhet and the secretariat keep circling (the model page's trajectory table).
    sim = lg.simulate(game, [[0.5, 0.5, 0.5]], t_end=40, dt=0.02, save_every=2)
    out.figure(plot.simulation_figure(sim, game), "time_series")
    out.simulation(sim, "time_series")
    print("\nFrom (0.5, 0.5, 0.5), RK4 dt = 0.02 (x, y, z):")
    for k in range(5, len(sim.times), 5):
        x, y, z = sim.states[k, 0, 0]
        print(f"  t = {sim.times[k]:g}: {x:.3f}, {y:.4f}, {z:.3f}")

    # Sensitivity to the credibility gain G_m from the same start: below G_m = 3 the cycle
    # goes on, above it strict supervision and reasonable use take over.
    runs = plot.sensitivity_runs(
        game, "G_m", np.linspace(0, 6, 7), start=[0.5, 0.5, 0.5], t_end=40, dt=0.02
    )
    out.figure(plot.simulation_figure(runs, game), "sensitivity_G_m")

    # Region map over (G_m, F): (reasonable, reasonable, strict) needs G_m > C_m = 3 and a
    # fine large enough for both governments under strict supervision.
    n = 31 if quick else 121
    gf = lg.sweep(game, {"G_m": np.linspace(0, 6, n), "F": np.linspace(0, 20, n)}, progress=False)
    out.sweep(gf, "region_G_m_F")
    out.figure(plot.sweep_figure(gf, game), "region_G_m_F")

    # Simulated outcomes under real_power at G_m = 1 and 4 over the 27 starts of --starts 3
    # (the model page's numbers), and along G_m at the defaults.
    two = lg.sweep(
        real_power,
        {"G_m": [1.0, 4.0]},
        measure="outcome",
        starts=lg.starts_grid(game, 3),
        progress=False,
    )
    out.sweep(two, "outcome_real_power_G_m")
    print(f"\nUnder real_power, {len(two.starts)} starts, t_end = 100:")
    for i, gm in enumerate((1.0, 4.0)):
        shares = ", ".join(f"{lab} {two.shares[lab][i]:.3f}" for lab in two.labels)
        median = two.convergence_time_median[i]
        print(
            f"  G_m = {gm:g}: share {shares}; not converged {two.not_converged[i]:.3f}; "
            f"median time {median:.1f}"
        )
    along = lg.sweep(
        game,
        {"G_m": np.linspace(0, 6, 13 if quick else 49)},
        measure="outcome",
        starts=2 if quick else 4,
        progress=False,
    )
    out.sweep(along, "outcome_G_m")
    out.figure(plot.sweep_figure(along, game), "outcome_G_m")

    # Rest points along G_m: (reasonable, reasonable, strict) becomes stable at G_m = C_m.
    br = branches(game, "G_m", 0, 6, num=241 if quick else 1201)
    out.rows(
        "rest_points_G_m.csv",
        ("rest_point", "G_m", "stable_above"),
        [(s.label, s.value, s.stable_above) for s in br.switches],
    )
    out.figure(branches_figure(br), "rest_points_G_m")
    print("\nStability switches along G_m (compiled rest points, bisection):")
    for s in br.switches:
        verb = "becomes stable" if s.stable_above else "loses stability"
        print(f"  threshold G_m = {s.value:.6g}: {s.label} {verb}")
    if args.continuation:
        cont = continuation(game, "G_m", 0, 6, num=61)
        out.continuation(cont, "continuation_G_m")
        out.figure(plot.continuation_figure(cont, game), "continuation_G_m")
    return out.finish()


if __name__ == "__main__":
    raise SystemExit(main())

"""The figures and tables of the central–local game with social organisations
(docs/models/central_local_social.md).

Usage::

    python examples/04_central_local_social.py OUTDIR [--quick] [--format png|pdf|svg]
        [--continuation]

Local governments, the centre and social organisations (which take part in the field work or
stay out; the centre may pay them a service fee ``s``). Writes the analysis tables (defaults
and each scenario), the stability conditions in (s, r, C_p, G_s, B_p), the phase diagram as
three projections, time series, a sensitivity panel for the fee ``s``, a region map over
(s, r) with its analytic boundaries, the outcomes of the scenarios and of simulations along
``s``, the rest points along ``s`` and along ``r``, the scenario table and the CSV data of
every sweep. The model has at most one attractor, so there are no basins to draw; at the
defaults nothing converges, and the script counts on which face the cycling ends (claim S1).

The rest points along ``s`` and ``r`` come from :func:`lmc_games.compile_rest_points`;
``--continuation`` also runs :func:`lmc_games.continuation` in ``s``, whose symbolic method
does not finish for this model in lmc_games 0.1.0 (more than 6 minutes, on the interior rest
points' characteristic polynomials).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy
from _common import (
    Output,
    branches,
    branches_figure,
    continuation,
    parse_args,
    scenario_outcomes,
    scenario_table,
)

import lmc_games as lg
from lmc_games import plot

FLP = "faithful, lax, participate"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv, slow_continuation=True)
    quick = args.quick
    out = Output(args.outdir, args.format)
    game = lg.load_model("central_local_social")
    purchase = game.scenario("purchase_of_services")
    print(f"{game.title} ({'quick' if quick else 'full'} run)")

    # Analysis tables, the scenario table and where the starts go in each scenario.
    analysis = lg.analyze(game)
    out.analysis("analysis", analysis)
    md, tex, analyses = scenario_table(game)
    out.text("scenarios.md", md)
    out.text("scenarios.tex", tex)
    for name, an in analyses[1:]:
        out.analysis(f"analysis_{name}", an)
    print(f"inert parameters: {', '.join(analysis.inert_parameters)}")
    scenario_outcomes(game, analyses, out, n=4 if quick else 10, t_end=400, dt=0.02)
    flp = dict(analyses)["purchase_of_services"][FLP]
    print(f"{FLP} under purchase_of_services: eigenvalues {sorted(map(float, flp.eigenvalues))}")

    # S1: at the defaults every start keeps cycling, either with the organisations gone
    # (z -> 0, the central-local cycle) or with a lax centre and organisations watching (y -> 0).
    starts = lg.starts_grid(game, 6)
    sim = lg.simulate(game, starts, t_end=300, dt=0.02, save_every=1.0)
    last = sim.states[-50:, :, 0, :]
    gone = last[..., 2].max(axis=0) < 1e-3
    lax = last[..., 1].max(axis=0) < 1e-3
    print(
        f"\nDefaults, {len(starts)} starts to t = 300: {int(gone.sum())} cycle on z = 0 "
        f"(organisations out), {int(lax.sum())} on y = 0 (lax centre, organisations in), "
        f"{int((~gone & ~lax).sum())} elsewhere"
    )

    # Stability conditions in the parameters of the study's recommendation.
    conditions = lg.analyze(game.with_free(["s", "r", "C_p", "G_s", "B_p"]), symbolic=True)
    out.analysis("conditions", conditions)
    print("\nStable if (symbolic in s, r, C_p, G_s, B_p), where possible:")
    for rp in conditions.rest_points:
        if rp.stable_if is not sympy.false:
            print(f"  {rp.label}: {rp.stable_if}")

    # Phase diagrams (projections of the cube) at the defaults and with purchase of services.
    out.figure(plot.phase_figure(game, projections=True), "phase")
    out.figure(plot.phase_figure(purchase, projections=True), "phase_purchase_of_services")

    # Time series from (0.5, 0.5, 0.5): the defaults cycle, purchase of services settles.
    for name, g in (("time_series", game), ("time_series_purchase_of_services", purchase)):
        run = lg.simulate(g, [[0.5, 0.5, 0.5]], t_end=60, dt=0.02)
        out.figure(plot.simulation_figure(run, g), name)

    # Sensitivity to the fee s from the same start.
    runs = plot.sensitivity_runs(
        game, "s", [0, 0.5, 1, 1.5, 2, 3], start=[0.5, 0.5, 0.5], t_end=60, dt=0.02
    )
    out.figure(plot.simulation_figure(runs, game), "sensitivity_s")

    # Region map over (s, r): (faithful, lax, participate) stable iff s > C_p = 1 and
    # B_p + (q0 + r) P > C_f + dR, i.e. r > 0.525.
    n = 31 if quick else 121
    sr = lg.sweep(game, {"s": np.linspace(0, 3, n), "r": np.linspace(0, 0.9, n)}, progress=False)
    out.sweep(sr, "region_s_r")
    out.figure(plot.sweep_figure(sr, game), "region_s_r")
    s_grid, r_grid = (np.asarray(sr.coords[k]) for k in ("s", "r"))
    hit = sr.stable[FLP]
    print(
        f"\nSweep over (s, r), {n}x{n}: {FLP} stable for s >= "
        f"{s_grid[hit.any(axis=1)].min():.4g} and r >= {r_grid[hit.any(axis=0)].min():.4g} "
        f"(grid steps {s_grid[1]:.3g}, {r_grid[1]:.3g})"
    )

    outcome = lg.sweep(
        game,
        {"s": np.linspace(0, 3, 13 if quick else 49)},
        measure="outcome",
        starts=2 if quick else 4,
        t_end=200,
        progress=False,
    )
    out.sweep(outcome, "outcome_s")
    out.figure(plot.sweep_figure(outcome, game), "outcome_s")

    # Rest points along s (defaults) and along r (with purchase of services, s = 2).
    print("\nStability switches (compiled rest points, bisection):")
    for g, name, lo, hi in ((game, "s", 0, 3), (purchase, "r", 0, 0.9)):
        br = branches(g, name, lo, hi, num=301 if quick else 1201)
        out.rows(
            f"rest_points_{name}.csv",
            ("rest_point", name, "stable_above"),
            [(s.label, s.value, s.stable_above) for s in br.switches],
        )
        out.figure(branches_figure(br), f"rest_points_{name}")
        for s in br.switches:
            verb = "becomes stable" if s.stable_above else "loses stability"
            print(f"  threshold {name} = {s.value:.6g}: {s.label} {verb}")
    if args.continuation:
        cont = continuation(game, "s", 0, 3, num=61)
        out.continuation(cont, "continuation_s")
        out.figure(plot.continuation_figure(cont, game), "continuation_s")
    return out.finish()


if __name__ == "__main__":
    raise SystemExit(main())

"""The figures and tables of the central–local games (docs/models/central_local.md and
docs/models/central_local_dynamic.md).

Usage::

    python examples/03_central_local.py OUTDIR [--quick] [--format png|pdf|svg] [--continuation]

Local governments implement a central policy faithfully or distort it; the centre supervises
strictly or laxly. Writes into ``OUTDIR/central_local`` and ``OUTDIR/central_local_dynamic``
the analysis tables (defaults and each scenario), the stability conditions, phase diagrams,
time series, sensitivity panels, region maps with their analytic boundaries, the outcomes of
the scenarios, the rest points along the key parameter, the scenario table and the CSV data
of every sweep. Neither game has two attractors, so there are no basins to draw.

``central_local``: the baseline cycles around a centre for ever (claim C1, with the constant
of motion H checked along the orbit); an accountability gain G_s > C_s + A = 5 ends the cycle
(C2), shown along G_s by a continuation. ``central_local_dynamic``: a penalty that falls as
faithful implementation spreads makes the interior point an attractor (C3); the regimes in
P_max switch at 6.25 and 18.25. Its rest points along P_max come from
:func:`lmc_games.compile_rest_points`; ``--continuation`` also runs
:func:`lmc_games.continuation` in P_max, whose symbolic method does not finish for this
model in lmc_games 0.1.0 (more than 15 minutes, on the interior point's characteristic
polynomial).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
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

FS = "faithful, strict"
INTERIOR = "faithful+distorted, strict+lax"
P_MAX_TABLE = [2, 6, 7, 10, 18, 18.5, 20, 30, 40]  # the regime table of the model page


def _tables(game: lg.Game, out: Output) -> tuple[lg.Analysis, list[tuple[str, lg.Analysis]]]:
    analysis = lg.analyze(game)
    out.analysis("analysis", analysis)
    md, tex, analyses = scenario_table(game)
    out.text("scenarios.md", md)
    out.text("scenarios.tex", tex)
    for name, an in analyses[1:]:
        out.analysis(f"analysis_{name}", an)
    return analysis, analyses


def _conditions(game: lg.Game, names: list[str], out: Output, stem: str) -> None:
    an = lg.analyze(game.with_free(names), symbolic=True)
    out.analysis(stem, an)
    print(f"\nStable if (symbolic in {', '.join(names)}):")
    for rp in an.rest_points:
        cond = str(rp.stable_if)
        # Conditions on irrational interior points run to several hundred characters of
        # named intermediates (disc, e1, ...); they are in the file, not on the screen.
        print(f"  {rp.label}: {cond if len(cond) < 100 else f'(see {stem}.md)'}")


def static(game: lg.Game, quick: bool, out: Output, cont_flag: bool) -> None:
    """central_local: claims C1 and C2."""
    print(f"\n=== central_local: {game.title} ({'quick' if quick else 'full'} run)")
    analysis, analyses = _tables(game, out)
    centre = analysis[INTERIOR]
    print(
        f"interior rest point {centre.label}: {centre.stability.value}, eigenvalues "
        + ", ".join(f"{z.real:+.4f}{z.imag:+.4f}i" for z in centre.numeric_eigenvalues)
    )
    scenario_outcomes(game, analyses, out, n=4 if quick else 10, t_end=200)
    _conditions(game, ["G_s"], out, "conditions_G_s")
    _conditions(game, ["G_s", "A", "C_s"], out, "conditions_G_s_A_C_s")

    out.figure(plot.phase_figure(game), "phase")
    out.figure(plot.phase_figure(game.scenario("accountability")), "phase_accountability")

    # The orbit from (0.5, 0.5) and the constant of motion H of the model page along it.
    sim = lg.simulate(game, [[0.5, 0.5]], t_end=30, dt=0.01)
    out.figure(plot.simulation_figure(sim, game), "time_series")
    out.simulation(sim, "time_series")
    x, y = sim.states[:, 0, 0, 0], sim.states[:, 0, 0, 1]
    h = 11 * np.log(x) + 5 * np.log(1 - x) + 6.2 * np.log(y) + 1.4 * np.log(1 - y)
    print(
        f"\nFrom (0.5, 0.5), RK4 dt = 0.01, t in [0, 30]: x swings between {x.min():.2f} and "
        f"{x.max():.2f}; H drifts by {np.ptp(h):.1e}"
    )

    runs = plot.sensitivity_runs(game, "G_s", np.linspace(0, 10, 6), start=[0.5, 0.5], t_end=30)
    out.figure(plot.simulation_figure(runs, game), "sensitivity_G_s")

    # Region map over (G_s, A): (faithful, strict) stable iff G_s > A + C_s and A > 0.6.
    n = 31 if quick else 121
    ga = lg.sweep(game, {"G_s": np.linspace(0, 10, n), "A": np.linspace(0, 5, n)}, progress=False)
    out.sweep(ga, "region_G_s_A")
    out.figure(plot.sweep_figure(ga, game), "region_G_s_A")
    gs = lg.sweep(game, {"G_s": np.linspace(0, 10, 101)}, progress=False)
    out.sweep(gs, "stable_G_s")
    above = np.asarray(gs.coords["G_s"])[gs.stable[FS]]
    print(f"sweep over G_s (101 points): {FS} stable for G_s in [{above.min():g}, {above.max():g}]")

    outcome = lg.sweep(
        game,
        {"G_s": np.linspace(0, 10, 11 if quick else 41)},
        measure="outcome",
        starts=4 if quick else 8,
        t_end=100,
        progress=False,
    )
    out.sweep(outcome, "outcome_G_s")
    out.figure(plot.sweep_figure(outcome, game), "outcome_G_s")

    # Continuations: in G_s (C2), and in the penalty P (the interior centre enters at the
    # corner (distorted, strict) when q P = C_f + dR - A).
    num = 101 if quick else 401
    for name, lo, hi in (("G_s", 0, 10), ("P", 2, 20)):
        cont = continuation(game, name, lo, hi, num=num)
        out.continuation(cont, f"continuation_{name}")
        out.figure(plot.continuation_figure(cont, game), f"continuation_{name}")
        print(f"\nStability changes along {name} (continuation):")
        for ch in cont.changes:
            after = ch.after.value if ch.after else "absent"
            print(f"  {name} = {ch.value:.6g}: {ch.label} becomes {after}")
            if ch.after is lg.Stability.STABLE:
                print(f"  threshold {name} = {ch.value:.6g}: {ch.label} becomes stable")


def dynamic(game: lg.Game, quick: bool, out: Output, cont_flag: bool) -> None:
    """central_local_dynamic: claim C3 and the regimes in P_max."""
    print(f"\n=== central_local_dynamic: {game.title} ({'quick' if quick else 'full'} run)")
    analysis, analyses = _tables(game, out)
    attractor = analysis[INTERIOR]
    x_star, y_star = (pop[0] for pop in attractor.numeric_shares)
    print(
        f"interior rest point: {attractor.stability.value} at x* = {x_star:.4f}, "
        f"y* = {y_star:.4f}, eigenvalues "
        + ", ".join(f"{z.real:.4f}" for z in attractor.numeric_eigenvalues)
    )
    for note in analysis.notes:
        print(f"note: {note}")
    scenario_outcomes(game, analyses, out, n=4 if quick else 10, t_end=200)
    _conditions(game, ["P_max"], out, "conditions_P_max")

    out.figure(plot.phase_figure(game), "phase")
    out.figure(plot.phase_figure(game.scenario("mild_penalty")), "phase_mild_penalty")

    # All 64 starts of --starts 8 reach the interior attractor (C3: RK4, t = 150, eps = 1e-4).
    starts = lg.starts_grid(game, 8)
    sim = lg.simulate(game, starts, t_end=150)
    conv = lg.converge(sim, analysis, eps=1e-4)
    reached = int(np.sum(conv.reached[:, 0] == INTERIOR))
    gap = np.abs(sim.final[:, 0] - [x_star, y_star]).max()
    print(
        f"\n{reached} of {len(starts)} starts reach the interior attractor (eps = 1e-4); "
        f"largest distance at t = 150: {gap:.1e}"
    )
    few = lg.simulate(game, lg.starts_grid(game, 2), t_end=20, dt=0.01)
    out.figure(plot.simulation_figure(few, game), "time_series")

    runs = plot.sensitivity_runs(
        game, "P_max", np.linspace(2, 40, 9), start=[0.5, 0.5], t_end=20, dt=0.01
    )
    out.figure(plot.simulation_figure(runs, game), "sensitivity_P_max")

    # The regime table of the model page, and a region map over (P_max, G_s).
    table = lg.sweep(game, {"P_max": P_MAX_TABLE}, progress=False)
    out.sweep(table, "stable_P_max")
    print("\nStable rest points along P_max (sweep):")
    for i, v in enumerate(P_MAX_TABLE):
        print(f"  P_max = {v:g}: {'; '.join(table.stable_labels(i)) or 'none'}")
    n = 31 if quick else 121
    pg = lg.sweep(
        game, {"P_max": np.linspace(2, 40, n), "G_s": np.linspace(0, 10, n)}, progress=False
    )
    out.sweep(pg, "region_P_max_G_s")
    out.figure(plot.sweep_figure(pg, game), "region_P_max_G_s")

    # Rest points along P_max: (distorted, strict) below 6.25, the edge point of strict
    # supervision up to 18.25, the interior attractor above.
    br = branches(game, "P_max", 2, 40, num=381 if quick else 1901)
    out.rows(
        "rest_points_P_max.csv",
        ("rest_point", "P_max", "stable_above"),
        [(s.label, s.value, s.stable_above) for s in br.switches],
    )
    out.figure(branches_figure(br), "rest_points_P_max")
    print("\nStability switches along P_max (compiled rest points, bisection):")
    for s in br.switches:
        verb = "becomes stable" if s.stable_above else "loses stability"
        print(f"  threshold P_max = {s.value:.6g}: {s.label} {verb}")
    if cont_flag:
        cont = continuation(game, "P_max", 2, 40, num=77)
        out.continuation(cont, "continuation_P_max")
        out.figure(plot.continuation_figure(cont, game), "continuation_P_max")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv, slow_continuation=True)
    root = Path(args.outdir)
    for name, run in (("central_local", static), ("central_local_dynamic", dynamic)):
        out = Output(root / name, args.format)
        run(lg.load_model(name), args.quick, out, args.continuation)
        out.finish()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

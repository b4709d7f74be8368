"""The ``lmc-games`` command line: a thin shell over the library.

The command-line contract (docs/cli.md) says, among other things:

* ``MODEL`` is a path if it ends in ``.toml`` or contains ``/``, else a bundled model's name;
* every command that reads a model takes ``--scenario NAME`` and repeated ``--set NAME=VALUE``
  (VALUE a signed decimal, optionally with an exponent, or a fraction such as ``1/3``, taken
  exactly, and applied after the scenario);
* errors print one line to stderr (``lmc-games: error: ...``) and exit with status 2;
* with ``--format json`` stdout carries exactly one JSON object; notes go to stderr.

Each subcommand is one ``_cmd_*`` function taking the parsed arguments and returning an exit
status, registered in :func:`build_parser`. Heavy modules are imported inside the command that
needs them.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._errors import CommandError  # defined with every other error class; re-exported here

__all__ = ["main", "build_parser"]

PROG = "lmc-games"
FORMATS = ("text", "json", "latex", "markdown")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become one line on stderr, not a usage block."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(message)


# --------------------------------------------------------------------- arguments
def _add_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "model",
        metavar="MODEL",
        help="a bundled model's name (see 'lmc-games models'), or a path to a .toml model file",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="apply one of the model's named scenarios to the default parameter values",
    )
    p.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        dest="set",
        help="set a parameter (after the scenario); VALUE is a decimal such as 0.25 or 1e-3, "
        "or a fraction such as 1/3, taken exactly; repeat for several parameters",
    )


def _add_format_argument(p: argparse.ArgumentParser, choices: Sequence[str] = FORMATS) -> None:
    p.add_argument(
        "--format",
        choices=list(choices),
        default="text",
        help="output format (default: text)",
    )


def _add_dynamics_argument(p: argparse.ArgumentParser) -> None:
    from .dynamics import available

    p.add_argument(
        "--dynamics",
        metavar="NAME[:KEY=VALUE,...]",
        default=None,
        help="the dynamics (default: replicator), with its options, e.g. logit:eta=0.1 or "
        f"mutator:mu=0.01; NAME is one of: {', '.join(available())}",
    )


def _dynamics(args: argparse.Namespace) -> Any:
    """The dynamics of ``--dynamics`` (the replicator dynamics without it); a bad spec raises
    DynamicsError, which main() reports in one line with exit status 2."""
    from .dynamics import dynamics_from_spec

    return dynamics_from_spec(getattr(args, "dynamics", None))


def _add_plot_argument(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--plot", metavar="FILE", help=f"also draw {what}: FILE.pdf, .svg or .png")


def _check_figure_path(path: str | None, option: str) -> None:
    """Refuse a figure path before any work is done (format, folder), so a typo wastes
    nothing."""
    if path is not None:
        from ._limits import check_output_file

        check_output_file(path, option, (".pdf", ".svg", ".png"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``lmc-games``, one subparser per command."""
    parser = _Parser(
        prog=PROG,
        description="Evolutionary game theory for the study of cooperation between governments: "
        "rest points, stability and dynamics of games written as model files.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "models",
        help="list the bundled models",
        description="List the bundled models, one per line with its title.",
    )
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser(
        "show",
        help="parameters, payoff table and equations of a model",
        description="Show a model: its parameters, payoff table and the equations of the "
        "replicator dynamics (or of the dynamics given by --dynamics, with how its rest points "
        "are found).",
    )
    _add_model_arguments(p)
    _add_format_argument(p)
    _add_dynamics_argument(p)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "analyze",
        help="rest points, eigenvalues, stability verdicts and conditions",
        description="Find every rest point of the replicator dynamics of a model (or of the "
        "dynamics given by --dynamics), with its eigenvalues, stability verdict, Nash/ESS flags "
        "and the conditions on the parameters under which it exists and is stable.",
    )
    _add_model_arguments(p)
    p.add_argument(
        "--symbolic",
        action="store_true",
        help="keep the parameters as symbols: rest points, eigenvalues and conditions as "
        "formulas in the parameters",
    )
    _add_dynamics_argument(p)
    _add_format_argument(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser(
        "simulate",
        help="trajectories of the replicator dynamics, the rest point each reaches and when",
        description="Integrate the replicator dynamics (or the dynamics given by --dynamics; a "
        "map in discrete time is iterated) from the given starts (or a grid of starts) and "
        "report, per trajectory, the final state, the rest point reached and the "
        "convergence time (the first time from which it stays within --eps of that rest point "
        "until --t-end).",
    )
    _add_model_arguments(p)
    p.add_argument(
        "--init",
        action="append",
        default=[],
        metavar="X1,X2,...",
        help="a start: the free shares in population order, comma-separated, no spaces "
        "(repeat for several trajectories)",
    )
    p.add_argument(
        "--starts", type=int, default=3, metavar="N", help="grid of starts without --init"
    )
    p.add_argument("--t-end", type=float, default=100.0, metavar="T", help="end time (100)")
    p.add_argument("--eps", type=float, default=1e-3, metavar="E", help="convergence radius")
    p.add_argument(
        "--dt",
        type=float,
        default=None,
        help="force the rk4 step / output spacing (default: rk4 step chosen from the field, "
        "at most 0.05; output spacing 0.05)",
    )
    p.add_argument("--method", choices=["rk4", "dopri5"], default="rk4", help="integrator (rk4)")
    p.add_argument("--out", metavar="FILE.csv", help="write the trajectories as CSV (.csv)")
    _add_plot_argument(p, "time series of each population's shares")
    _add_dynamics_argument(p)
    _add_format_argument(p, ("text", "json"))
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser(
        "phase",
        help="the phase diagram for the model's geometry (line, square, triangle, cube)",
        description="Draw the phase diagram of a model: a line for one population of two "
        "strategies, a square for two populations of two, a triangle for one population of "
        "three, a cube for three populations of two (projections otherwise); rest points "
        "marked by their stability verdict.",
    )
    _add_model_arguments(p)
    p.add_argument("--out", metavar="FILE", required=True, help="FILE.pdf, .svg or .png")
    p.add_argument(
        "--projections",
        action="store_true",
        help="for three populations: three 2-D projections instead of the 3-D cube",
    )
    p.add_argument(
        "--columns", type=float, choices=[1, 2], help="journal column width (default: 1)"
    )
    p.add_argument("--font", choices=["cm", "stix"], default="cm", help="Computer Modern or STIX")
    _add_dynamics_argument(p)
    p.set_defaults(func=_cmd_phase)

    p = sub.add_parser(
        "sweep",
        help="which rest points are stable, or where trajectories go, over a parameter grid",
        description="Sweep one or more parameters over a grid. '--measure stable' lists the "
        "rest points that exist and are asymptotically stable at each point (from compiled "
        "symbolic conditions, no integration); '--measure outcome' integrates from a grid of "
        "starts and reports the share of starts reaching each rest point, the share not "
        "converged and the median convergence time.",
    )
    _add_model_arguments(p)
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=START:STOP:COUNT",
        required=True,
        help="COUNT values of NAME from START to STOP inclusive; repeat for a grid over "
        "several parameters (the first varies slowest in the output)",
    )
    p.add_argument(
        "--measure",
        choices=["stable", "outcome"],
        default="stable",
        help="what to measure at each point (default: stable)",
    )
    p.add_argument(
        "--starts", type=int, default=3, metavar="N", help="grid of starts for outcome (3)"
    )
    p.add_argument("--t-end", type=float, default=100.0, metavar="T", help="end time (100)")
    p.add_argument("--eps", type=float, default=1e-3, metavar="E", help="convergence radius")
    p.add_argument(
        "--dt",
        type=float,
        default=None,
        help="force the RK4 step (default: chosen per parameter point, at most 0.05)",
    )
    p.add_argument("--out", metavar="FILE", required=True, help="results: FILE.csv or FILE.npz")
    _add_plot_argument(p, "a region map of the results")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run chunks in N local worker processes (default: this process, all cores)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="run chunks on a Dask cluster at ADDRESS")
    p.add_argument(
        "--engine",
        choices=["auto", "numpy", "numba"],
        default="auto",
        help="compiled-field engine for outcome (auto: numba when installed)",
    )
    p.add_argument(
        "--chunk-size",
        type=int,
        metavar="N",
        help="parameter points per chunk (the results do not depend on it)",
    )
    p.add_argument(
        "--resume",
        metavar="DIR",
        help="keep finished chunks in DIR and reuse those already there",
    )
    _add_dynamics_argument(p)
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser(
        "report",
        help="everything a paper needs for one model: tables, equations, figures, data",
        description="Write report.md and report.tex (and report.pdf when pdflatex is "
        "installed) with the parameter and payoff tables, the replicator equations, the "
        "Jacobian, the rest points with their verdicts and conditions, the det/trace, regime "
        "and scenario tables and the figures; data/ with CSV and JSON; provenance.json and "
        "references.bib.",
    )
    _add_model_arguments(p)
    p.add_argument("--out", metavar="DIR", required=True, help="the directory to write")
    p.add_argument(
        "--force",
        action="store_true",
        help="write into DIR even if it holds files the library did not write (a folder it "
        "wrote before, with its provenance.json, is rewritten without --force)",
    )
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument(
        "--pdf",
        choices=["auto", "yes", "no"],
        default="auto",
        help="compile report.tex with pdflatex (auto: when it is installed)",
    )
    _add_dynamics_argument(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "check",
        help="audit the claims made about a model (stable points, ESS, eigenvalues, ...)",
        description="Test every claim about a model — the [claims.NAME] tables of its file, or "
        "those of --claims FILE.toml — against the library's analysis: stable and ESS points, "
        "verdicts, printed eigenvalues, conditions and equations, trajectories. Exit status 0 "
        "when every claim holds, 1 when any does not, 2 on an input error. --scenario and "
        "--set move the claims that name no scenario of their own.",
    )
    _add_model_arguments(p)
    p.add_argument(
        "--claims",
        metavar="FILE.toml",
        help="a file of [claims.NAME] tables to check instead of the model's own claims",
    )
    _add_format_argument(p)
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "explore",
        help="one self-contained HTML page with sliders, a live phase diagram and stability",
        description="Write one HTML file (no network, no server: it opens from disk) with a "
        "slider per parameter, scenario buttons, the phase diagram redrawn as the sliders "
        "move, the stability table and the set of stable rest points at the current values.",
    )
    _add_model_arguments(p)
    p.add_argument("--out", metavar="FILE.html", required=True, help="the page to write")
    p.add_argument(
        "--vary",
        metavar="P[,Q...]",
        action="append",
        default=None,
        help="give sliders to these parameters only (names joined by commas, or repeat the "
        "flag; default: all); the others stay at their values. Where the rest points have no "
        "closed forms, one or two varied parameters get a precomputed grid of analyze",
    )
    p.add_argument(
        "--grid",
        metavar="N",
        type=int,
        default=None,
        help="points per axis of that grid (default 41 for one parameter, 11 for two)",
    )
    p.set_defaults(func=_cmd_explore)

    from ._cli_finite import add_parser as _add_finite

    _add_finite(sub)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------- shared steps
def _parse_sets(items: Sequence[str]) -> dict[str, Any]:
    """``["p=0.9", "c=1/3"]`` -> ``{"p": 9/10, "c": 1/3}`` (exact numbers)."""
    from ._formula import parse_number

    values: dict[str, Any] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not eq or not name or not text:
            raise CommandError(
                f"--set {item!r}: expected NAME=VALUE, e.g. --set p=0.9 or --set c=1/3"
            )
        if not name.isidentifier():
            raise CommandError(f"--set {item!r}: {name!r} is not a parameter name")
        try:
            values[name] = parse_number(text)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise CommandError(f"--set {item!r}: {_one_line(exc)}") from None
    return values


def _load_game(args: argparse.Namespace) -> Any:
    """The model named by ``args.model`` with the scenario and ``--set`` values applied."""
    from ._limits import check_numbers
    from ._model_file import load_model

    values = _parse_sets(args.set)
    game = load_model(args.model, scenario=args.scenario, values=values or None)
    check_numbers(game)
    return game


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _write_json(obj: Any) -> None:
    import json

    _write(json.dumps(obj, indent=1, allow_nan=False))


def _note(message: str) -> None:
    print(f"{PROG}: note: {_one_line(message)}", file=sys.stderr)


# --------------------------------------------------------------------- commands
def _cmd_models(args: argparse.Namespace) -> int:
    from ._model_file import bundled_models, load_model

    names = bundled_models()
    width = max((len(n) for n in names), default=0)
    lines = []
    for name in names:
        title = " ".join(load_model(name).title.split())
        lines.append(f"{name.ljust(width)}  {title}".rstrip())
    if lines:
        _write("\n".join(lines))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from ._render import render

    dyn = _dynamics(args)
    game = _load_game(args)
    if dyn.name == "replicator":
        out = render(game, args.format)
    else:
        # The renderers write the dynamics' own equations (and how its rest points are found).
        dyn.check_game(game)
        out = render(game, args.format, dynamics=dyn)
    if args.format == "json":
        _write_json(out)
    else:
        _write(out)
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from ._analysis import analyze
    from ._render import render

    dynamics = _dynamics(args)
    game = _load_game(args)
    result = analyze(game, symbolic=args.symbolic, dynamics=dynamics)
    if args.format == "json":
        _write_json(render(result, "json"))
        for note in result.notes:
            _note(note)
    else:
        _write(render(result, args.format))
    return 0


def _parse_inits(items: Sequence[str], n: int) -> list[list[float]]:
    starts = []
    for item in items:
        parts = item.split(",")
        try:
            values = [float(v) for v in parts]
        except ValueError:
            raise CommandError(
                f"--init {item!r}: give {n} comma-separated numbers without spaces, e.g. "
                f"--init {','.join(['0.3'] * n)}"
            ) from None
        if len(values) != n:
            raise CommandError(
                f"--init {item!r}: this model has {n} free share(s); give exactly {n}"
            )
        if any(not 0.0 <= v <= 1.0 for v in values):
            raise CommandError(f"--init {item!r}: shares must be numbers in [0, 1]")
        starts.append(values)
    return starts


def _cmd_simulate(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from ._analysis import analyze
    from ._limits import check_output_file, check_simulation, check_starts, check_time
    from ._render._dynamics import dynamics_entry
    from ._simulate import converge, simulate, starts_grid
    from ._system import System
    from .dynamics import Time

    dynamics = _dynamics(args)
    discrete = dynamics.time is Time.DISCRETE
    if discrete and args.method != "rk4":
        raise CommandError(
            f"--method {args.method}: the {dynamics.describe()} is a map in discrete time, "
            "iterated rather than integrated; leave --method out"
        )
    # Without --dt the step is chosen per point (at most 0.05): sizes are checked at 0.05.
    # A map takes one step per unit of time.
    step = (1.0 if discrete else 0.05) if args.dt is None else args.dt
    check_time(args.t_end, step, eps=args.eps, options=True, default_dt=args.dt is None)
    if args.out:
        check_output_file(args.out, "--out", (".csv",))
    _check_figure_path(args.plot, "--plot")
    game = _load_game(args)
    sys_ = System.of(game, dynamics)
    n = len(sys_.variables)
    n_starts = len(args.init) if args.init else check_starts(game, args.starts, options=True)
    check_simulation(
        n_starts, 1, sum(p.k for p in game.populations), args.t_end, step, options=True
    )
    inits = (
        np.array(_parse_inits(args.init, n), dtype=float)
        if args.init
        else starts_grid(game, args.starts)
    )
    sim = simulate(sys_, inits, t_end=args.t_end, dt=args.dt, method=args.method)
    analysis = analyze(game, dynamics=dynamics)
    conv = converge(sim, analysis, eps=args.eps)
    final = sim.full_states()[-1] if callable(getattr(sim, "full_states", None)) else None
    trajectories = []
    for i in range(inits.shape[0]):
        shares = final[i, 0] if final is not None else sim.final[i, 0]
        state, k = {}, 0
        for pop in game.populations:
            state[pop.name] = {s: float(shares[k + j]) for j, s in enumerate(pop.strategies)}
            k += pop.k
        t = conv.time[i, 0]
        trajectories.append(
            {
                "init": [float(v) for v in inits[i]],
                "final": state,
                "reached": conv.reached[i, 0] if sim.trusted[i, 0] else None,
                "convergence_time": None if t is None or not sim.trusted[i, 0] else float(t),
                "trusted": bool(sim.trusted[i, 0]),
            }
        )
    if args.out:
        sim.to_csv(args.out)
        provenance = {
            "library": f"lmc_games {_version()}",
            "model": game.name,
            "scenario": game.scenario_name,
            "parameters": {k: str(v) for k, v in game.values.items()},
            "dynamics": dynamics.spec(),
            "method": sim.method,
            "dt": "auto" if args.dt is None else args.dt,
            "dt_used": [float(v) for v in sim.dt],
            "t_end": args.t_end,
            "eps": args.eps,
        }
        with open(f"{args.out}.provenance.json", "w") as fh:
            json.dump(provenance, fh, indent=1)
    if args.plot:
        from .plot import simulation_figure

        simulation_figure(sim, game, out=args.plot)
    if args.format == "json":
        _write_json(
            {
                "model": game.name,
                **dynamics_entry(dynamics),
                "parameters": {k: float(v) for k, v in game.values.items()},
                "trajectories": trajectories,
            }
        )
        return 0
    under = "" if dynamics.name == "replicator" else f" under the {dynamics.describe()}"
    lines = [
        f"Simulation of {game.title} ({game.name}){under}: {sim.method}, t in [0, {args.t_end:g}]"
    ]
    lines.append(f"{'start':<24} {'final state':<36} {'reached':<28} time")
    for tr in trajectories:
        init = ", ".join(f"{v:.4g}" for v in tr["init"])
        fin = ", ".join(f"{v:.4g}" for pop in tr["final"].values() for v in list(pop.values())[:-1])
        reached = tr["reached"] or "not converged"
        if not tr["trusted"]:
            reached = "untrusted (see warning)"
        t = "-" if tr["convergence_time"] is None else f"{tr['convergence_time']:.4g}"
        lines.append(f"{init:<24} {fin:<36} {reached:<28} {t}")
    _write("\n".join(lines))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from ._limits import check_output_dir
    from ._report import report

    dynamics = _dynamics(args)
    check_output_dir(args.out, "--out", force=args.force)
    game = _load_game(args)
    pdf = {"auto": None, "yes": True, "no": False}[args.pdf]
    result = report(game, args.out, figures=not args.no_figures, pdf=pdf, dynamics=dynamics)
    made = "report.md, report.tex" + (", report.pdf" if result.pdf else "")
    _write(
        f"wrote {args.out}: {made} and {len(result.files)} files in all ({result.seconds:.1f} s)"
    )
    if result.pdf is None and pdf is None:
        _note("pdflatex not found: report.pdf not compiled (report.tex is ready for LaTeX)")
    return 0


def _cmd_phase(args: argparse.Namespace) -> int:
    from .plot import phase_figure

    dynamics = _dynamics(args)
    _check_figure_path(args.out, "--out")
    game = _load_game(args)
    phase_figure(
        game,
        out=args.out,
        projections=args.projections,
        columns=args.columns,
        font=args.font,
        dynamics=dynamics,
    )
    _write(f"wrote {args.out}: phase diagram of {game.title} ({game.name})")
    return 0


def _parse_vary(items: Sequence[str]) -> dict[str, Any]:
    """``["p=0:1:11"]`` -> ``{"p": 11 values from 0 to 1}``."""
    import numpy as np

    from ._formula import parse_number
    from ._limits import check_points

    specs: dict[str, tuple[float, float, int]] = {}
    for item in items:
        name, eq, spec = item.partition("=")
        parts = spec.split(":")
        if not eq or not name.strip() or len(parts) != 3:
            raise CommandError(
                f"--vary {item!r}: expected NAME=START:STOP:COUNT, e.g. --vary p=0:1:101"
            )
        name = name.strip()
        try:
            start, stop = (float(parse_number(t.strip())) for t in parts[:2])
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise CommandError(f"--vary {item!r}: {_one_line(exc)}") from None
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise CommandError(
                f"--vary {item!r}: START and STOP must be at most 1e308 in magnitude"
            )
        count_text = parts[2].strip()
        if not (count_text.isascii() and count_text.isdigit()) or int(count_text) < 1:
            raise CommandError(f"--vary {item!r}: COUNT must be a positive whole number")
        count = int(count_text)
        if count == 1 and start != stop:
            raise CommandError(f"--vary {item!r}: one point needs START equal to STOP")
        if name in specs:
            raise CommandError(f"--vary: {name} is given twice")
        specs[name] = (start, stop, count)
    # The size is checked before any array is built: 10^8 values are 800 MB already.
    check_points([c for _, _, c in specs.values()], options=True)
    return {name: np.linspace(a, b, c) for name, (a, b, c) in specs.items()}


def _executor(args: argparse.Namespace):
    """The executor the sweep's chunks run on, and a function that shuts it down."""
    if args.scheduler and args.workers:
        raise CommandError("give --workers or --scheduler, not both")
    if args.scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            raise CommandError("--scheduler needs Dask: pip install 'lmc-games[dask]'") from None
        try:
            client = Client(args.scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise CommandError(f"--scheduler {args.scheduler}: {_one_line(exc)}") from None
        return client, client.close
    if args.workers is not None:
        if args.workers < 1:
            raise CommandError("--workers must be at least 1")
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: a forked child of a process running numba's thread pool can hang.
        pool = ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn"))
        return pool, pool.shutdown
    return None, lambda: None


def _cmd_sweep(args: argparse.Namespace) -> int:
    import json
    import time
    from datetime import UTC, datetime

    from ._limits import check_memory, check_output_file, check_starts, check_time
    from ._sweep import sweep

    dynamics = _dynamics(args)
    out = args.out
    kind = os.path.splitext(out)[1].lower()
    check_output_file(out, "--out", (".csv", ".npz"))
    _check_figure_path(args.plot, "--plot")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise CommandError("--chunk-size must be at least 1")
    if args.measure == "outcome":
        discrete = dynamics.time.value == "discrete"
        check_time(
            args.t_end,
            (1.0 if discrete else 0.05) if args.dt is None else args.dt,
            eps=args.eps,
            options=True,
            default_dt=args.dt is None,
        )
    vary = _parse_vary(args.vary)
    game = _load_game(args)
    if args.measure == "outcome":
        n_starts = check_starts(game, args.starts, options=True)
        points = 1
        for values in vary.values():
            points *= len(values)
        chunk = min(points, args.chunk_size or max(1000, -(-points // 20)))
        # A chunk integrates all its trajectories at once: state, four RK4 stages and
        # tracking arrays per share.
        shares = sum(p.k for p in game.populations)
        check_memory(
            64.0 * chunk * n_starts * shares,
            "one chunk of trajectories",
            "use fewer --starts or a smaller --chunk-size",
        )
    executor, close = _executor(args)
    began = datetime.now(UTC)
    t0 = time.perf_counter()
    try:
        result = sweep(
            game,
            vary,
            measure=args.measure,
            starts=args.starts,
            t_end=args.t_end,
            eps=args.eps,
            dt=args.dt,
            engine=args.engine,
            executor=executor,
            chunk_size=args.chunk_size,
            resume=args.resume,
            dynamics=dynamics,
        )
    finally:
        close()
    seconds = time.perf_counter() - t0
    if kind == ".csv":
        result.to_csv(out)
        provenance = {
            "library": f"lmc_games {_version()}",
            "command": ["lmc-games", *sys.argv[1:]],
            "model": game.name,
            "scenario": game.scenario_name,
            "parameters": {k: str(v) for k, v in game.values.items()},
            "settings": dict(result.settings),
            "started": began.isoformat(timespec="seconds"),
            "seconds": round(seconds, 3),
        }
        with open(f"{out}.provenance.json", "w") as fh:
            json.dump(provenance, fh, indent=1)
    else:
        result.to_npz(out)
    if args.plot:
        from .plot import sweep_figure

        sweep_figure(result, game, out=args.plot)
    points = " x ".join(str(n) for n in result.shape)
    found = "; ".join(result.labels) or "none"
    what = "stable somewhere" if args.measure == "stable" else "reached somewhere"
    _write(f"wrote {out}: {result.size} parameter points ({points}); {what}: {found}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from ._claims import audit_section, check

    game = _load_game(args)
    audit = check(game, args.claims)
    if args.format == "json":
        _write_json(audit.to_dict())
    elif args.format == "latex":
        _write(audit_section(audit, "latex"))
    elif args.format == "markdown":
        _write(audit_section(audit, "markdown"))
    else:
        _write(audit.to_text())
    return 0 if audit.ok else 1


# --------------------------------------------------------------------- entry point
def _one_line(exc: BaseException | str) -> str:
    """An error message on a single line."""
    text = exc if isinstance(exc, str) else str(exc)
    if not isinstance(exc, str) and isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    text = " ".join(text.split())
    if not text and not isinstance(exc, str):
        text = type(exc).__name__
    return text


def _cmd_explore(args: argparse.Namespace) -> int:
    from ._explore import explore
    from ._limits import check_output_file

    check_output_file(args.out, "--out", (".html",))
    game = _load_game(args)
    page = explore(game, out=args.out, vary=args.vary, grid=args.grid)
    live = "" if page.live else " (rest points not live: " + page.reason + ")"
    if page.grid:
        live += "; precomputed grid " + " x ".join(str(len(v)) for _, v in page.grid)
        live += " over " + ", ".join(n for n, _ in page.grid)
    _write(f"wrote {args.out}: explorer of {game.title} ({game.name}){live}")
    return 0


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings of the library, one line each on stderr (never on stdout)."""
    print(f"{PROG}: warning: {_one_line(str(message))}", file=sys.stderr)


def _fail(message: str) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``lmc-games`` with the arguments ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 on any error, which is reported as one line on
    stderr. Set the environment variable ``LMC_GAMES_DEBUG=1`` to see the traceback of an
    unexpected internal error instead.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     status = main(["models"])
    >>> status, "hawk_dove" in out.getvalue()
    (0, True)
    >>> main(["show", "hawk_dove", "--set", "nope=1"])
    2
    """
    from ._errors import LmcGamesError

    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        func: Callable[[argparse.Namespace], int] = args.func
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(func(args))
    except CommandError as exc:
        return _fail(str(exc))
    except LmcGamesError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help and --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except KeyboardInterrupt:
        return _fail("interrupted")
    except MemoryError:
        return _fail(
            "out of memory: ask for less (fewer --starts, parameter points or saved times), "
            "or lower LMC_GAMES_MAX_MEMORY so that such requests are refused up front"
        )
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): nothing left to report. Point
        # stdout at devnull so that the interpreter's final flush does not fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except OSError as exc:
        return _fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}")
    except Exception as exc:  # an internal error: still one line, unless debugging
        if os.environ.get("LMC_GAMES_DEBUG"):
            raise
        return _fail(
            f"internal error ({type(exc).__name__}: {_one_line(exc)}); please report it, and "
            "set LMC_GAMES_DEBUG=1 to see the traceback"
        )


if __name__ == "__main__":
    sys.exit(main())

"""Fully symbolic analysis of three-population games with two dozen parameters, by stage.

Games: a generic 2x2x2 game with 24 free payoff parameters (each payoff its own symbol), and
the bundled model ``basin_compensation`` (22 parameters in product form, e.g. ``rho*e*F_d``).
Targets (issues 2 and 11): the fully symbolic analysis of basin_compensation, output included,
in under 5 s; the report of every bundled model in under 10 s without LaTeX.

Stages (CPU seconds of this process, so that other jobs on the machine do not count; wall
seconds beside them):

- ``system``: the reduced replicator system (payoff advantages, field);
- ``rest points``: solving every face (``_equilibria.solve_face``);
- ``classification``: eigenvalues, verdicts and conditions of every rest point, of which
  ``  conditions`` is the time in the sign-condition helpers of ``_conditions`` and
  ``  cancel`` the time in ``_analysis._tidy``;
- ``analyze --symbolic``: the whole analysis (the stages above and the rest);
- ``text output``: rendering the result as ``lmc-games analyze --symbolic`` prints it.

Run::

    python benchmarks/bench_symbolic.py                 # the table for this checkout
    python benchmarks/bench_symbolic.py --reports       # also: report of each bundled model
    python benchmarks/bench_symbolic.py --before DIR    # also the same table for another
                                                        # checkout (e.g. a git worktree)
    python benchmarks/bench_symbolic.py --baseline 60   # also sympy.solve, 60 s limit

The last lines are a summary table: analysis and output CPU seconds of both games against the
5 s target (the target is set for basin_compensation; the generic game is reported), and with
``--reports`` the models whose report takes over 10 CPU seconds.

Measured on the project's 2-core machine (shared, so wall times vary; CPU seconds are the
figure to compare), before (5ce6f9b) and after the issue-11 changes: see the closing note of
issue 11.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time

from lmc_games import Game, analyze, load_model


def game_2x2x2() -> Game:
    pops = [("A", ["a1", "a2"]), ("B", ["b1", "b2"]), ("C", ["c1", "c2"])]
    params = {}
    table = {}
    for prof in itertools.product(range(2), repeat=3):
        key = tuple(f"{'abc'[p]}{s + 1}" for p, s in enumerate(prof))
        row = []
        for p in range(3):
            name = f"u{p + 1}_{''.join(str(s + 1) for s in prof)}"
            params[name] = len(params) % 5 + 1
            row.append(name)
        table[key] = row
    return Game.from_table(pops, table, parameters=params, name="generic_2x2x2")


class _Clock:
    """CPU and wall seconds spent inside wrapped functions (outermost calls only)."""

    def __init__(self):
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self._depth: dict[str, int] = {}

    def wrap(self, owner, name: str, stage: str) -> None:
        fn = getattr(owner, name, None)
        if fn is None:  # an older or newer checkout without this function
            return
        clock = self

        def timed(*args, **kwargs):
            depth = clock._depth.get(stage, 0)
            clock._depth[stage] = depth + 1
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                clock._depth[stage] = depth
                if depth == 0:
                    clock.cpu[stage] = clock.cpu.get(stage, 0.0) + time.process_time() - c0
                    clock.wall[stage] = clock.wall.get(stage, 0.0) + time.perf_counter() - w0

        setattr(owner, name, timed)


def _stages(game: Game) -> list[tuple[str, float, float]]:
    """(stage, CPU seconds, wall seconds) of one fully symbolic analysis and its output."""
    from lmc_games import _analysis, _system

    clock = _Clock()
    clock.wrap(_analysis, "solve_face", "rest points")
    clock.wrap(_analysis._Analyzer, "_classify", "classification")
    for fn in ("positive", "negative", "nonpositive", "combine", "sign_given"):
        clock.wrap(_analysis, fn, "  conditions")
    clock.wrap(_analysis, "_tidy", "  cancel")
    c0, w0 = time.process_time(), time.perf_counter()
    _system.System.of(game)
    rows = [("system", time.process_time() - c0, time.perf_counter() - w0)]
    c0, w0 = time.process_time(), time.perf_counter()
    a = analyze(game, symbolic=True)
    total = (time.process_time() - c0, time.perf_counter() - w0)
    for stage in ("rest points", "classification", "  conditions", "  cancel"):
        rows.append((stage, clock.cpu.get(stage, 0.0), clock.wall.get(stage, 0.0)))
    rows.append(("analyze --symbolic", *total))
    c0, w0 = time.process_time(), time.perf_counter()
    try:
        with _time_limit(OUTPUT_LIMIT):
            text = _text(a)
    except TimeoutError:
        rows.append((f"text output (stopped at {OUTPUT_LIMIT} s)", float("nan"), float("nan")))
        return rows
    rows.append((f"text output ({len(text) / 1000:.0f} kB)", time.process_time() - c0,
                 time.perf_counter() - w0))  # fmt: skip
    rows.append(("analysis + output", rows[-2][1] + rows[-1][1], rows[-2][2] + rows[-1][2]))
    return rows


OUTPUT_LIMIT = 120
TARGET = 5.0
"""Issue 11: basin_compensation's fully symbolic analysis, output included, in CPU seconds."""
REPORT_TARGET = 10.0
"""Issue 11: the report of every bundled model without LaTeX, in CPU seconds."""


def _summary_rows(results: dict[str, list]) -> list[tuple[str, float, float]]:
    """``(game, analyze CPU s, text output CPU s)`` of each game measured in full."""
    out = []
    for title, rows in results.items():
        got = {r[0].split(" (")[0]: r[1] for r in rows}
        if "analyze --symbolic" in got and "text output" in got:
            out.append((title.split(" (")[0], got["analyze --symbolic"], got["text output"]))
    return out


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Stop a stage after ``seconds`` of wall time (the main thread; POSIX only)."""
    import signal

    def stop(_signum, _frame):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _text(a) -> str:
    try:
        from lmc_games._render import render
    except ImportError:  # checkouts before the renderer package
        return str(a)
    return render(a, "text")


def _reports() -> list[tuple[str, float, float]]:
    from lmc_games._model_file import bundled_models
    from lmc_games._report import report

    rows = []
    for name in bundled_models():
        with tempfile.TemporaryDirectory() as d, contextlib.redirect_stderr(io.StringIO()):
            c0, w0 = time.process_time(), time.perf_counter()
            report(load_model(name), d, pdf=False)
            rows.append((f"report {name}", time.process_time() - c0, time.perf_counter() - w0))
    return rows


def _measure(reports: bool) -> dict[str, list]:
    out = {
        "generic_2x2x2 (24 parameters)": _stages(game_2x2x2()),
        "basin_compensation (22 parameters)": _stages(load_model("basin_compensation")),
    }
    if reports:
        out["reports, no LaTeX (figures included)"] = _reports()
    return out


def _solve_whole(queue) -> None:
    import sympy

    from lmc_games import system

    s = system(game_2x2x2())
    sol = sympy.solve(list(s.field), list(s.variables), dict=True)
    queue.put(len(sol))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", action="store_true", help="also time lmc-games report per model")
    ap.add_argument("--before", metavar="DIR", help="also measure the checkout in DIR")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--baseline", type=float, default=0.0, help="seconds for sympy.solve (0: skip)")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(_measure(args.reports)))
        return
    before = {}
    if args.before:
        env = dict(os.environ, PYTHONPATH=os.path.abspath(args.before))
        cmd = [sys.executable, os.path.abspath(__file__), "--json"]
        cmd += ["--reports"] if args.reports else []
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=args.before)
        if done.returncode != 0:
            sys.exit(f"--before {args.before}: {done.stderr.strip().splitlines()[-1]}")
        before = json.loads(done.stdout)
    games = {
        "generic_2x2x2 (24 parameters)": lambda: _stages(game_2x2x2()),
        "basin_compensation (22 parameters)": lambda: _stages(load_model("basin_compensation")),
    }
    if args.reports:
        games["reports, no LaTeX (figures included)"] = _reports
    results: dict[str, list] = {}
    for title, measure in games.items():
        print(f"\n{title}")
        head = f"{'stage':<38}{'CPU s':>9}{'wall s':>9}"
        print(head + (f"{'before CPU s':>14}{'before wall s':>15}" if before else ""), flush=True)
        old = {r[0].split(" (")[0]: r for r in before.get(title, [])}
        rows = measure()
        results[title] = rows
        for stage, cpu, wall in rows:
            line = f"{stage:<38}{cpu:>9.2f}{wall:>9.2f}"
            if before:
                o = old.get(stage.split(" (")[0])
                line += f"{o[1]:>14.2f}{o[2]:>15.2f}" if o else f"{'-':>14}{'-':>15}"
            print(line, flush=True)
    summary = _summary_rows(results)
    if summary:
        print("\nsummary: fully symbolic analysis + text output, CPU s (issue 11 target: 5 s)")
        print(f"{'game':<38}{'analyze':>9}{'output':>9}{'total':>9}  target")
        for title, an, out in summary:
            total = an + out
            mark = "met" if total < TARGET else "missed"
            mark = mark if "basin" in title else "(none; reported)"
            print(f"{title:<38}{an:>9.2f}{out:>9.2f}{total:>9.2f}  {mark}")
    if "reports, no LaTeX (figures included)" in results:
        rows = results["reports, no LaTeX (figures included)"]
        slow = [r[0] for r in rows if r[1] >= REPORT_TARGET]
        print(f"\nreports over {REPORT_TARGET:.0f} CPU s: {', '.join(slow) if slow else 'none'}")
    if args.baseline > 0:
        q: mp.Queue = mp.Queue()
        proc = mp.Process(target=_solve_whole, args=(q,))
        t0 = time.perf_counter()
        proc.start()
        proc.join(args.baseline)
        if proc.is_alive():
            proc.terminate()
            print(f"\nsympy.solve on the whole generic system: no answer in {args.baseline} s")
        else:
            print(f"\nsympy.solve on the whole generic system: {time.perf_counter() - t0:.2f} s, "
                  f"{q.get()} solutions")  # fmt: skip


if __name__ == "__main__":
    main()

"""Mutation testing of the core modules: how many small bugs do the tests catch?

Runs mutmut (https://github.com/boxed/mutmut, ``pip install .[mutation]``) over one core module
at a time, with the fast tests that cover it, and prints per module the number of mutants, how
many the tests killed, the score, and every surviving mutant as a diff.

Why mutmut: version 3 loads the test session once and forks a process per mutant, and it runs
for each mutant only the tests that reach the mutated function (it records that in a first,
traced run). Tools that start the test command afresh for every mutant (cosmic-ray, mutatest)
pay the 3-5 s import of sympy, scipy and the library per mutant, which on this code turns hours
into days.

The package is never mutated in place: each module gets a copy of the repository (the package,
tests, models and pyproject.toml) under ``--workdir`` (default /tmp/lmc-mutation/MODULE), and
mutmut works in that copy's ``mutants/`` folder. A rerun in the same folder resumes, reusing the
results of mutants already checked.

Not part of CI: a module takes tens of minutes to hours. Run it niced, one module at a time::

    nice -n 19 python tools/mutation.py _conditions _exact
    nice -n 19 python tools/mutation.py --report-only _conditions   # results of an earlier run
    nice -n 19 python tools/mutation.py --sample 40 _exact          # estimate from 40 mutants

``--sample N`` checks a seeded random sample of N mutants and reports the score over the
sample with a 95% Wilson interval: a quick estimate when the full run is too long.

After writing tests for the survivors, ``--recheck`` reruns only the new or changed test files
on the earlier run's survivors (their diffs applied to a fresh copy), without mutmut's own
minutes of test statistics and clean runs; ``--bugs`` puts the six bugs of issue 14 back in by
hand, one at a time, and says whether a fast test of the module catches each::

    nice -n 19 python tools/mutation.py --recheck --sample 40 _sweep
    nice -n 19 python tools/mutation.py --bugs

A mutant or bug counts as caught only if the tests that failed pass without it.

Score = killed / (killed + survived + not covered); a timeout counts as killed (the mutant made
the tests hang), "skipped" mutants (none by default) are left out.

A mutant that loops forever is cut off only by mutmut's CPU limit, 30 times its tests' normal
time (``timeout_multiplier``, up to half an hour for the heavy modules). Once its diff shows an
endless loop, ``kill -XCPU PID`` of the ``mutmut: NAME`` process sends the signal that limit
would send: mutmut records it as a timeout and goes on.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The fast tests that exercise each module (the module's own doctests included). Slow
# example runs and plot baselines are left out, and so are tests marked slow (-m "not slow"):
# they add minutes per mutant and kill little.
TESTS: dict[str, list[str]] = {
    "_conditions": [
        "lmc_games/_conditions.py",
        "tests/test_kill2_conditions.py",
        "tests/test_kill_conditions.py",
        "tests/test_kill_analysis.py",
        "tests/test_analysis.py",
        "tests/test_symbolic_vs_numeric.py",
        "tests/test_targeted_nash.py",
        "tests/test_targeted_conditions.py",
    ],
    "_exact": [
        "lmc_games/_exact.py",
        "tests/test_exact.py",
        "tests/test_targeted_exact.py",
    ],
    "_analysis": [
        "lmc_games/_analysis.py",
        "tests/test_kill2_analysis.py",
        "tests/test_kill_analysis.py",
        "tests/test_analysis.py",
        "tests/test_symbolic_vs_numeric.py",
        "tests/test_targeted_nash.py",
        "tests/test_targeted_exact.py",
        "tests/test_targeted_kinks.py",
    ],
    "_equilibria": [
        "tests/test_kill2_equilibria.py",
        "tests/test_kill_equilibria.py",
        "tests/test_analysis.py",
        "tests/test_targeted_exact.py",
        "tests/test_symbolic_vs_numeric.py",
        "tests/test_targeted_elimination.py",
        "tests/test_targeted_kinks.py",
    ],
    "_simulate": [
        "lmc_games/_simulate.py",
        "tests/test_kill_simulate.py",
        # simulate(dynamics=...): user dynamics, maps in discrete time.
        "tests/test_dynamics_stages.py",
        "tests/test_simulate.py",
        "tests/test_targeted_convergence.py",
        "tests/test_targeted_sweep_stats.py",
    ],
    "_sweep": [
        "lmc_games/_sweep.py",
        "tests/test_kill_sweep.py",
        # sweep(dynamics=...): the point-wise table and the discrete-time map.
        "tests/test_dynamics_stages.py",
        "tests/test_sweep.py",
        # The fingerprint, chunk files and resumption are _sweep's code too.
        "tests/test_sweep_resume.py",
        "tests/test_targeted_sweep_stats.py",
    ],
}
ORDER = ["_conditions", "_exact", "_analysis", "_equilibria", "_simulate", "_sweep"]

# The six bugs of issue 14, put back in by hand (``--bugs``): each must make a fast test of its
# module fail. Each is a list of (old, new) text replacements in lmc_games/MODULE.py; a bug
# whose text is no longer in the module is reported as such (the source moved on: update it).
BUGS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "_analysis",
        "strict Nash test s < 0 -> s <= 0",
        [
            (
                "strict = pure and all(s < 0 for s in t_signs)",
                "strict = pure and all(s <= 0 for s in t_signs)",
            )
        ],
    ),
    (
        "_analysis",
        "a positive and a zero eigenvalue no longer give unstable",
        [
            (
                "        if pos:\n            return Stability.UNSTABLE",
                "        if pos and not zero:\n            return Stability.UNSTABLE",
            )
        ],
    ),
    (
        "_exact",
        "interval sign a > 0 -> a >= 0 in _iv_sign",
        [("    if interval.a > 0:\n        return 1", "    if interval.a >= 0:\n        return 1")],
    ),
    (
        "_equilibria",
        "elimination branch for a vanishing coefficient removed",
        [
            (
                "        if branching:\n"
                "            # The coefficient vanishes: then so must the rest of the equation.\n"
                "            others = [f for j, f in enumerate(work) if j != ei] + [a, b]\n"
                "            out.extend(_eliminate(others, unknowns, symbolic, depth + 1))\n",
                "",
            )
        ],
    ),
    (
        "_simulate",
        "convergence time = first entry into the eps-ball, not the start of the final stay",
        [
            (
                "    last_out = np.full((N, P), -1, dtype=np.int64)",
                "    last_out = np.full((N, P), T, dtype=np.int64)",
            ),
            (
                "        np.maximum(last_out, np.where(out, steps, -1).max(axis=0), out=last_out)",
                "        np.minimum(last_out, np.where(~out, steps, T).min(axis=0), out=last_out)",
            ),
            (
                "    return index, np.where(near, last_out + 1, -1)",
                "    return index, np.where(near, last_out, -1)",
            ),
        ],
    ),
    (
        "_sweep",
        "outcome median time nanmedian -> nanmean",
        [("np.nanmedian(conv[ok], axis=1)", "np.nanmean(conv[ok], axis=1)")],
    ),
]

KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests", "suspicious"}


def _copy_repository(dest: Path) -> None:
    """A fresh copy of what the tests need (never the .git folder or earlier mutants)."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "mutants", ".pytest_cache")
    for name in ("lmc_games", "tests", "models", "docs", "examples", "benchmarks"):
        target = dest / name
        if target.exists():
            shutil.rmtree(target)
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)


def _write_config(dest: Path, module: str) -> None:
    tests = TESTS[module]
    lines = [
        "[mutmut]",
        "source_paths = lmc_games",
        f"only_mutate = lmc_games/{module}.py",
        "also_copy =",
        "    tests",
        "    models",
        "    docs",
        "    benchmarks",
        "    README.md",
        "pytest_add_cli_args_test_selection =",
        *[f"    {t}" for t in tests],
        "pytest_add_cli_args =",
        "    -p",
        "    no:cacheprovider",
        "    -q",
        # One process: pyproject's -n auto would run the tests in xdist workers, where
        # mutmut's record of which tests reach which function is not kept.
        "    -n",
        "    0",
        # Tests marked slow (pyproject runs them by default) add minutes per mutant.
        "    -m",
        "    not slow",
        # The default timeout is 15 x the test's normal time, which a busy shared machine
        # can hit by chance; a hung mutant is still cut off.
        "timeout_multiplier = 30",
    ]
    (dest / "setup.cfg").write_text("\n".join(lines) + "\n")


def _mutmut(dest: Path, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    # One kernel cache for every module and mutant: compiling numba kernels afresh in each
    # copy costs minutes (the cache is keyed by the generated source, which no mutant of the
    # six modules changes).
    env.setdefault("LMC_GAMES_CACHE", str(dest.parent / "cache"))
    env["MPLBACKEND"] = "Agg"
    exe = shutil.which("mutmut") or "mutmut"
    return subprocess.run(
        [exe, *args], cwd=dest, env=env, text=True, capture_output=capture, check=False
    )


def _results(dest: Path) -> dict[str, str]:
    proc = _mutmut(dest, "results", "--all", "true", capture=True)
    out = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s+(\S+): (.+)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def _diff(dest: Path, name: str) -> str:
    text = _mutmut(dest, "show", name, capture=True).stdout
    keep = [
        line
        for line in text.splitlines()
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    return "\n".join(keep)


def _wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n."""
    if n == 0:
        return float("nan"), float("nan")
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _sample(dest: Path, n: int, seed: int, fresh: bool = False) -> list[str]:
    """Names of a seeded random sample of n mutants (generating them first if needed).

    The sample of a run is kept in ``sample.txt`` beside the mutants, so that a report or a
    recheck reads the mutants that were run, even if mutmut renamed mutants since."""
    kept = dest / "sample.txt"
    if not fresh and kept.exists():
        return kept.read_text().split()
    names = [] if fresh else sorted(_results(dest))
    if not names:
        # A name that matches nothing: mutmut generates the mutants and the test statistics,
        # then stops before running any mutant.
        _mutmut(dest, "run", "__generate_only__", capture=True)
        names = sorted(_results(dest))
    chosen = sorted(random.Random(seed).sample(names, min(n, len(names))))
    kept.write_text("\n".join(chosen) + "\n")
    return chosen


def report(
    module: str, dest: Path, show: bool = True, only: list[str] | None = None
) -> tuple[int, int, int]:
    results = _results(dest)
    if only is not None:
        results = {k: v for k, v in results.items() if k in set(only)}
    if not results:
        print(f"{module}: no results in {dest} (run it first)")
        return 0, 0, 0
    killed = sum(1 for s in results.values() if s in KILLED)
    survived = [n for n, s in results.items() if s in SURVIVED]
    other = {s for s in results.values() if s not in KILLED | SURVIVED}
    counted = killed + len(survived)
    score = killed / counted if counted else float("nan")
    interval = ""
    if only is not None:
        lo, hi = _wilson(killed, counted)
        interval = f", 95% interval {lo:.0%}-{hi:.0%} (random sample)"
    print(
        f"{module}: {len(results)} mutants, {killed} killed, {len(survived)} surviving"
        f" -> score {score:.1%}{interval}"
        + (f" (also: {', '.join(sorted(other))})" if other else "")
    )
    if show:
        for name in survived:
            print(f"  {name} [{results[name]}]")
            for line in _diff(dest, name).splitlines():
                print(f"      {line}")
    return len(results), killed, len(survived)


def _pytest(dest: Path, tests: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    # One kernel cache for every module and mutant: compiling numba kernels afresh in each
    # copy costs minutes (the cache is keyed by the generated source, which no mutant of the
    # six modules changes).
    env.setdefault("LMC_GAMES_CACHE", str(dest.parent / "cache"))
    env["MPLBACKEND"] = "Agg"
    # The copy's package first on the path: the editable install points at the checkout.
    env["PYTHONPATH"] = str(dest)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider"]
    cmd += ["-m", "not slow"]
    cmd += tests
    return subprocess.run(cmd, cwd=dest, env=env, text=True, capture_output=True, check=False)


_CLEAN: dict[str, bool] = {}


def _passes_clean(dest: Path, test_ids: list[str]) -> bool:
    """Whether these tests pass on the unmutated copy (the module must be restored when this
    is called): a test that fails anyway would count a mutant or a bug as caught."""
    todo = [t for t in test_ids if t not in _CLEAN]
    if todo:
        proc = _pytest(dest, todo)
        for t in todo:
            _CLEAN[t] = proc.returncode == 0
    return all(_CLEAN[t] for t in test_ids)


def check_bugs(workdir: Path, modules: list[str]) -> int:
    """Put each bug of BUGS into a copy of the package and run its module's fast tests.

    Returns the number of bugs NOT caught (or no longer applicable); the checkout is never
    edited.
    """
    dest = workdir / "bugs"
    _copy_repository(dest)
    missed = 0
    for module, what, edits in BUGS:
        if module not in modules:
            continue
        path = dest / "lmc_games" / f"{module}.py"
        clean = path.read_text()
        text = clean
        if not all(text.count(old) == 1 for old, _ in edits):
            print(f"{module}: {what}: NOT APPLICABLE (the text to change is not in the module)")
            missed += 1
            continue
        for old, new in edits:
            text = text.replace(old, new)
        path.write_text(text)
        try:
            # The targeted tests first: with -x a caught bug stops at its first failure.
            tests = sorted(TESTS[module], key=lambda t: "targeted" not in t and "kill" not in t)
            proc = _pytest(dest, tests)
        finally:
            path.write_text(clean)
        failed = [ln for ln in proc.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        ids = [ln.split()[1] for ln in failed]
        caught = proc.returncode == 1 and bool(failed) and _passes_clean(dest, ids)
        missed += not caught
        print(f"{module}: {what}: {'caught' if caught else 'NOT CAUGHT'}", flush=True)
        for ln in failed:
            print(f"    {ln}")
        if not caught:
            print("\n".join(proc.stdout.splitlines()[-5:]))
    return missed


def _apply_diff(source: str, diff: str) -> str | None:
    """``source`` with the hunks of a ``mutmut show`` diff applied, or None if they do not
    match exactly once. mutmut shows a method dedented, so each hunk is tried at the
    indentations of a function, a method and a nested function."""
    hunks: list[tuple[list[str], list[str]]] = []
    for line in diff.splitlines():
        if line.startswith("@@"):
            hunks.append(([], []))
            hunks.append(([], []))  # the changed lines alone, if the context has moved on
        elif hunks and line[:1] in (" ", "-", "+") and not line.startswith(("---", "+++")):
            for k, (old, new) in enumerate(hunks[-2:]):
                if k == 1 and line[:1] == " ":
                    continue
                if line[:1] != "+":
                    old.append(line[1:])
                if line[:1] != "-":
                    new.append(line[1:])
    if not hunks:
        return None
    pairs = [(hunks[i], hunks[i + 1]) for i in range(0, len(hunks), 2)]
    for with_context, bare in pairs:
        if _apply_hunk(source, *with_context) is not None:
            source = _apply_hunk(source, *with_context)
        elif _apply_hunk(source, *bare) is not None:
            source = _apply_hunk(source, *bare)
        else:
            return None
    return source


def _apply_hunk(source: str, old: list[str], new: list[str]) -> str | None:
    """``source`` with the lines ``old`` replaced by ``new`` where ``old`` occurs exactly
    once at some indentation, else None."""
    for indent in ("", "    ", "        "):

        def block(lines: list[str], indent: str = indent) -> str:
            return "\n".join(indent + ln if ln.strip() else ln for ln in lines)

        # Whole lines only: a changed line must not match inside a longer one.
        before, after = "\n" + block(old) + "\n", "\n" + block(new) + "\n"
        padded = "\n" + source + "\n"
        if before.strip() and padded.count(before) == 1:
            return padded.replace(before, after)[1:-1]
    return None


def recheck(module: str, workdir: Path, only: list[str] | None) -> tuple[int, int, int]:
    """Run the current fast tests of ``module`` against each mutant that survived an earlier
    run, without mutmut: each survivor's diff (``mutmut show``) is applied to a
    fresh copy of the repository and the module's test files that the earlier run did not
    have, or had in another version, are run there (stopping at the first failure; the
    unchanged files already let these mutants live). This re-checks survivors after new
    tests were written, without the minutes of mutmut's own test statistics and clean run.

    Returns (mutants, killed, surviving) over the earlier run's mutants (or its sample).
    """
    src = workdir / (f"sample-{module}" if only is not None else module)
    results = _results(src)
    if only is not None:
        results = {k: v for k, v in results.items() if k in set(only)}
    killed = sum(1 for st in results.values() if st in KILLED)
    survivors = sorted(n for n, st in results.items() if st in SURVIVED)
    dest = workdir / f"recheck-{module}"
    _copy_repository(dest)
    target = dest / "lmc_games" / f"{module}.py"
    clean = target.read_text()
    # Only the test files the earlier run did not have, or had in another version: the
    # unchanged ones already let these mutants live.
    cfg = (src / "setup.cfg").read_text() if (src / "setup.cfg").exists() else ""
    before = re.search(r"pytest_add_cli_args_test_selection =\n((?:    .+\n)+)", cfg)
    old = {ln.strip() for ln in before.group(1).splitlines()} if before else set()

    def changed(t: str) -> bool:
        was, now = src / t, ROOT / t
        return not was.exists() or not now.exists() or was.read_bytes() != now.read_bytes()

    tests = [t for t in TESTS[module] if t not in old or changed(t)]
    tests.sort(key=lambda t: t in old)  # new files first: they are the likely killers
    print(f"{module}: rechecking survivors with {tests or 'no new tests'}", flush=True)
    still = [] if tests else list(survivors)
    if not tests:
        survivors = []

    for name in survivors:
        mutated = _apply_diff(clean, _mutmut(src, "show", name, capture=True).stdout)
        if mutated is None:
            print(f"  {name}: the diff no longer applies (the module changed); counted surviving")
            still.append(name)
            continue
        target.write_text(mutated)
        try:
            proc = _pytest(dest, tests)
        finally:
            target.write_text(clean)
        failed = [ln for ln in proc.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        ids = [ln.split()[1] for ln in failed]
        # 2: the mutant breaks collection; the failing test must pass without the mutant.
        if proc.returncode in (1, 2) and failed and _passes_clean(dest, ids):
            killed += 1
            print(f"  {name}: killed by {failed[0].split()[1]}", flush=True)
        else:
            still.append(name)
            print(f"  {name}: survives", flush=True)
            for line in _diff(src, name).splitlines():
                print(f"      {line}")
    counted = killed + len(still)
    score = killed / counted if counted else float("nan")
    lo, hi = _wilson(killed, counted)
    print(
        f"{module} (recheck): {len(results)} mutants, {killed} killed, {len(still)} surviving"
        f" -> score {score:.1%}"
        + (f", 95% interval {lo:.0%}-{hi:.0%} (random sample)" if only is not None else "")
    )
    return len(results), killed, len(still)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=ORDER, help=f"of {', '.join(ORDER)}")
    parser.add_argument("--workdir", default="/tmp/lmc-mutation", type=Path)
    parser.add_argument("--max-children", type=int, default=1, help="parallel mutants (1)")
    parser.add_argument("--report-only", action="store_true", help="print earlier results")
    parser.add_argument("--quiet", action="store_true", help="scores only, no diffs")
    parser.add_argument("--sample", type=int, metavar="N", help="check N random mutants only")
    parser.add_argument("--seed", type=int, default=14, help="seed of --sample (14)")
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="rerun the current tests on an earlier run's survivors (no mutmut run)",
    )
    parser.add_argument(
        "--bugs", action="store_true", help="check that the six bugs of issue 14 are caught"
    )
    args = parser.parse_args(argv)
    if args.bugs:
        return 1 if check_bugs(args.workdir, args.modules) else 0
    unknown = [m for m in args.modules if m not in TESTS]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {ORDER}")
    rows = []
    for module in args.modules:
        dest = args.workdir / (f"sample-{module}" if args.sample else module)
        only = None
        if args.recheck:
            only = _sample(dest, args.sample, args.seed) if args.sample else None
            rows.append((module, *recheck(module, args.workdir, only)))
            continue
        if not args.report_only:
            # A fresh copy each run keeps the tests in step with the repository; mutmut's
            # own folder (mutants/) is kept, so finished mutants are not run again.
            _copy_repository(dest)
            _write_config(dest, module)
            print(f"== {module}: mutmut run in {dest}", flush=True)
            if args.sample:
                only = _sample(dest, args.sample, args.seed, fresh=True)
                _mutmut(dest, "run", "--max-children", str(args.max_children), *only)
            else:
                _mutmut(dest, "run", "--max-children", str(args.max_children))
        elif args.sample:
            only = _sample(dest, args.sample, args.seed)
        rows.append((module, *report(module, dest, show=not args.quiet, only=only)))
    print("\nmodule         mutants  killed  surviving  score")
    for module, total, killed, surv in rows:
        score = f"{killed / (killed + surv):.1%}" if killed + surv else "-"
        print(f"{module:<14} {total:>7}  {killed:>6}  {surv:>9}  {score:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fuzz the ``lmc-games`` command line with hostile model files and arguments.

Hypothesis is used as a *generator* only (``Phase.generate``, no shrinking, no example
database): each case is a model file (valid-ish TOML with random formulas, names, bounds,
payoff tables, nasty numbers, unicode and huge exponents) plus an argument list, run
through :func:`lmc_games.cli.main` in a child forked from a process that has imported the
library (so a case starts in milliseconds), killed when it runs over the per-case budget.
A case **fails** when

* the exit status is not 0, 1 or 2;
* stdout or stderr carries a traceback, or stderr says ``internal error``;
* the status is 2 but stderr's last line is not a single ``lmc-games: error: ...`` line;
* the case runs over the time budget (a hang without a budget);
* anything escapes ``main`` (an exception ``main`` should have turned into exit 2).

Failures are appended as JSON lines to ``--log`` (default ``fuzz-failures.jsonl``) with the
model file and the arguments, so each can be replayed with ``--replay``.  A summary (run
time, cases, failures by kind) is printed at the end.

Usage::

    nice python tools/fuzz_cli.py --minutes 10 --budget 30 --log /tmp/fuzz.jsonl
    python tools/fuzz_cli.py --replay /tmp/fuzz.jsonl          # rerun the recorded failures
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

# --------------------------------------------------------------------- generators
NASTY_NUMBERS = [
    "0",
    "1",
    "-1",
    "0.5",
    "1e300",
    "-1e300",
    "1e-300",
    "1e308",
    "1e400",
    "1e20",
    "123456789012345678901234567890",
    "2**13000",
    "10**400",
    "1/3",
    "0.1",
    "1e-9",
    "-0",
    "3.0",
]
FUNCTIONS = ["exp", "log", "sqrt", "abs", "min", "max"]
BAD_FUNCTIONS = ["sin", "__import__", "eval", "open", "p.__class__", "lambda"]
UNICODE_NAMES = ["α", "β_1", "ñ", "日本", "x\u200b", "Ω2"]


def _rare(draw, n: int) -> bool:
    """True with probability about 1/n: each hostile feature is rare, so most files load."""
    return draw(st.integers(0, n - 1)) == 0


@st.composite
def numbers(draw) -> str:
    """A number as text: mostly small, sometimes huge, tiny, long or odd."""
    if not _rare(draw, 4):
        return draw(st.sampled_from(["0", "1", "2", "3", "0.5", "1/3", "10", "0.1", "4"]))
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.sampled_from(NASTY_NUMBERS))
    if kind == 1:
        return repr(draw(st.floats(allow_nan=False, allow_infinity=False, width=64)))
    if kind == 2:
        return f"{draw(st.integers(1, 9))}e{draw(st.integers(-400, 400))}"
    if kind == 3:
        return str(draw(st.integers(-(10**30), 10**30)))
    return f"{draw(st.integers(0, 9))}.{draw(st.integers(0, 10**6))}"


@st.composite
def formulas(draw, names: list[str], depth: int = 3, hostile: bool = False) -> str:
    """A formula over ``names``; with ``hostile``, nasty powers, functions and junk too."""
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        if names and draw(st.booleans()):
            return draw(st.sampled_from(names))
        text = draw(numbers())
        return text if not text.startswith("-") else f"({text})"
    sub = formulas(names, depth - 1, hostile)
    kind = draw(st.integers(0, 9 if hostile else 5))
    if kind <= 3:
        op = draw(st.sampled_from(["+", "-", "*", "+", "-", "*", "/", "**"]))
        if op == "**" and not hostile:
            return f"({draw(sub)})**{draw(st.sampled_from(['2', '3', '0.5']))}"
        return f"({draw(sub)} {op} {draw(sub)})"
    if kind <= 5:
        f = draw(st.sampled_from(FUNCTIONS))
        if f in ("min", "max"):
            return f"{f}({draw(sub)}, {draw(sub)})"
        return f"{f}({draw(sub)})"
    if kind == 6:
        base = draw(sub)
        exps = draw(st.lists(st.sampled_from(["0.5", "2", "13000", "-1", "1/3", "p"]), max_size=3))
        return "**".join([f"({base})"] + exps) if exps else base
    if kind == 7:
        return draw(st.sampled_from(HOSTILE_FORMULAS))
    if kind == 8:
        return draw(st.sampled_from(BAD_FUNCTIONS)) + "(1)"
    return draw(st.text(min_size=0, max_size=8))


HOSTILE_FORMULAS = [
    "exp(exp(exp(1000)))",
    "2**13000",
    "exp(1000)",
    "log(0)",
    "1/0",
    "0**-1",
    "sqrt(-1)",
    "0/0",
    "(-1)**0.5",
    "p**0.5**0.5**0.5",
    "exp(p)",
    "1/x0",
    "log(x0)",
    "0**x0",
    "x0**x0",
    "exp(100*x0)",
    "1e300*x0",
]


#: One model file in this many carries hostile features (set by --hostile).
HOSTILE_ONE_IN = 3


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@st.composite
def model_files(draw) -> str:
    """The text of a model file: usually valid, with one or two hostile features at times."""
    import itertools

    hostile = _rare(draw, HOSTILE_ONE_IN)
    n_pop = draw(st.integers(1, 3))
    symmetric = n_pop == 1 and draw(st.booleans())
    pool = ["p", "q", "c"]
    if hostile and _rare(draw, 3):
        pool += ["V", "lambda", "x", "F"] + UNICODE_NAMES
    params = draw(st.lists(st.sampled_from(pool), max_size=3, unique=True))
    name = "m" if not (hostile and _rare(draw, 5)) else draw(st.sampled_from(["x y", "日本", ""]))
    lines = ["[model]", f"name = {_toml_string(name)}"]
    if symmetric:
        lines.append("symmetric = true")
    share_names: list[str] = []
    pops = []
    for i in range(n_pop):
        k = draw(st.integers(2, 3)) if not (hostile and _rare(draw, 8)) else 1
        strategies = [f"s{i}{j}" for j in range(k)]
        if hostile and _rare(draw, 10):
            strategies[0] = draw(st.sampled_from(["a, b", "a;b", "", "α"]))
        pops.append(strategies)
        lines += ["[[population]]", f'name = "pop{i}"', f"strategies = {json.dumps(strategies)}"]
        if k == 2:
            share = f"x{i}"
            if hostile and _rare(draw, 8):
                share = draw(st.sampled_from(["p", "y", "exp"]))
            lines.append(f"share = {_toml_string(share)}")
            share_names.append(share)
    names = list(params) + share_names
    if params:
        lines.append("[parameters]")
        for p in params:
            values = ["0.5", "1", "0", "2", "-3"]
            if hostile:
                values += ["1e300", "1e-300", "1e400", "123456789123456789123456789"]
            parts = [f"value = {draw(st.sampled_from(values))}"]
            if _rare(draw, 3):
                parts.append(f"min = {draw(st.sampled_from(['-5', '0', '-1']))}")
            if _rare(draw, 3):
                parts.append(f"max = {draw(st.sampled_from(['5', '10', '2', '1e400']))}")
            lines.append(f"{_toml_string(p)} = {{{', '.join(parts)}}}")
    if _rare(draw, 4):
        lines += ["[definitions]", f"d = {_toml_string(draw(formulas(names, 2, hostile)))}"]
        names.append("d")
    lines.append("[payoffs]")
    if symmetric:
        profiles = list(itertools.product(pops[0], pops[0]))
    else:
        profiles = list(itertools.product(*pops))
    for profile in profiles:
        if hostile and _rare(draw, 30):
            continue  # a missing profile
        key = ", ".join(profile)

        def entry():
            return _toml_string(draw(formulas(names, 3, hostile and _rare(draw, 4))))

        if symmetric:
            value = entry()
        else:
            value = "[" + ", ".join(entry() for _ in pops) + "]"
        lines.append(f"{_toml_string(key)} = {value}")
    if params and _rare(draw, 4):
        lines += ["[scenarios.s]", f"{_toml_string(params[0])} = 2"]
    text = "\n".join(lines) + "\n"
    if hostile and _rare(draw, 20):
        return text[: draw(st.integers(0, len(text)))]
    return text


NASTY_ARGS = ["nan", "inf", "-inf", "1e9", "1e-9", "0", "-1", "1e308", "100000", "abc", ""]


def _option(draw, good: list[str]) -> str:
    """A good value of an option most of the time, a nasty one at times."""
    return draw(st.sampled_from(NASTY_ARGS if _rare(draw, 4) else good))


@st.composite
def argument_lists(draw, model: str) -> list[str]:
    """An argument list for one command on ``model``."""
    command = draw(
        st.sampled_from(
            [
                "show",
                "analyze",
                "analyze",
                "simulate",
                "simulate",
                "sweep",
                "sweep",
                "phase",
                "report",
            ]
        )
    )
    args = [command, model]
    if draw(st.integers(0, 3)) == 0:
        args += [
            "--set",
            draw(
                st.sampled_from(
                    [
                        "p=0.9",
                        "p=1e400",
                        "q=1/0",
                        "nope=1",
                        "p=nan",
                        "c=-1/3",
                        "p=",
                        "=1",
                        "p=1e-400",
                    ]
                )
            ),
        ]
    if draw(st.integers(0, 8)) == 0:
        args += ["--scenario", draw(st.sampled_from(["s", "nope"]))]
    if command in ("show", "analyze"):
        if command == "analyze" and draw(st.booleans()):
            args.append("--symbolic")
        args += ["--format", draw(st.sampled_from(["text", "json", "latex", "markdown"]))]
    if command in ("simulate", "sweep"):
        if draw(st.booleans()):
            args += ["--t-end", _option(draw, ["5", "20"])]
        if draw(st.integers(0, 2)) == 0:
            args += ["--dt", _option(draw, ["0.1", "0.01"])]
        if draw(st.integers(0, 2)) == 0:
            args += ["--starts", _option(draw, ["1", "2", "5"])]
        if draw(st.integers(0, 3)) == 0:
            args += ["--eps", _option(draw, ["1e-3", "0.5"])]
    if command == "simulate":
        if draw(st.booleans()):
            args += [
                "--init",
                draw(
                    st.sampled_from(
                        [
                            "0.3",
                            "0.3,0.3",
                            "0.2,0.3,0.4",
                            "2,0",
                            "nan,0.5",
                            "0.5,inf",
                            "",
                            "0.3 0.3",
                        ]
                    )
                ),
            ]
        if draw(st.integers(0, 3)) == 0:
            args += ["--method", "dopri5"]
        if draw(st.integers(0, 4)) == 0:
            args += [
                "--out",
                os.path.join(
                    "@WORK", draw(st.sampled_from(["t.csv", "t.txt", "missing/t.csv", "ro/t.csv"]))
                ),
            ]
        if draw(st.integers(0, 3)) == 0:
            args += ["--format", "json"]
    if command == "sweep":
        count = _option(draw, ["3", "5", "1"]) if not _rare(draw, 6) else "100000000"
        name = draw(st.sampled_from(["p", "q", "nope"])) if _rare(draw, 4) else "p"
        ranges = [("0", "1"), ("0", "0"), ("nan", "1"), ("1e300", "1e308"), ("-1", "2")]
        start, stop = draw(st.sampled_from(ranges)) if _rare(draw, 3) else ("0", "1")
        args += ["--vary", f"{name}={start}:{stop}:{count}"]
        args += ["--measure", draw(st.sampled_from(["stable", "outcome"]))]
        args += ["--engine", draw(st.sampled_from(["numpy", "numpy", "auto"]))]
        args += [
            "--out",
            os.path.join(
                "@WORK",
                draw(st.sampled_from(["s.csv", "s.npz", "s.txt", "missing/s.csv", "ro/s.csv"])),
            ),
        ]
    if command == "phase":
        args += [
            "--out",
            os.path.join(
                "@WORK", draw(st.sampled_from(["f.png", "f.txt", "missing/f.png", "ro/f.png"]))
            ),
        ]
    if command == "report":
        args += [
            "--out",
            os.path.join("@WORK", draw(st.sampled_from(["rep", "ro/rep", "full"]))),
            "--pdf",
            "no",
            "--no-figures",
        ]
        if draw(st.booleans()):
            args.append("--force")
    return args


# --------------------------------------------------------------------- running one case
_LAST_RC: list = [None]


def _run_in_child(argv: list[str], budget: float) -> tuple[str | None, int | None, str, str]:
    """Run ``main(argv)`` in a forked child (modules already imported, so a fork costs
    milliseconds); kill it after ``budget`` seconds. A child is needed because a hang in C
    code (a huge integer power, a numpy allocation) cannot be interrupted by a signal.
    Returns (failure kind or None, exit status, stdout, stderr)."""
    import select

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        code = 0
        out, err = io.StringIO(), io.StringIO()
        result: dict = {}
        try:
            from lmc_games.cli import main

            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                result["rc"] = main(argv)
        except BaseException as exc:  # noqa: BLE001 - anything escaping main is a finding
            result["escaped"] = f"escaped {type(exc).__name__}: {exc}"[:300]
        result["stdout"] = out.getvalue()[-20000:]
        result["stderr"] = err.getvalue()[-4000:]
        try:
            with os.fdopen(write_fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(result))
        except BaseException:  # noqa: BLE001
            code = 3
        os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.perf_counter() + budget
    timed_out = False
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        data = os.read(read_fd, 1 << 16)
        if not data:
            break
        chunks.append(data)
    os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return "over-budget", None, "", ""
    try:
        result = json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError:
        return f"child died (wait status {status})", None, "", ""
    if "escaped" in result:
        return result["escaped"], None, result["stdout"], result["stderr"]
    return None, result["rc"], result["stdout"], result["stderr"]


def run_case(model_text: str, argv_tail: list[str], work: Path, budget: float) -> dict | None:
    """Run one case; return a failure record, or None when the CLI behaved."""
    model = work / "model.toml"
    model.write_text(model_text, encoding="utf-8")
    argv = [str(model) if a == "@MODEL" else a.replace("@WORK", str(work)) for a in argv_tail]
    t0 = time.perf_counter()
    kind, rc, stdout, stderr = _run_in_child(argv, budget)
    seconds = time.perf_counter() - t0
    _LAST_RC[0] = rc
    if kind is None:
        if rc not in (0, 1, 2):
            kind = f"exit status {rc}"
        elif "Traceback" in stdout or "Traceback" in stderr:
            kind = "traceback"
        elif "internal error" in stderr:
            kind = "internal error"
        elif rc == 2:
            last = stderr.rstrip("\n").split("\n")[-1] if stderr.strip() else ""
            if not last.startswith("lmc-games: error: "):
                kind = "exit 2 without a one-line error"
    if kind is None:
        return None
    return {
        "kind": kind,
        "argv": argv_tail,
        "model": model_text,
        "rc": rc,
        "seconds": round(seconds, 2),
        "stderr": stderr[-600:],
    }


def _prepare(work: Path) -> None:
    ro = work / "ro"
    ro.mkdir(exist_ok=True)
    os.chmod(ro, 0o555)
    full = work / "full"
    full.mkdir(exist_ok=True)
    (full / "report.md").write_text("a user's own notes\n")


def fuzz(minutes: float, budget: float, log: Path, seed: int | None) -> int:
    stats: Counter = Counter()
    failures: list[dict] = []
    started = time.perf_counter()
    deadline = started + 60 * minutes
    with tempfile.TemporaryDirectory(prefix="lmc-fuzz-") as tmp:
        work = Path(tmp)
        _prepare(work)

        @settings(
            max_examples=10**9,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=seed is not None,
        )
        @given(st.data())
        def one(data):
            if time.perf_counter() > deadline:
                raise _Stop
            text = data.draw(model_files())
            kind = data.draw(st.integers(0, 9))
            model = (
                "@MODEL"
                if kind
                else data.draw(
                    st.sampled_from(
                        ["water_use", "hawk_dove", "rock_paper_scissors", "central_local", "nope"]
                    )
                )
            )
            argv = data.draw(argument_lists(model))
            record = run_case(text, argv, work, budget)
            stats["cases"] += 1
            stats[f"exit {_LAST_RC[0]}"] += 1
            if record is not None:
                stats[record["kind"].split(":")[0]] += 1
                failures.append(record)
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                print(f"FAIL {record['kind'][:100]} argv={argv}", file=sys.__stderr__, flush=True)
            if stats["cases"] % 50 == 0:
                elapsed = time.perf_counter() - started
                print(
                    f"{stats['cases']} cases, {len(failures)} failures, {elapsed:.0f} s",
                    file=sys.__stderr__,
                    flush=True,
                )

        try:
            one()
        except BaseException:
            # Hypothesis replays the example that raised _Stop at the deadline and may wrap
            # it (as Flaky...): past the deadline, any ending is the end of the run.
            if time.perf_counter() <= deadline:
                raise
        finally:
            os.chmod(work / "ro", 0o755)
    elapsed = time.perf_counter() - started
    print(f"run time {elapsed:.0f} s; cases {stats['cases']}; failures {len(failures)}")
    for key, n in sorted(stats.items()):
        if key != "cases":
            print(f"  {key}: {n}")
    return 1 if failures else 0


class _Stop(BaseException):
    """End of the fuzzing time."""


def replay(log: Path, budget: float) -> int:
    """Rerun every failure recorded in ``log``; print which still fail."""
    still = 0
    with tempfile.TemporaryDirectory(prefix="lmc-fuzz-") as tmp:
        work = Path(tmp)
        _prepare(work)
        for line in log.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            argv = rec["argv"]
            again = run_case(rec["model"], argv, work, budget)
            if again is not None:
                still += 1
                print(f"STILL {again['kind'][:120]}  argv={argv}")
        os.chmod(work / "ro", 0o755)
    print(f"{still} recorded failure(s) still fail")
    return 1 if still else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per case")
    parser.add_argument("--log", type=Path, default=Path("fuzz-failures.jsonl"))
    parser.add_argument("--seed", type=int, help="derandomize the generator")
    parser.add_argument(
        "--hostile", type=int, default=3, help="one model file in N is hostile (default 3)"
    )
    parser.add_argument("--replay", type=Path, help="rerun the failures recorded in this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("LMC_GAMES_CACHE", tempfile.mkdtemp(prefix="lmc-fuzz-cache-"))
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    import matplotlib

    matplotlib.use("Agg")
    # Import the heavy modules once, before the first fork, so each case starts fast.
    import matplotlib.pyplot  # noqa: F401
    import scipy.optimize  # noqa: F401

    import lmc_games.cli  # noqa: F401
    import lmc_games.plot  # noqa: F401

    global HOSTILE_ONE_IN
    HOSTILE_ONE_IN = max(1, args.hostile)
    if args.replay:
        return replay(args.replay, args.budget)
    return fuzz(args.minutes, args.budget, args.log, args.seed)


if __name__ == "__main__":
    sys.exit(main())

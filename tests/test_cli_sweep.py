"""``lmc-games sweep`` against DESIGN §4."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lmc_games import analyze, load_model
from lmc_games.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stable_csv_rows_match_pointwise_analysis(tmp_path, capsys):
    out = tmp_path / "s.csv"
    code, stdout, _ = run(
        capsys,
        "sweep",
        "inspection",
        "--vary",
        "f=0.5:4:8",
        "--vary",
        "g=1:2:2",
        "--out",
        str(out),
    )
    assert code == 0 and "16 parameter points" in stdout
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["f", "g", "stable"]
    assert len(rows) == 17
    game = load_model("inspection")
    for f, g, stable in rows[1:]:
        an = analyze(game.with_values(f=f, g=g))
        want = ";".join(r.label for r in an.rest_points if r.asymptotically_stable)
        assert stable == want, (f, g)
    prov = json.loads((tmp_path / "s.csv.provenance.json").read_text())
    assert prov["model"] == "inspection" and prov["settings"]["measure"] == "stable"


def test_scenario_and_set_apply_to_the_fixed_parameters(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run(capsys, "sweep", "water_use", "--vary", "p=0:1:11", "--out", str(a))[0] == 0
    assert (
        run(capsys, "sweep", "water_use", "--vary", "p=0:1:11", "--set", "F=16", "--out", str(b))[0]
        == 0
    )
    # A doubled penalty halves the thresholds p_i* = (...)/(theta k F).
    ra = {r["p"]: r["stable"] for r in csv.DictReader(a.open())}
    rb = {r["p"]: r["stable"] for r in csv.DictReader(b.open())}
    assert ra["0.30000000000000004"] == "excessive, reasonable"
    assert rb["0.30000000000000004"] == "reasonable, reasonable"


def test_npz_output(tmp_path, capsys):
    out = tmp_path / "s.npz"
    assert run(capsys, "sweep", "water_use", "--vary", "F=0:20:5", "--out", str(out))[0] == 0
    with np.load(out) as z:
        assert z["coord:F"].tolist() == [0.0, 5.0, 10.0, 15.0, 20.0]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--vary", "p=0:1"], "START:STOP:COUNT"),
        (["--vary", "p=0:1:x"], "COUNT"),
        (["--vary", "p=0:1:0"], "COUNT"),
        (["--vary", "p=0:2:3"], "outside its bounds"),
        (["--vary", "zz=0:1:3"], "unknown parameter"),
        (["--vary", "p=0:1:3", "--vary", "p=0:1:2"], "twice"),
        (["--vary", "p=0:1:3", "--measure", "outcome", "--t-end", "-1"], "positive"),
        (["--vary", "p=0:1:3", "--workers", "2", "--scheduler", "x:1"], "not both"),
    ],
)
def test_bad_sweeps_are_one_line_exit_2(tmp_path, capsys, argv, message):
    code, out, err = run(capsys, "sweep", "water_use", *argv, "--out", str(tmp_path / "s.csv"))
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_output_extension_is_checked(tmp_path, capsys):
    code, _, err = run(
        capsys, "sweep", "water_use", "--vary", "p=0:1:3", "--out", str(tmp_path / "s.txt")
    )
    assert code == 2 and ".csv or .npz" in err


def test_resume_directory_of_another_sweep_is_exit_2(tmp_path, capsys):
    d = tmp_path / "chunks"
    out = str(tmp_path / "s.csv")
    assert (
        run(capsys, "sweep", "water_use", "--vary", "p=0:1:3", "--out", out, "--resume", str(d))[0]
        == 0
    )
    code, _, err = run(
        capsys, "sweep", "water_use", "--vary", "p=0:1:4", "--out", out, "--resume", str(d)
    )
    assert code == 2 and "different sweep" in err


def test_workers_give_byte_identical_csv(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    args = ["sweep", "water_use", "--vary", "p=0:1:31", "--vary", "k=1:4:31"]
    assert run(capsys, *args, "--out", str(a))[0] == 0
    assert run(capsys, *args, "--out", str(b), "--workers", "2")[0] == 0
    assert a.read_bytes() == b.read_bytes()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.slow
def test_killed_cli_sweep_resumes_to_the_same_bytes(tmp_path):
    """The command is killed (SIGKILL) once some chunks are on disk; run again with the same
    --resume DIR, it computes the rest and writes the same CSV as an uninterrupted run."""
    args = [
        "sweep",
        "water_use",
        "--vary",
        "p=0:1:40",
        "--vary",
        "F=0:20:40",
        "--measure",
        "outcome",
        "--starts",
        "2",
        "--t-end",
        "30",
        "--chunk-size",
        "50",
    ]
    full, part = tmp_path / "full.csv", tmp_path / "part.csv"
    cmd = [sys.executable, "-m", "lmc_games"]
    subprocess.run([*cmd, *args, "--out", str(full)], check=True, env=_env(), capture_output=True)
    store = tmp_path / "chunks"
    proc = subprocess.Popen(
        [*cmd, *args, "--out", str(part), "--resume", str(store)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if store.exists() and list(store.glob("chunk-*.npz")):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    done = len(list(store.glob("chunk-*.npz")))
    assert done >= 1
    subprocess.run(
        [*cmd, *args, "--out", str(part), "--resume", str(store)],
        check=True,
        env=_env(),
        capture_output=True,
    )
    assert part.read_bytes() == full.read_bytes()

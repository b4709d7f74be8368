"""``lmc-games phase``, ``simulate --plot`` and ``sweep --plot`` (issue 5, DESIGN §4)."""

from __future__ import annotations

import pytest

from lmc_games.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "model, suffix",
    [
        ("hawk_dove", "png"),
        ("inspection", "pdf"),
        ("rock_paper_scissors", "svg"),
        ("water_use_lmc", "png"),
    ],
)
def test_phase_writes_the_figure(tmp_path, capsys, model, suffix):
    out = tmp_path / f"{model}.{suffix}"
    code, stdout, err = run(capsys, "phase", model, "--out", str(out))
    assert code == 0, err
    data = out.read_bytes()
    magic = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}[suffix]
    assert data.startswith(magic) and len(data) > 2000
    assert str(out) in stdout


def test_phase_honours_scenario_and_set(tmp_path, capsys):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    assert run(capsys, "phase", "hawk_dove", "--out", str(a))[0] == 0
    assert run(capsys, "phase", "hawk_dove", "--set", "C=1", "--out", str(b))[0] == 0
    assert a.read_bytes() != b.read_bytes()
    code, _, err = run(capsys, "phase", "hawk_dove", "--scenario", "nope", "--out", str(a))
    assert code == 2 and "scenario" in err


@pytest.mark.parametrize(
    "cmd",
    [
        ["phase", "hawk_dove", "--out"],
        ["simulate", "hawk_dove", "--plot"],
        ["sweep", "hawk_dove", "--vary", "C=1:3:3", "--out", "s.csv", "--plot"],
    ],
)
def test_figure_formats_are_checked_before_work(tmp_path, capsys, cmd):
    code, out, err = run(capsys, *cmd, str(tmp_path / "f.jpg"))
    assert code == 2 and out == "" and ".pdf, .svg or .png" in err
    assert not (tmp_path / "s.csv").exists()


def test_simulate_and_sweep_plots(tmp_path, capsys):
    ts, rm = tmp_path / "ts.png", tmp_path / "rm.pdf"
    code, _, err = run(capsys, "simulate", "water_use", "--init", "0.3,0.3", "--plot", str(ts))
    assert code == 0, err
    assert ts.read_bytes().startswith(b"\x89PNG")
    code, _, err = run(
        capsys,
        "sweep",
        "water_use",
        "--vary",
        "p=0:1:21",
        "--vary",
        "F=0:20:21",
        "--out",
        str(tmp_path / "s.csv"),
        "--plot",
        str(rm),
    )
    assert code == 0, err
    assert rm.read_bytes().startswith(b"%PDF")

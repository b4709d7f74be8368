"""Command-line options checked by the values they change, not by exit codes alone.

Most checks use a one-population model with a closed-form trajectory: strategy A earns a, B
earns 0, so x' = a x (1 - x) and x(t) = 1 / (1 + (1 - x0)/x0 * exp(-a t)) (the logistic
equation). The max-norm distance to the corner A is 1 - x(t) for both shares, so it falls to
eps at t* = ln((1 - x0)(1 - eps) / (x0 eps)) / a, and DESIGN §4's convergence time is the first
saved time at or after t*.
"""

from __future__ import annotations

import csv
import json
import math
import re
from importlib.metadata import version

import pytest

import lmc_games
from lmc_games.cli import main

LOGISTIC = """
[model]
name = "logistic"

[[population]]
name = "pop"
strategies = ["A", "B"]
share = "x"

[parameters]
a = {value = 1, min = 0}

[payoffs]
"A" = ["a"]
"B" = [0]
"""


@pytest.fixture
def logistic(tmp_path):
    path = tmp_path / "logistic.toml"
    path.write_text(LOGISTIC)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def x_exact(t, x0, a):
    return 1.0 / (1.0 + (1.0 - x0) / x0 * math.exp(-a * t))


def t_star(x0, a, eps):
    return math.log((1 - x0) * (1 - eps) / (x0 * eps)) / a


def first_saved_after(t, dt):
    """The first multiple of dt at or after t; checks t is not within rounding of a grid
    point, where the integrator's error could tip the decision either way."""
    k = math.ceil(t / dt)
    assert min(abs(t - k * dt), abs(t - (k - 1) * dt)) > 1e-6
    return k * dt


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- --version
def test_version_prints_the_installed_distribution_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"lmc-games {version('lmc-games')}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", lmc_games.__version__)
    assert version("lmc-games") == lmc_games.__version__


# --------------------------------------------------------------------------- simulate
@pytest.mark.parametrize("eps", [1e-2, 1e-3, 1e-6])
def test_simulate_eps_sets_the_convergence_radius(capsys, logistic, eps):
    x0, a, dt = 0.2, 1.0, 0.01
    argv = ["simulate", logistic, "--init", str(x0), "--t-end", "30", "--dt", str(dt)]
    code, out, _ = run(capsys, *argv, "--eps", repr(eps), "--format", "json")
    assert code == 0
    (tr,) = json.loads(out)["trajectories"]
    assert tr["reached"] == "A"
    assert tr["convergence_time"] == pytest.approx(first_saved_after(t_star(x0, a, eps), dt))


def test_simulate_dt_sets_the_saved_times(tmp_path, capsys, logistic):
    out = tmp_path / "s.csv"
    code, text, _ = run(
        capsys, "simulate", logistic, "--init", "0.2", "--t-end", "10", "--dt", "0.25",
        "--out", str(out), "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = read_csv(out)
    assert [float(r["t"]) for r in rows] == pytest.approx([0.25 * k for k in range(41)])
    # RK4 with h = 0.25 on x' = x(1 - x): error far below 1e-4 (here about 1e-6).
    assert all(abs(float(r["x"]) - x_exact(float(r["t"]), 0.2, 1.0)) < 1e-4 for r in rows)
    t = json.loads(text)["trajectories"][0]["convergence_time"]
    assert t == pytest.approx(first_saved_after(t_star(0.2, 1.0, 1e-3), 0.25))
    assert json.loads((tmp_path / "s.csv.provenance.json").read_text())["dt"] == 0.25


def test_simulate_method_switches_the_integrator(tmp_path, capsys, logistic):
    """With a = 3 and a coarse spacing of 1, fixed-step RK4 (h = 1) is off by about 0.24 at
    t = 1, while dopri5 controls its own steps and stays within 1e-5 of the closed form at
    every saved time; the method is also recorded in the provenance."""
    errors = {}
    for method in ("rk4", "dopri5"):
        out = tmp_path / f"{method}.csv"
        code, _, _ = run(
            capsys, "simulate", logistic, "--set", "a=3", "--init", "0.2", "--t-end", "6",
            "--dt", "1", "--method", method, "--out", str(out),
        )  # fmt: skip
        assert code == 0
        rows = read_csv(out)
        assert [float(r["t"]) for r in rows] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        errors[method] = max(abs(float(r["x"]) - x_exact(float(r["t"]), 0.2, 3.0)) for r in rows)
        prov = json.loads((tmp_path / f"{method}.csv.provenance.json").read_text())
        assert prov["method"] == method
    assert errors["dopri5"] < 1e-5
    assert errors["rk4"] > 1e-2


def test_simulate_unknown_method_is_an_error(capsys, logistic):
    code, out, err = run(capsys, "simulate", logistic, "--method", "euler")
    assert code == 2 and out == "" and err.count("\n") == 1


# --------------------------------------------------------------------------- sweep
@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_sweep_eps_dt_and_engine_reach_the_outcome(tmp_path, capsys, logistic, engine):
    """--starts 1 is the single start x0 = 1/2 (DESIGN §4: n/(N + 1)); its convergence time is
    the median. Values of a: 1, 2, 3; eps = 1e-4, dt = 0.02."""
    from lmc_games._compile import numba_available

    if engine == "numba" and not numba_available():
        pytest.skip("numba is not installed")
    out = tmp_path / "o.csv"
    code, _, _ = run(
        capsys, "sweep", logistic, "--vary", "a=1:3:3", "--measure", "outcome",
        "--starts", "1", "--t-end", "30", "--eps", "1e-4", "--dt", "0.02",
        "--engine", engine, "--out", str(out),
    )  # fmt: skip
    assert code == 0
    rows = read_csv(out)
    assert [float(r["a"]) for r in rows] == [1.0, 2.0, 3.0]
    for r in rows:
        a = float(r["a"])
        assert float(r["share:A"]) == 1.0 and float(r["not_converged"]) == 0.0
        expected = first_saved_after(t_star(0.5, a, 1e-4), 0.02)
        assert float(r["convergence_time_median"]) == pytest.approx(expected, abs=1e-9)
    settings = json.loads((tmp_path / "o.csv.provenance.json").read_text())["settings"]
    assert settings["engine"] == engine
    assert settings["eps"] == 1e-4 and settings["dt"] == 0.02


def test_sweep_unknown_engine_is_an_error(tmp_path, capsys, logistic):
    code, out, err = run(
        capsys, "sweep", logistic, "--vary", "a=1:2:2", "--measure", "outcome",
        "--engine", "cuda", "--out", str(tmp_path / "o.csv"),
    )  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1


# --------------------------------------------------------------------------- phase
THREE = "\n".join(
    ['[model]\nname = "three"']
    + [f'[[population]]\nname = "p{i}"\nstrategies = ["a", "b"]' for i in (1, 2, 3)]
    + ["[payoffs]"]
    + [
        f'"{s1}, {s2}, {s3}" = [{int(s1 == "a")}, {int(s2 == "a")}, {int(s3 == "a")}]'
        for s1 in "ab"
        for s2 in "ab"
        for s3 in "ab"
    ]
)


def test_phase_projections_draws_three_2d_panels_instead_of_a_cube(tmp_path, capsys):
    """Matplotlib's SVG writer opens one <g id="axes_N"> group per axes: one 3-D axes for
    the cube, three 2-D axes with --projections."""
    model = tmp_path / "three.toml"
    model.write_text(THREE)
    counts = {}
    for extra in ([], ["--projections"]):
        out = tmp_path / f"phase{len(extra)}.svg"
        code, _, _ = run(capsys, "phase", str(model), "--out", str(out), *extra)
        assert code == 0
        svg = out.read_text()
        counts[bool(extra)] = len(set(re.findall(r'<g id="(axes_\d+)"', svg)))
    assert counts == {False: 1, True: 3}


# --------------------------------------------------------------------------- report
def test_report_no_figures_writes_no_figure_and_cites_none(tmp_path, capsys):
    out = tmp_path / "rep"
    code, _, _ = run(
        capsys, "report", "hawk_dove", "--out", str(out), "--pdf", "no", "--no-figures"
    )
    assert code == 0
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "report.md" in files and "report.tex" in files
    assert not [f for f in files if f.endswith((".png", ".pdf", ".svg"))]
    assert "figures/" not in (out / "report.md").read_text()
    assert "includegraphics" not in (out / "report.tex").read_text()

"""The scripts in ``examples/`` run, write what they promise, and reproduce the numbers the model
pages state.

Each script runs once, in a subprocess with ``--quick`` and matplotlib's Agg backend, into a
temporary folder; the tests then look at its files and at the key numbers it prints. The
numbers are the ones in ``docs/models/*.md`` (each check names its page and claim), so the
examples double as a reproducible check of the documentation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DOCS = Path(__file__).resolve().parents[1] / "docs"
# Files starting with "_" are shared helpers, not examples.
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))
FIG = "png"


def _model_files(*stems: str) -> list[str]:
    """The analysis and scenario tables every model script writes."""
    tables = [f"{s}.{ext}" for s in ("analysis", "scenarios") for ext in ("md", "tex")]
    return tables + list(stems)


# What each script must write (relative to its output folder).
EXPECTED: dict[str, list[str]] = {
    "00_quickstart.py": [
        "analysis.md",
        "analysis.tex",
        "analysis.txt",
        "conditions.md",
        f"phase.{FIG}",
        "sweep_p_F.csv",
        f"sweep_p_F.{FIG}",
    ],
    "01_water_use.py": _model_files(
        "analysis_bistable.md",
        "analysis_strong_supervision.tex",
        "conditions.md",
        "conditions.tex",
        f"phase.{FIG}",
        f"phase_bistable.{FIG}",
        f"time_series.{FIG}",
        f"sensitivity_p.{FIG}",
        f"sensitivity_k.{FIG}",
        "convergence_time_k.csv",
        "region_p_F.csv",
        f"region_p_F.{FIG}",
        "region_p_k.csv",
        f"region_p_k.{FIG}",
        "basins_bistable.csv",
        f"basins_bistable.{FIG}",
        "outcome_p.csv",
        f"outcome_p.{FIG}",
        "continuation_p.csv",
        f"continuation_p.{FIG}",
    ),
    "02_water_use_lmc.py": _model_files(
        "analysis_real_power.md",
        "conditions_G_m_C_m.md",
        "conditions_real_power_F_theta_G_m.tex",
        f"phase.{FIG}",
        f"phase_real_power.{FIG}",
        f"time_series.{FIG}",
        "time_series.csv",
        f"sensitivity_G_m.{FIG}",
        "region_G_m_F.csv",
        f"region_G_m_F.{FIG}",
        "outcome_real_power_G_m.csv",
        "outcome_G_m.csv",
        f"outcome_G_m.{FIG}",
        "rest_points_G_m.csv",
        f"rest_points_G_m.{FIG}",
    ),
    "03_central_local.py": [
        f"central_local/{f}"
        for f in _model_files(
            "analysis_accountability.md",
            "analysis_heavy_penalty.tex",
            "scenario_outcomes.csv",
            "conditions_G_s.md",
            "conditions_G_s_A_C_s.tex",
            f"phase.{FIG}",
            f"phase_accountability.{FIG}",
            f"time_series.{FIG}",
            "time_series.csv",
            f"sensitivity_G_s.{FIG}",
            "region_G_s_A.csv",
            f"region_G_s_A.{FIG}",
            "stable_G_s.csv",
            "outcome_G_s.csv",
            f"outcome_G_s.{FIG}",
            "continuation_G_s.csv",
            f"continuation_G_s.{FIG}",
            "continuation_P.csv",
            f"continuation_P.{FIG}",
        )
    ]
    + [
        f"central_local_dynamic/{f}"
        for f in _model_files(
            "analysis_mild_penalty.md",
            "scenario_outcomes.csv",
            "conditions_P_max.md",
            f"phase.{FIG}",
            f"phase_mild_penalty.{FIG}",
            f"time_series.{FIG}",
            f"sensitivity_P_max.{FIG}",
            "stable_P_max.csv",
            "region_P_max_G_s.csv",
            f"region_P_max_G_s.{FIG}",
            "rest_points_P_max.csv",
            f"rest_points_P_max.{FIG}",
        )
    ],
    "06_robustness.py": [
        f"robustness_{m}.md"
        for m in (
            "water_use",
            "water_use_lmc",
            "central_local",
            "central_local_dynamic",
            "central_local_social",
            "mechanism_overlap",
            "basin_compensation",
        )
    ],
    "04_central_local_social.py": _model_files(
        "analysis_purchase_of_services.md",
        "analysis_weak_organisations.tex",
        "scenario_outcomes.csv",
        "conditions.md",
        f"phase.{FIG}",
        f"phase_purchase_of_services.{FIG}",
        f"time_series.{FIG}",
        f"time_series_purchase_of_services.{FIG}",
        f"sensitivity_s.{FIG}",
        "region_s_r.csv",
        f"region_s_r.{FIG}",
        "outcome_s.csv",
        f"outcome_s.{FIG}",
        "rest_points_s.csv",
        f"rest_points_s.{FIG}",
        "rest_points_r.csv",
        f"rest_points_r.{FIG}",
    ),
    "05_mechanism_overlap.py": _model_files(
        "analysis_trust_restored.md",
        "analysis_weak_coordination.tex",
        "scenario_outcomes.csv",
        "conditions.md",
        f"phase.{FIG}",
        f"phase_weak_coordination.{FIG}",
        f"time_series.{FIG}",
        f"sensitivity_h.{FIG}",
        "region_c_h.csv",
        f"region_c_h.{FIG}",
        f"basins.{FIG}",
        "basins_h.csv",
        f"basins_h.{FIG}",
        "basins_n_lmc.csv",
        "basins_c.csv",
        "continuation_c.csv",
        f"continuation_c.{FIG}",
    ),
    # gallery.py belongs to the figures engineer; its files are the images of docs/gallery.md.
    "gallery.py": sorted(
        set(re.findall(r"images/([\w.]+\.png)", (DOCS / "gallery.md").read_text()))
    ),
}


@dataclass(frozen=True)
class Run:
    script: str
    out: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _arguments(script: str, out: Path) -> list[str]:
    """``OUTDIR --quick``; gallery.py has no quick flag, and its full run is fast (about 9 s
    here), so it runs with its normal arguments."""
    args = [sys.executable, str(EXAMPLES / script), str(out)]
    if script == "gallery.py":
        help_text = subprocess.run(
            [sys.executable, str(EXAMPLES / script), "--help"],
            capture_output=True,
            text=True,
            env=_env(),
        ).stdout
        return args + (["--quick"] if "--quick" in help_text else [])
    return args + ["--quick"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each script's run, made the first time a test asks for it."""
    cache: dict[str, Run] = {}

    def get(script: str) -> Run:
        if script not in cache:
            out = tmp_path_factory.mktemp(script.removesuffix(".py"))
            t0 = time.perf_counter()
            proc = subprocess.run(
                _arguments(script, out),
                capture_output=True,
                text=True,
                env=_env(),
                cwd=tmp_path_factory.getbasetemp(),
                timeout=900,
            )
            cache[script] = Run(
                script,
                out,
                proc.returncode,
                proc.stdout,
                proc.stderr,
                time.perf_counter() - t0,
            )
        return cache[script]

    return get


def _number(run: Run, pattern: str) -> float:
    """The number captured by ``pattern`` (one group) in the script's stdout."""
    m = re.search(pattern, run.stdout)
    assert m, f"{run.script} printed nothing matching {pattern!r}:\n{run.stdout}"
    return float(m.group(1))


def _ok(run: Run) -> None:
    assert run.returncode == 0, f"{run.script} exited {run.returncode}:\n{run.stderr[-3000:]}"


def test_every_example_has_expectations():
    # A new script must say here what it writes.
    assert set(SCRIPTS) == set(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_script_runs_and_writes_its_files(runs, script):
    run = runs(script)
    _ok(run)
    for name in EXPECTED[script]:
        path = run.out / name
        assert path.is_file(), f"{script} did not write {name}"
        data = path.read_bytes()
        assert data, f"{script} wrote an empty {name}"
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
        if name.endswith(".csv"):
            assert len(data.decode().splitlines()) >= 2, f"{name}: a header and no rows"
        if name.endswith(".tex"):
            assert "\\" in data.decode(), name


# ------------------------------------------------------------------------- the numbers
@pytest.mark.slow
def test_quickstart_numbers(runs):
    run = runs("00_quickstart.py")
    _ok(run)
    # By hand from the payoff table in the script: the advantage of conserving is
    # p F (1 + y) - 1, so both conserve is stable for 2 p F > 1, both over-use for p F < 1.
    assert "conserve, conserve: stable if 2*F*p > 1" in run.stdout
    assert "overuse, overuse: stable if F*p < 1" in run.stdout
    # The bistable band 1/2 < p F < 1 of the 41 x 41 grid over [0, 1] x [0, 5], counted
    # independently here (strict inequalities, exact in rationals).
    from fractions import Fraction

    grid_p = [Fraction(i, 40) for i in range(41)]
    grid_f = [Fraction(5 * j, 40) for j in range(41)]
    band = sum(Fraction(1, 2) < p * f < 1 for p in grid_p for f in grid_f)
    assert _number(run, r"bistable share of the \(p, F\) grid: [\d.]+ \((\d+) of 1681\)") == band


# Tests named test_*_numbers check numbers with an independent source: a closed form or a
# threshold derived by hand on the model's page. Tests named test_snapshot_* check numbers that
# the model pages copied from the library's own output (simulations, sweeps, tables): they
# guard against unnoticed changes, they do not show the numbers are right.
@pytest.mark.slow
def test_water_use_numbers(runs):
    run = runs("01_water_use.py")
    _ok(run)
    # docs/models/water_use.md, W1 (derived by hand there): switches at p = 15/64 and 15/32.
    assert _number(run, r"threshold p = ([\d.]+): excessive, reasonable becomes stable") == 15 / 64
    assert _number(run, r"threshold p = ([\d.]+): reasonable, reasonable becomes stable") == 15 / 32
    # W5: both corners stable only for k > 3.
    assert _number(run, r"for k >= ([\d.]+) \(W5") > 3
    header = (run.out / "region_p_F.csv").read_text().splitlines()[0]
    assert header == "p,F,stable"


@pytest.mark.slow
def test_snapshot_water_use_numbers(runs):
    run = runs("01_water_use.py")
    _ok(run)
    # Snapshot of docs/models/water_use.md (the library's own output): W2 convergence times
    # 5.57, 1.93, 1.21, 0.89 for k = 1, 1.5, 2, 2.5 (the page also reports a solve_ivp
    # cross-check); W5 basin shares 0.7100 / 0.2900 and median 14.2 on the 10x10 grid.
    assert "k = 1: 5.57, k = 1.5: 1.93, k = 2: 1.21, k = 2.5: 0.89" in run.stdout
    assert _number(run, r"share reasonable, reasonable: ([\d.]+)") == pytest.approx(0.71)
    assert _number(run, r"share excessive, excessive: ([\d.]+)") == pytest.approx(0.29)
    assert _number(run, r"median convergence time: ([\d.]+)") == pytest.approx(14.2)


@pytest.mark.slow
def test_water_use_lmc_numbers(runs):
    run = runs("02_water_use_lmc.py")
    _ok(run)
    # docs/models/water_use_lmc.md: (reasonable, reasonable, strict) is stable exactly when
    # G_m > C_m = 3 (the eigenvalue C_m - G_m of the secretariat's direction).
    g_m = _number(run, r"threshold G_m = ([\d.]+): reasonable, reasonable, strict becomes stable")
    assert g_m == pytest.approx(3, abs=1e-9)
    assert "reasonable, reasonable, strict: C_m < G_m" in run.stdout


@pytest.mark.slow
def test_snapshot_water_use_lmc_numbers(runs):
    run = runs("02_water_use_lmc.py")
    _ok(run)
    # Snapshot of docs/models/water_use_lmc.md (the library's own output): the trajectory
    # from (0.5, 0.5, 0.5) at t = 10 and 20; under real_power over the 27 starts of
    # --starts 3, at G_m = 4 all reach (reasonable, reasonable, strict) (median 4.2), at
    # G_m = 1 none of them converges (0.963 before the passage rule of
    # docs/explanation/convergence.md: one start passing by a saddle counted as converged).
    assert "t = 10: 0.303, 1.0000, 0.645" in run.stdout
    assert "t = 20: 0.283, 1.0000, 0.552" in run.stdout
    assert _number(run, r"G_m = 4: share reasonable, reasonable, strict ([\d.]+)") == 1.0
    assert _number(run, r"G_m = 4: .*median time ([\d.]+)") == pytest.approx(4.2)
    assert _number(run, r"G_m = 1: .*not converged ([\d.]+)") == pytest.approx(1.0)


@pytest.mark.slow
def test_central_local_numbers(runs):
    run = runs("03_central_local.py")
    _ok(run)
    # docs/models/central_local.md, C2: (faithful, strict) is stable exactly for G_s > 5; the
    # sweep of 101 points finds it from the first grid value above 5.
    assert _number(run, r"threshold G_s = ([\d.]+): faithful, strict becomes stable") == 5
    assert "faithful, strict: G_s > 5" in run.stdout
    assert _number(run, r"faithful, strict stable for G_s in \[([\d.]+),") == pytest.approx(5.1)
    # docs/models/central_local_dynamic.md, C3, derived by hand there: the interior attractor
    # x* = 13/10 - sqrt(161)/20, y* = (109 + 102 sqrt(161))/1481; regimes switch at
    # P_max = 6.25 and 6.25 * 14.6 / 5 = 18.25.
    x_star = 13 / 10 - 161**0.5 / 20
    y_star = (109 + 102 * 161**0.5) / 1481
    assert f"stable at x* = {x_star:.4f}, y* = {y_star:.4f}" in run.stdout
    p1 = _number(run, r"threshold P_max = ([\d.]+): faithful\+distorted, strict becomes stable")
    p2 = _number(
        run, r"threshold P_max = ([\d.]+): faithful\+distorted, strict\+lax becomes stable"
    )
    assert (p1, p2) == (pytest.approx(6.25, abs=1e-9), pytest.approx(6.25 * 14.6 / 5, abs=1e-9))
    assert "P_max = 18.5: faithful+distorted, strict+lax" in run.stdout
    assert "Selten 1980" in run.stdout


@pytest.mark.slow
def test_snapshot_central_local_numbers(runs):
    run = runs("03_central_local.py")
    _ok(run)
    # Snapshot of docs/models/central_local.md and central_local_dynamic.md (the library's own
    # output): the orbit from (0.5, 0.5) swings between x = 0.40 and 0.90 and H drifts by at
    # most 1.9e-6 with RK4 at dt = 0.01; all 64 starts of --starts 8 reach the attractor.
    assert "x swings between 0.40 and 0.90" in run.stdout
    assert _number(run, r"H drifts by ([\d.e+-]+)") < 1.9e-6
    assert "64 of 64 starts reach the interior attractor" in run.stdout


@pytest.mark.slow
def test_central_local_social_numbers(runs):
    run = runs("04_central_local_social.py")
    _ok(run)
    # docs/models/central_local_social.md, S2 (derived there): (faithful, lax, participate)
    # stable exactly for s > C_p = 1 and r > 0.525.
    assert _number(run, r"threshold s = ([\d.]+): faithful, lax, participate") == pytest.approx(1)
    r = _number(run, r"threshold r = ([\d.]+): faithful, lax, participate")
    assert r == pytest.approx(0.525, abs=1e-9)


@pytest.mark.slow
def test_snapshot_central_local_social_numbers(runs):
    run = runs("04_central_local_social.py")
    _ok(run)
    # Snapshot of docs/models/central_local_social.md (the library's own output): S1, of the
    # 216 starts of --starts 6, 194 end cycling on z = 0 and 22 on y = 0; S2's eigenvalues
    # under purchase_of_services; S3, the scenario table.
    assert "216 starts to t = 300: 194 cycle on z = 0" in run.stdout
    assert "22 on y = 0" in run.stdout
    assert "eigenvalues [-5.0, -1.0, -0.6]" in run.stdout
    assert "accountability: faithful, strict, stay_out | faithful, strict, stay_out 100.0%" in (
        run.stdout
    )


@pytest.mark.slow
def test_mechanism_overlap_numbers(runs):
    run = runs("05_mechanism_overlap.py")
    _ok(run)
    # docs/models/mechanism_overlap.md: the stability changes along c are where c + o = 79 w
    # (Japan-Mekong) and c + o = 94 w + h (the LMC), with o = 1, w = 0.05, h = 1.
    o, w, h = 1, 0.05, 1
    japan = _number(run, r"threshold c = ([\d.]+): japan_mekong becomes stable")
    lmc = _number(run, r"threshold c = ([\d.]+): lmc becomes stable")
    assert japan == pytest.approx(79 * w - o, abs=1e-9)
    assert lmc == pytest.approx(94 * w + h - o, abs=1e-9)
    assert "lmc: (h + 15*w < c + o) & (h + 94*w < c + o)" in run.stdout


@pytest.mark.slow
def test_snapshot_mechanism_overlap_numbers(runs):
    run = runs("05_mechanism_overlap.py")
    _ok(run)
    # Snapshot of docs/models/mechanism_overlap.md: over the 820 starts of --starts 40 the
    # LMC's basin along h = 2, 1.5, 1, 0.5, 0 and the shares at the defaults. (The counts
    # behind them, 40/56/71/87/109 and 71/589/160 of 820, are checked against an independent
    # scipy integration in tests/models/test_mechanism_overlap.py; the weak_coordination
    # share is the library's own.)
    assert "share lmc: 2: 4.9%, 1.5: 6.8%, 1: 8.7%, 0.5: 10.6%, 0: 13.3%" in run.stdout
    assert "defaults: lmc; us_mekong; japan_mekong | lmc 8.7%, us_mekong 71.8%, " in run.stdout
    assert "weak_coordination: us_mekong; japan_mekong | us_mekong 94.4%" in run.stdout


@pytest.mark.slow
def test_gallery_prints_its_files(runs):
    # The gallery prints the files it wrote, one per line.
    run = runs("gallery.py")
    _ok(run)
    printed = {Path(line).name for line in run.stdout.splitlines() if line.strip()}
    assert set(EXPECTED["gallery.py"]) <= printed


@pytest.mark.slow
def test_snapshot_robustness_section_of_water_use():
    # docs/models/water_use.md, "Does the conclusion survive?": the section is the script's
    # output verbatim (a snapshot of the library's numbers, not an independent check; the
    # numbers themselves are tested in tests/test_dynamics_*.py, test_finite*.py and
    # test_stochastic*.py).
    import importlib.util

    spec = importlib.util.spec_from_file_location("robustness", EXAMPLES / "06_robustness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (DOCS / "models" / "water_use.md").read_text(encoding="utf-8")
    shown = page.split(module.BEGIN, 1)[1].split(module.END, 1)[0].strip()
    assert shown == module.section("water_use", quick=False).strip()

"""The command line on hostile input (issue 10 §2): every failure is one line on stderr,
``lmc-games: error: ...``, exit status 2, found before any work; never an internal error."""

from __future__ import annotations

import json
import os

import pytest

from lmc_games.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _assert_one_line_error(rc: int, err: str, match: str) -> None:
    assert rc == 2, err
    lines = [ln for ln in err.splitlines() if not ln.startswith("lmc-games: warning:")]
    assert len(lines) == 1, err
    assert lines[0].startswith("lmc-games: error: "), err
    assert "internal error" not in err
    assert match in lines[0], lines[0]


def _model(tmp_path, entry: str, params: str = "p = {value = 0.5}", name: str = "m.toml"):
    """A two-population 2x2 model whose first payoff is ``entry``."""
    path = tmp_path / name
    path.write_text(
        f"""[model]
name = "m"
[[population]]
name = "a"
strategies = ["s", "t"]
share = "x"
[[population]]
name = "b"
strategies = ["u", "v"]
share = "y"
[parameters]
{params}
[payoffs]
"s, u" = ["{entry}", "{entry}"]
"s, v" = ["0", "0"]
"t, u" = ["0", "0"]
"t, v" = ["1", "1"]
""",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------- sizes, up front
@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--t-end", "nan"], "--t-end must be a finite positive number"),
        (["--t-end", "inf"], "--t-end must be a finite positive number"),
        (["--t-end", "-1"], "--t-end must be a finite positive number"),
        (["--t-end", "1e9"], "use a larger --dt or a smaller --t-end"),
        (["--dt", "1e-9"], "use a larger --dt or a smaller --t-end"),
        (["--dt", "nan"], "--dt must be a finite positive number"),
        (["--eps", "inf"], "--eps must be a finite positive number"),
        (["--starts", "100000"], "use a smaller --starts"),
        (["--starts", "0"], "--starts must be a positive whole number"),
        (["--out", "t.txt"], "the file must end in .csv"),
        (["--t-end", "1e-300"], "shorter than the default output spacing"),
        (["--t-end", "0.01", "--dt", "0.05"], "shorter than one step --dt 0.05"),
    ],
)
def test_simulate_refuses_sizes_up_front(capsys, argv, match):
    rc, _, err = _run(capsys, "simulate", "water_use", *argv)
    _assert_one_line_error(rc, err, match)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--vary", "p=0:1:100000000"], "100,000,000 parameter points"),
        (["--vary", "p=0:1:3000", "--vary", "F=0:1:4000"], "12,000,000 parameter points"),
        (["--vary", "p=0:1:3", "--measure", "outcome", "--t-end", "nan"], "--t-end must be"),
        (["--vary", "p=0:1:3", "--measure", "outcome", "--dt", "1e-9"], "larger --dt"),
        (["--vary", "p=0:1:3", "--measure", "outcome", "--starts", "100000"], "smaller --starts"),
        (["--vary", "p=0:1:²"], "COUNT must be a positive whole number"),
        (["--vary", "p=-1e400:1:3"], "at most 1e308 in magnitude"),
    ],
)
def test_sweep_refuses_sizes_up_front(capsys, tmp_path, argv, match):
    rc, _, err = _run(capsys, "sweep", "water_use", *argv, "--out", tmp_path / "s.csv")
    _assert_one_line_error(rc, err, match)
    assert not (tmp_path / "s.csv").exists()


# --------------------------------------------------------------------- output paths
def test_output_paths_are_checked_before_the_work(capsys, tmp_path, monkeypatch):
    import lmc_games._sweep
    import lmc_games.plot

    def no_work(*args, **kwargs):
        raise AssertionError("the work started before the output path was checked")

    monkeypatch.setattr(lmc_games._sweep, "sweep", no_work)
    monkeypatch.setattr(lmc_games.plot, "phase_figure", no_work)
    missing = tmp_path / "missing"
    cases = [
        (["sweep", "water_use", "--vary", "p=0:1:3", "--out", missing / "s.csv"], "does not exist"),
        (["sweep", "water_use", "--vary", "p=0:1:3", "--out", tmp_path / "s.txt"], ".csv or .npz"),
        (
            [
                "sweep",
                "water_use",
                "--vary",
                "p=0:1:3",
                "--out",
                tmp_path / "s.csv",
                "--plot",
                missing / "f.png",
            ],
            "does not exist",
        ),
        (["phase", "water_use", "--out", missing / "f.png"], "does not exist"),
        (["phase", "water_use", "--out", tmp_path / "f.txt"], ".pdf, .svg or .png"),
        (["simulate", "water_use", "--out", missing / "t.csv"], "does not exist"),
        (["simulate", "water_use", "--plot", missing / "t.png"], "does not exist"),
        (["report", "water_use", "--out", missing / "deeper" / "rep"], "does not exist"),
    ]
    for argv, match in cases:
        rc, _, err = _run(capsys, *argv)
        _assert_one_line_error(rc, err, match)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder(capsys, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        rc, _, err = _run(capsys, "simulate", "hawk_dove", "--out", ro / "t.csv")
        _assert_one_line_error(rc, err, "not writable")
    finally:
        ro.chmod(0o755)


def test_report_asks_for_force_before_overwriting_a_users_files(capsys, tmp_path):
    mine = tmp_path / "paper"
    mine.mkdir()
    (mine / "report.md").write_text("my own notes\n")
    rc, _, err = _run(capsys, "report", "hawk_dove", "--out", mine, "--no-figures", "--pdf", "no")
    _assert_one_line_error(rc, err, "--force")
    assert (mine / "report.md").read_text() == "my own notes\n"

    rc, _, err = _run(
        capsys, "report", "hawk_dove", "--out", mine, "--no-figures", "--pdf", "no", "--force"
    )
    assert rc == 0, err
    assert (mine / "provenance.json").exists()
    # A folder the library wrote before (it has provenance.json) is rewritten without --force.
    rc, _, err = _run(capsys, "report", "hawk_dove", "--out", mine, "--no-figures", "--pdf", "no")
    assert rc == 0, err


# --------------------------------------------------------------------- hostile model files
@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ("exp(exp(exp(1000)))", "larger than 1e300"),
        ("2**13000", "larger than 1e300"),
        ("1e400", "larger than 1e300"),
        ("sqrt(p - 1)", "not a real number"),
    ],
)
@pytest.mark.parametrize("command", ["analyze", "simulate", "show"])
def test_hostile_numbers_give_one_line(capsys, tmp_path, entry, match, command):
    rc, _, err = _run(capsys, command, _model(tmp_path, entry))
    _assert_one_line_error(rc, err, match)


def test_set_huge_value_gives_one_line(capsys):
    rc, _, err = _run(capsys, "analyze", "hawk_dove", "--set", "V=1e400")
    _assert_one_line_error(rc, err, "parameter V")


def test_transcendental_constant_of_a_parameter_is_a_constant(capsys, tmp_path):
    # exp(p) with p = 1/2: the interior point (1/(1 + e^(1/2)) in both shares) has the
    # eigenvalues +-sqrt(e^(1/2))/(1 + e^(1/2)): a saddle, decided exactly.
    rc, out, err = _run(capsys, "analyze", _model(tmp_path, "exp(p)"), "--format", "json")
    assert rc == 0, err
    points = {r["label"]: r for r in json.loads(out)["rest_points"]}
    assert points["s+t, u+v"]["stability"] == "saddle"
    assert points["s, u"]["stability"] == "stable"
    assert points["t, v"]["stability"] == "stable"


def test_nested_irrational_powers_finish_with_a_verdict(capsys, tmp_path):
    # p**0.5**0.5**0.5 = p**(2**(-1/sqrt(2))) is transcendental (Gelfond-Schneider): sympy's
    # primitive_element used to run for minutes on it; it is now decided from the Routh array.
    rc, out, err = _run(capsys, "analyze", _model(tmp_path, "p**0.5**0.5**0.5"), "--format", "json")
    assert rc == 0, err
    points = {r["label"]: r for r in json.loads(out)["rest_points"]}
    assert points["s+t, u+v"]["stability"] == "saddle"


def test_payoff_undefined_at_a_corner(capsys, tmp_path):
    rc, out, err = _run(capsys, "analyze", _model(tmp_path, "1/x + 1"), "--format", "json")
    assert rc == 0, err
    labels = {r["label"] for r in json.loads(out)["rest_points"]}
    assert "t, u" not in labels and "t, v" not in labels  # 1/x at x = 0
    assert "not defined at the point" in err


# Found by tools/fuzz_cli.py: with payoffs of 1e210 the RK4 refinement factor overflowed a C
# long in cf.rk4(..., nsteps * refine, ...) when phase drew trajectories; simulate now checks
# the refined step count against its budget first.
def test_phase_with_huge_payoffs_is_not_an_internal_error(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    rc, _, err = _run(capsys, "phase", _model(tmp_path, "1e210"), "--out", tmp_path / "f.png")
    assert "internal error" not in err
    assert rc in (0, 2)

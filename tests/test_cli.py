"""The command line against its contract (DESIGN section 4).

Most tests call :func:`lmc_games.cli.main` in-process (fast, with capsys); one runs
``python -m lmc_games`` for real to check exit statuses as a shell sees them.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lmc_games.cli import main

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(p.stem for p in (ROOT / "models").glob("*.toml"))
FORMATS = ("text", "json", "latex", "markdown")

REQUIRED_TOP = ("model", "parameters", "populations", "inert_parameters", "rest_points", "continua")
REQUIRED_POINT = (
    "label",
    "state",
    "eigenvalues",
    "stability",
    "asymptotically_stable",
    "nash",
    "strict_nash",
    "ess",
    "exists_if",
    "stable_if",
)
VERDICTS = {"stable", "unstable", "saddle", "centre", "non-hyperbolic"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(obj: dict, *, symbolic: bool) -> None:
    for key in REQUIRED_TOP:
        assert key in obj, key
    for value in obj["parameters"].values():
        assert value is None if symbolic else isinstance(value, float)
    for pop in obj["populations"]:
        assert set(pop) >= {"name", "strategies", "share"}
    pure = math.prod(len(p["strategies"]) for p in obj["populations"])
    labels = [rp["label"] for rp in obj["rest_points"]]
    assert len(labels) == len(set(labels))
    assert sum("+" not in label for label in labels) == pure  # every pure profile is listed
    for rp in obj["rest_points"]:
        for key in REQUIRED_POINT:
            assert key in rp, key
        assert rp["stability"] in VERDICTS or (symbolic and rp["stability"] is None)
        assert isinstance(rp["asymptotically_stable"], bool)
        assert isinstance(rp["exists_if"], str) and isinstance(rp["stable_if"], str)
        for shares in rp["state"].values():
            for v in shares.values():
                assert isinstance(v, str) if symbolic else isinstance(v, float)
        if not symbolic:
            for ev in rp["eigenvalues"]:
                assert len(ev) == 2 and all(isinstance(p, float) for p in ev)
    for c in obj["continua"]:
        assert set(c) >= {"face", "dimension", "points", "stability", "description"}


# --------------------------------------------------------------------- the bundled models
def test_bundled_models_are_the_expected_ones():
    assert set(BUNDLED) >= {
        "hawk_dove",
        "prisoners_dilemma",
        "rock_paper_scissors",
        "matching_pennies",
        "inspection",
        "hawk_dove_roles",
        "water_use",
        "water_use_lmc",
        "central_local",
        "central_local_dynamic",
        "central_local_social",
        "mechanism_overlap",
    }


def test_models_lists_each_with_its_title(capsys):
    code, out, err = run(capsys, "models")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == BUNDLED
    assert all(len(line.split(None, 1)) == 2 for line in lines)  # a title after each name
    assert any(line.startswith("matching_pennies") and "Matching pennies" in line for line in lines)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model", BUNDLED)
def test_show_every_model(capsys, model, fmt):
    code, out, err = run(capsys, "show", model, "--format", fmt)
    assert code == 0, err
    assert out.strip()
    if fmt == "json":
        obj = json.loads(out)
        assert obj["model"] == model
        assert obj["equations"] and obj["payoffs"]
    elif fmt == "latex":
        assert r"\toprule" in out and r"\begin{align*}" in out
    elif fmt == "markdown":
        assert out.startswith("# ")
    else:
        assert "Replicator equations" in out and "Payoffs" in out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model", BUNDLED)
def test_analyze_every_model(capsys, model, fmt):
    code, out, err = run(capsys, "analyze", model, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        obj = json.loads(out)  # exactly one JSON object on stdout
        assert obj["model"] == model
        check_json(obj, symbolic=False)
    elif fmt == "latex":
        assert out.count(r"\toprule") == out.count(r"\bottomrule") >= 1
    elif fmt == "markdown":
        assert "## Rest points" in out
    else:
        assert "Rest points" in out


@pytest.mark.parametrize("model", BUNDLED)
def test_analyze_symbolic_json(capsys, model):
    code, out, err = run(capsys, "analyze", model, "--symbolic", "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    assert all(v is None for v in obj["parameters"].values())
    check_json(obj, symbolic=True)


def test_analyze_literature_values(capsys):
    """Hawk-dove: the interior ESS at x* = V/C (Maynard Smith 1982); matching pennies: a centre
    with eigenvalues ±i·a (Hofbauer & Sigmund 1998, §10.2)."""
    code, out, _ = run(capsys, "analyze", "hawk_dove", "--format", "json")
    assert code == 0
    mixed = {rp["label"]: rp for rp in json.loads(out)["rest_points"]}["hawk+dove"]
    assert mixed["state"]["animals"]["hawk"] == pytest.approx(2 / 3)
    assert mixed["stability"] == "stable" and mixed["ess"] is True
    code, out, _ = run(
        capsys, "analyze", "matching_pennies", "--scenario", "high_stakes", "--format", "json"
    )
    assert code == 0
    obj = json.loads(out)
    assert obj["scenario"] == "high_stakes" and obj["parameters"]["a"] == 3.0
    inner = obj["rest_points"][-1]
    assert inner["stability"] == "centre"
    assert sorted(inner["eigenvalues"]) == [[0.0, -3.0], [0.0, 3.0]]


def test_set_is_exact_and_applied_after_the_scenario(capsys):
    code, out, err = run(
        capsys,
        "analyze",
        "hawk_dove",
        "--scenario",
        "costly_fights",
        "--set",
        "V=1/3",
        "--format",
        "json",
    )
    assert code == 0, err
    obj = json.loads(out)
    assert obj["parameters"] == {"V": pytest.approx(1 / 3), "C": 8.0}
    assert obj["parameters_exact"]["V"] == "1/3"
    mixed = {rp["label"]: rp for rp in obj["rest_points"]}["hawk+dove"]
    assert mixed["state_exact"]["animals"]["hawk"] == "1/24"  # V/C, exactly
    code, out, _ = run(capsys, "show", "inspection", "--set", "c=-0.5e0", "--format", "json")
    assert code == 2  # below its minimum 0
    code, out, _ = run(capsys, "show", "inspection", "--set", "c=2.5e-1", "--format", "json")
    assert code == 0 and json.loads(out)["parameters"]["c"]["value"] == 0.25


def test_json_notes_go_to_stderr(capsys, tmp_path):
    # Payoffs with max() of the shares need a numeric face search, which adds a note: it must
    # go to stderr, and stdout must be a single JSON object and nothing else.
    model = tmp_path / "kinked.toml"
    model.write_text(
        '[model]\nname = "kinked"\n[[population]]\nname = "pop"\nstrategies = ["A", "B"]\n'
        'share = "x"\n[payoffs]\n"A" = ["max(x, 1 - x) - 3/4"]\n"B" = [0]\n'
    )
    code, out, err = run(capsys, "analyze", str(model), "--format", "json")
    assert code == 0
    assert json.loads(out)["model"] == "kinked"
    lines = err.splitlines()
    assert lines and all(line.startswith("lmc-games: note: ") for line in lines)
    assert any("numeric search" in line for line in lines)


def test_help_exits_zero(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "analyze" in out
    code, out, _ = run(capsys, "analyze", "--help")
    assert code == 0 and "--symbolic" in out


# --------------------------------------------------------------------- errors: one line, 2
BAD_TOML = """
[model]
name = "broken"

[[population]]
name = "p"
strategies = ["a", "b"]

[payoffs]
"a, a" = "1 +"
"""

MISSING_PROFILE = """
[model]
name = "short"
symmetric = true

[[population]]
name = "p"
strategies = ["a", "b"]

[payoffs]
"a, a" = 1
"""


def _errors(tmp_path: Path) -> list[list[str]]:
    bad = tmp_path / "broken.toml"
    bad.write_text(BAD_TOML)
    short = tmp_path / "short.toml"
    short.write_text(MISSING_PROFILE)
    notoml = tmp_path / "notoml.toml"
    notoml.write_text("[model\nname = ")
    return [
        [],
        ["show"],
        ["analyze"],
        ["nonsense-command"],
        ["analyze", "hawk_dove", "--format", "xml"],
        ["analyze", "hawk_dove", "--no-such-option"],
        ["show", "hawk_dove", "--set", "nope=1"],
        ["show", "hawk_dove", "--set", "V=abc"],
        ["show", "hawk_dove", "--set", "V"],
        ["show", "hawk_dove", "--set", "=2"],
        ["show", "hawk_dove", "--set", "V=1/0"],
        ["show", "hawk_dove", "--set", "V=-1"],
        ["analyze", "no_such_model"],
        ["analyze", "hawk_dove", "--scenario", "no_such_scenario"],
        ["analyze", str(tmp_path / "does_not_exist.toml")],
        ["analyze", str(tmp_path / "nowhere") + "/"],
        ["analyze", str(bad)],
        ["show", str(short)],
        ["show", str(notoml)],
    ]


def test_errors_are_one_line_and_exit_2(capsys, tmp_path):
    for argv in _errors(tmp_path):
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert out == "", argv
        lines = err.splitlines()
        assert len(lines) == 1 and err.endswith("\n"), (argv, err)
        assert lines[0].startswith("lmc-games: error: "), (argv, err)
        assert "Traceback" not in err


def test_error_messages_say_what_is_wrong(capsys, tmp_path):
    _, _, err = run(capsys, "show", "hawk_dove", "--set", "nope=1")
    assert "nope" in err
    _, _, err = run(capsys, "show", "hawk_dove", "--set", "V=abc")
    assert "V=abc" in err
    _, _, err = run(capsys, "analyze", "hawk_dove", "--scenario", "no_such_scenario")
    assert "no_such_scenario" in err and "costly_fights" in err
    _, _, err = run(capsys, "analyze", "no_such_model")
    assert "no_such_model" in err and "hawk_dove" in err
    path = tmp_path / "broken.toml"
    path.write_text(BAD_TOML)
    _, _, err = run(capsys, "analyze", str(path))
    assert "broken.toml" in err


# --------------------------------------------------------------------- a real process
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("LMC_GAMES_DEBUG", None)
    return env


def test_python_m_lmc_games(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "lmc_games", "analyze", "matching_pennies", "--format", "json"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["model"] == "matching_pennies"
    bad = subprocess.run(
        [sys.executable, "-m", "lmc_games", "analyze", "hawk_dove", "--set", "p=abc"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=300,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and bad.stderr.startswith("lmc-games: error: ")


def test_warnings_are_one_line_on_stderr(capsys, monkeypatch):
    import warnings

    from lmc_games import cli

    def noisy(args):
        warnings.warn("first line\nsecond line", UserWarning, stacklevel=1)
        print("output")
        return 0

    monkeypatch.setattr(cli, "_cmd_models", noisy)
    code, out, err = run(capsys, "models")
    assert code == 0 and out == "output\n"
    assert err == "lmc-games: warning: first line second line\n"


def test_internal_errors_are_one_line_too(capsys, monkeypatch):
    from lmc_games import cli

    def broken(args):
        raise RuntimeError("something\ninside broke")

    monkeypatch.setattr(cli, "_cmd_models", broken)
    monkeypatch.delenv("LMC_GAMES_DEBUG", raising=False)
    code, out, err = run(capsys, "models")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "RuntimeError: something inside broke" in err


# --------------------------------------------------------------------- simulate
def test_simulate_json_reports_reached_rest_points_and_times(capsys):
    """hawk_dove_roles from off-diagonal starts reaches a convention (Selten 1980); the
    interior saddle is reached only from the diagonal, its stable manifold."""
    assert (
        main(
            [
                "simulate",
                "hawk_dove_roles",
                "--init",
                "0.3,0.6",
                "--init",
                "0.5,0.5",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"model", "dynamics", "parameters", "trajectories"}
    first, diagonal = out["trajectories"]
    assert first["init"] == [0.3, 0.6] and first["reached"] == "dove, hawk"
    assert first["final"]["owner"]["dove"] > 0.999
    assert isinstance(first["convergence_time"], float) and 0 < first["convergence_time"] < 100
    assert diagonal["reached"] == "hawk+dove, hawk+dove"


def test_simulate_centre_is_never_converged(capsys):
    assert main(["simulate", "matching_pennies", "--init", "0.3,0.3", "--format", "json"]) == 0
    (tr,) = json.loads(capsys.readouterr().out)["trajectories"]
    assert tr["reached"] is None and tr["convergence_time"] is None


def test_simulate_grid_csv_and_provenance(tmp_path, capsys):
    out = tmp_path / "s.csv"
    argv = ["simulate", "hawk_dove", "--starts", "4", "--t-end", "60", "--out", str(out)]
    assert main(argv) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "start,point,V,C,t,x"
    assert len(lines) == 1 + 4 * 1201  # 4 starts, t = 0, 0.05, ..., 60
    prov = json.loads((tmp_path / "s.csv.provenance.json").read_text())
    assert prov["model"] == "hawk_dove" and prov["t_end"] == 60.0
    text = capsys.readouterr().out
    assert text.count("hawk+dove") == 4  # every start reaches the mixed ESS x* = V/C


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "hawk_dove", "--init", "0.3,0.2"],
        ["simulate", "hawk_dove", "--init", "abc"],
        ["simulate", "hawk_dove", "--init", "1.5"],
        ["simulate", "hawk_dove", "--t-end", "-1"],
    ],
)
def test_simulate_bad_input_is_one_line_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lmc-games: error:")

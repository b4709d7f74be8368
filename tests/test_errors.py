"""Library errors (issue 10 §2): every failure is a LmcGamesError subclass that says what to
change, raised before any work; every exception class lives in lmc_games._errors."""

from __future__ import annotations

import importlib
import inspect
import math
import os
import pkgutil

import pytest
import sympy

import lmc_games
from lmc_games import Game, analyze, load_model
from lmc_games._errors import (
    GameError,
    LimitError,
    LmcGamesError,
    OutputError,
    UndecidedError,
)
from lmc_games._limits import (
    check_numbers,
    check_output_dir,
    check_output_file,
    check_points,
    check_simulation,
    check_starts,
    check_time,
    count_starts,
    limit,
)

# --------------------------------------------------------------------- where classes live
# Classes in modules owned by other engineers, to be moved by them (issue 10 §2): remove each
# name from this set when its class moves. The test fails when a new one appears elsewhere.
_NOT_YET_MOVED: set[str] = set()


def _package_classes():
    for info in pkgutil.walk_packages(lmc_games.__path__, "lmc_games."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (numba, dask) is missing
            continue
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                yield name, obj


def test_every_public_exception_class_lives_in_errors():
    stray = {
        f"{obj.__module__}.{name}"
        for name, obj in _package_classes()
        if not name.startswith("_")
        and name not in _NOT_YET_MOVED
        and obj.__module__ != "lmc_games._errors"
    }
    assert stray == set()


def test_moved_classes_are_still_importable_from_their_old_homes():
    import lmc_games._errors as errors
    from lmc_games._equilibria import UnsolvedFace
    from lmc_games._exact import UndecidedError as fromexact
    from lmc_games.cli import CommandError
    from lmc_games.plot import PlotWarning

    assert fromexact is errors.UndecidedError
    assert CommandError is errors.CommandError and issubclass(CommandError, LmcGamesError)
    assert PlotWarning is errors.PlotWarning
    assert UnsolvedFace is errors.UnsolvedFace


# --------------------------------------------------------------------- limits
@pytest.mark.parametrize("t_end", [math.nan, math.inf, -1.0, 0.0, "x"])
def test_check_time_refuses_non_finite_or_non_positive(t_end):
    with pytest.raises(LimitError, match="t_end must be"):
        check_time(t_end, 0.05)


@pytest.mark.parametrize(("t_end", "dt"), [(1e9, 0.05), (100, 1e-9)])
def test_check_time_refuses_too_many_steps_and_says_what_to_change(t_end, dt):
    with pytest.raises(LimitError, match="larger dt or a smaller t_end.*LMC_GAMES_MAX_STEPS"):
        check_time(t_end, dt)


def test_steps_limit_can_be_raised(monkeypatch):
    monkeypatch.setenv("LMC_GAMES_MAX_STEPS", str(10**12))
    assert check_time(1e9, 0.05) == 2 * 10**10
    monkeypatch.setenv("LMC_GAMES_MAX_STEPS", "lots")
    with pytest.raises(LimitError, match="whole number"):
        check_time(100, 0.05)


def test_count_starts_matches_the_grid_of_design_4():
    from lmc_games._simulate import starts_grid

    for name in ("water_use", "rock_paper_scissors", "hawk_dove"):
        game = load_model(name)
        for n in (1, 2, 5):
            assert count_starts([p.k for p in game.populations], n) == len(starts_grid(game, n))


def test_check_starts_refuses_huge_grids_before_building_them():
    game = load_model("water_use")
    assert check_starts(game, 4) == 16
    with pytest.raises(LimitError, match="10,000,000,000 starts.*smaller starts"):
        check_starts(game, 100_000)
    for bad in (0, -3, 2.5, math.nan, "3", True):
        with pytest.raises(LimitError, match="positive whole number"):
            check_starts(game, bad)


def test_check_points_and_memory():
    assert check_points([100, 100]) == 10_000
    with pytest.raises(LimitError, match="100,000,000 parameter points"):
        check_points([100_000_000])
    with pytest.raises(LimitError, match="memory"):
        check_simulation(10**5, 10, 4, 100, 0.05)


def test_memory_limit_accepts_units(monkeypatch):
    monkeypatch.setenv("LMC_GAMES_MAX_MEMORY", "8G")
    assert limit("memory") == 8 * 1024**3


# --------------------------------------------------------------------- numbers
def _bimatrix(entry: str) -> Game:
    return Game.bimatrix([[entry, 0], [0, 1]], [[1, 0], [0, 1]])


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ("exp(exp(exp(1000)))", "larger than 1e300"),
        ("exp(1000)", "larger than 1e300"),
        ("2**13000", "larger than 1e300"),
        ("3**(-1000)", "more than 400 digits"),
        ("1e400", "larger than 1e300"),
        ("10**300*10**5", "larger than 1e300"),
    ],
)
def test_numbers_too_large_are_refused_by_analyze(entry, match):
    with pytest.raises(LimitError, match=match):
        analyze(_bimatrix(entry))


def test_numbers_at_the_edge_are_accepted():
    check_numbers(_bimatrix("1e299"))
    check_numbers(_bimatrix("exp(690)"))
    check_numbers(_bimatrix("exp(-100000)"))  # tiny is harmless


def test_complex_payoff_at_the_values_is_a_game_error():
    g = Game.bimatrix([["sqrt(p - 2)", 0], [0, 1]], [[1, 0], [0, 1]], parameters={"p": 1})
    with pytest.raises(GameError, match="not a real number"):
        analyze(g)
    g = Game.bimatrix([["min(sqrt(p - 2), 1)", 0], [0, 1]], [[1, 0], [0, 1]], parameters={"p": 1})
    with pytest.raises(LmcGamesError):
        analyze(g)


def test_parameter_value_too_large():
    g = Game.bimatrix([["p", 0], [0, 1]], [[1, 0], [0, 1]], parameters={"p": 1})
    with pytest.raises(LimitError, match="parameter p"):
        check_numbers(g.with_values(p=sympy.Integer(10) ** 500))


# --------------------------------------------------------------------- outputs
def test_check_output_file(tmp_path):
    check_output_file(tmp_path / "a.csv", "--out", (".csv",))
    with pytest.raises(OutputError, match="must end in .csv"):
        check_output_file(tmp_path / "a.txt", "--out", (".csv",))
    with pytest.raises(OutputError, match="does not exist"):
        check_output_file(tmp_path / "missing" / "a.csv", "--out", (".csv",))
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        check_output_file(tmp_path / "d.csv", "--out", (".csv",))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_check_output_file_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            check_output_file(ro / "a.csv", "--out", (".csv",))
        with pytest.raises(OutputError, match="not writable"):
            check_output_dir(ro / "report", "--out")
    finally:
        ro.chmod(0o755)


def test_check_output_dir_protects_a_users_files(tmp_path):
    check_output_dir(tmp_path / "new", "--out")  # created later by the writer
    check_output_dir(tmp_path, "--out")  # empty
    (tmp_path / "report.md").write_text("my own notes")
    with pytest.raises(OutputError, match="--force"):
        check_output_dir(tmp_path, "--out")
    check_output_dir(tmp_path, "--out", force=True)
    (tmp_path / "provenance.json").write_text("{}")  # the library wrote this folder
    check_output_dir(tmp_path, "--out")
    with pytest.raises(OutputError, match="is a file"):
        check_output_dir(tmp_path / "report.md", "--out")


# --------------------------------------------------------------------- exact work
def test_undecided_is_a_library_error():
    assert issubclass(UndecidedError, LmcGamesError)
    assert issubclass(UndecidedError, ArithmeticError)


def test_payoff_of_very_high_degree_in_the_shares_is_refused_before_exact_work():
    # (1 + x)**1000 ran for many minutes in the exact analysis.
    g = Game.bimatrix([["(1 + x)**1000", 0], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(LimitError, match="degree 1000 in the shares.*LMC_GAMES_MAX_DEGREE"):
        analyze(g)

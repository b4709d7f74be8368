"""Model files: games written as TOML, read into a :class:`~lmc_games.Game`.

The format is a contract (docs/model-files.md)::

    [model]
    name = "hawk_dove"                # identifier; a bundled model lives in models/NAME.toml
    title = "..."                     # optional, like everything not marked required
    description = "..."
    references = ["..."]
    symmetric = true                  # one population playing a symmetric pairwise game

    [[population]]                    # one table per population, in order
    name = "players"                  # required
    label = "Animals"
    strategies = ["hawk", "dove"]     # required
    share = "x"                       # k = 2: one symbol; k >= 3: a list of k symbols

    [parameters.V]
    value = 2                         # required; numbers only, read exactly (0.1 is 1/10)
    description = "value of the resource"
    min = 0
    latex = "V"

    [definitions]                     # helper expressions
    [payoffs]                         # required: one row per strategy profile
    [scenarios.NAME]                  # named parameter sets: only the changed values
    [claims.NAME]                     # claims about the model, for lmc-games check
                                      # (docs/claims.md)

Reading a model file never runs code and never opens another file: the TOML is data, numbers
are read as :class:`decimal.Decimal` and turned into exact rationals, and every formula goes
through the safe formula parser. Every problem is reported as a :class:`~lmc_games.ModelError`
whose message starts with the file and the key, e.g.
``models/x.toml, [model].titel: unknown key; did you mean 'title'?``.

Bundled models ship inside the package (``lmc_games/models/*.toml`` in a wheel) and are found
with :mod:`importlib.resources`; in an editable checkout, where the files stay in the
repository's top-level ``models/`` folder, that folder (next to the package directory) is used.
The current working directory is never searched.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import sympy

from ._errors import FormulaError, LmcGamesError, ModelError
from ._formula import exact_number
from ._game import Game
from ._params import Parameter

__all__ = ["load_model", "bundled_models", "model_path"]

_TOP_KEYS = (
    "model",
    "population",
    "parameters",
    "definitions",
    "payoffs",
    "scenarios",
    "claims",
)
_MODEL_KEYS = ("name", "title", "description", "references", "symmetric")
_POPULATION_KEYS = ("name", "label", "strategies", "share")
_PARAMETER_KEYS = ("value", "description", "min", "max", "latex")


class _ModelFormulaError(ModelError, FormulaError):
    """A formula in a model file was refused: both a ModelError and a FormulaError, so that
    code catching either (``except ModelError`` around :func:`load_model`) sees it."""


# --------------------------------------------------------------------- where the models are
def _repository_models_dir() -> Path | None:
    """``models/`` beside the package directory, in a source checkout (editable install).

    Only a directory that sits next to a ``pyproject.toml`` counts, so that an unrelated
    ``site-packages/models`` folder is never taken for ours.
    """
    root = Path(__file__).resolve().parent.parent
    candidate = root / "models"
    if candidate.is_dir() and (root / "pyproject.toml").is_file():
        return candidate
    return None


def _models_dir() -> Any:
    """The directory (a :class:`importlib.resources.abc.Traversable`) of the bundled models."""
    try:
        packaged = resources.files("lmc_games").joinpath("models")
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, OSError):  # pragma: no cover - lmc_games is importable here
        pass
    repo = _repository_models_dir()
    if repo is not None:
        return repo
    raise ModelError(  # pragma: no cover - only a broken installation gets here
        "the bundled models are missing: neither lmc_games/models in the installed package nor "
        "models/ in a source checkout was found; reinstall lmc-games"
    )


def _bundled_files() -> dict[str, Any]:
    return {
        entry.name[: -len(".toml")]: entry
        for entry in _models_dir().iterdir()
        if entry.name.endswith(".toml") and entry.name[: -len(".toml")].isidentifier()
    }


def bundled_models() -> list[str]:
    """The names of the models that ship with lmc_games, sorted.

    Returns
    -------
    list of str
        Names to pass to :func:`load_model` (or to ``lmc-games show NAME``).

    Examples
    --------
    >>> "hawk_dove" in bundled_models()
    True
    """
    return sorted(_bundled_files())


def model_path(name: str) -> Path:
    """The file of the bundled model called ``name``.

    Parameters
    ----------
    name : str
        A bundled model's name, e.g. ``"hawk_dove"``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ModelError
        If no bundled model has that name; the message lists those that exist.

    Examples
    --------
    >>> model_path("hawk_dove").name
    'hawk_dove.toml'
    """
    files = _bundled_files()
    if not isinstance(name, str) or name not in files:
        known = sorted(files)
        close = difflib.get_close_matches(str(name), known, n=3)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        raise ModelError(
            f"no bundled model called {name!r}. {hint}Bundled models: {', '.join(known)}. "
            "To load a file, give its path (ending in .toml)."
        )
    return Path(os.fspath(files[name]))


def _is_path(name_or_path: str | os.PathLike[str]) -> bool:
    if isinstance(name_or_path, os.PathLike):
        return True
    text = str(name_or_path)
    return text.endswith(".toml") or "/" in text or os.sep in text


# --------------------------------------------------------------------- loading
def load_model(
    name_or_path: str | os.PathLike[str],
    *,
    scenario: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> Game:
    """Read a model file into a :class:`~lmc_games.Game`.

    Parameters
    ----------
    name_or_path : str or path-like
        A path if it ends in ``.toml`` or contains ``/`` (or is a :class:`pathlib.Path`),
        otherwise the name of a bundled model (see :func:`bundled_models`).
    scenario : str, optional
        A scenario of the model to apply to the default values.
    values : mapping, optional
        Parameter values applied after the scenario: numbers, or strings such as ``"1/3"`` or
        ``"2.5e-1"``, taken exactly; bounds are checked.

    Returns
    -------
    Game
        Its ``source`` is the path as given, or ``models/NAME.toml`` for a bundled model.

    Raises
    ------
    ModelError
        The file is missing, is not valid TOML, or breaks the model-file format; the message
        names the file and the key. A refused formula raises an error that is both a
        ModelError and a FormulaError.
    ParameterError
        ``scenario`` or a name in ``values`` is unknown, or a value is out of bounds.

    Examples
    --------
    >>> load_model("hawk_dove").values["V"]
    2
    >>> load_model("hawk_dove", scenario="cheap_fights", values={"V": "1/2"}).values["C"]
    1
    >>> load_model("hawk_dove").source
    'models/hawk_dove.toml'
    """
    if _is_path(name_or_path):
        path = Path(name_or_path)
        source = os.fspath(name_or_path)
        bundled_name = None
    else:
        bundled_name = str(name_or_path)
        path = model_path(bundled_name)
        source = f"models/{bundled_name}.toml"
    data = _read_toml(path, source)
    game = _game_from_data(data, source)
    if bundled_name is not None and game.name != bundled_name:
        raise ModelError(
            f"{source}, [model].name: {game.name!r} differs from the file name {bundled_name!r}"
        )
    if scenario is not None:
        game = game.scenario(scenario)
    if values:
        game = game.with_values(values)
    return game


def _read_toml(path: Path, source: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f, parse_float=Decimal)
    except FileNotFoundError:
        hint = ""
        if path.suffix == ".toml" and path.stem in _bundled_files():
            hint = f"; for the bundled model, give its name alone: {path.stem}"
        raise ModelError(f"{source}: no such model file{hint}") from None
    except IsADirectoryError:
        raise ModelError(f"{source}: is a directory, not a model file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{source}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ModelError(f"{source}: not valid TOML: the file is not UTF-8 ({exc})") from None
    except OSError as exc:
        raise ModelError(f"{source}: cannot read the model file: {exc.strerror or exc}") from None


# --------------------------------------------------------------------- validation helpers
def _fail(source: str, where: str, message: str) -> ModelError:
    return ModelError(f"{source}, {where}: {message}")


def _kind(value: Any) -> str:
    """How TOML would call the type of ``value``, for messages."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, (int, Decimal)):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date/time"
    return type(value).__name__  # pragma: no cover - tomllib produces nothing else


def _check_keys(
    table: Mapping[str, Any], allowed: Iterable[str], source: str, where: str, join: str = "."
) -> None:
    """Refuse keys that the format does not know, suggesting the nearest known one."""
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"the known keys are {', '.join(allowed)}"
            )
            raise _fail(source, f"{where}{join}{key}", f"unknown key; {hint}")


def _table(value: Any, source: str, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(source, where, f"must be a table ({what}), got {_kind(value)}")
    return value


def _string(value: Any, source: str, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(source, where, f"must be a string, got {_kind(value)}")
    return value


def _number(value: Any, source: str, where: str) -> sympy.Rational:
    """A TOML number as an exact rational; booleans, strings and the rest are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        extra = ""
        if isinstance(value, str):
            extra = ' (write it without quotes; a fraction like "1/3" is not a number here)'
        raise _fail(source, where, f"must be a number, got {_kind(value)}{extra}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise _fail(source, where, f"must be a finite number, got {value}")
    return exact_number(value)


def _formula(value: Any, source: str, where: str) -> str | sympy.Rational:
    """A payoff or definition: a formula in a string, or a bare number (taken exactly)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return _number(value, source, where)
    raise _fail(source, where, f"must be a formula in a string or a number, got {_kind(value)}")


# --------------------------------------------------------------------- sections
def _game_from_data(data: dict[str, Any], source: str) -> Game:
    _check_keys(data, _TOP_KEYS, source, "top level", join=" ")

    if "model" not in data:
        raise _fail(source, "[model]", "missing; every model file starts with a [model] table")
    model = _table(data["model"], source, "[model]", "with name, title, ...")
    _check_keys(model, _MODEL_KEYS, source, "[model]")
    if "name" not in model:
        raise _fail(source, "[model].name", "missing; give the model an identifier")
    name = _string(model["name"], source, "[model].name")
    if not name.isidentifier():
        raise _fail(source, "[model].name", f"{name!r} is not an identifier (letters, digits, _)")
    title = _string(model.get("title", ""), source, "[model].title")
    description = _string(model.get("description", ""), source, "[model].description")
    references = model.get("references", [])
    if not isinstance(references, list):
        raise _fail(
            source, "[model].references", f"must be an array of strings, got {_kind(references)}"
        )
    for i, ref in enumerate(references):
        _string(ref, source, f"[model].references[{i}]")
    symmetric = model.get("symmetric", False)
    if not isinstance(symmetric, bool):
        raise _fail(source, "[model].symmetric", f"must be true or false, got {_kind(symmetric)}")

    populations = _populations(data, source)
    if symmetric and len(populations) != 1:
        raise _fail(
            source,
            "[model].symmetric",
            f"a symmetric game has exactly one [[population]], this file has {len(populations)}",
        )
    parameters = _parameters(data, source)
    definitions = _definitions(data, source)
    payoffs = _payoffs(data, source, symmetric, len(populations))
    scenarios = _scenarios(data, source, parameters)

    try:
        game = Game.from_table(
            populations,
            payoffs,
            parameters=tuple(parameters.values()),
            definitions=definitions,
            scenarios=scenarios,
            symmetric=symmetric,
            name=name,
            title=title,
            description=description,
            references=tuple(references),
            source=source,
        )
    except ModelError:
        raise
    except FormulaError as exc:
        message = str(exc)
        if not message.startswith(source):
            message = f"{source}, {message}"
        raise _ModelFormulaError(message) from None
    except LmcGamesError as exc:
        message = str(exc)
        if not message.startswith(source):
            message = f"{source}: {message}"
        raise ModelError(message) from None
    if "claims" in data:
        # Claims name rest points, shares and scenarios, so they are checked against the game.
        from ._claims import parse_claims

        claims = parse_claims(data["claims"], game, source=source)
        game = dataclasses.replace(game, claims=claims)
    return game


def _populations(data: dict[str, Any], source: str) -> list[dict[str, Any]]:
    if "population" not in data:
        raise _fail(
            source, "[[population]]", "missing; give one [[population]] table per population"
        )
    raw = data["population"]
    if isinstance(raw, dict):
        raise _fail(
            source,
            "[[population]]",
            "write [[population]] with double brackets (an array of tables), not [population]",
        )
    if not isinstance(raw, list) or not raw:
        raise _fail(source, "[[population]]", "give at least one [[population]] table")
    out = []
    for i, pop in enumerate(raw, start=1):
        where = f"[[population]] {i}"
        if not isinstance(pop, dict):
            raise _fail(source, where, f"must be a table, got {_kind(pop)}")
        if isinstance(pop.get("name"), str):
            where = f"[[population]] {i} ({pop['name']!r})"
        _check_keys(pop, _POPULATION_KEYS, source, where)
        for key in ("name", "strategies"):
            if key not in pop:
                raise _fail(source, f"{where}.{key}", "missing; every population needs one")
        _string(pop["name"], source, f"{where}.name")
        strategies = pop["strategies"]
        if not isinstance(strategies, list) or not all(isinstance(s, str) for s in strategies):
            raise _fail(
                source, f"{where}.strategies", f"must be an array of names, got {_kind(strategies)}"
            )
        if "label" in pop:
            _string(pop["label"], source, f"{where}.label")
        if "share" in pop:
            share = pop["share"]
            ok = isinstance(share, str) or (
                isinstance(share, list) and all(isinstance(s, str) for s in share)
            )
            if not ok:
                raise _fail(
                    source,
                    f"{where}.share",
                    f"must be a symbol name or an array of names, got {_kind(share)}",
                )
        out.append(dict(pop))
    return out


def _parameters(data: dict[str, Any], source: str) -> dict[str, Parameter]:
    raw = _table(data.get("parameters", {}), source, "[parameters]", "one entry per parameter")
    out: dict[str, Parameter] = {}
    for pname, spec in raw.items():
        where = f"[parameters.{pname}]"
        if not pname.isidentifier():
            raise _fail(source, where, f"{pname!r} is not an identifier (letters, digits, _)")
        if not isinstance(spec, dict):
            hint = ""
            if isinstance(spec, (int, Decimal)) and not isinstance(spec, bool):
                hint = f"; write {pname} = {{value = {spec}}}"
            raise _fail(
                source, where, f"must be a table with at least a value, got {_kind(spec)}{hint}"
            )
        _check_keys(spec, _PARAMETER_KEYS, source, where)
        if "value" not in spec:
            raise _fail(source, f"{where}.value", "missing; every parameter needs a default value")
        value = _number(spec["value"], source, f"{where}.value")
        lo = _number(spec["min"], source, f"{where}.min") if "min" in spec else None
        hi = _number(spec["max"], source, f"{where}.max") if "max" in spec else None
        if lo is not None and hi is not None and lo > hi:
            raise _fail(source, f"{where}.min", f"min {lo} is above max {hi}; swap them")
        if lo is not None and value < lo:
            raise _fail(source, f"{where}.value", f"{value} is below min {lo}")
        if hi is not None and value > hi:
            raise _fail(source, f"{where}.value", f"{value} is above max {hi}")
        description = _string(spec.get("description", ""), source, f"{where}.description")
        latex = _string(spec["latex"], source, f"{where}.latex") if "latex" in spec else None
        try:
            out[pname] = Parameter(
                pname, value, description=description, min=lo, max=hi, latex=latex
            )
        except LmcGamesError as exc:  # pragma: no cover - the checks above come first
            raise _fail(source, where, str(exc)) from None
    return out


def _definitions(data: dict[str, Any], source: str) -> dict[str, Any]:
    raw = _table(data.get("definitions", {}), source, "[definitions]", "name = formula")
    return {d: _formula(v, source, f"[definitions] {d}") for d, v in raw.items()}


def _payoffs(data: dict[str, Any], source: str, symmetric: bool, npop: int) -> dict[str, Any]:
    if "payoffs" not in data:
        raise _fail(source, "[payoffs]", "missing; give one row per strategy profile")
    raw = _table(data["payoffs"], source, "[payoffs]", "one row per strategy profile")
    out: dict[str, Any] = {}
    for key, row in raw.items():
        where = f'[payoffs] "{key}"'
        if symmetric:
            if isinstance(row, list):
                if len(row) != 1:
                    raise _fail(
                        source,
                        where,
                        f"a symmetric game takes one payoff per profile (the focal player's), "
                        f"got an array of {len(row)}",
                    )
                row = row[0]
            out[key] = _formula(row, source, where)
        else:
            if not isinstance(row, list):
                raise _fail(
                    source,
                    where,
                    f"must be an array of {npop} payoffs, one per population in order, "
                    f"got {_kind(row)}",
                )
            if len(row) != npop:
                raise _fail(
                    source,
                    where,
                    f"must be an array of {npop} payoffs, one per population in order, "
                    f"got {len(row)}",
                )
            out[key] = [_formula(v, source, where) for v in row]
    return out


def _scenarios(
    data: dict[str, Any], source: str, parameters: Mapping[str, Parameter]
) -> dict[str, dict[str, sympy.Rational]]:
    raw = _table(data.get("scenarios", {}), source, "[scenarios]", "one table per scenario")
    out: dict[str, dict[str, sympy.Rational]] = {}
    for sname, values in raw.items():
        where = f"[scenarios.{sname}]"
        values = _table(values, source, where, "parameter = value")
        out[sname] = {}
        for pname, v in values.items():
            key = f"{where}.{pname}"
            if pname not in parameters:
                close = difflib.get_close_matches(pname, list(parameters), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                known = ", ".join(parameters) or "none"
                raise _fail(
                    source, key, f"not a parameter of this model{hint} (parameters: {known})"
                )
            number = _number(v, source, key)
            p = parameters[pname]
            if p.min is not None and number < p.min:
                raise _fail(source, key, f"{number} is below min {p.min} of {pname!r}")
            if p.max is not None and number > p.max:
                raise _fail(source, key, f"{number} is above max {p.max} of {pname!r}")
            out[sname][pname] = number
    return out

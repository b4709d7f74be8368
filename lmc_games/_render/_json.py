"""The JSON objects of ``lmc-games analyze --format json`` and ``show --format json``.

The object of :func:`analysis_to_dict` is a contract (docs/cli.md): keys may be added, never
removed or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sympy

from .._formula import format_condition

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis, Continuum, DetTraceRow, RestPoint

from ._cells import (
    _as_sympy,
    _clean,
    _continuum_points,
    _eigen_values,
    _expr_text,
    _inexact,
    _is_float_exact,
    _missing_eigenvalues,
    _to_complex,
    _to_float,
)
from ._dynamics import dynamics_entry, dynamics_json


def analysis_to_dict(a: Analysis) -> dict[str, Any]:
    """The JSON object of ``lmc-games analyze --format json`` (docs/cli.md).

    Every number is a Python float; exact forms that a float cannot hold go in the extra
    string fields ``state_exact``, ``eigenvalues_exact`` and ``parameters_exact``. In a
    symbolic analysis ``parameters`` maps every name to ``None`` and shares, eigenvalues and
    conditions are strings.

    Parameters
    ----------
    a : Analysis

    Returns
    -------
    dict
        Keys ``model``, ``dynamics`` (the registry name, ``"replicator"`` by default; with
        ``dynamics_options``, ``{KEY: number}``, when the dynamics has options),
        ``parameters``, ``populations``, ``inert_parameters``, ``rest_points``,
        ``continua``, and the extras ``symbolic``, ``complete``, ``notes``, ``det_trace``
        and (when a scenario was applied) ``scenario``. Pass it to ``json.dumps`` with
        ``allow_nan=False``.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> d = analysis_to_dict(analyze(mp))
    >>> interior = d["rest_points"][-1]
    >>> interior["label"], interior["stability"], interior["eigenvalues"]
    ('r1+r2, c1+c2', 'centre', [[0.0, -1.0], [0.0, 1.0]])
    >>> interior["state"]["row"]
    {'r1': 0.5, 'r2': 0.5}
    """
    game = a.game
    out: dict[str, Any] = {"model": game.name}
    if game.scenario_name:
        out["scenario"] = game.scenario_name
    out.update(dynamics_json(a))
    if a.symbolic or a.values is None:
        out["parameters"] = {p.name: None for p in game.parameters}
    else:
        values = {p.name: a.values.get(p.name, game.values.get(p.name)) for p in game.parameters}
        out["parameters"] = {k: _to_float(v) for k, v in values.items()}
        if not all(_is_float_exact(v) for v in values.values()):
            out["parameters_exact"] = {k: _expr_text(v) for k, v in values.items()}
    out["populations"] = [
        {"name": p.name, "strategies": list(p.strategies), "share": p.share_names()}
        for p in game.populations
    ]
    out["inert_parameters"] = list(a.inert_parameters)
    out["rest_points"] = [_rest_point_dict(a, rp) for rp in a.rest_points]
    out["continua"] = [_continuum_dict(a, c) for c in a.continua]
    out["symbolic"] = bool(a.symbolic)
    out["complete"] = bool(a.complete)
    out["notes"] = list(a.notes)
    if a.det_trace:
        out["det_trace"] = [_det_trace_dict(a, row) for row in a.det_trace]
    return out


def _state_dict(game: Game, values: Sequence[Sequence[Any]], conv: Callable) -> dict:
    return {
        pop.name: {s: conv(v) for s, v in zip(pop.strategies, vals)}
        for pop, vals in zip(game.populations, values)
    }


def _rest_point_dict(a: Analysis, rp: RestPoint) -> dict[str, Any]:
    game = a.game
    d: dict[str, Any] = {"label": rp.label}
    if a.symbolic:
        d["state"] = _state_dict(game, rp.shares, _expr_text)
        d["eigenvalues"] = [_expr_text(e) for e in rp.eigenvalues]
        if _missing_eigenvalues(rp):
            d["eigenvalues"].append({"charpoly": _expr_text(rp.charpoly)})
    else:
        if rp.numeric_shares is not None:
            d["state"] = _state_dict(game, rp.numeric_shares, _clean)
        else:
            d["state"] = _state_dict(game, rp.shares, _to_float)
        if rp.exact and not all(
            _is_float_exact(v) or _inexact(v) for vals in rp.shares for v in vals
        ):
            d["state_exact"] = _state_dict(game, rp.shares, _exact_string)
        pairs = [(c, z if z is not None else _to_complex(c)) for c, z in _eigen_values(rp)]
        d["eigenvalues"] = [[_clean(z.real), _clean(z.imag)] for _, z in pairs]
        if any(c is not None and not _is_float_exact(c) and not _inexact(c) for c, _ in pairs):
            d["eigenvalues_exact"] = [_exact_string(c) for c, _ in pairs]
        if rp.exact and any(c is None for c, _ in pairs) and rp.charpoly is not None:
            d["charpoly"] = _expr_text(rp.charpoly)
    d["exact"] = bool(rp.exact)
    d["stability"] = rp.stability.value if rp.stability is not None else None
    d["asymptotically_stable"] = bool(rp.asymptotically_stable)
    d["nash"] = rp.nash
    d["strict_nash"] = rp.strict_nash
    d["ess"] = rp.ess
    d["exists_if"] = format_condition(rp.exists_if)
    d["stable_if"] = format_condition(rp.stable_if)
    d["reason"] = rp.reason
    if rp.notes:
        d["notes"] = list(rp.notes)
    return d


def _exact_string(value: Any) -> str | None:
    """The exact form of a value for the ``*_exact`` fields; ``None`` where there is none (no
    closed form, or a floating-point value from a numeric search)."""
    if value is None or _inexact(value):
        return None
    return _expr_text(value)


def _continuum_dict(a: Analysis, c: Continuum) -> dict[str, Any]:
    d: dict[str, Any] = {
        "face": c.face,
        "dimension": int(c.dimension),
        "points": _continuum_points(a.game, c),
        "stability": c.stability.value if c.stability is not None else None,
        "description": c.description,
        "exists_if": format_condition(c.exists_if),
    }
    if not a.symbolic and c.numeric_eigenvalues is not None:
        d["sample_eigenvalues"] = [
            [_clean(complex(z).real), _clean(complex(z).imag)] for z in c.numeric_eigenvalues
        ]
    return d


def _det_trace_dict(a: Analysis, row: DetTraceRow) -> dict[str, Any]:
    if a.symbolic:
        det: Any = _expr_text(row.det)
        trace: Any = _expr_text(row.trace)
    else:
        det, trace = _to_float(row.det), _to_float(row.trace)
    return {
        "label": row.label,
        "det": det,
        "trace": trace,
        "verdict": row.verdict.value if row.verdict is not None else None,
        "note": row.note,
    }


def game_to_dict(game: Game, *, dynamics: Any = None) -> dict[str, Any]:
    """The JSON object of ``lmc-games show --format json``: the model as loaded.

    Formulas are strings in the model-file syntax; ``parameters`` gives each parameter's
    current value as a number (``value_exact`` beside it when a float cannot hold it), and
    ``payoff_values`` the payoffs at those values (``None`` where a payoff depends on the
    shares).

    Examples
    --------
    >>> from lmc_games import Game
    >>> g = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                    parameters={"V": 2, "C": 3}, name="hawk_dove")
    >>> d = game_to_dict(g)
    >>> d["payoff_values"]
    {'hawk, hawk': -0.5, 'hawk, dove': 2.0, 'dove, hawk': 0.0, 'dove, dove': 1.0}
    >>> d["parameters"]["C"]["value"], d["variables"]
    (3.0, ['x'])
    """
    from .._system import System
    from ..dynamics import dynamics_from_spec

    subs = game.value_substitution()
    params: dict[str, Any] = {}
    for p in game.parameters:
        value = game.values.get(p.name, p.value)
        entry: dict[str, Any] = {
            "value": _to_float(value),
            "default": _to_float(p.value),
            "description": p.description,
            "min": None if p.min is None else _to_float(p.min),
            "max": None if p.max is None else _to_float(p.max),
            "latex": p.latex_name,
        }
        if not _is_float_exact(value):
            entry["value_exact"] = _expr_text(value)
        params[p.name] = entry

    def profile_key(profile: tuple[int, ...]) -> str:
        if game.is_symmetric:
            s = game.populations[0].strategies
            return ", ".join(s[i] for i in profile)
        return game.profile_label(profile)

    def number_or_none(e: sympy.Expr) -> float | None:
        v = _as_sympy(e).xreplace(subs)
        if not v.is_number:
            return None
        try:
            return _to_float(v)
        except (TypeError, ValueError):
            return None

    payoffs: dict[str, Any] = {}
    payoff_values: dict[str, Any] = {}
    for profile, row in game.payoffs.items():
        key = profile_key(profile)
        if game.is_symmetric:
            payoffs[key] = _expr_text(row[0])
            payoff_values[key] = number_or_none(row[0])
        else:
            payoffs[key] = [_expr_text(e) for e in row]
            payoff_values[key] = [number_or_none(e) for e in row]
    dyn = None if dynamics is None else dynamics_from_spec(dynamics)
    system = System.of(game, dyn)
    # A map in discrete time gives the increment of each share per step.
    discrete = dyn is not None and dyn.time.value == "discrete"
    out: dict[str, Any] = {
        "model": game.name,
        "title": game.title,
        "description": game.description,
        "references": list(game.references),
        "symmetric": bool(game.is_symmetric),
        "populations": [
            {
                "name": p.name,
                "label": p.label,
                "strategies": list(p.strategies),
                "share": p.share_names(),
            }
            for p in game.populations
        ],
        "parameters": params,
        "definitions": {k: _expr_text(v) for k, v in game.definitions.items()},
        "payoffs": payoffs,
        "payoff_values": payoff_values,
        "scenarios": {
            name: {k: _to_float(v) for k, v in values.items()}
            for name, values in game.scenarios.items()
        },
        "variables": [v.name for v in system.variables],
        "equations": [
            f"{v.name}' - {v.name} = {_expr_text(f)}"
            if discrete
            else f"d{v.name}/dt = {_expr_text(f)}"
            for v, f in zip(system.variables, system.field)
        ],
    }
    if dyn is not None and dyn.name != "replicator":
        out.update(dynamics_entry(dyn))
        out["rest_points_method"] = dyn.rest_points.value
    if game.scenario_name:
        out["scenario"] = game.scenario_name
    return out

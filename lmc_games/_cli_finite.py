"""The ``lmc-games finite`` command: a model as finite populations.

Wired into :mod:`lmc_games.cli` by two lines in ``build_parser``::

    from ._cli_finite import add_parser as _add_finite
    _add_finite(sub)

``add_parser`` registers the subcommand with ``run`` as its function; errors are library
exceptions or :class:`~lmc_games._errors.CommandError`, which ``cli.main`` turns into one line
on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._errors import CommandError

__all__ = ["add_parser", "parse_size", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``finite`` subcommand to ``subparsers`` (from ``add_subparsers``)."""
    from .cli import _add_format_argument, _add_model_arguments, _add_plot_argument

    p = subparsers.add_parser(
        "finite",
        help="finite populations: fixation probabilities and where the process spends its time",
        description="Study a model as finite populations of N members who revise by the "
        "pairwise-comparison (Fermi) rule with selection intensity beta, or by a Moran process "
        "with fitness 1 - w + w*payoff. Prints the fixation probability of one mutant in each "
        "population while the others play a pure profile, and the stationary distribution over "
        "the pure profiles in the limit of rare mutations. With --mutation, also the "
        "stationary distribution of the full chain (small populations only).",
    )
    _add_model_arguments(p)
    p.add_argument(
        "--size",
        required=True,
        metavar="N|POP=N[,POP=N...]",
        help="members per population: one N for all, or POP=N for each population",
    )
    p.add_argument(
        "--selection",
        required=True,
        metavar="B",
        help="selection intensity: beta >= 0 (fermi) or w in [0, 1] (moran)",
    )
    p.add_argument(
        "--process",
        choices=["fermi", "moran"],
        default="fermi",
        help="revision process (default: fermi)",
    )
    p.add_argument(
        "--mutation",
        metavar="M",
        help="mutation probability per revision, in (0, 1]: also solve the full chain of all "
        "compositions (refused, with its size, when it is too large)",
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help="also exact fractions (Moran with rational payoffs and w, or selection 0)",
    )
    p.add_argument(
        "--no-replicator",
        action="store_true",
        help="do not analyse the replicator dynamics to set its verdicts beside the result",
    )
    _add_plot_argument(p, "the stationary distribution over the pure profiles")
    _add_format_argument(p, ("text", "json"))
    p.set_defaults(func=run)
    return p


def parse_size(text: str, populations: list[str]) -> int | dict[str, int]:
    """``"50"`` -> 50; ``"a=20,b=30"`` -> ``{"a": 20, "b": 30}`` (every population named).

    Examples
    --------
    >>> parse_size("50", ["a"])
    50
    >>> parse_size("a=20, b=30", ["a", "b"])
    {'a': 20, 'b': 30}
    """
    text = text.strip()
    if "=" not in text:
        return _whole(text, f"--size {text!r}")
    out: dict[str, int] = {}
    for item in text.split(","):
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise CommandError(f"--size {text!r}: expected N or POP=N[,POP=N...], e.g. a=20,b=30")
        if name not in populations:
            raise CommandError(
                f"--size: {name!r} is not a population; the populations are "
                f"{', '.join(populations)}"
            )
        if name in out:
            raise CommandError(f"--size: {name} is given twice")
        out[name] = _whole(value.strip(), f"--size {name}")
    missing = [p for p in populations if p not in out]
    if missing:
        raise CommandError(
            f"--size: no size for {', '.join(missing)}; give POP=N for every population or one N"
        )
    return out


def _whole(text: str, where: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise CommandError(f"{where}: the size must be a whole number of members, e.g. 50")
    return int(text)


def _number(text: str | None, option: str) -> Any:
    if text is None:
        return None
    from ._formula import parse_number

    try:
        value = parse_number(text.strip())
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise CommandError(f"{option} {text!r}: {' '.join(str(exc).split())}") from None
    return float(value)


def run(args: argparse.Namespace) -> int:
    """Run ``lmc-games finite`` with parsed arguments; returns the exit status."""
    from ._finite import check_full_chain, finite, full_stationary
    from .cli import _check_figure_path, _load_game, _write, _write_json

    _check_figure_path(args.plot, "--plot")
    selection = _number(args.selection, "--selection")
    mutation = _number(args.mutation, "--mutation")
    game = _load_game(args)
    size = parse_size(args.size, [p.name for p in game.populations])
    if mutation is not None:
        check_full_chain(game, size)  # refuse a chain too large before any work
    result = finite(
        game,
        size,
        selection=selection,
        process=args.process,
        mutation=mutation,
        exact=args.exact,
    )
    full = None
    if mutation is not None:
        full = full_stationary(
            game, size, selection=selection, process=args.process, mutation=mutation
        )
    analysis = None
    if not args.no_replicator:
        from ._analysis import analyze
        from ._errors import LmcGamesError
        from .cli import _note

        try:
            analysis = analyze(game)
        except LmcGamesError as exc:
            _note(f"the replicator's verdicts are left out: {exc}")
    if args.plot:
        from .plot._finite import finite_figure

        finite_figure(result, out=args.plot)
    if args.format == "json":
        obj: dict[str, Any] = {
            "model": game.name,
            "parameters": {k: float(v) for k, v in game.values.items()},
        }
        obj.update(result.to_dict())
        if analysis is not None:
            obj["replicator"] = {c.label: c.stability for c in result.beside(analysis)}
            obj["replicator_stable"] = [
                rp.label for rp in analysis.rest_points if rp.asymptotically_stable
            ]
        if full is not None:
            obj["full_chain"] = {
                "mutation": mutation,
                "states": int(full.states.shape[0]),
                "profile_mass": dict(full.profile_mass),
                "mixed_mass": full.mixed_mass,
            }
        _write_json(obj)
        return 0
    text = result.to_text(analysis)
    if full is not None:
        lines = [
            "",
            f"Full chain with mutation {mutation:g} ({full.states.shape[0]:,} states): "
            f"probability of each pure profile, and of mixed states",
        ]
        width = max(5, *(len(label) for label in full.profile_mass))
        for label, mass in full.profile_mass.items():
            lines.append(f"{label.ljust(width)}  {mass:.6g}")
        lines.append(f"{'mixed'.ljust(width)}  {full.mixed_mass:.6g}")
        text += "\n" + "\n".join(lines)
    if args.plot:
        text += f"\nwrote {args.plot}: stationary distribution over the pure profiles"
    _write(text)
    return 0

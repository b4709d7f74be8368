"""The ``lmc-games`` command line: a thin shell over the library.

The command-line contract (DESIGN section 4) says, among other things:

* ``MODEL`` is a path if it ends in ``.toml`` or contains ``/``, else a bundled model's name;
* every command that reads a model takes ``--scenario NAME`` and repeated ``--set NAME=VALUE``
  (VALUE a signed decimal, optionally with an exponent, or a fraction such as ``1/3``, taken
  exactly, and applied after the scenario);
* errors print one line to stderr (``lmc-games: error: ...``) and exit with status 2;
* with ``--format json`` stdout carries exactly one JSON object; notes go to stderr.

Each subcommand is one ``_cmd_*`` function taking the parsed arguments and returning an exit
status, registered in :func:`build_parser`. Heavy modules are imported inside the command that
needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

__all__ = ["main", "build_parser"]

PROG = "lmc-games"
FORMATS = ("text", "json", "latex", "markdown")


class CommandError(Exception):
    """A usage or input error found by the command line itself; exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become one line on stderr, not a usage block."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(message)


# --------------------------------------------------------------------- arguments
def _add_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "model",
        metavar="MODEL",
        help="a bundled model's name (see 'lmc-games models'), or a path to a .toml model file",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="apply one of the model's named scenarios to the default parameter values",
    )
    p.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        dest="set",
        help="set a parameter (after the scenario); VALUE is a decimal such as 0.25 or 1e-3, "
        "or a fraction such as 1/3, taken exactly; repeat for several parameters",
    )


def _add_format_argument(p: argparse.ArgumentParser, choices: Sequence[str] = FORMATS) -> None:
    p.add_argument(
        "--format",
        choices=list(choices),
        default="text",
        help="output format (default: text)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``lmc-games``, one subparser per command."""
    parser = _Parser(
        prog=PROG,
        description="Evolutionary game theory for the study of cooperation between governments: "
        "rest points, stability and dynamics of games written as model files.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "models",
        help="list the bundled models",
        description="List the bundled models, one per line with its title.",
    )
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser(
        "show",
        help="parameters, payoff table and replicator equations of a model",
        description="Show a model: its parameters, payoff table and replicator equations.",
    )
    _add_model_arguments(p)
    _add_format_argument(p)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "analyze",
        help="rest points, eigenvalues, stability verdicts and conditions",
        description="Find every rest point of the replicator dynamics of a model, with its "
        "eigenvalues, stability verdict, Nash/ESS flags and the conditions on the parameters "
        "under which it exists and is stable.",
    )
    _add_model_arguments(p)
    p.add_argument(
        "--symbolic",
        action="store_true",
        help="keep the parameters as symbols: rest points, eigenvalues and conditions as "
        "formulas in the parameters",
    )
    _add_format_argument(p)
    p.set_defaults(func=_cmd_analyze)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------- shared steps
def _parse_sets(items: Sequence[str]) -> dict[str, Any]:
    """``["p=0.9", "c=1/3"]`` -> ``{"p": 9/10, "c": 1/3}`` (exact numbers)."""
    from ._formula import parse_number

    values: dict[str, Any] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not eq or not name or not text:
            raise CommandError(
                f"--set {item!r}: expected NAME=VALUE, e.g. --set p=0.9 or --set c=1/3"
            )
        if not name.isidentifier():
            raise CommandError(f"--set {item!r}: {name!r} is not a parameter name")
        try:
            values[name] = parse_number(text)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise CommandError(f"--set {item!r}: {_one_line(exc)}") from None
    return values


def _load_game(args: argparse.Namespace) -> Any:
    """The model named by ``args.model`` with the scenario and ``--set`` values applied."""
    from ._model_file import load_model

    values = _parse_sets(args.set)
    return load_model(args.model, scenario=args.scenario, values=values or None)


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _write_json(obj: Any) -> None:
    import json

    _write(json.dumps(obj, indent=1, allow_nan=False))


def _note(message: str) -> None:
    print(f"{PROG}: note: {_one_line(message)}", file=sys.stderr)


# --------------------------------------------------------------------- commands
def _cmd_models(args: argparse.Namespace) -> int:
    from ._model_file import bundled_models, load_model

    names = bundled_models()
    width = max((len(n) for n in names), default=0)
    lines = []
    for name in names:
        title = " ".join(load_model(name).title.split())
        lines.append(f"{name.ljust(width)}  {title}".rstrip())
    if lines:
        _write("\n".join(lines))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from . import _format

    game = _load_game(args)
    if args.format == "json":
        _write_json(_format.game_to_dict(game))
    elif args.format == "latex":
        _write(_format.game_to_latex(game))
    elif args.format == "markdown":
        _write(_format.game_to_markdown(game))
    else:
        _write(_format.game_to_text(game))
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from . import _format
    from ._analysis import analyze

    game = _load_game(args)
    result = analyze(game, symbolic=args.symbolic)
    if args.format == "json":
        _write_json(_format.analysis_to_dict(result))
        for note in result.notes:
            _note(note)
    elif args.format == "latex":
        _write(_format.analysis_to_latex(result))
    elif args.format == "markdown":
        _write(_format.analysis_to_markdown(result))
    else:
        _write(_format.analysis_to_text(result))
    return 0


# --------------------------------------------------------------------- entry point
def _one_line(exc: BaseException | str) -> str:
    """An error message on a single line."""
    text = exc if isinstance(exc, str) else str(exc)
    if not isinstance(exc, str) and isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    text = " ".join(text.split())
    if not text and not isinstance(exc, str):
        text = type(exc).__name__
    return text


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings of the library, one line each on stderr (never on stdout)."""
    print(f"{PROG}: warning: {_one_line(str(message))}", file=sys.stderr)


def _fail(message: str) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``lmc-games`` with the arguments ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 on any error, which is reported as one line on
    stderr. Set the environment variable ``LMC_GAMES_DEBUG=1`` to see the traceback of an
    unexpected internal error instead.

    Examples
    --------
    >>> main(["models"])  # doctest: +ELLIPSIS
    hawk_dove ...
    0
    >>> main(["show", "hawk_dove", "--set", "nope=1"])
    2
    """
    from ._errors import LmcGamesError

    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        func: Callable[[argparse.Namespace], int] = args.func
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(func(args))
    except CommandError as exc:
        return _fail(str(exc))
    except LmcGamesError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help and --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): nothing left to report. Point
        # stdout at devnull so that the interpreter's final flush does not fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except OSError as exc:
        return _fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}")
    except Exception as exc:  # an internal error: still one line, unless debugging
        if os.environ.get("LMC_GAMES_DEBUG"):
            raise
        return _fail(
            f"internal error ({type(exc).__name__}: {_one_line(exc)}); please report it, and "
            "set LMC_GAMES_DEBUG=1 to see the traceback"
        )


if __name__ == "__main__":
    sys.exit(main())

"""Exceptions raised by lmc_games.

Every error a user can cause derives from :class:`LmcGamesError`, so research code can catch
one class, and the command line turns it into one line on stderr with exit status 2.
"""

from __future__ import annotations

__all__ = [
    "LmcGamesError",
    "FormulaError",
    "ModelError",
    "ParameterError",
    "GameError",
    "EngineUnavailableError",
    "ClaimError",
    "IntegrationError",
    "LimitError",
    "OutputError",
    "UndecidedError",
    "DynamicsError",
    "CommandError",
    "PlotWarning",
]


class LmcGamesError(Exception):
    """Base class of every error that bad input to lmc_games can cause."""


class FormulaError(LmcGamesError, ValueError):
    """A formula was refused by the safe parser.

    The message names where the formula came from (file and key, when known), the formula
    itself and the reason, e.g. ``models/x.toml, [payoffs] "a, b": 'p.__class__': attribute
    access is not allowed``.
    """


class ModelError(LmcGamesError, ValueError):
    """A model file (or a model given in Python) is malformed: missing keys, unknown
    strategies, duplicated profiles, values out of bounds, and so on."""


class ParameterError(LmcGamesError, ValueError):
    """A parameter value or name given by the user is unknown or outside its bounds."""


class GameError(LmcGamesError, ValueError):
    """A game cannot be built or analysed as asked."""


class DynamicsError(LmcGamesError, ValueError):
    """A dynamics was asked for by an unknown name, with an unknown or out-of-range option
    (``logit:eta=-1``), or for a stage it cannot support; the message lists what is allowed."""


class EngineUnavailableError(LmcGamesError, ImportError):
    """The requested compilation engine is not installed (``pip install 'lmc-games[fast]'``)."""


class IntegrationError(LmcGamesError, ValueError):
    """Arguments of an integrator are malformed (shapes, step, tolerance), or the integration
    failed (step size underflow)."""


class ClaimError(ModelError):
    """A claim about a model (a ``[claims.NAME]`` table in a model file or a claims file) is
    malformed, or names a rest point, share, parameter or scenario the model does not have."""


# ---- added by issue 10 §2 (helperB): limits, outputs, undecided signs, moved classes ----
class LimitError(LmcGamesError, ValueError):
    """A request is larger than a documented limit (steps, starts, grid points, memory,
    size of a number) or not a finite positive size; the message says what to change and,
    where a limit may be raised, how (see :mod:`lmc_games._limits`)."""


class OutputError(LmcGamesError, ValueError):
    """An output path cannot be written (missing or read-only folder, wrong extension), or
    writing it would overwrite files the library did not write (``--force`` allows it)."""


class UndecidedError(LmcGamesError, ArithmeticError):
    """A sign or a root count cannot be decided exactly.

    Raised for transcendental constants that are numerically indistinguishable from zero
    (up to about 500 digits) and that ``simplify``/``equals`` cannot prove to be zero, for
    polynomial coefficients that are not algebraic numbers, and when exact work would exceed
    its budget (see :mod:`lmc_games._limits`). Analyses turn it into an honest "undecided"
    verdict, never into a guess.
    """


class CommandError(LmcGamesError):
    """A usage or input error found by the command line itself; exit status 2."""


class PlotWarning(UserWarning):
    """A figure would mislead: e.g. a sensitivity panel for a parameter that cannot affect
    the dynamics."""


class UnsolvedFace(Exception):
    """Raised when a face's equations are beyond exact elimination (internal: the analysis
    then searches that face numerically; never reaches the user)."""


class SweepError(LmcGamesError):
    """A sweep cannot run as asked (e.g. a resume directory holding another sweep's chunks)."""


class SimulationWarning(UserWarning):
    """A start the user chose will not move as expected: it is a rest point, or it lies on
    the boundary, whose faces are invariant under the replicator dynamics."""


class ReportError(LmcGamesError):
    """The report cannot be written as asked (e.g. ``report.tex`` does not compile)."""


class ResumeWarning(UserWarning):
    """A chunk in a resume directory could not be used and is computed again."""


class TableCacheWarning(UserWarning):
    """A file of the symbolic-answer cache could not be used and was computed again."""


class Unsupported(Exception):
    """An expression holds something :func:`to_tree` does not store (not a user error: the
    caller then simply does not cache it)."""


class Malformed(Exception):
    """A tree that :func:`to_tree` cannot have written."""


class ConditionError(Exception):
    """A condition that cannot be printed (not a combination of relations)."""


# ---- added by issue 12 §2 (dyn): interval arithmetic of the certified rest-point search ----
class NoEnclosure(Exception):
    """An expression has a part the interval arithmetic of the rest-point search does not
    handle, or is unbounded on the box (not a user error: the point is then not certified)."""


# ---- added by issue 12 §3 (dyn): exact arithmetic of finite populations ----
class ExactSizeError(LimitError):
    """Exact (rational) fixation probabilities were asked for a population too large for
    them: the fractions grow with every member and the time with the square of the size.
    The message names the limit and the floating-point alternative, stable at any size."""

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


class EngineUnavailableError(LmcGamesError, ImportError):
    """The requested compilation engine is not installed (``pip install 'lmc-games[fast]'``)."""


class IntegrationError(LmcGamesError, ValueError):
    """Arguments of an integrator are malformed (shapes, step, tolerance), or the integration
    failed (step size underflow)."""


class ClaimError(ModelError):
    """A claim about a model (a ``[claims.NAME]`` table in a model file or a claims file) is
    malformed, or names a rest point, share, parameter or scenario the model does not have."""

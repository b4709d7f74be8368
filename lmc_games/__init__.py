"""lmc_games — evolutionary game theory for the study of cooperation between governments."""

from ._analysis import analyze
from ._compile import CompiledField, compile_field
from ._errors import (
    EngineUnavailableError,
    FormulaError,
    GameError,
    LmcGamesError,
    ModelError,
    ParameterError,
)
from ._game import Game, Population
from ._model_file import bundled_models, load_model
from ._params import Parameter
from ._results import Analysis, Continuum, DetTraceRow, RestPoint, Stability
from ._simulate import (
    Convergence,
    Simulation,
    SimulationWarning,
    basins,
    converge,
    simulate,
    starts_grid,
)
from ._system import System, system
from .dynamics import Dynamics, Replicator

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "CompiledField",
    "Convergence",
    "EngineUnavailableError",
    "Simulation",
    "SimulationWarning",
    "basins",
    "compile_field",
    "converge",
    "simulate",
    "starts_grid",
    "analyze",
    "bundled_models",
    "load_model",
    "Continuum",
    "DetTraceRow",
    "Dynamics",
    "FormulaError",
    "Game",
    "GameError",
    "LmcGamesError",
    "ModelError",
    "Parameter",
    "ParameterError",
    "Population",
    "Replicator",
    "RestPoint",
    "Stability",
    "System",
    "system",
]

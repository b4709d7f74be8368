"""lmc_games — evolutionary game theory for the study of cooperation between governments."""

from ._analysis import analyze
from ._chunkstore import ResumeWarning
from ._citation import citation
from ._claims import Audit, Claim, Finding, FindingCode, audit_section, check, load_claims
from ._compile import (
    CompiledField,
    Dopri5Result,
    IntegrationError,
    TrackResult,
    compile_field,
)
from ._continuation import Branch, Continuation, StabilityChange, continuation
from ._errors import (
    ClaimError,
    EngineUnavailableError,
    FormulaError,
    GameError,
    LimitError,
    LmcGamesError,
    ModelError,
    OutputError,
    ParameterError,
    UndecidedError,
)
from ._explore import explore
from ._game import Game, Population
from ._model_file import bundled_models, load_model
from ._params import Parameter
from ._report import Report, ReportError, ScenarioRow, report, scenario_table
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
from ._stability_table import (
    RestPointTable,
    RestPointValues,
    TableCacheWarning,
    compile_rest_points,
)
from ._sweep import (
    ParameterSample,
    SweepError,
    SweepResult,
    latin_hypercube,
    random_points,
    sweep,
)
from ._system import System, system
from .dynamics import Dynamics, Replicator

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "analyze",
    "Audit",
    "audit_section",
    "basins",
    "Branch",
    "bundled_models",
    "check",
    "citation",
    "Claim",
    "ClaimError",
    "compile_field",
    "compile_rest_points",
    "CompiledField",
    "continuation",
    "Continuation",
    "Continuum",
    "converge",
    "Convergence",
    "DetTraceRow",
    "Dopri5Result",
    "Dynamics",
    "EngineUnavailableError",
    "explore",
    "Finding",
    "FindingCode",
    "FormulaError",
    "Game",
    "GameError",
    "IntegrationError",
    "latin_hypercube",
    "LimitError",
    "LmcGamesError",
    "load_claims",
    "load_model",
    "ModelError",
    "OutputError",
    "Parameter",
    "ParameterError",
    "ParameterSample",
    "Population",
    "random_points",
    "Replicator",
    "Report",
    "report",
    "ReportError",
    "RestPoint",
    "RestPointTable",
    "RestPointValues",
    "ResumeWarning",
    "scenario_table",
    "ScenarioRow",
    "simulate",
    "Simulation",
    "SimulationWarning",
    "Stability",
    "StabilityChange",
    "starts_grid",
    "sweep",
    "SweepError",
    "SweepResult",
    "System",
    "system",
    "TableCacheWarning",
    "TrackResult",
    "UndecidedError",
]

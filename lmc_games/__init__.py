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
    DynamicsError,
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
from ._finite import (
    CornerVerdict,
    FiniteAnalysis,
    Fixation,
    FullStationary,
    Transition,
    check_full_chain,
    finite,
    fixation_probabilities,
    full_stationary,
)
from ._finite_sim import FiniteSimulation, simulate_finite
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
from ._stochastic import (
    ELSEWHERE,
    SigmaSweep,
    SigmaSweepRow,
    StochasticOutcomes,
    sigma_sweep,
    stochastic_outcomes,
)
from ._sweep import (
    ParameterSample,
    SweepError,
    SweepResult,
    latin_hypercube,
    random_points,
    sweep,
)
from ._sympy_order import install as _install_sympy_order
from ._system import System, system
from .dynamics import (
    BNN,
    BestResponse,
    DiscreteReplicator,
    Dynamics,
    Imitation,
    Logit,
    Mutator,
    Replicator,
    RestPointMethod,
    Smith,
    Time,
    dynamics_from_spec,
)

__version__ = "0.1.0"

# Formulas printed the same in every run (sympy orders some generators by string hashes).
_install_sympy_order()

__all__ = [
    "Analysis",
    "analyze",
    "Audit",
    "audit_section",
    "basins",
    "BestResponse",
    "BNN",
    "Branch",
    "bundled_models",
    "check",
    "check_full_chain",
    "citation",
    "Claim",
    "ClaimError",
    "compile_field",
    "compile_rest_points",
    "CompiledField",
    "Continuation",
    "continuation",
    "Continuum",
    "converge",
    "Convergence",
    "CornerVerdict",
    "DetTraceRow",
    "DiscreteReplicator",
    "Dopri5Result",
    "Dynamics",
    "dynamics_from_spec",
    "DynamicsError",
    "ELSEWHERE",
    "EngineUnavailableError",
    "explore",
    "Finding",
    "FindingCode",
    "finite",
    "FiniteAnalysis",
    "FiniteSimulation",
    "Fixation",
    "fixation_probabilities",
    "FormulaError",
    "full_stationary",
    "FullStationary",
    "Game",
    "GameError",
    "Imitation",
    "IntegrationError",
    "latin_hypercube",
    "LimitError",
    "LmcGamesError",
    "load_claims",
    "load_model",
    "Logit",
    "ModelError",
    "Mutator",
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
    "RestPointMethod",
    "RestPointTable",
    "RestPointValues",
    "ResumeWarning",
    "scenario_table",
    "ScenarioRow",
    "sigma_sweep",
    "SigmaSweep",
    "SigmaSweepRow",
    "simulate",
    "simulate_finite",
    "Simulation",
    "SimulationWarning",
    "Smith",
    "Stability",
    "StabilityChange",
    "starts_grid",
    "stochastic_outcomes",
    "StochasticOutcomes",
    "sweep",
    "SweepError",
    "SweepResult",
    "System",
    "system",
    "TableCacheWarning",
    "Time",
    "TrackResult",
    "Transition",
    "UndecidedError",
]

"""The contract every dynamics follows.

A dynamics is the one place that knows itself: its reduced field (through :meth:`growth`), how
its rest points are found (:attr:`Dynamics.rest_points`), whether its field is differentiable
there (:attr:`Dynamics.smooth`), whether time is continuous or a map (:attr:`Dynamics.time`),
its own constants (a noise level, a mutation rate) and its name in text and LaTeX. Every stage
(analysis, simulation, sweeps, continuation, plots, reports, the command line) asks the
dynamics instead of testing for a class.
"""

from __future__ import annotations

import abc
import decimal
import enum
import math
from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar

import sympy

from .._errors import DynamicsError

if TYPE_CHECKING:
    from .._game import Game

__all__ = ["Dynamics", "RestPointMethod", "Time"]


class RestPointMethod(enum.Enum):
    """How the rest points of a dynamics are found; the value is the sentence reports print."""

    #: Imitative dynamics: every face of the state space is invariant and the rest points are,
    #: face by face, the points where every strategy in use earns the same payoff.
    FACES = "face by face: on each face, the points where every strategy in use earns the same"
    #: Best-response-like dynamics (BNN, Smith, best response): the rest points are exactly the
    #: Nash equilibria, and the field is not differentiable there.
    NASH = "exactly the Nash equilibria (the field is not differentiable there)"
    #: Perturbed dynamics (logit, mutation): interior rest points found by a numeric search whose
    #: starts, tolerance and completeness are part of the result.
    SEARCH = "by a numeric search of the field's zeros (complete only where proven)"

    def __str__(self) -> str:
        return self.value


class Time(enum.Enum):
    """Whether the dynamics is a flow (``dx/dt = F(x)``) or a map (``x' = x + F(x)``)."""

    CONTINUOUS = "continuous"
    DISCRETE = "discrete"

    def __str__(self) -> str:
        return self.value


Number = int | float | Fraction


class Dynamics(abc.ABC):
    """Base class of evolutionary dynamics on the product of simplices.

    A subclass sets the class attributes below and implements :meth:`growth`; everything else
    (the reduced field and its Jacobian, compiled kernels, plots, reports) is derived from
    these by :class:`lmc_games.System` and the stages that use it, so a user's own dynamics
    works in every stage.

    Class attributes
    ----------------
    name : str
        The registry name used on the command line (``--dynamics NAME``) and in JSON
        (``"dynamics": NAME``), lower case with hyphens.
    title : str
        The name in running text ("logit dynamics").
    latex : str
        The name in LaTeX.
    smooth : bool
        Whether the field is continuously differentiable at its rest points, so that
        linearisation decides stability there.
    rest_points : RestPointMethod
        How rest points are found.
    time : Time
        ``Time.DISCRETE`` for a map ``x' = x + F(x)``, whose :meth:`growth` is the increment
        ``F``; stable means every eigenvalue of ``I + DF`` inside the unit circle.
    options : dict
        The constants the dynamics takes, name -> ``(default, lower, upper, meaning)``; the
        bounds are inclusive unless the option name is listed in ``open_bounds``.

    Parameters
    ----------
    **values
        Values of the options (numbers; a :class:`fractions.Fraction` or an int stays exact).

    Examples
    --------
    >>> from lmc_games.dynamics import Replicator
    >>> Replicator().spec()
    'replicator'
    >>> Replicator() == Replicator()
    True
    """

    name: ClassVar[str] = "dynamics"
    title: ClassVar[str] = "dynamics"
    latex: ClassVar[str] = r"\text{dynamics}"
    smooth: ClassVar[bool] = True
    rest_points: ClassVar[RestPointMethod] = RestPointMethod.SEARCH
    time: ClassVar[Time] = Time.CONTINUOUS
    options: ClassVar[dict[str, tuple[Number, Number | None, Number | None, str]]] = {}
    open_bounds: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **values: Number) -> None:
        unknown = sorted(set(values) - set(self.options))
        if unknown:
            allowed = ", ".join(self.options) or "none"
            raise DynamicsError(f"{self.name}: unknown option {unknown[0]!r} (options: {allowed})")
        chosen: dict[str, Number] = {}
        for key, (default, lower, upper, _meaning) in self.options.items():
            value = values.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
                raise DynamicsError(f"{self.name}: option {key} must be a number, not {value!r}")
            if not math.isfinite(float(value)):
                raise DynamicsError(f"{self.name}: option {key} must be finite, not {value}")
            strict = key in self.open_bounds
            if lower is not None and (value < lower or (strict and value == lower)):
                sign = ">" if strict else ">="
                raise DynamicsError(
                    f"{self.name}: option {key} must be {sign} {lower}, not {value}"
                )
            if upper is not None and (value > upper or (strict and value == upper)):
                sign = "<" if strict else "<="
                raise DynamicsError(
                    f"{self.name}: option {key} must be {sign} {upper}, not {value}"
                )
            chosen[key] = exact_option(value)
        self._values = chosen

    # ------------------------------------------------------------------ the field
    @abc.abstractmethod
    def growth(
        self,
        game: Game | None,
        shares: tuple[tuple[sympy.Expr, ...], ...],
        payoffs: tuple[tuple[sympy.Expr, ...], ...],
    ) -> tuple[tuple[sympy.Expr, ...], ...]:
        """Time derivative of every share (the increment, for a map), per population and
        strategy.

        Parameters
        ----------
        game : Game or None
        shares : tuple of tuple of sympy.Expr
            All shares per population, in the free shares.
        payoffs : tuple of tuple of sympy.Expr
            Expected payoff of each strategy per population.

        The shares of each population must keep their sum along solutions.
        """

    def check_game(self, game: Game, values: dict | None = None) -> None:
        """Raise :class:`~lmc_games.DynamicsError` when ``game`` (at its values, or at
        ``values``, a ``{symbol: value}`` substitution) is outside what this dynamics is
        defined for; the default accepts every game.

        Stages call it before any work, e.g. the discrete-time replicator needs positive
        payoffs.
        """
        return None

    def replicator_rate(self) -> sympy.Expr | None:
        """The constant ``c > 0`` when this dynamics' field is exactly ``c`` times the
        replicator field (then every rest point, verdict and condition of the replicator
        analysis holds, with eigenvalues times ``c``); ``None`` otherwise."""
        return None

    # ------------------------------------------------------------------ identity
    def _opts(self) -> dict[str, Number]:
        # A user's subclass may define __init__ without calling ours: it then has no options.
        return getattr(self, "_values", {})

    @property
    def values(self) -> dict[str, Number]:
        """The option values, name -> number (a copy)."""
        return dict(self._opts())

    def value(self, key: str) -> sympy.Expr:
        """Option ``key`` as an exact sympy number."""
        v = self._opts()[key]
        if isinstance(v, Fraction):
            return sympy.Rational(v.numerator, v.denominator)
        return sympy.Integer(v) if isinstance(v, int) else sympy.Float(v)

    def spec(self) -> str:
        """The command-line form, ``NAME[:KEY=VALUE,...]``, which :func:`dynamics_from_spec`
        reads back to an equal object."""
        if not self._opts():
            return self.name
        return self.name + ":" + ",".join(f"{k}={_fmt(v)}" for k, v in self._opts().items())

    def describe(self) -> str:
        """The dynamics in running text, with its option values ("logit dynamics (eta = 0.1)")."""
        if not self._opts():
            return self.title
        opts = ", ".join(f"{k} = {_fmt(v)}" for k, v in self._opts().items())
        return f"{self.title} ({opts})"

    @property
    def invariant_faces(self) -> bool:
        """Whether every face of the state space is invariant, so that a share that is
        positive at the start stays positive (imitative dynamics: rest points found face by
        face). Under BNN, Smith, best-response, logit and mutation dynamics a trajectory can
        reach a face in finite time, or leave it."""
        return self.rest_points is RestPointMethod.FACES

    @property
    def rest_points_by_face(self) -> bool:
        """Whether the replicator's own face-by-face analysis (eigenvalues of its face blocks,
        Selten's theorem, the centre theorems) is this dynamics' analysis unchanged: true for
        the replicator dynamics only.

        Other dynamics whose rest points are found face by face (:attr:`rest_points` is
        ``FACES``: pairwise imitation, the discrete-time replicator, a user's imitative
        dynamics) have the replicator's points but their own Jacobian, a map's stability rule
        or a different rate; :func:`lmc_games.analyze` hands them, like every dynamics for
        which this is false, to the analysis that classifies each point from the dynamics'
        own field.
        """
        return (
            self.rest_points is RestPointMethod.FACES
            and self.time is Time.CONTINUOUS
            and self.replicator_rate() == 1
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._opts() == self._opts()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__qualname__, tuple(self._opts().items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._opts().items())
        return f"{type(self).__name__}({args})"


def exact_option(value: Number) -> int | Fraction:
    """An option value as an exact number: a float is the decimal it prints as (0.1 is 1/10),
    as the command line takes ``eta=0.1`` and a model file a decimal payoff, so
    ``Logit(eta=0.1)`` prints ``tanh(5*(...)/2)``, not a float 2.5, and equals ``Logit()``.

    Examples
    --------
    >>> exact_option(0.1), exact_option(3), exact_option(Fraction(1, 3))
    (Fraction(1, 10), 3, Fraction(1, 3))
    """
    if isinstance(value, float):
        return Fraction(repr(value))
    return value


def _fmt(v: Number) -> str:
    """An option value as the command line takes it back: a fraction with a terminating
    decimal expansion (1/10, 3/8) as that decimal (0.1, 0.375), other fractions as p/q."""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        rest = v.denominator
        for prime in (2, 5):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            digits = len(str(abs(v.numerator))) + len(str(v.denominator))
            with decimal.localcontext() as ctx:
                ctx.prec = digits + 2  # enough for the exact expansion
                text = format(decimal.Decimal(v.numerator) / decimal.Decimal(v.denominator), "f")
            if len(text) <= 24:
                return text
        return str(v)
    return repr(v) if isinstance(v, float) else str(v)

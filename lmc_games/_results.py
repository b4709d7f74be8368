"""Result objects of an analysis: rest points, continua, verdicts.

Everything here is frozen. Exact values (sympy expressions: Rationals, algebraic numbers, or
formulas in the parameters for a symbolic analysis) sit beside their floating-point versions,
which are for display and JSON only — no decision is ever taken from them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import sympy

from . import _render

if TYPE_CHECKING:
    from ._game import Game
    from ._system import System

__all__ = ["Stability", "RestPoint", "Continuum", "Analysis", "DetTraceRow"]


class Stability(enum.Enum):
    """The five verdicts on a rest point, decided from the real parts of the eigenvalues of the
    Jacobian on the state space (reduced coordinates).

    Each member's :attr:`message` says what the verdict means for a user.
    """

    STABLE = "stable"
    UNSTABLE = "unstable"
    SADDLE = "saddle"
    CENTRE = "centre"
    NON_HYPERBOLIC = "non-hyperbolic"

    @property
    def message(self) -> str:
        """What the verdict means (for dynamics in continuous time)."""
        return _MESSAGES[self]

    @property
    def map_message(self) -> str:
        """What the verdict means for a map in discrete time, where the eigenvalues of the
        map's Jacobian (its multipliers) are compared with the unit circle, not with zero.

        Examples
        --------
        >>> Stability.STABLE.map_message.split(":")[0]
        'every multiplier lies inside the unit circle'
        """
        return _MAP_MESSAGES[self]

    def __str__(self) -> str:
        return self.value


_MESSAGES = {
    Stability.STABLE: "all eigenvalues have negative real part: asymptotically stable (a sink, "
    "node or focus)",
    Stability.UNSTABLE: "some eigenvalues have positive real part and none negative: a source "
    "(repelling)",
    Stability.SADDLE: "eigenvalues with positive and with negative real parts: unstable, "
    "attracting along some directions only",
    Stability.CENTRE: "purely imaginary eigenvalues and a constant of motion: surrounded by "
    "closed orbits; stable but not asymptotically stable",
    Stability.NON_HYPERBOLIC: "no eigenvalue with positive real part, some with zero real part, "
    "and no theorem settles it: linearisation cannot decide stability",
}


_MAP_MESSAGES = {
    Stability.STABLE: "every multiplier lies inside the unit circle: asymptotically stable (a "
    "sink)",
    Stability.UNSTABLE: "some multipliers lie outside the unit circle and none inside: a source "
    "(repelling)",
    Stability.SADDLE: "multipliers inside and outside the unit circle: unstable, attracting "
    "along some directions only",
    Stability.CENTRE: "multipliers on the unit circle and a constant of motion: stable but not "
    "asymptotically stable",
    Stability.NON_HYPERBOLIC: "no multiplier outside the unit circle, some on it, and no theorem "
    "settles it: linearisation cannot decide stability",
}


@dataclass(frozen=True)
class DetTraceRow:
    """One row of the det/trace table applied papers print for two-dimensional systems.

    ``det`` and ``trace`` are exact (or symbolic) values of the reduced Jacobian; ``verdict`` is
    what the det/trace rule gives (``None`` in a symbolic analysis where signs are unknown).
    """

    label: str
    det: sympy.Expr
    trace: sympy.Expr
    det_sign: int | None
    trace_sign: int | None
    verdict: Stability | None
    note: str = ""


@dataclass(frozen=True)
class RestPoint:
    """A rest point of the dynamics, on one face of the state space.

    Attributes
    ----------
    label : str
        The face's label (``"reasonable, excessive"``, ``"hawk+dove"``), with `` #2`` for a
        second point on the same face.
    support : tuple of tuple of int
        Indices of the strategies in use, per population.
    coordinates : Mapping
        Free shares (reduced coordinates) -> exact value, or an expression in the parameters.
    shares : tuple of tuple
        All shares per population (exact or symbolic).
    jacobian : sympy.Matrix or None
        The reduced Jacobian at the point (exact or symbolic).
    eigenvalues : tuple
        Closed forms of the eigenvalues, where kept (empty when only ``charpoly`` is kept).
    numeric_eigenvalues : tuple of complex or None
        For display and JSON; ``None`` in a symbolic analysis.
    charpoly : sympy.Expr or None
        Characteristic polynomial in ``lambda``.
    stability : Stability or None
        The verdict; ``None`` when a symbolic analysis cannot decide it for all parameter
        values (see ``stable_if``).
    asymptotically_stable : bool
    reason : str
        Why the verdict holds (exact zero test, theorem, ...).
    nash, strict_nash, ess : bool or None
        Nash flags; ``ess`` is ``None`` where the static test does not apply or is undecided.
    exists_if, stable_if : sympy Boolean
        Conditions on the parameters (``true`` / ``false`` when decided).
    exact : bool
        Whether the point was computed in exact arithmetic.
    intermediates : Mapping
        Named quantities of a symbolic analysis that coordinates and conditions refer to
        (coefficients of an elimination polynomial, its discriminant, named coordinates).
    """

    label: str
    support: tuple[tuple[int, ...], ...]
    coordinates: Mapping[sympy.Symbol, sympy.Expr]
    shares: tuple[tuple[sympy.Expr, ...], ...]
    numeric_shares: tuple[tuple[float, ...], ...] | None
    jacobian: sympy.Matrix | None
    eigenvalues: tuple[sympy.Expr, ...]
    numeric_eigenvalues: tuple[complex, ...] | None
    charpoly: sympy.Expr | None
    stability: Stability | None
    asymptotically_stable: bool
    reason: str
    nash: bool | None
    strict_nash: bool | None
    ess: bool | None
    exists_if: Any = sympy.true
    stable_if: Any = sympy.false
    nash_if: Any = None
    exact: bool = True
    notes: tuple[str, ...] = ()
    intermediates: Mapping[sympy.Symbol, sympy.Expr] = field(default_factory=dict)

    def expanded(self) -> RestPoint:
        """The same rest point with its named quantities (``intermediates``) written out in
        the parameters: coordinates, shares, eigenvalues, characteristic polynomial, Jacobian
        and conditions hold only parameters (and ``lambda``). Nothing is simplified.

        The printed reports go the other way (``lmc_games._compact``): long formulas there are
        factored and abbreviated by names defined in a *where* block; the result objects and
        the JSON always keep the full expressions.

        Examples
        --------
        >>> from lmc_games import load_model, analyze
        >>> rp = analyze(load_model("water_use"), symbolic=True).rest_points[-1]
        >>> rp.expanded().coordinates == rp.coordinates  # no intermediates in a 2x2 game
        True
        """
        if not self.intermediates:
            return self
        full: dict = {}
        # Named quantities may refer to earlier ones: substitute until none is left.
        for _ in range(len(self.intermediates) + 1):
            full = {k: v.xreplace(full) for k, v in self.intermediates.items()}

        def sub(e: Any) -> Any:
            return e.xreplace(full) if isinstance(e, sympy.Basic) else e

        return replace(
            self,
            coordinates={k: sub(v) for k, v in self.coordinates.items()},
            shares=tuple(tuple(sub(s) for s in pop) for pop in self.shares),
            jacobian=None if self.jacobian is None else self.jacobian.xreplace(full),
            eigenvalues=tuple(sub(e) for e in self.eigenvalues),
            charpoly=sub(self.charpoly),
            exists_if=sub(self.exists_if),
            stable_if=sub(self.stable_if),
            nash_if=sub(self.nash_if),
            intermediates={},
        )

    def evaluate(self, values: Mapping[sympy.Symbol, Any]) -> tuple[tuple[sympy.Expr, ...], ...]:
        """The shares with parameter values substituted, resolving the named quantities of a
        symbolic analysis (``e2``, ``disc``, ``x_star``, ...) first.

        ``values`` maps parameter symbols to numbers (e.g. ``game.value_substitution()``).
        """
        inter = dict(self.intermediates)
        resolved: dict = {}
        # Named quantities may refer to earlier ones; substitute until none is left.
        for _ in range(len(inter) + 1):
            resolved = {k: v.xreplace(values).xreplace(resolved) for k, v in inter.items()}
        return tuple(
            tuple(s.xreplace(resolved).xreplace(values) for s in pop) for pop in self.shares
        )

    @property
    def is_pure(self) -> bool:
        """Whether every population uses a single strategy here."""
        return all(len(s) == 1 for s in self.support)

    @property
    def is_interior(self) -> bool:
        """Whether every population uses every strategy (needs the game's shape; see support)."""
        return all(len(s) > 1 for s in self.support)


@dataclass(frozen=True)
class Continuum:
    """A line, surface or higher-dimensional set of rest points on one face.

    Attributes
    ----------
    face : str
        Label of the face.
    dimension : int
    parametrisation : Mapping
        Free shares -> expressions in the free parameters ``t``, ``t2``, ... of the continuum.
    ranges : str
        Where the continuum lies inside the face, e.g. ``0 < t < 1``.
    stability : Stability or None
        Verdict at a generic point of the continuum (there is always one zero eigenvalue
        along it).
    sample : Mapping
        The generic point the verdict was taken at.
    description : str
    exists_if : sympy Boolean
    """

    face: str
    support: tuple[tuple[int, ...], ...]
    dimension: int
    parametrisation: Mapping[sympy.Symbol, sympy.Expr]
    ranges: str
    stability: Stability | None
    sample: Mapping[sympy.Symbol, sympy.Expr]
    numeric_eigenvalues: tuple[complex, ...] | None
    description: str
    exists_if: Any = sympy.true


@dataclass(frozen=True)
class Analysis:
    """Everything :func:`lmc_games.analyze` finds for one game.

    Attributes
    ----------
    game : Game
    system : System
        The reduced vector field and its Jacobian (symbolic in the parameters).
    symbolic : bool
        Whether the analysis kept the parameters as symbols.
    values : Mapping or None
        The parameter values used (``None`` for a symbolic analysis).
    rest_points : tuple of RestPoint
        Every isolated rest point and every pure profile, corners first.
    continua : tuple of Continuum
    inert_parameters : tuple of str
        Parameters that cannot affect the dynamics (every payoff advantage is free of them).
    det_trace : tuple of DetTraceRow
        For two-dimensional systems; empty otherwise.
    complete : bool
        Whether the enumeration is guaranteed complete (payoffs polynomial or rational in the
        shares and every face solved exactly or symbolically).
    notes : tuple of str
        What the user should know: numeric searches, theorems applied, faces not solved.
    """

    game: Game
    system: System
    symbolic: bool
    values: Mapping[str, sympy.Expr] | None
    rest_points: tuple[RestPoint, ...]
    continua: tuple[Continuum, ...]
    inert_parameters: tuple[str, ...]
    det_trace: tuple[DetTraceRow, ...] = ()
    complete: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return _render.render(self, "text")

    def to_dict(self) -> dict:
        """The JSON object of ``lmc-games analyze --format json`` (docs/cli.md)."""
        return _render.render(self, "json")

    def to_latex(self) -> str:
        """LaTeX tables (booktabs) and equations, as a fragment."""
        return _render.render(self, "latex")

    def to_markdown(self) -> str:
        """Markdown tables and equations."""
        return _render.render(self, "markdown")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        kind = "symbolic" if self.symbolic else "exact"
        stable = ", ".join(r.label for r in self.stable()) or "none"
        return (
            f"<Analysis of {self.game.name!r} ({kind}): {len(self.rest_points)} rest points, "
            f"{len(self.continua)} continua; stable: {stable}>"
        )

    def stable(self) -> tuple[RestPoint, ...]:
        """The asymptotically stable rest points."""
        return tuple(r for r in self.rest_points if r.asymptotically_stable)

    def __getitem__(self, label: str) -> RestPoint:
        for r in self.rest_points:
            if r.label == label:
                return r
        known = ", ".join(repr(r.label) for r in self.rest_points)
        raise KeyError(f"no rest point labelled {label!r}; labels: {known}")

"""Rest points and their stability under dynamics other than the replicator.

* ``RestPointMethod.NASH`` (BNN, Smith, best response): the rest points are exactly the Nash
  equilibria. The exact (or symbolic) replicator analysis finds every rest point face by face
  and flags the Nash equilibria among them; those are kept, with the replicator's existence
  and Nash conditions. The field is not differentiable there (``max(., 0)``, a best reply
  switching), so the verdict is non-hyperbolic and no derivative is taken.
* ``RestPointMethod.FACES`` other than the replicator itself: the same points as the
  replicator. A constant multiple ``c`` of the replicator (pairwise imitation) keeps every
  verdict and condition, with eigenvalues times ``c``. Otherwise (the discrete-time
  replicator, a user's own imitative dynamics) each exact point is classified from the
  dynamics' own Jacobian by exact root counts; for a map, the eigenvalues of ``I + DF`` are
  counted inside the unit circle through the Moebius map ``lambda = (1 + s)/(1 - s)``.
* ``RestPointMethod.SEARCH`` (logit, mutator): Newton's method from a grid of starts, each
  point certified by the Krawczyk interval test, classified from an interval enclosure of the
  Jacobian (Routh array), and the search proven complete by interval branch and bound where it
  finishes within its budget.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ._cancel import cancel
from ._conditions import combine
from ._errors import DynamicsError, UndecidedError
from ._exact import count_real_parts
from ._interval import Interval, NoEnclosure, charpoly, compile_interval, krawczyk, routh_counts
from ._results import Analysis, RestPoint, Stability
from ._system import System
from .dynamics import DiscreteReplicator, Mutator, Replicator, RestPointMethod, Time

if TYPE_CHECKING:
    from ._game import Game
    from .dynamics import Dynamics

__all__ = ["analyze_other", "SEARCH_TOLERANCE"]

LAMBDA = sympy.Symbol("lambda")
S = sympy.Symbol("s")

#: Largest residual (max norm of the field) at which Newton's method has found a zero.
SEARCH_TOLERANCE = 1e-10
#: Points closer than this (max norm) are one point.
DEDUP_TOLERANCE = 1e-7
#: Boxes the branch and bound may examine before giving up the proof of completeness. A
#: count, not a time, so that the same input always gets the same answer; the time limit is
#: only a guard against pathological fields (seconds).
BOX_BUDGET = 4000
TIME_BUDGET = 120.0


def analyze_other(game: Game, *, symbolic: bool, dynamics: Dynamics) -> Analysis:
    """Analysis of ``game`` under a dynamics other than the replicator.

    Called by :func:`lmc_games.analyze`; see the module docstring for the methods.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games.dynamics import Smith
    >>> hd = Game.symmetric([[-1, 4], [0, 2]], ["hawk", "dove"])
    >>> a = analyze_other(hd, symbolic=False, dynamics=Smith())
    >>> [(r.label, r.coordinates, str(r.stability)) for r in a.rest_points]
    [('hawk+dove', {x: 2/3}, 'non-hyperbolic')]
    """
    if not symbolic:
        dynamics.check_game(game)
    method = dynamics.rest_points
    if method is RestPointMethod.NASH:
        return _nash(game, symbolic, dynamics)
    if method is RestPointMethod.FACES:
        return _faces(game, symbolic, dynamics)
    if isinstance(dynamics, Mutator) and not dynamics.without_mutation():
        if any(mu == 0 for mu in dynamics.rates(game)):
            raise DynamicsError(
                f"{dynamics.describe()}: some populations mutate and some do not; the rest "
                "points could then lie on a face of a population without mutation, where the "
                "numeric search of interior zeros does not look. Give every population a "
                "positive rate (e.g. 1e-6) or none"
            )
    if isinstance(dynamics, Mutator) and dynamics.without_mutation():
        # No mutation: the replicator field exactly, whose rest points sit on the boundary
        # where a search of interior zeros would not look.
        base = _replicator(game, symbolic)
        return replace(
            base,
            system=System.of(game, dynamics),
            notes=base.notes
            + ("mutation rate 0: the replicator dynamics, analysed face by face (exact)",),
        )
    if symbolic:
        raise DynamicsError(
            f"{dynamics.describe()}: its rest points come from a numeric search, which needs "
            "parameter values; analyse with symbolic=False (the command line without "
            "--symbolic), choosing values with Game.with_values"
        )
    return _search(game, dynamics)


# ---------------------------------------------------------------------- shared pieces
def _replicator(game: Game, symbolic: bool) -> Analysis:
    from ._analysis import analyze

    return analyze(game, symbolic=symbolic, dynamics=Replicator())


def _method_note(dynamics: Dynamics) -> str:
    return f"{dynamics.describe()}: rest points {dynamics.rest_points.value}"


# ---------------------------------------------------------------------- Nash dynamics
def _nash(game: Game, symbolic: bool, dynamics: Dynamics) -> Analysis:
    base = _replicator(game, symbolic)
    why = (
        f"a Nash equilibrium, so a rest point of the {dynamics.title}; the field is not "
        "differentiable there (max(., 0) of payoff differences, or a best reply that "
        "switches), so linearisation does not apply and no eigenvalue is computed"
    )
    kept: list[RestPoint] = []
    for r in base.rest_points:
        if symbolic:
            nash_if = r.nash_if if r.nash_if is not None else _as_bool(r.nash)
            exists = combine([r.exists_if, nash_if])
            if exists == sympy.false:
                continue
        else:
            if r.nash is False:
                continue
            exists = r.exists_if
        notes = list(r.notes)
        if r.nash is None and not symbolic:
            notes.append("whether this point is a Nash equilibrium was not decided")
        if r.ess:
            notes.append(
                "an ESS (strict equilibrium or regular ESS): locally asymptotically stable "
                "under BNN, Smith and best-response dynamics by Sandholm (2010, Theoretical "
                "Economics 5, 27-50), a Lyapunov argument that the verdict here does not use"
            )
        kept.append(
            replace(
                r,
                jacobian=None,
                eigenvalues=(),
                numeric_eigenvalues=None,
                charpoly=None,
                stability=Stability.NON_HYPERBOLIC,
                asymptotically_stable=False,
                reason=why,
                exists_if=exists,
                stable_if=sympy.false,
                notes=tuple(notes),
            )
        )
    continua = tuple(
        replace(
            c,
            stability=None,
            numeric_eigenvalues=None,
            description=c.description
            + f"; under the {dynamics.title} only its Nash equilibria are rest points",
        )
        for c in base.continua
    )
    return replace(
        base,
        system=System.of(game, dynamics),
        rest_points=tuple(kept),
        continua=continua,
        det_trace=(),
        notes=(
            _method_note(dynamics)
            + ": the Nash equilibria among the replicator's rest points, found exactly face by "
            "face",
            *base.notes,
        ),
    )


def _as_bool(flag: bool | None):
    if flag is None:
        return sympy.true
    return sympy.true if flag else sympy.false


# ---------------------------------------------------------------------- face-by-face dynamics
def _faces(game: Game, symbolic: bool, dynamics: Dynamics) -> Analysis:
    rate = dynamics.replicator_rate()
    system = System.of(game, dynamics)
    if rate is not None and dynamics.time is Time.CONTINUOUS:
        base = _replicator(game, symbolic)
        if rate == 1:
            return replace(base, system=system)
        return _scaled(base, system, rate, dynamics)
    if symbolic:
        if dynamics.time is Time.DISCRETE and len(game.variables) <= 2:
            return _discrete_symbolic(game, dynamics, system)
        raise DynamicsError(
            f"{dynamics.describe()}: a symbolic analysis is available for the replicator, its "
            "constant multiples and maps of dimension at most 2; analyse with parameter values "
            "(symbolic=False)"
        )
    base = _replicator(game, False)
    subs = game.value_substitution()
    field = [f.xreplace(subs) for f in system.field]
    J = system.jacobian.xreplace(subs)
    discrete = dynamics.time is Time.DISCRETE
    notes = [
        _method_note(dynamics)
        + "; the replicator's points, classified from this dynamics' own Jacobian"
        + (
            " (a map: stable when every eigenvalue of I + DF lies inside the unit circle)"
            if discrete
            else ""
        )
    ]
    if discrete and game.state_dependent:
        notes.append(
            "payoffs depend on the shares: their positivity, which the discrete-time "
            "replicator needs, was checked at each fixed point only"
        )
    kept: list[RestPoint] = []
    for r in base.rest_points:
        point = dict(r.coordinates)
        if isinstance(dynamics, DiscreteReplicator):
            background = float(dynamics.values["base"])
            means = _mean_payoffs(system, point, subs)
            if any(m is None or background + m <= 0 for m in means):
                notes.append(
                    f"{r.label}: a mean fitness (base + average payoff) is not positive there, "
                    "so the map is not defined; not listed"
                )
                continue
        at_point = [e.xreplace(point) for e in [*field, *J]]
        if any(e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) for e in at_point):
            notes.append(f"{r.label}: the field or its Jacobian is not finite there; not listed")
            continue
        vals = [f.xreplace(point) for f in field]
        if any(abs(complex(sympy.N(v, 30))) > 1e-20 for v in vals):
            notes.append(
                f"{r.label}: the field of {dynamics.describe()} does not vanish there although "
                "the dynamics says its rest points are found face by face; not listed"
            )
            continue
        kept.append(_reclassify(r, J.xreplace(point), discrete))
    return replace(
        base,
        system=system,
        rest_points=tuple(kept),
        continua=tuple(replace(c, stability=None, numeric_eigenvalues=None) for c in base.continua),
        det_trace=(),
        notes=tuple(notes) + base.notes,
    )


def _discrete_symbolic(game: Game, dynamics: Dynamics, system: System) -> Analysis:
    """A map of dimension 1 or 2 with parameters kept as symbols: the replicator's points
    and their conditions, stable exactly where the Jury conditions hold (every eigenvalue of
    ``M = I + DF`` inside the unit circle: ``-1 < m < 1`` in dimension 1; ``det M < 1`` and
    ``|tr M| < 1 + det M`` in dimension 2; Jury 1964, *Theory and Application of the
    z-Transform Method*; Elaydi 2005, *An Introduction to Difference Equations*, §4.3)."""
    from ._conditions import Signs

    base = _replicator(game, True)
    signs = Signs(game.parameters)
    n = len(game.variables)
    rep = System.of(game, Replicator())
    background = dynamics.value("base") if isinstance(dynamics, DiscreteReplicator) else None
    points = []
    for r in base.rest_points:
        r = r.expanded()
        at = dict(r.coordinates)
        # At a rest point the increment x_i (f_i - fbar)/(b + fbar) has the derivative of
        # x_i (f_i - fbar) divided by b + fbar (the other term multiplies a zero): the map's
        # Jacobian is I + D^-1 J_replicator with D the mean fitness of each row's population.
        if background is None:
            J, means, closed = system.jacobian.xreplace(at), [sympy.Integer(1)] * n, ()
        else:
            # The replicator analysis has its Jacobian at the point already cancelled, and
            # its eigenvalues where they have a closed form.
            J = r.jacobian if r.jacobian is not None else rep.jacobian.xreplace(at)
            closed = r.eigenvalues
            means = []
            for pop, sup, f in zip(game.populations, r.support, rep.payoffs):
                fit = _small_cancel(background + f[sup[0]].xreplace(at))
                means += [fit] * (pop.k - 1)
        M = sympy.Matrix(
            [[int(i == j) + J[i, j] / means[i] for j in range(n)] for i in range(n)]
        ).applyfunc(_small_cancel)
        multipliers, cp, conds, never = _multipliers(M, J, means, closed, signs)
        stable_if = combine([r.exists_if, *conds])
        if never is not None:
            stability, why = None, never
        elif stable_if == sympy.true:
            stability, why = Stability.STABLE, "every eigenvalue inside the unit circle for all "
            why += "parameter values (Jury conditions)"
        elif stable_if == sympy.false:
            stability, why = None, "the Jury conditions for stability cannot hold under the bounds"
        else:
            stability, why = (
                None,
                "stable exactly when stable_if holds (Jury conditions of the map)",
            )
        points.append(
            replace(
                r,
                jacobian=M,
                eigenvalues=multipliers,
                numeric_eigenvalues=None,
                charpoly=cp,
                stability=stability,
                asymptotically_stable=stability is Stability.STABLE,
                reason=why,
                stable_if=stable_if,
                notes=r.notes + ("jacobian is that of the map, I + DF",),
            )
        )
    return replace(
        base,
        system=system,
        rest_points=tuple(points),
        continua=tuple(replace(c, stability=None, numeric_eigenvalues=None) for c in base.continua),
        det_trace=(),
        notes=(
            _method_note(dynamics) + "; the replicator's points, stable where the Jury "
            "conditions of the map hold; the fitnesses must be positive where it is used",
            *base.notes,
        ),
    )


def _small_cancel(e: sympy.Expr) -> sympy.Expr:
    """Cancel an expression of moderate size; large ones (a symbolic interior point of a
    three-parameter-family game) are left as they are, which costs nothing in correctness."""
    from ._conditions import expr_size

    return cancel(e) if expr_size(e, 300) < 300 else e


def _moderate(e: sympy.Expr) -> bool:
    from ._conditions import expr_size

    return expr_size(e, 300) < 300


def _mean_payoffs(system: System, point, subs) -> list[float | None]:
    out: list[float | None] = []
    for pop, f in zip(system.game.populations, system.payoffs):
        x = pop.shares()
        mean = sympy.Add(*[xi * fi for xi, fi in zip(x, f)]).xreplace(subs).xreplace(point)
        try:
            out.append(float(sympy.N(mean, 30)))
        except TypeError:
            out.append(None)
    return out


def _scaled(base: Analysis, system: System, rate, dynamics: Dynamics) -> Analysis:
    """The replicator analysis for the field ``rate`` times the replicator's: the same points,
    verdicts and conditions; Jacobians, eigenvalues and characteristic polynomials scaled."""
    r_num = complex(float(rate))
    points = []
    for r in base.rest_points:
        n = len(base.game.variables)
        cp = None
        reason = r.reason + f" (eigenvalues are the replicator's times {rate})"
        if r.charpoly is not None:
            if _moderate(r.charpoly):
                cp = sympy.expand(rate**n * r.charpoly.xreplace({LAMBDA: LAMBDA / rate}))
            else:
                # The symbolic interior polynomial of a three-population model has hundreds of
                # thousands of characters: expanding or printing its rescaled form takes
                # hours, and it says nothing the replicator's does not.
                reason += (
                    f"; characteristic polynomial: rate**{n} * p(lambda/rate) with p the "
                    "replicator's (analyze with the replicator dynamics to see it)"
                )
        points.append(
            replace(
                r,
                jacobian=None if r.jacobian is None else rate * r.jacobian,
                eigenvalues=tuple(rate * e for e in r.eigenvalues),
                numeric_eigenvalues=None
                if r.numeric_eigenvalues is None
                else tuple(r_num * z for z in r.numeric_eigenvalues),
                charpoly=cp,
                reason=reason,
            )
        )
    rows = tuple(replace(d, det=rate**2 * d.det, trace=rate * d.trace) for d in base.det_trace)
    return replace(
        base,
        system=system,
        rest_points=tuple(points),
        det_trace=rows,
        notes=(
            f"{dynamics.describe()} is the replicator dynamics at the constant rate {rate}: same "
            "rest points, verdicts and conditions, eigenvalues times the rate",
            *base.notes,
        ),
    )


def _multipliers(
    M: sympy.Matrix, J: sympy.Matrix, means: list, closed: tuple, signs
) -> tuple[tuple, sympy.Expr, list, str | None]:
    """``(multipliers, charpoly, conditions, never)`` of a map's Jacobian ``M = I + D^-1 J``
    of dimension 1 or 2 with symbolic entries, ``D`` the diagonal of ``means`` (each row's
    mean fitness ``base + fbar``, or 1) and ``closed`` the closed-form eigenvalues of ``J``
    where known (the replicator's at the point), else empty.

    * Triangular ``M`` (every pure profile, and an edge, of a two-population game): the
      multipliers are the diagonal entries, the characteristic polynomial their product of
      ``lambda - m``, and the Jury conditions are ``-1 < m < 1`` for each, which is what the
      three conditions of dimension 2 say for real roots (their products would be long
      formulas that the report cannot shorten in reasonable time).
    * Trace exactly 2 (the interior point of a two-population game: the replicator's Jacobian
      has a zero diagonal there): ``1 - det`` and ``1 + det - tr`` add up to ``2 - tr = 0``, so
      the Jury conditions never hold together; ``never`` says why. The multipliers are
      ``1 +- sqrt(M_xy*M_yx)``, written ``1 +- sqrt(M_xy)*sqrt(M_yx)`` (the same pair of
      numbers: the product of the roots squares to ``M_xy*M_yx``), each factor kept apart so
      that the report names it instead of expanding the product.
    * One mean fitness ``d`` for every row (one population) and real closed eigenvalues
      ``mu`` of ``J`` (an edge of a three-strategy game; checked exactly against ``J``'s
      trace and determinant): ``M = I + J/d`` has the multipliers ``1 + mu/d``, inside the
      unit circle iff ``-mu/d > 0`` and ``2 + mu/d > 0``.
    * Otherwise the three Jury conditions, each multiplied by ``(d1*d2)**2``, positive
      wherever ``M`` is defined, so that their signs are those of polynomials in ``J``'s
      determinant and trace rather than of sums of fractions with ``d`` in every
      denominator (deciding those expanded the whole sum: minutes for the interior of
      mechanism_overlap). With ``d1 = d2 = d``: ``1 - det M > 0`` iff
      ``-(d*tr J + det J) > 0``; ``1 + det M - tr M > 0`` iff ``det J > 0``;
      ``1 + det M + tr M > 0`` iff ``4*d**2 + 2*d*tr J + det J > 0``. No closed multipliers.

    Examples
    --------
    >>> from lmc_games._conditions import Signs
    >>> from lmc_games import Parameter
    >>> a = Parameter("a", 1, min=0)
    >>> J = sympy.Matrix([[-1, -a.symbol], [1, -1]])
    >>> M = sympy.eye(2) + J / 4
    >>> ms, cp, conds, never = _multipliers(M, J, [4, 4], (), Signs([a]))
    >>> conds  # -(4*(-2) + 1 + a) > 0, 1 + a > 0, 64 - 16 + 1 + a > 0
    [a < 7, True, True]
    """
    from ._conditions import positive

    n = M.shape[0]
    if n == 1 or M[0, 1] == 0 or M[1, 0] == 0:
        ms = tuple(_small_cancel(M[i, i]) for i in range(n))
        conds = []
        for m in ms:
            conds += [positive(_small_cancel(1 - m), signs), positive(_small_cancel(1 + m), signs)]
        return ms, sympy.Mul(*[LAMBDA - m for m in ms]), conds, None
    d1, d2 = means
    # The rows of one population share one mean fitness, the same expression; two
    # populations' means are compared by structure only (expanding them costs minutes
    # when payoffs depend on the shares), and the general case is right for any pair.
    uniform = d1 == d2
    if uniform:
        trM = 2 + _small_cancel(J[0, 0] + J[1, 1]) / d1
    else:
        trM = 2 + _small_cancel(J[0, 0] / d1 + J[1, 1] / d2)
    if trM == 2 or _small_cancel(M[0, 0] + M[1, 1]) == 2:
        det = _small_cancel(M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0])
        root = sympy.sqrt(cancel(M[0, 1])) * sympy.sqrt(cancel(M[1, 0]))
        never = (
            "the trace of I + DF is 2, so the Jury conditions det < 1 and 1 + det - tr > 0 "
            "cannot both hold: the multipliers 1 +- sqrt(M_xy*M_yx) are never both inside the "
            "unit circle (real with one above 1, complex with modulus above 1, or both 1)"
        )
        return (1 - root, 1 + root), LAMBDA**2 - 2 * LAMBDA + det, [sympy.false], never
    if uniform and _are_eigenvalues(closed, J, signs):
        ms = tuple(_small_cancel(1 + mu / d1) for mu in closed)
        conds = []
        for mu in closed:
            conds += [
                positive(_small_cancel(-mu / d1), signs),
                positive(_small_cancel(2 + mu / d1), signs),
            ]
        return ms, sympy.Mul(*[LAMBDA - m for m in ms]), conds, None
    detJ = _cancel_moderate(J[0, 0] * J[1, 1] - J[0, 1] * J[1, 0])
    if uniform:
        d = d1
        trJ = _cancel_moderate(J[0, 0] + J[1, 1])
        detM = 1 + trJ / d + detJ / d**2
        conds = [
            _positive(-(d * trJ + detJ), signs),
            _positive(detJ, signs),
            _positive(4 * d**2 + 2 * d * trJ + detJ, signs),
        ]
    else:
        # (d1*d2)*tr(D^-1 J) and (d1*d2)*det(D^-1 J)
        tr_k = _cancel_moderate(J[0, 0] * d2 + J[1, 1] * d1)
        detM = 1 + tr_k / (d1 * d2) + detJ / (d1 * d2)
        conds = [
            _positive(-(tr_k + detJ), signs, d1 * d2),
            _positive(detJ, signs, d1 * d2),
            _positive(4 * d1 * d2 + 2 * tr_k + detJ, signs, d1 * d2),
        ]
    cp = LAMBDA**2 - trM * LAMBDA + detM
    return (), cp, conds, None


def _are_eigenvalues(closed: tuple, J: sympy.Matrix, signs) -> bool:
    """Whether ``closed`` are the two eigenvalues of the 2x2 matrix ``J``, each real for
    every real value of the parameters. Proven, not assumed: their sum and product cancel
    exactly against ``J``'s trace and determinant, which fix the characteristic polynomial."""
    if len(closed) != 2 or not all(_real_closed(mu, signs) for mu in closed):
        return False
    a, b = closed
    tr_gap = _cancel_moderate(a + b - J[0, 0] - J[1, 1])
    det_gap = _cancel_moderate(a * b - J[0, 0] * J[1, 1] + J[0, 1] * J[1, 0])
    return tr_gap == 0 and det_gap == 0


def _real_closed(e: sympy.Expr, signs) -> bool:
    """Whether ``e`` is real for every real value of the parameters: a rational function of
    them with rational coefficients (no root, no ``I``)."""
    syms = e.free_symbols
    if not syms <= set(signs.bounds) or e.has(sympy.I):
        return False
    return bool(e.is_rational_function(*syms)) and all(c.is_Rational for c in e.atoms(sympy.Number))


#: Expressions of at least this many nodes are neither cancelled nor simplified as conditions:
#: cancelling the Jury expressions of the interior of central_local_dynamic (about 10^5
#: nodes) takes seconds each, and deciding the sign of a sum of fractions that large
#: expands it (minutes); stated as they are, they are still exact.
_LARGE = 3000


def _cancel_moderate(e: sympy.Expr) -> sympy.Expr:
    """``cancel`` below ``_LARGE`` nodes (the determinant of the replicator's Jacobian at a
    symbolic interior point of a three-strategy game has about a thousand; cancelling it
    takes a fraction of a second and makes its sign test a polynomial one)."""
    from ._conditions import expr_size

    return cancel(e) if expr_size(e, _LARGE) < _LARGE else e


def _positive(e: sympy.Expr, signs, factor: sympy.Expr = sympy.S.One) -> sympy.Basic:
    """The condition ``e * factor > 0``: simplified under the bounds when ``e`` is moderate,
    else stated as it is (exact, not simplified)."""
    from ._conditions import expr_size, positive

    e = _cancel_moderate(e)
    if expr_size(e, _LARGE) >= _LARGE:
        return sympy.StrictGreaterThan(e * factor, 0)
    return positive(e * factor, signs)


def _reclassify(r: RestPoint, J: sympy.Matrix, discrete: bool) -> RestPoint:
    """A verdict from the dynamics' own Jacobian at the point (exact where the point is)."""
    n = J.shape[0]
    M = sympy.eye(n) + J if discrete else J
    try:
        Mf = np.array(M.evalf(20).tolist(), dtype=complex)
        numeric = tuple(sorted(np.linalg.eigvals(Mf), key=lambda z: (z.real, z.imag)))
    except (TypeError, ValueError):
        numeric = None
    if not r.exact:
        return _numeric_verdict(r, M, numeric, discrete)
    try:
        M = M.applyfunc(lambda e: sympy.radsimp(cancel(e)) if not e.is_Rational else e)
        coeffs = M.charpoly(LAMBDA).all_coeffs()
        if discrete:
            coeffs = _unit_disc_to_half_plane(coeffs)
            # Roots at lambda = -1 drop out of the transformed polynomial: on the circle.
            lost = n - (len(coeffs) - 1)
        else:
            lost = 0
        counts = count_real_parts(coeffs)
    except (UndecidedError, ValueError, TypeError) as exc:
        return replace(
            _numeric_verdict(r, M, numeric, discrete),
            stability=Stability.NON_HYPERBOLIC,
            asymptotically_stable=False,
            reason=f"undecided: {exc}",
        )
    neg, pos, zero = counts.negative, counts.positive, counts.zero + lost
    verdict, why = _verdict(neg, pos, zero, discrete)
    return replace(
        r,
        jacobian=M,
        eigenvalues=(),
        numeric_eigenvalues=numeric,
        charpoly=sympy.Poly(M.charpoly(LAMBDA).all_coeffs(), LAMBDA).as_expr(),
        stability=verdict,
        asymptotically_stable=verdict is Stability.STABLE,
        reason=why + " (exact root counts)",
        stable_if=sympy.true if verdict is Stability.STABLE else sympy.false,
        notes=r.notes + (("jacobian is that of the map, I + DF",) if discrete else ()),
    )


def _unit_disc_to_half_plane(coeffs) -> list:
    """Coefficients of ``(1 - s)**n p((1 + s)/(1 - s))``: roots of p inside the unit circle
    become roots with negative real part, on it zero real part, outside positive."""
    n = len(coeffs) - 1
    q = sympy.Integer(0)
    for i, c in enumerate(coeffs):
        k = n - i
        q += c * (1 + S) ** k * (1 - S) ** (n - k)
    poly = sympy.Poly(sympy.expand(q), S)
    out = poly.all_coeffs()
    while len(out) > 1 and sympy.simplify(out[0]) == 0:
        out = out[1:]
    return out


def _verdict(neg: int, pos: int, zero: int, discrete: bool) -> tuple[Stability, str]:
    inside = "inside the unit circle" if discrete else "with negative real part"
    outside = "outside the unit circle" if discrete else "with positive real part"
    on = "on the unit circle" if discrete else "with zero real part"
    if pos and neg:
        return Stability.SADDLE, f"eigenvalues {inside} and {outside}"
    if pos:
        return Stability.UNSTABLE, f"an eigenvalue {outside} and none {inside}"
    if zero:
        return Stability.NON_HYPERBOLIC, f"an eigenvalue {on}; linearisation does not decide"
    return Stability.STABLE, f"every eigenvalue {inside}"


def _numeric_verdict(r: RestPoint, M, numeric, discrete: bool) -> RestPoint:
    tol = 1e-9
    if numeric is None:
        stab, why = Stability.NON_HYPERBOLIC, "undecided: the Jacobian is not finite there"
    else:
        key = [abs(z) - 1 for z in numeric] if discrete else [z.real for z in numeric]
        neg = sum(1 for v in key if v < -tol)
        pos = sum(1 for v in key if v > tol)
        stab, why = _verdict(neg, pos, len(key) - neg - pos, discrete)
        why += f" (floating point, tolerance {tol:g}; not exact)"
    return replace(
        r,
        jacobian=None,
        eigenvalues=(),
        numeric_eigenvalues=numeric,
        charpoly=None,
        stability=stab,
        asymptotically_stable=stab is Stability.STABLE,
        reason=why,
        stable_if=sympy.true if stab is Stability.STABLE else sympy.false,
    )


# ---------------------------------------------------------------------- numeric search
class _Space:
    """The state space in reduced coordinates: per population, k - 1 shares with sum <= 1."""

    def __init__(self, game: Game):
        self.groups = []
        i = 0
        for pop in game.populations:
            self.groups.append(tuple(range(i, i + pop.k - 1)))
            i += pop.k - 1
        self.dim = i

    def inside(self, x, tol: float = 0.0) -> bool:
        return all(
            all(x[j] >= -tol for j in g) and sum(x[j] for j in g) <= 1 + tol for g in self.groups
        )

    def box_position(self, box: list[Interval]) -> str:
        """ "in" (box inside the closed state space), "out" (disjoint from it) or "part"."""
        verdict = "in"
        for g in self.groups:
            lo = sum(box[j].lo for j in g)
            hi = sum(box[j].hi for j in g)
            if lo > 1 or any(box[j].hi < 0 for j in g):
                return "out"
            if hi > 1 or any(box[j].lo < 0 for j in g):
                verdict = "part"
        return verdict

    def starts(self, per_axis: int) -> list[np.ndarray]:
        grids = []
        for g in self.groups:
            k = len(g) + 1
            m = per_axis
            pts = []
            for c in itertools.product(range(1, m + 1), repeat=len(g)):
                if sum(c) < m + 1:
                    pts.append(tuple(v / (m + 1) for v in c))
            grids.append(pts if k > 1 else [()])
        return [
            np.array([v for part in combo for v in part]) for combo in itertools.product(*grids)
        ]


def _search(game: Game, dynamics: Dynamics) -> Analysis:
    from scipy.optimize import root

    system = System.of(game, dynamics)
    subs = game.value_substitution()
    variables = list(system.variables)
    field = [sympy.sympify(f).xreplace(subs) for f in system.field]
    jac = system.jacobian.xreplace(subs)
    space = _Space(game)
    n = space.dim
    if n == 1:
        exact = _exact_one_dimensional(game, system, field[0], dynamics)
        if exact is not None:
            return exact
    F_np = sympy.lambdify([variables], field, "numpy")
    J_np = sympy.lambdify([variables], jac.tolist(), "numpy")

    def residual(v):
        with np.errstate(all="ignore"):
            return np.asarray(F_np(v), dtype=float)

    def jacobian(v):
        with np.errstate(all="ignore"):
            return np.asarray(J_np(v), dtype=float).reshape(n, n)

    per_axis = max(3, min(12, int(round(300 ** (1 / max(n, 1))))))
    starts = space.starts(per_axis)
    found: list[np.ndarray] = []
    for x0 in starts:
        res = root(residual, x0, jac=jacobian, method="hybr", tol=1e-14)
        x = res.x
        if not np.all(np.isfinite(x)) or np.max(np.abs(residual(x))) > SEARCH_TOLERANCE:
            continue
        if not space.inside(x, 1e-12):
            continue
        if all(np.max(np.abs(x - y)) > DEDUP_TOLERANCE for y in found):
            found.append(x)
    try:
        F_iv = [compile_interval(f, variables) for f in field]
        J_iv = [[compile_interval(jac[i, j], variables) for j in range(n)] for i in range(n)]
    except NoEnclosure:
        F_iv = J_iv = None
    notes = [
        _method_note(dynamics)
        + f": Newton's method (scipy.optimize.root, hybr) from {len(starts)} starts on a "
        f"regular grid of the state space ({per_axis} per axis), residual at most "
        f"{SEARCH_TOLERANCE:g}, points closer than {DEDUP_TOLERANCE:g} merged"
    ]
    complete = False
    if F_iv is not None:
        known = []
        for x in found:
            box = _certify(F_iv, J_iv, x)
            if box is not None:
                known.append(krawczyk(F_iv, J_iv, box)[1])
        proof = _branch_and_bound(F_iv, J_iv, space, known)
        if proof.complete:
            complete = True
            # Any zero the starts missed sits in a certified box: Newton from its centre.
            for box in proof.unique:
                if not any(_near(box, x) for x in found):
                    x0 = np.array([b.mid for b in box])
                    res = root(residual, x0, jac=jacobian, method="hybr", tol=1e-14)
                    if _near(box, res.x):
                        found.append(res.x)
                    else:
                        complete = False
            if complete and len(found) != len(proof.unique):
                complete = False
        if complete:
            notes.append(
                f"complete: interval branch and bound over the whole state space "
                f"({proof.boxes} boxes) proves that the field has exactly {len(proof.unique)} "
                "zero(s) there (each in a box passing the Krawczyk test, every other box "
                "excluded)"
            )
        else:
            notes.append(f"not proven complete: {proof.why}")
    else:
        notes.append(
            "not proven complete: the field has a function interval arithmetic here does not "
            "handle, so neither completeness nor the points are certified"
        )
    points = [_search_point(game, system, x, F_iv, J_iv, jacobian, dynamics) for x in found]
    from ._analysis import _number_labels

    points = _number_labels(points, False)
    return Analysis(
        game=game,
        system=system,
        symbolic=False,
        values=dict(game.values),
        rest_points=tuple(points),
        continua=(),
        inert_parameters=_inert(system),
        det_trace=(),
        complete=complete,
        notes=tuple(notes),
    )


def _near(box: list[Interval], x) -> bool:
    """Whether the point ``x`` lies in ``box`` widened by 1e-9 (Newton's last digits)."""
    return all(b.lo - 1e-9 <= float(v) <= b.hi + 1e-9 for b, v in zip(box, x))


def _inside(a: list[Interval], b: list[Interval]) -> bool:
    return all(b_.lo <= a_.lo and a_.hi <= b_.hi for a_, b_ in zip(a, b))


def _meets(a: list[Interval], b: list[Interval]) -> bool:
    return all(x.lo <= y.hi and y.lo <= x.hi for x, y in zip(a, b))


def _exact_one_dimensional(game, system, f, dynamics) -> Analysis | None:
    """Every zero of a one-dimensional field that is a polynomial with rational coefficients
    (the mutator with a rational rate on a two-strategy game), exactly: the real roots of the
    polynomial in [0, 1], each classified by the exact sign of the derivative there (for a
    map, of the multiplier's distance to the unit circle). None when the field is not such a
    polynomial."""
    from ._exact import exact_sign

    x = system.variables[0]
    try:
        poly = sympy.Poly(sympy.expand(f), x)
    except sympy.PolynomialError:
        return None
    if not all(c.is_Rational for c in poly.all_coeffs()) or poly.is_zero:
        return None
    discrete = dynamics.time is Time.DISCRETE
    deriv = poly.diff(x)
    points = []
    for root in sorted(set(poly.real_roots()), key=lambda r: float(r.evalf(30))):
        if exact_sign(root) < 0 or exact_sign(1 - root) < 0:
            continue
        d = deriv.as_expr().xreplace({x: root})
        if discrete:
            # multiplier 1 + d: inside the circle iff -2 < d < 0
            signs = (exact_sign(d), exact_sign(d + 2))
            if signs[0] < 0 and signs[1] > 0:
                verdict, why = Stability.STABLE, "the multiplier 1 + F' lies inside the unit circle"
            elif signs[0] == 0 or signs[1] == 0:
                verdict, why = Stability.NON_HYPERBOLIC, "the multiplier is 1 or -1"
            else:
                verdict, why = Stability.UNSTABLE, "the multiplier lies outside the unit circle"
            value = 1 + d
        else:
            sd = exact_sign(d)
            verdict, why = _verdict(int(sd < 0), int(sd > 0), int(sd == 0), False)
            value = d
        share = root if not isinstance(root, sympy.Rational) else sympy.Rational(root)
        shares = ((share, 1 - share),)
        pay = [
            float(sympy.N(p.xreplace(game.value_substitution()).xreplace({x: root}), 30))
            for p in system.payoffs[0]
        ]
        points.append(
            RestPoint(
                label=_interior_label(game),
                support=((0, 1),),
                coordinates={x: share},
                shares=shares,
                numeric_shares=((float(share.evalf(17)), float((1 - share).evalf(17))),),
                jacobian=sympy.Matrix([[value]]),
                eigenvalues=(value,),
                numeric_eigenvalues=(complex(float(sympy.N(value, 17)), 0.0),),
                charpoly=LAMBDA - value,
                stability=verdict,
                asymptotically_stable=verdict is Stability.STABLE,
                reason=why + " (exact: a real root of the polynomial field)",
                nash=abs(pay[0] - pay[1]) <= 1e-12 * max(1.0, *map(abs, pay))
                or (exact_sign(share) == 0 and pay[1] >= pay[0])
                or (exact_sign(1 - share) == 0 and pay[0] >= pay[1]),
                strict_nash=False,
                ess=None,
                stable_if=sympy.true if verdict is Stability.STABLE else sympy.false,
                exact=True,
            )
        )
    from ._analysis import _number_labels

    return Analysis(
        game=game,
        system=system,
        symbolic=False,
        values=dict(game.values),
        rest_points=tuple(_number_labels(points, False)),
        continua=(),
        inert_parameters=_inert(system),
        det_trace=(),
        complete=True,
        notes=(
            _method_note(dynamics)
            + f": the field is a polynomial of degree {poly.degree()} in {x} with rational "
            "coefficients, so its zeros are its real roots in [0, 1], found exactly (complete)",
        ),
    )


class _Proof:
    def __init__(self):
        self.unique: list[list[Interval]] = []
        self.boxes = 0
        self.complete = False
        self.why = ""


def _certify(F_iv, J_iv, x) -> list[Interval] | None:
    """A small box around ``x`` holding exactly one zero of the field (Krawczyk), or None."""
    for radius in (1e-10, 1e-8, 1e-6):
        box = [
            Interval(float(v) - radius * max(1, abs(v)), float(v) + radius * max(1, abs(v)))
            for v in x
        ]
        status, K = krawczyk(F_iv, J_iv, box)
        if status == "unique":
            return box
    return None


#: How far the branch and bound's first box reaches beyond the state space.
_PAD = 1.0 / 64

#: Where a box is cut, as a fraction of its width: not 1/2, so that zeros at simple fractions
#: (1/2, 1/3) do not fall on a cut, where no box could isolate them.
_CUT = 0.4142135623730951


def _branch_and_bound(F_iv, J_iv, space: _Space, known: list[list[Interval]]) -> _Proof:
    """Cover the state space by boxes that hold no zero, or exactly one (Krawczyk).

    ``known`` are enclosures of zeros already certified; a box holding exactly one zero and
    one of these enclosures holds that zero. On success ``proof.unique`` has one enclosure per
    zero in the state space, the known ones first."""
    proof = _Proof()
    proof.unique = [list(k) for k in known]
    start = time.monotonic()
    # The cover starts a little beyond the state space: a zero extremely close to its
    # boundary (a logit equilibrium at a share of 1e-40) is then inside a box, not on a cut.
    stack = [[Interval(-_PAD, 1.0 + _PAD) for _ in range(space.dim)]]
    while stack:
        if proof.boxes >= BOX_BUDGET or time.monotonic() - start > TIME_BUDGET:
            proof.why = (
                f"interval branch and bound stopped after {proof.boxes} boxes (budget "
                f"{BOX_BUDGET} boxes, {TIME_BUDGET:g} s) with parts of the state space undecided; "
                "other rest points may exist"
            )
            return proof
        box = stack.pop()
        proof.boxes += 1
        where = space.box_position(box)
        if where == "out":
            continue
        try:
            values = [f(box) for f in F_iv]
            if any(v.sign() is not None for v in values):
                continue
        except NoEnclosure:
            pass
        status, K = krawczyk(F_iv, J_iv, box)
        if status == "none":
            continue
        if status == "unique":
            kpos = space.box_position(K)
            if any(_inside(kz, box) for kz in known):
                # The box's one zero is a known one (its enclosure lies in the box).
                continue
            if kpos == "in" and not any(_meets(K, kz) for kz in known):
                proof.unique.append(K)
                continue
            if kpos == "out":
                continue
        if max(b.width for b in box) < 1e-9:
            proof.why = (
                "a zero of the field lies on or within 1e-9 of the boundary of the state space, "
                "or is not simple, so the interval test cannot isolate it"
            )
            return proof
        i = max(range(len(box)), key=lambda j: box[j].width)
        mid = box[i].lo + _CUT * box[i].width
        left, right = list(box), list(box)
        left[i] = Interval(box[i].lo, mid)
        right[i] = Interval(mid, box[i].hi)
        stack += [left, right]
    proof.complete = True
    return proof


def _search_point(game, system, x, F_iv, J_iv, jacobian, dynamics) -> RestPoint:
    n = len(x)
    discrete = dynamics.time is Time.DISCRETE
    certified = None
    if F_iv is not None:
        box = _certify(F_iv, J_iv, x)
        if box is not None:
            certified = krawczyk(F_iv, J_iv, box)[1]
    Jx = jacobian(x)
    M = np.eye(n) + Jx if discrete else Jx
    ev = tuple(sorted((complex(z) for z in np.linalg.eigvals(M)), key=lambda z: (z.real, z.imag)))
    stability, reason = None, ""
    if certified is not None:
        try:
            JK = [[J_iv[i][j](certified) for j in range(n)] for i in range(n)]
            if discrete:
                JK = [
                    [JK[i][j] + Interval(1.0 if i == j else 0.0) for j in range(n)]
                    for i in range(n)
                ]
            coeffs = charpoly(JK)
            if discrete:
                coeffs = _interval_disc_to_half_plane(coeffs)
            counts = routh_counts(coeffs) if coeffs is not None else None
        except NoEnclosure:
            counts = None
        if counts is not None:
            stability, reason = _verdict(counts[0], counts[1], 0, discrete)
            reason += (
                " (certified: Routh array of an interval enclosure of the Jacobian over a box "
                "that holds exactly one zero of the field, by the Krawczyk test)"
            )
    if stability is None:
        stability = Stability.NON_HYPERBOLIC
        reason = (
            "undecided: "
            + (
                "the point is not certified by the interval test"
                if certified is None
                else "an eigenvalue too close to the stability boundary for the enclosure"
            )
            + "; floating-point eigenvalues are shown for information"
        )
    coords = {v: sympy.Float(float(val), 17) for v, val in zip(system.variables, x)}
    shares = []
    i = 0
    for pop in game.populations:
        free = [float(val) for val in x[i : i + pop.k - 1]]
        shares.append((*free, 1.0 - sum(free)))
        i += pop.k - 1
    payoffs = _numeric_payoffs(system, coords, game)
    nash = all(max(p) - min(p) <= 1e-9 * max(1.0, *map(abs, p)) for p in payoffs)
    face_label = _interior_label(game)
    notes = []
    if certified is not None:
        r = max(b.width for b in certified) / 2
        notes.append(
            f"certified: the only zero of the field within {r:.1e} of the point (Krawczyk)"
        )
    return RestPoint(
        label=face_label,
        support=tuple(tuple(range(p.k)) for p in game.populations),
        coordinates=coords,
        shares=tuple(tuple(sympy.Float(s, 17) for s in pop) for pop in shares),
        numeric_shares=tuple(tuple(pop) for pop in shares),
        jacobian=sympy.Matrix(M.tolist()).applyfunc(lambda e: sympy.Float(e, 17)),
        eigenvalues=(),
        numeric_eigenvalues=ev,
        charpoly=None,
        stability=stability,
        asymptotically_stable=stability is Stability.STABLE,
        reason=reason,
        nash=nash,
        strict_nash=False,
        ess=None,
        exists_if=sympy.true,
        stable_if=sympy.true if stability is Stability.STABLE else sympy.false,
        exact=False,
        notes=tuple(notes),
    )


def _interval_disc_to_half_plane(coeffs: list[Interval]) -> list[Interval] | None:
    n = len(coeffs) - 1
    out = [Interval(0.0) for _ in range(n + 1)]  # ascending powers of s
    for i, c in enumerate(coeffs):
        k = n - i
        poly = [1]
        for _ in range(k):
            poly = _polymul(poly, [1, 1])
        for _ in range(n - k):
            poly = _polymul(poly, [1, -1])
        for j, a in enumerate(poly):
            out[j] = out[j] + c * Interval(float(a))
    desc = out[::-1]
    if desc[0].sign() is None:
        return None
    if desc[0].sign() < 0:
        desc = [-c for c in desc]
    return desc


def _polymul(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _numeric_payoffs(system, coords, game) -> list[list[float]]:
    subs = game.value_substitution()
    return [
        [float(sympy.N(f.xreplace(subs).xreplace(coords))) for f in row] for row in system.payoffs
    ]


def _interior_label(game) -> str:
    from ._equilibria import enumerate_faces

    return enumerate_faces(game)[-1].label


def _inert(system: System) -> tuple[str, ...]:
    advs = [sympy.expand(a) for row in system.advantages for a in row]
    return tuple(p.name for p in system.game.parameters if not any(a.has(p.symbol) for a in advs))

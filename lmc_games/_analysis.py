"""Analysis of a game: every rest point, classified correctly.

:func:`analyze` runs the pipeline from a :class:`~lmc_games.Game` to an
:class:`~lmc_games.Analysis`: the reduced system, the rest points face by face, the eigenvalues
of the Jacobian on the state space, a verdict from the five of :class:`~lmc_games.Stability`,
Nash/strict Nash/ESS flags, the conditions on the parameters under which each point exists and
is stable, the det/trace table of two-dimensional systems, and the parameters that cannot
affect the dynamics.

How eigenvalues are obtained. On a face with support S, the Jacobian is block triangular: the
directions leaving the face have eigenvalues ``f_j - f_S`` (the payoff of each unused strategy j
minus the payoff the strategies in use earn), and the directions within the face have the
eigenvalues of the face's own block, which this module builds from the payoff derivatives at the
point. For multi-population games with payoffs that do not depend on the shares, a population's
own block is zero, so the face block's trace vanishes structurally — the reason (Selten 1980)
why no rest point with a mixed population is asymptotically stable.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import sympy
from sympy.matrices.exceptions import MatrixError

from ._cancel import cancel
from ._conditions import Signs, combine, expr_size, negative, nonpositive, positive, sign_given
from ._equilibria import Face, FaceSolution, UnsolvedFace, enumerate_faces, solve_face
from ._equilibria import _fresh_names as _fresh
from ._exact import UndecidedError, count_real_parts, exact_sign, hurwitz_conditions
from ._game import Game
from ._results import Analysis, Continuum, DetTraceRow, RestPoint, Stability
from ._system import System
from .dynamics import Dynamics, dynamics_from_spec

__all__ = ["analyze"]

LAMBDA = sympy.Symbol("lambda")

_SELTEN = (
    "a population mixes and payoffs do not depend on its own shares, so the block of its own "
    "directions has zero trace: never asymptotically stable (Selten 1980; Ritzberger & "
    "Weibull 1995)"
)


def analyze(game: Game, *, symbolic: bool = False, dynamics: Dynamics | None = None) -> Analysis:
    """Find and classify every rest point of ``game`` under the replicator dynamics.

    Parameters
    ----------
    game : Game
        The game; its current :attr:`~lmc_games.Game.values` are used unless ``symbolic``.
    symbolic : bool, optional
        Keep the parameters as symbols: rest points as formulas with existence conditions,
        eigenvalues as formulas, and the conditions under which each point is stable.
    dynamics : Dynamics or str, optional
        The dynamics (default: the replicator dynamics), or its name as on the command line
        (``"logit:eta=0.1"``).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> from lmc_games import Game, analyze
    >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                     parameters={"V": {"value": 2, "min": 0}, "C": {"value": 3, "min": 0}})
    >>> a = analyze(hd)
    >>> [(r.label, str(r.stability)) for r in a.rest_points]
    [('hawk', 'unstable'), ('dove', 'unstable'), ('hawk+dove', 'stable')]
    >>> a["hawk+dove"].coordinates
    {x: 2/3}
    >>> a["hawk+dove"].ess
    True
    >>> str(analyze(hd, symbolic=True)["hawk+dove"].stable_if)
    '(C > V) & (V > 0)'
    """
    from ._limits import check_degrees, check_numbers

    check_numbers(game, values=not symbolic)
    check_degrees(game)
    dynamics = dynamics_from_spec(dynamics)
    if not dynamics.rest_points_by_face:
        # Best-response-like and perturbed dynamics find their rest points their own way
        # (Nash equilibria, or a numeric search); see lmc_games/_analysis_dynamics.py.
        from ._analysis_dynamics import analyze_other

        return analyze_other(game, symbolic=symbolic, dynamics=dynamics)
    return _Analyzer(game, symbolic, dynamics).run()


class _Analyzer:
    def __init__(self, game: Game, symbolic: bool, dynamics: Dynamics):
        self.game = game
        self.symbolic = symbolic
        self.system = System.of(game, dynamics)
        self.signs = Signs(game.parameters)
        self.notes: list[str] = []
        self.complete = True
        subs = {} if symbolic else game.value_substitution()
        self.payoffs = tuple(tuple((f.xreplace(subs)) for f in row) for row in self.system.payoffs)
        self.reserved = {p.name for p in game.parameters} | {
            s.name for p in game.populations for s in p.share_symbols
        }
        self.multilinear_multi = not game.is_symmetric and not game.state_dependent

    # ------------------------------------------------------------------ driver
    def run(self) -> Analysis:
        points: list[RestPoint] = []
        continua: list[Continuum] = []
        for face in enumerate_faces(self.game):
            try:
                sols = solve_face(
                    self.game,
                    face,
                    self.payoffs,
                    symbolic=self.symbolic,
                    reserved_names=self.reserved,
                )
            except UnsolvedFace as exc:
                self.complete = False
                if self.symbolic:
                    self.notes.append(
                        f"face {face.label!r} not solved symbolically ({exc}); analyse with "
                        "parameter values for an exact or numeric search there"
                    )
                    continue
                sols = self._numeric_face(face, str(exc))
            face_points = []
            for sol in sols:
                if sol.free:
                    c = self._continuum(face, sol)
                    if c is not None:
                        continua.append(c)
                    continue
                rp = self._rest_point(face, sol)
                if rp is not None:
                    face_points.append(rp)
            points.extend(_number_labels(face_points, self.symbolic))
        if self.game.state_dependent and any(
            r.asymptotically_stable and not r.is_pure for r in points
        ):
            self.notes.append(
                "an asymptotically stable rest point with a mixed population: possible here "
                "because payoffs depend on the shares, which puts the game outside the theorem "
                "that only strict Nash equilibria are asymptotically stable (Selten 1980; "
                "Ritzberger & Weibull 1995)"
            )
        return Analysis(
            game=self.game,
            system=self.system,
            symbolic=self.symbolic,
            values=None if self.symbolic else dict(self.game.values),
            rest_points=tuple(points),
            continua=tuple(continua),
            inert_parameters=self._inert(),
            det_trace=self._det_trace(points) if self.system.dimension == 2 else (),
            complete=self.complete,
            notes=tuple(self.notes),
        )

    # ------------------------------------------------------------------ one rest point
    def _rest_point(self, face: Face, sol: FaceSolution) -> RestPoint | None:
        values = dict(sol.values)
        shares = tuple(
            tuple((s.xreplace(values)) for s in pop_shares) for pop_shares in face.shares
        )
        support_shares = [
            shares[p][j] for p, sup in enumerate(face.support) if len(sup) > 1 for j in sup
        ]
        undefined = self._undefined_payoffs(face, values)
        if undefined:
            self.notes.append(
                f"{face.label}: the payoffs are not defined at the point {undefined}, so it is "
                "no rest point of the field there and is not listed; write payoffs that are "
                "finite and real on the whole state space"
            )
            return None
        if self.symbolic:
            exists = combine(
                [positive(s, self.signs) for s in support_shares]
                + list(sol.extra_conditions)
                + [sympy.Ne(n, 0) for n in sol.nonzero if not n.is_number and _small(n)]
            )
            if exists == sympy.false:
                return None
        else:
            try:
                if any(exact_sign(s) <= 0 for s in support_shares):
                    return None
                if any(exact_sign(n) == 0 for n in sol.nonzero):
                    return None
            except UndecidedError:
                self.notes.append(f"existence of a point on {face.label!r} undecided")
                return None
            except ValueError as exc:  # a share that is not a finite real number
                self.notes.append(f"{face.label}: a solution was not a real point ({exc})")
                return None
            exists = sympy.true
        point = {v: e.xreplace(face.subs).xreplace(values) for v, e in face.subs.items()}
        point = {v: (e) for v, e in point.items()}
        return self._classify(face, sol, point, shares, exists)

    def _undefined_payoffs(self, face: Face, values: Mapping) -> str | None:
        """The point, as text, when a payoff is infinite, undefined or not real there (1/x or
        log(x) at x = 0, sqrt(x - y) where x < y), else None."""
        bad = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
        for row in self.payoffs:
            for f in row:
                at = f.xreplace(face.subs).xreplace(values)
                if at.has(*bad) or (not at.free_symbols and at.is_extended_real is False):
                    point = {
                        v: e.xreplace(face.subs).xreplace(values) for v, e in face.subs.items()
                    }
                    return ", ".join(f"{v} = {e}" for v, e in point.items())
        return None

    def _kink(self, point: Mapping) -> str | None:
        """The reason a point sits on a kink of min/max/abs of the shares, if it does."""
        shares = set(self.game.variables)
        for row in self.payoffs:
            for f in row:
                for node in sympy.preorder_traversal(f):
                    if not isinstance(node, (sympy.Min, sympy.Max, sympy.Abs)):
                        continue
                    if not (node.free_symbols & shares):
                        continue
                    args = [a.xreplace(point) for a in node.args]
                    if any(a.free_symbols for a in args):
                        continue
                    if any(a.has(sympy.Float) for a in args):
                        # A point from the numeric search is only known to about 1e-10: a
                        # kink within 1e-8 of it is taken to be at it (the careful side: no
                        # linearisation, never "stable").
                        tied = _numerically_tied(node, args)
                    else:
                        tied = None
                    try:
                        if tied is not None:
                            pass
                        elif isinstance(node, sympy.Abs):
                            tied = exact_sign(args[0]) == 0
                        else:
                            tied = any(
                                exact_sign(a - b) == 0
                                for i, a in enumerate(args)
                                for b in args[i + 1 :]
                            )
                    except (UndecidedError, ValueError):
                        tied = True
                    if tied:
                        return (
                            f"the point lies on a kink of {node}: the field is not "
                            "differentiable there, so linearisation does not apply"
                        )
        return None

    def _classify(self, face, sol, point, shares, exists) -> RestPoint:
        game = self.game
        if not self.symbolic:
            kink = self._kink(point)
            if kink:
                from dataclasses import replace

                base = self._classify_numeric(face, point, shares, [], sympy.zeros(0, 0), [])
                return replace(
                    base,
                    stability=Stability.NON_HYPERBOLIC,
                    asymptotically_stable=False,
                    reason=kink,
                    numeric_eigenvalues=None,
                    exact=sol.exact,
                )
        at = sol.values
        inter = dict(sol.intermediates)
        if self.symbolic and inter:
            # Large symbolic coordinates are named (x_star = ...) so the Jacobian, its trace
            # and its characteristic polynomial stay compact instead of expanding into
            # hundreds of thousands of operations.
            names = _fresh(self.reserved, [f"{u.name}_star" for u in face.unknowns])
            stars = {u: sympy.Symbol(n, real=True) for u, n in zip(face.unknowns, names)}
            inter.update({stars[u]: v for u, v in sol.values.items()})
            at = stars
        f_at = [[(f.xreplace(face.subs).xreplace(at)) for f in row] for row in self.payoffs]
        transversal = []
        for p, sup in enumerate(face.support):
            ref = f_at[p][sup[-1]]
            for j in range(game.populations[p].k):
                if j not in sup:
                    transversal.append(_tidy(f_at[p][j] - ref, self.symbolic))
        block = self._face_block(face, at)
        if not self.symbolic and _not_finite([*transversal, *block]):
            from dataclasses import replace

            base = self._classify_numeric(face, point, shares, [], sympy.zeros(0, 0), [])
            return replace(
                base,
                stability=Stability.NON_HYPERBOLIC,
                asymptotically_stable=False,
                reason="the field is not differentiable at the point (a derivative of the "
                "payoffs is infinite or undefined there), so linearisation does not apply",
                numeric_eigenvalues=None,
                exact=sol.exact,
            )
        notes: list[str] = list(sol.notes)
        if inter:
            notes.append("named quantities: " + "; ".join(f"{k} = {v}" for k, v in inter.items()))
        mixed = [p for p, sup in enumerate(face.support) if len(sup) > 1]
        selten = self.multilinear_multi and bool(mixed)
        if self.symbolic:
            rp = self._classify_symbolic(
                face, sol, point, shares, exists, transversal, block, selten, notes
            )
            from dataclasses import replace

            return replace(rp, intermediates=inter) if inter else rp
        if not sol.exact:
            return self._classify_numeric(face, point, shares, transversal, block, notes)
        return self._classify_exact(face, sol, point, shares, transversal, block, selten, notes)

    def _face_block(self, face: Face, at: Mapping) -> sympy.Matrix:
        """Jacobian of the dynamics within the face, at the point.

        Row i belongs to the face unknown u_i (share of the i-th strategy in use of its
        population, the last strategy in use being one minus the others); entry (i, l) is
        ``s_i * (d f_i/d u_l - sum_m s_m d f_m/d u_l)`` over the strategies m in use. At a rest
        point this equals the derivative of the replicator field, with no term that only
        vanishes after cancellation.
        """
        unknowns = face.unknowns
        n = len(unknowns)
        B = sympy.zeros(n, n)
        if n == 0:
            return B
        row = 0
        for p, sup in enumerate(face.support):
            if len(sup) == 1:
                continue
            f_face = [self.payoffs[p][j].xreplace(face.subs) for j in sup]
            s_face = [face.shares[p][j] for j in sup]
            derivs = [[sympy.diff(f, u) for u in unknowns] for f in f_face]
            for i in range(len(sup) - 1):
                for col in range(n):
                    mean = sympy.Add(*[s_face[m] * derivs[m][col] for m in range(len(sup))])
                    B[row, col] = s_face[i] * (derivs[i][col] - mean)
                row += 1
        B = B.xreplace(at)
        return B.applyfunc(lambda e: _tidy((e), self.symbolic))

    # ------------------------------------------------------------------ exact verdicts
    def _classify_exact(self, face, sol, point, shares, transversal, block, selten, notes):
        try:
            t_signs = [exact_sign(t) for t in transversal]
            if block.shape[0]:
                cp = block.charpoly(LAMBDA)
                coeffs = [(c) for c in cp.all_coeffs()]
                counts = count_real_parts(coeffs)
            else:
                coeffs = [sympy.Integer(1)]
                counts = None
        except (UndecidedError, ValueError) as exc:
            # ValueError: an eigenvalue that is not a finite real constant (payoffs complex
            # or undefined next to the point); reported as undecided, never as a verdict.
            return self._undecided(face, sol, point, shares, transversal, block, str(exc))
        neg = sum(1 for s in t_signs if s < 0) + (counts.negative if counts else 0)
        pos = sum(1 for s in t_signs if s > 0) + (counts.positive if counts else 0)
        zero = sum(1 for s in t_signs if s == 0) + (counts.zero if counts else 0)
        imaginary = counts.imaginary if counts else 0
        at_origin = sum(1 for s in t_signs if s == 0) + (counts.at_origin if counts else 0)
        numeric = tuple(complex(float(t.evalf(17)), 0.0) for t in transversal)
        if counts:
            numeric += tuple(counts.numeric_roots)
        stability, reason = self._verdict(neg, pos, zero, imaginary, at_origin, face, selten)
        transversal_ok = all(s <= 0 for s in t_signs)
        nash = transversal_ok
        pure = all(len(s) == 1 for s in face.support)
        strict = pure and all(s < 0 for s in t_signs)
        ess = self._ess(face, sol, nash, strict, t_signs)
        jac = self._full_jacobian(point)
        charpoly = (
            sympy.Mul(*[(LAMBDA - t) for t in transversal]) * sympy.Poly(coeffs, LAMBDA).as_expr()
        )
        eig_exact = tuple(transversal) + tuple(self._block_eigenvalues(block))
        return RestPoint(
            label=face.label,
            support=face.support,
            coordinates={v: point[v] for v in self.game.variables},
            shares=shares,
            numeric_shares=_float_shares(shares),
            jacobian=jac,
            eigenvalues=eig_exact,
            numeric_eigenvalues=_sorted_complex(numeric),
            charpoly=charpoly,
            stability=stability,
            asymptotically_stable=stability is Stability.STABLE,
            reason=reason,
            nash=nash,
            strict_nash=strict,
            ess=ess,
            exists_if=sympy.true,
            stable_if=sympy.true if stability is Stability.STABLE else sympy.false,
            nash_if=sympy.true if nash else sympy.false,
            exact=True,
            notes=tuple(notes),
        )

    def _verdict(self, neg, pos, zero, imaginary, at_origin, face, selten):
        if pos and neg:
            return Stability.SADDLE, "eigenvalues with positive and negative real parts"
        if pos:
            return Stability.UNSTABLE, (
                "an eigenvalue with positive real part and none negative"
                + (" (a zero real part beside it does not change that)" if zero else "")
            )
        if not zero:
            return Stability.STABLE, "every eigenvalue has negative real part (exact)"
        theorem = self._centre_theorem(face)
        if theorem and imaginary == zero and at_origin == 0 and neg == 0:
            return Stability.CENTRE, theorem
        why = "a zero real part, decided exactly"
        if at_origin:
            why = f"{at_origin} zero eigenvalue(s), decided exactly"
        elif imaginary:
            why = "purely imaginary eigenvalues, decided exactly, and no constant of motion known"
        return Stability.NON_HYPERBOLIC, why + "; linearisation does not decide stability"

    def _centre_theorem(self, face: Face) -> str | None:
        game = self.game
        interior = all(len(s) == p.k for s, p in zip(face.support, game.populations))
        if not interior or game.state_dependent:
            return None
        if not game.is_symmetric and game.shape == (2, 2):
            return (
                "interior rest point of a 2x2 bimatrix game with purely imaginary eigenvalues: "
                "a centre with a constant of motion (Hofbauer & Sigmund 1998, §10.2)"
            )
        if game.is_symmetric and game.shape == (3,):
            A = self._matrix()
            k = 3
            shifted = sympy.Matrix(k, k, lambda i, j: A[i, j] - A[j, j])
            if all(sympy.simplify(e) == 0 for e in (shifted + shifted.T)):
                return (
                    "interior rest point of a 3x3 symmetric game that is zero-sum up to "
                    "column shifts: sum of x_i* log x_i is a constant of motion, so a centre "
                    "(Hofbauer & Sigmund 1998, §7.7)"
                )
        return None

    def _matrix(self) -> sympy.Matrix:
        k = self.game.populations[0].k
        subs = {} if self.symbolic else self.game.value_substitution()
        return sympy.Matrix(k, k, lambda i, j: self.game.payoffs[(i, j)][0].xreplace(subs))

    def _ess(self, face, sol, nash, strict, t_signs) -> bool | None:
        game = self.game
        if game.state_dependent:
            return None
        if not game.is_symmetric:
            return strict
        if not nash:
            return False
        if strict:
            return True
        # Haigh (1975): with no alternative best reply outside the support, x is an ESS iff
        # the payoff matrix on the support is negative definite on the tangent space.
        if any(s == 0 for s in t_signs):
            return None
        sup = face.support[0]
        if len(sup) == 1:
            return None
        A = self._matrix()
        m = len(sup)
        S = sympy.Matrix(m, m, lambda i, j: A[sup[i], sup[j]])
        S = (S + S.T) / 2
        basis = sympy.Matrix(m, m - 1, lambda i, j: 1 if i == j else (-1 if i == m - 1 else 0))
        Q = -(basis.T * S * basis)
        try:
            return all(exact_sign(Q[:r, :r].det()) > 0 for r in range(1, m))
        except UndecidedError:
            return None

    def _block_eigenvalues(self, block: sympy.Matrix) -> list[sympy.Expr]:
        n = block.shape[0]
        if n == 0:
            return []
        if n <= 2 or all(block[i, j] == 0 for i in range(n) for j in range(i)):
            try:
                ev = block.eigenvals(multiple=True)
                return [sympy.radsimp(e) if not self.symbolic else e for e in ev]
            except (MatrixError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
                # Closed forms are for display; the verdict comes from exact root counts.
                return []
        return []

    def _full_jacobian(self, point: Mapping) -> sympy.Matrix | None:
        J = self.system.jacobian
        if not self.symbolic:
            J = J.xreplace(self.game.value_substitution())
        J = J.xreplace(point)
        return J.applyfunc(lambda e: _tidy((e), self.symbolic))

    def _undecided(self, face, sol, point, shares, transversal, block, why):
        """A point whose eigenvalue signs could not be decided exactly (transcendental
        numbers): reported as non-hyperbolic, never as stable, with the floating-point
        eigenvalues for information."""
        from dataclasses import replace

        self.notes.append(f"{face.label}: a sign could not be decided exactly ({why})")
        numeric = self._classify_numeric(face, point, shares, transversal, block, [])
        return replace(
            numeric,
            stability=Stability.NON_HYPERBOLIC,
            asymptotically_stable=False,
            reason=f"undecided: {why}",
        )

    # ------------------------------------------------------------------ symbolic verdicts
    def _classify_symbolic(
        self, face, sol, point, shares, exists, transversal, block, selten, notes
    ):
        signs = self.signs
        n = block.shape[0]
        trace = sympy.Add(*[block[i, i] for i in range(n)]) if n else sympy.Integer(0)
        trace = _tidy(trace, True)
        # A face block with zero trace has eigenvalues of both signs or on the imaginary axis,
        # so the point is never asymptotically stable and stable_if is false whatever the
        # other eigenvalues do (Selten 1980; Ritzberger & Weibull 1995, for the multilinear
        # multi-population games where the trace vanishes structurally). The sign conditions
        # that would be conjoined with that `false` are therefore not built: they cost most of
        # the time of a symbolic analysis and cannot change any result.
        zero_trace = bool(n) and trace == 0
        conds = [sympy.false] if zero_trace else [negative(t, signs) for t in transversal]
        eig: list[sympy.Expr] = list(transversal)
        # Signs of the real parts that the bounds decide: +1, -1, 0 or None, per eigenvalue
        # (or per group of eigenvalues when only a trace/det is known).
        known = [sign_given(t, signs, exists) for t in transversal]
        reason = ""
        block_poly = sympy.Integer(1)
        centre_possible = False
        if zero_trace:
            reason = (
                _SELTEN if selten else "the eigenvalues within the face sum to zero (zero trace)"
            )
        if n == 1:
            eig.append(block[0, 0])
            known.append(sign_given(block[0, 0], signs, exists))
            conds.append(negative(block[0, 0], signs))
            block_poly = LAMBDA - block[0, 0]
        elif n == 2:
            det = _tidy(_det_plain(block), True)
            if not zero_trace:
                conds += [negative(trace, signs), positive(det, signs)]
            block_poly = LAMBDA**2 - trace * LAMBDA + det
            if _small(det) and _small(trace):
                root = sympy.Pow(trace**2 / 4 - det, sympy.Rational(1, 2), evaluate=False)
                if trace == 0:
                    root = sympy.Pow(_tidy(-det, True), sympy.Rational(1, 2), evaluate=False)
                eig += [trace / 2 - root, trace / 2 + root]
            ds, ts = sign_given(det, signs, exists), sign_given(trace, signs, exists)
            if ds == -1:
                known += [1, -1]
            elif ds == 1 and ts is not None:
                known += [ts, ts]
            else:
                known += [None, None]
            if trace == 0 and self._centre_theorem(face):
                centre_possible = ds != -1
                reason = (
                    "zero trace: a centre (constant of motion, Hofbauer & Sigmund 1998) where "
                    "the determinant is positive, a saddle where it is negative"
                )
                if ds == 1 and all(k is not None and k < 0 for k in known[: len(transversal)]):
                    known = known[: len(transversal)] + ["centre", "centre"]
        elif n >= 3:
            coeffs = _charpoly_coeffs(block)
            block_poly = sympy.Add(*[c * LAMBDA ** (n - i) for i, c in enumerate(coeffs)])
            if trace != 0:
                conds += [positive(h, signs) for h in hurwitz_conditions(coeffs)]
            known += [None] * n
        charpoly = sympy.Mul(*[(LAMBDA - t) for t in transversal]) * block_poly
        stable_if = combine([exists] + conds)
        stability = _symbolic_verdict(known)
        if stable_if == sympy.false:
            reason = reason or "the conditions for stability cannot hold under the bounds"
            if stability is Stability.STABLE:
                stability = None
        elif stable_if == sympy.true:
            stability = Stability.STABLE
            reason = "every eigenvalue has negative real part for all parameter values"
        else:
            reason = reason or "stable exactly when stable_if holds (eigenvalue signs)"
        if stability is not None:
            reason = f"{reason}; wherever the point exists (within the bounds): {stability.value}"
        elif centre_possible:
            pass
        nash_if = combine([nonpositive(t, signs) for t in transversal])
        pure = all(len(s) == 1 for s in face.support)
        strict_if = combine([negative(t, signs) for t in transversal]) if pure else sympy.false
        nash = _decided(nash_if)
        strict = _decided(strict_if)
        ess = None
        if not self.game.state_dependent:
            if not self.game.is_symmetric:
                ess = strict
            elif strict is True:
                ess = True
            elif nash is False:
                ess = False
        full_j = (
            self._full_jacobian(point)
            if self.system.dimension <= 2 and not sol.intermediates
            else None
        )
        return RestPoint(
            label=face.label,
            support=face.support,
            coordinates={v: point[v] for v in self.game.variables},
            shares=shares,
            numeric_shares=None,
            jacobian=full_j,
            eigenvalues=tuple(eig) if len(eig) == len(transversal) + n else (),
            numeric_eigenvalues=None,
            charpoly=charpoly,
            stability=stability,
            # A symbolic verdict holds wherever the point exists, so "stable" means
            # asymptotically stable wherever it exists.
            asymptotically_stable=stability is Stability.STABLE,
            reason=reason,
            nash=nash,
            strict_nash=strict,
            ess=ess,
            exists_if=exists,
            stable_if=stable_if,
            nash_if=nash_if,
            exact=True,
            notes=tuple(notes),
        )

    def _classify_numeric(self, face, point, shares, transversal, block, notes):
        """Verdict from floating-point eigenvalues, for points a numeric search found.

        A real part within the tolerance of zero is reported as non-hyperbolic: floating
        point cannot prove it is zero, and calling it stable would claim too much.
        """
        import numpy as np

        tol = 1e-9
        t = [complex(float(sympy.re(v.evalf(17))), 0.0) for v in transversal]
        B = np.array(block.evalf(17).tolist(), dtype=complex) if block.shape[0] else None
        ev = t + (list(np.linalg.eigvals(B)) if B is not None else [])
        pos = sum(1 for z in ev if z.real > tol)
        neg = sum(1 for z in ev if z.real < -tol)
        zero = len(ev) - pos - neg
        if pos and neg:
            stab = Stability.SADDLE
        elif pos:
            stab = Stability.UNSTABLE
        elif zero:
            stab = Stability.NON_HYPERBOLIC
        else:
            stab = Stability.STABLE
        t_real = [z.real for z in t]
        nash = all(v <= tol for v in t_real)
        return RestPoint(
            label=face.label,
            support=face.support,
            coordinates={v: point[v] for v in self.game.variables},
            shares=shares,
            numeric_shares=_float_shares(shares),
            jacobian=None,
            eigenvalues=(),
            numeric_eigenvalues=_sorted_complex(ev),
            charpoly=None,
            stability=stab,
            asymptotically_stable=stab is Stability.STABLE,
            reason=f"numeric eigenvalues (tolerance {tol:g} on real parts); not exact",
            nash=nash,
            strict_nash=False,
            ess=None,
            exact=False,
            notes=tuple(notes),
        )

    # ------------------------------------------------------------------ continua
    def _continuum(self, face: Face, sol: FaceSolution) -> Continuum | None:
        ts = [sympy.Symbol("t" if i == 0 else f"t{i + 1}", real=True) for i in range(len(sol.free))]
        rename = dict(zip(sol.free, ts))
        on_face = {u: (sol.values.get(u, u).xreplace(rename)) for u in face.unknowns}
        # Every free share of the state space, including those the face fixes at 0 or 1.
        param = {v: (e.xreplace(on_face)) for v, e in face.subs.items()}
        shares = list(
            dict.fromkeys(
                s.xreplace(on_face)
                for p, sup in enumerate(face.support)
                if len(sup) > 1
                for s in (face.shares[p][j] for j in sup)
            )
        )
        desc = (
            f"a {len(ts)}-dimensional set of rest points on the face {face.label!r}: "
            "every point of it is a rest point, so each has a zero eigenvalue along it"
        )
        if self.symbolic or len(ts) != 1:
            ranges = " and ".join(f"0 < {s}" for s in shares)
            return Continuum(
                face=face.label,
                support=face.support,
                dimension=len(ts),
                parametrisation=param,
                ranges=ranges,
                stability=None,
                sample={},
                numeric_eigenvalues=None,
                description=desc,
            )
        t = ts[0]
        try:
            region = sympy.reduce_inequalities([sympy.StrictGreaterThan(s, 0) for s in shares], t)
        except (NotImplementedError, ValueError):
            region = None
        if region is None or region == sympy.false:
            return None
        interval = region.as_set()
        if interval.is_empty or interval.inf == interval.sup:
            return None
        lo, hi = interval.inf, interval.sup
        ranges = f"{lo} < t < {hi}"
        mid = (lo + hi) / 2
        sample = {v: (e.xreplace({t: mid})) for v, e in param.items()}
        J = self._full_jacobian(sample)
        try:
            counts = count_real_parts([(c) for c in J.charpoly(LAMBDA).all_coeffs()])
            verdict, _ = self._verdict(
                counts.negative,
                counts.positive,
                counts.zero,
                counts.imaginary,
                counts.at_origin,
                face,
                False,
            )
            numeric = tuple(counts.numeric_roots)
        except (UndecidedError, ValueError, TypeError):
            # ValueError, TypeError (a NaN compared while factoring): the Jacobian is not
            # finite there (sqrt(x) at x = 0), so there is no linearisation.
            verdict, numeric = Stability.NON_HYPERBOLIC, None
        return Continuum(
            face=face.label,
            support=face.support,
            dimension=1,
            parametrisation=param,
            ranges=ranges,
            stability=verdict,
            sample=sample,
            numeric_eigenvalues=numeric,
            description=desc + f"; verdict taken at t = {mid}",
        )

    # ------------------------------------------------------------------ numeric fallback
    def _numeric_face(self, face: Face, why: str) -> list[FaceSolution]:
        import numpy as np
        from scipy.optimize import root

        from ._equilibria import face_equations

        self.notes.append(
            f"face {face.label!r}: {why}; rest points there come from a numeric search "
            "(Newton from a grid of starts, tolerance 1e-10), not a guaranteed enumeration"
        )
        eqs = face_equations(face, self.payoffs)
        if _not_finite(eqs):
            # e.g. a payoff 1/y on the face y = 0: the field is undefined on the whole face.
            self.notes.append(
                f"face {face.label!r}: the payoffs are not defined on this face (division by "
                "zero or a logarithm of 0), so it holds no rest point of the field"
            )
            return []
        u = face.unknowns
        fn = sympy.lambdify([u], [sympy.N(e) for e in eqs], "numpy")
        found: list[np.ndarray] = []
        grid = np.linspace(0.05, 0.95, 7)
        import itertools

        def residual(v):
            # Payoffs may be complex or undefined on parts of the face (sqrt(x - 1/2), 1/x):
            # a huge residual there steers the search away instead of failing it.
            with np.errstate(all="ignore"):
                try:
                    r = np.asarray(fn(v), dtype=complex)
                except (ArithmeticError, ValueError, TypeError):
                    return np.full(len(u), 1e30)
            if r.shape != (len(u),) or not np.all(np.isfinite(r)) or np.any(r.imag != 0):
                return np.full(len(u), 1e30)
            return r.real

        for start in itertools.product(grid, repeat=len(u)):
            res = root(residual, np.array(start), tol=1e-12)
            if not res.success or np.max(np.abs(residual(res.x))) > 1e-10:
                continue
            if all(np.linalg.norm(res.x - f) > 1e-7 for f in found):
                found.append(res.x)
        out = []
        for v in found:
            vals = {s: sympy.Float(x, 30) for s, x in zip(u, v)}
            out.append(FaceSolution(face, vals, exact=False, notes=("numeric search",)))
        return out

    # ------------------------------------------------------------------ tables
    def _inert(self) -> tuple[str, ...]:
        out = []
        advs = [sympy.expand(a) for row in self.system.advantages for a in row]
        for p in self.game.parameters:
            if not any(a.has(p.symbol) for a in advs):
                out.append(p.name)
        return tuple(out)

    def _det_trace(self, points: list[RestPoint]) -> tuple[DetTraceRow, ...]:
        rows = []
        for r in points:
            if r.jacobian is None:
                continue
            det = _tidy(_det_plain(r.jacobian), self.symbolic)
            tr = _tidy(r.jacobian.trace(), self.symbolic)
            if self.symbolic:
                ds, ts = self.signs.sign(det), self.signs.sign(tr)
            else:
                try:
                    ds, ts = exact_sign(det), exact_sign(tr)
                except (UndecidedError, ValueError):  # ValueError: not finite (a kink)
                    ds = ts = None
            verdict, note = _det_trace_rule(ds, ts)
            if verdict is Stability.CENTRE and r.stability is Stability.CENTRE:
                # The linear test alone would not settle it; the theorem behind the verdict does.
                note = f"trace = 0, det > 0; a centre of the nonlinear system too: {r.reason}"
            elif verdict is not None and r.stability is not None and verdict != r.stability:
                note = (note + "; " if note else "") + (
                    f"the library's verdict is {r.stability.value}: {r.reason}"
                )
            rows.append(DetTraceRow(r.label, det, tr, ds, ts, verdict, note))
        return tuple(rows)


# ---------------------------------------------------------------------- helpers
def _numerically_tied(node, args) -> bool:
    """Whether the arguments of a min/max/abs at an approximate point meet within 1e-8."""
    try:
        values = [complex(sympy.N(a, 20)) for a in args]
    except (TypeError, ValueError):
        return True
    if isinstance(node, sympy.Abs):
        return abs(values[0]) <= 1e-8
    return any(
        abs(a - b) <= 1e-8 * max(1.0, abs(a), abs(b))
        for i, a in enumerate(values)
        for b in values[i + 1 :]
    )


def _not_finite(exprs) -> bool:
    """True when some expression is infinite or undefined (zoo, nan, oo)."""
    bad = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    return any(sympy.sympify(e).has(*bad) for e in exprs)


def _det_trace_rule(ds, ts):
    if ds is None:
        return None, "sign of det undecided"
    if ds < 0:
        return Stability.SADDLE, ""
    if ds == 0:
        return Stability.NON_HYPERBOLIC, "det = 0: the det/trace method cannot decide"
    if ts is None:
        return None, "sign of trace undecided"
    if ts < 0:
        return Stability.STABLE, ""
    if ts > 0:
        return Stability.UNSTABLE, ""
    return (
        Stability.CENTRE,
        "trace = 0, det > 0: a linear centre, which the nonlinear system need not keep",
    )


def _decided(cond) -> bool | None:
    if cond == sympy.true:
        return True
    if cond == sympy.false:
        return False
    return None


def _charpoly_coeffs(M: sympy.Matrix) -> list[sympy.Expr]:
    """Characteristic polynomial coefficients (leading 1 first) as sums of principal minors,
    left unexpanded: ``(-1)**k`` times the sum of the k-by-k principal minors."""
    import itertools

    n = M.shape[0]
    out = [sympy.Integer(1)]
    for k in range(1, n + 1):
        minors = [
            _det_plain(M.extract(list(idx), list(idx)))
            for idx in itertools.combinations(range(n), k)
        ]
        out.append((-1) ** k * sympy.Add(*minors))
    return out


def _det_plain(M: sympy.Matrix) -> sympy.Expr:
    """Determinant by cofactor expansion without any simplification: sympy's ``det`` simplifies
    intermediate products, which costs seconds on the entries of a symbolic interior point."""
    n = M.shape[0]
    if n == 1:
        return M[0, 0]
    if n == 2:
        return M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    terms = []
    for j in range(n):
        if M[0, j] != 0:
            minor = M.extract(list(range(1, n)), [c for c in range(n) if c != j])
            terms.append((-1) ** j * M[0, j] * _det_plain(minor))
    return sympy.Add(*terms)


def _symbolic_verdict(known: list) -> Stability | None:
    """A verdict that holds for every parameter value the bounds allow, when the signs of all
    real parts are known (``"centre"`` marks a pair settled by the centre theorem)."""
    if any(k == 1 for k in known) and any(k == -1 for k in known):
        return Stability.SADDLE
    if any(k is None for k in known):
        return None
    if "centre" in known:
        return (
            Stability.CENTRE
            if all(k in (-1, "centre") for k in known) and known.count("centre") == len(known)
            else None
        )
    if any(k == 1 for k in known):
        return Stability.UNSTABLE
    if all(k == -1 for k in known):
        return Stability.STABLE
    return Stability.NON_HYPERBOLIC


def _small(e: sympy.Expr) -> bool:
    return expr_size(e, 400) < 400


@functools.lru_cache(maxsize=4096)
def _tidy(e: sympy.Expr, symbolic: bool) -> sympy.Expr:
    """Cancel a moderate expression (exact values collapse to numbers here).

    Remembered (expressions are immutable): the same entry recurs in a point's Jacobian,
    its face block, its eigenvalues and the det/trace table, and ``cancel`` is the costly step
    of a symbolic analysis."""
    if e.is_number:
        if e.is_Rational:
            return e
        return sympy.radsimp(sympy.expand(e)) if expr_size(e, 600) < 600 else e
    if expr_size(e, 800) >= 800:
        return e
    e = cancel(e)
    if symbolic and expr_size(e, 200) < 200 and len(e.free_symbols) <= 8:
        return sympy.factor(e)
    return e


def _float_shares(shares) -> tuple[tuple[float, ...], ...]:
    """Floating-point copies of exact shares, for display and JSON only."""
    return tuple(tuple(float(s.evalf(17)) for s in pop) for pop in shares)


def _sorted_complex(values) -> tuple[complex, ...]:
    return tuple(sorted((complex(v) for v in values), key=lambda z: (z.real, z.imag)))


def _number_labels(points: list[RestPoint], symbolic: bool) -> list[RestPoint]:
    """Several points on one face: the first keeps the label, the others get ' #2', ' #3' in
    increasing order of the first mixed population's first support share."""
    if len(points) <= 1:
        return points
    from dataclasses import replace

    def key(r: RestPoint):
        for p, sup in enumerate(r.support):
            if len(sup) > 1:
                v = r.shares[p][sup[0]]
                try:
                    return float(v.evalf(30))
                except (TypeError, ValueError):
                    return 0.0
        return 0.0

    ordered = sorted(points, key=key) if not symbolic else points
    return [r if i == 0 else replace(r, label=f"{r.label} #{i + 1}") for i, r in enumerate(ordered)]

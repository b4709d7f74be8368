"""Continuation of rest points along one parameter, and where their stability changes.

:func:`continuation` follows every rest point of a game while one parameter ``mu`` runs over an
interval and the others stay fixed. It returns each branch (the rest point's free shares, its
verdict and the real parts of its eigenvalues at every grid value) and every parameter value
where a branch's verdict changes, located to far better than 1e-8.

How stability can change along a branch. The verdict of a rest point depends only on the signs
of the real parts of its eigenvalues (and on whether it exists). A real part changes sign only
where an eigenvalue passes through the imaginary axis, so one of

* the constant coefficient of the characteristic polynomial vanishes: a real eigenvalue
  crosses zero (**zero eigenvalue** -- a transcritical bifurcation where another branch passes
  through the point, or a fold);
* the Hurwitz determinant ``H_{n-1}`` vanishes (it is, up to a factor, the product of
  ``lambda_i + lambda_j`` over pairs): a complex pair crosses the imaginary axis (**Hopf**;
  for a 2x2 block ``H_1`` is minus the trace, so trace = 0 with det > 0);
* the point enters or leaves the state space: one of its shares passes through 0 (or 1), or
  two points meet and disappear where a discriminant vanishes (**existence**).

Method (``method="symbolic"``). The other parameters are fixed, ``mu`` is kept as a symbol and
the game is analysed symbolically once. For every rest point found, the expressions above are
formed from its coordinates and characteristic polynomial; their zeros in the interval are found
exactly with sympy where they are rational functions of ``mu`` (exact real roots, then a float)
or of the form ``A + B*sqrt(D)`` with ``A, B, D`` rational (the zeros are among those of
``A**2 - B**2*D``, each checked to 50 digits), otherwise by ``scipy.optimize.brentq``
(``xtol=1e-12``) in each interval of a fine grid where they change sign. Between consecutive
zeros every verdict is constant, so the game is analysed exactly (:func:`~lmc_games.analyze`
with rational values) once inside each such interval, and at every grid value that falls on a
zero. A change is reported where the verdicts on the two sides of a zero differ; a zero on an
end of the interval is no change within it. As a safeguard, the verdicts are compared with
floating-point eigenvalues at every grid value; a clear disagreement (a zero the search missed)
switches to the numeric method and says so.

Method (``method="numeric"``): where payoffs are not rational functions of the shares (``exp``,
``min``, ...), the symbolic analysis is incomplete or gives a point only implicitly (a root of a
cubic), or the safeguard above fires, the game is analysed exactly at every grid value (its
values read as :meth:`~lmc_games.Game.with_values` reads them). Between two grid values where a
branch's verdict differs, the change is located by ``brentq`` on the real part of the
eigenvalue that changes sign, by a safeguarded secant on the smallest share where the point
enters or leaves, or else by bisection on the verdict. This method sees only changes that show
on the grid: a point that appears and disappears between two grid values is missed.

Dynamics. ``dynamics=`` follows the rest points of any dynamics (the replicator's by default).
The symbolic method is the replicator's; under any other dynamics every grid value is analysed
under that dynamics (the numeric method, with a note saying why). For a map in discrete time
the verdict changes where a multiplier of ``I + DF`` crosses the unit circle, which real parts
of eigenvalues do not bracket: such changes are located by bisection on the verdict itself.

Centres. A verdict that holds on a whole interval -- the interior of a 2x2 bimatrix game is a
centre wherever it exists (Hofbauer & Sigmund 1998, §10.2), a saddle where the determinant is
negative -- changes nothing inside that interval: the identically vanishing Hurwitz
determinant is not a change. Where a theorem gives a centre at a single value between two
different verdicts (zero-sum rock-paper-scissors between an unstable and a stable interior,
Zeeman 1980), the change is reported as ``"Hopf"`` and ``at`` is ``centre``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ._conditions import expr_size
from ._errors import ParameterError
from ._formula import exact_number
from ._results import Stability

if TYPE_CHECKING:
    from ._game import Game
    from ._results import Analysis, RestPoint

__all__ = ["Branch", "Continuation", "StabilityChange", "continuation"]

LAMBDA = sympy.Symbol("lambda")

#: The kinds of :class:`StabilityChange`.
KINDS = ("zero eigenvalue", "Hopf", "existence", "degenerate")

# Real parts smaller than this (relative to the eigenvalues' scale) are not trusted to floating
# point when cross-checking the exact verdicts.
_CHECK_TOL = 1e-7
# Candidate zeros closer than this (relative) are one zero: brentq places them to ~1e-12.
_MERGE_TOL = 1e-10
# A grid value this close to a zero found in floating point is analysed exactly on its own.
_NEAR_TOL = 1e-9
_XTOL = 1e-12
_HYPERBOLIC = (Stability.STABLE, Stability.UNSTABLE, Stability.SADDLE)
_RTOL = 4 * np.finfo(float).eps  # the smallest brentq accepts


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class Branch:
    """One rest point followed along the parameter.

    Attributes
    ----------
    label : str
        The rest point's label (a face, ``hawk+dove``; `` #2`` for a second point on one
        face, numbered as in the symbolic analysis, which follows one formula along the
        parameter, whereas :func:`~lmc_games.analyze` numbers the points of a face anew at
        each value by their shares).
    parameter : numpy.ndarray
        The parameter values, shape ``(K,)`` (the grid of the continuation).
    states : numpy.ndarray
        Free shares at each value, shape ``(K, n)``; ``nan`` where the point does not exist.
    stability : tuple of Stability or None
        The verdict at each value (``None`` where the point does not exist).
    real_parts : numpy.ndarray
        Real parts of the eigenvalues, ascending, shape ``(K, n)``; ``nan`` where the point
        does not exist. For plots only: verdicts never come from them.
    """

    label: str
    parameter: np.ndarray
    states: np.ndarray
    stability: tuple[Stability | None, ...]
    real_parts: np.ndarray

    @property
    def exists(self) -> np.ndarray:
        """Boolean array, shape ``(K,)``: where the point exists."""
        return np.array([s is not None for s in self.stability], dtype=bool)

    def __repr__(self) -> str:
        runs = []
        for verdict, group in itertools.groupby(
            zip(self.parameter, self.stability), key=lambda t: t[1]
        ):
            vals = [v for v, _ in group]
            if verdict is not None:
                runs.append(f"{verdict.value} on [{vals[0]:.6g}, {vals[-1]:.6g}]")
        return f"<Branch {self.label!r}: {'; '.join(runs) or 'absent'}>"


@dataclass(frozen=True, eq=False)
class StabilityChange:
    """A parameter value where a branch's verdict changes.

    Attributes
    ----------
    parameter : str
        The parameter's name.
    value : float
        Where the change happens (exact roots rounded to the nearest float; roots found by
        ``brentq`` to ``xtol=1e-12``).
    label : str
        The branch.
    kind : str
        ``"zero eigenvalue"`` (a real eigenvalue crosses 0: transcritical or fold),
        ``"Hopf"`` (a complex pair crosses the imaginary axis), ``"existence"`` (the point
        enters or leaves the state space) or ``"degenerate"`` (none of these vanish there, e.g.
        a pole of the point's coordinates).
    before, after : Stability or None
        The verdict just below and just above ``value`` (``None``: the point does not exist).
    at : Stability or None
        The verdict exactly at ``value`` when it could be computed exactly (a rational value),
        else ``None``.
    state : tuple of float
        The free shares of the branch at ``value`` (the limit from the side where it exists).
    exact : sympy.Expr or None
        The exact value when sympy found it (``2``, ``sqrt(2)``), else ``None``.
    note : str
        What happens there, in words.
    """

    parameter: str
    value: float
    label: str
    kind: str
    before: Stability | None
    after: Stability | None
    at: Stability | None = None
    state: tuple[float, ...] = ()
    exact: sympy.Expr | None = None
    note: str = ""

    def __repr__(self) -> str:
        b = self.before.value if self.before else "absent"
        a = self.after.value if self.after else "absent"
        return (
            f"<StabilityChange {self.label!r} at {self.parameter} = {self.value!r}: "
            f"{b} -> {a} ({self.kind})>"
        )


@dataclass(frozen=True, eq=False)
class Continuation:
    """The rest points of a game followed along one parameter.

    Attributes
    ----------
    game : Game
        The game with the other parameters' values fixed as used.
    parameter : str
        The parameter varied.
    values : numpy.ndarray
        The grid, shape ``(K,)``.
    variables : tuple of str
        Names of the free shares (columns of each branch's ``states``).
    fixed : Mapping
        The values of the other parameters (exact).
    branches : tuple of Branch
    changes : tuple of StabilityChange
        In increasing order of the parameter.
    method : str
        ``"symbolic"`` or ``"numeric"`` (see the module documentation).
    notes : tuple of str
    dynamics : str
        The spec of the dynamics whose rest points were followed.
    """

    game: Game
    parameter: str
    values: np.ndarray
    variables: tuple[str, ...]
    fixed: Mapping[str, sympy.Rational]
    branches: tuple[Branch, ...]
    changes: tuple[StabilityChange, ...]
    method: str
    notes: tuple[str, ...] = ()
    dynamics: str = "replicator"

    @property
    def labels(self) -> tuple[str, ...]:
        """The branches' labels."""
        return tuple(b.label for b in self.branches)

    def __getitem__(self, label: str) -> Branch:
        for b in self.branches:
            if b.label == label:
                return b
        raise KeyError(f"no branch labelled {label!r}; labels: {', '.join(self.labels)}")

    def stable_labels(self, index: int) -> tuple[str, ...]:
        """Labels of the branches that are asymptotically stable at grid value ``index``."""
        return tuple(b.label for b in self.branches if b.stability[index] is Stability.STABLE)

    def __repr__(self) -> str:
        lo, hi = self.values[0], self.values[-1]
        dyn = "" if self.dynamics == "replicator" else f" under {self.dynamics}"
        return (
            f"<Continuation of {self.game.name!r}{dyn} in {self.parameter} on "
            f"[{lo:.6g}, {hi:.6g}] "
            f"({len(self.values)} values, {self.method}): {len(self.branches)} branches, "
            f"{len(self.changes)} changes>"
        )


# ---------------------------------------------------------------------- entry point
def continuation(
    game: Game,
    parameter: str,
    start: Any,
    stop: Any,
    *,
    num: int = 201,
    values: Mapping[str, Any] | None = None,
    dynamics: Any = None,
) -> Continuation:
    """Follow every rest point of ``game`` while ``parameter`` runs from ``start`` to ``stop``.

    Parameters
    ----------
    game : Game
    parameter : str
        Name of the parameter to vary; all others keep the game's values (or ``values``).
    start, stop : number
        The interval (``start < stop``, both within the parameter's bounds).
    num : int, optional
        Number of grid values, ``start`` and ``stop`` included (at least 2).
    values : mapping, optional
        Values for the other parameters, applied on top of the game's.
    dynamics : Dynamics or str, optional
        The dynamics (or its spec, ``"logit:eta=0.1"``); default: the replicator dynamics.
        Any other dynamics is continued by the numeric method.

    Returns
    -------
    Continuation
        Branches on the grid and the located stability changes. Changes are found between
        the grid values too: the grid only decides what is tabulated.

    Raises
    ------
    ParameterError
        For an unknown parameter, ``start >= stop``, values outside the bounds or ``num < 2``.

    Examples
    --------
    Hawk-dove: hawk is stable while fighting costs less than the resource is worth (C < V);
    above C = V the mixed state x* = V/C enters the state space through hawk and takes over
    (Maynard Smith 1982).

    >>> from lmc_games import Game
    >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                     parameters={"V": 2, "C": 3})
    >>> c = continuation(hd, "C", 0.5, 5, num=11)
    >>> for ch in c.changes:
    ...     print(ch.label, "|", ch.kind, "|", ch.value, "|", ch.before, "->", ch.after)
    hawk | zero eigenvalue | 2.0 | stable -> unstable
    hawk+dove | existence | 2.0 | None -> stable
    >>> c["hawk+dove"].states[-1]
    array([0.4])
    >>> c.method
    'symbolic'
    """
    from .dynamics import Replicator, dynamics_from_spec

    dyn = dynamics_from_spec(dynamics)
    base, name, grid, lo, hi = _prepare(game, parameter, start, stop, num, values)
    fixed = {k: v for k, v in base.values.items() if k != name}
    ctx = _Context(base, name, grid, lo, hi, dyn)
    notes: list[str] = []
    result = None
    why = _symbolic_obstacle(base, name)
    if why is None and type(dyn) is not Replicator:
        why = f"the symbolic method is the replicator's; the {dyn.describe()} is analysed at "
        why += "every grid value"
    if why is None:
        try:
            result = _SymbolicContinuation(ctx).run()
        except _FallBack as exc:
            why = str(exc)
    if result is None:
        notes.append(f"numeric method: {why}")
        result = _NumericContinuation(ctx).run()
    branches, changes, method, more = result
    notes.extend(more)
    if name in ctx.exact(grid[0]).inert_parameters:
        notes.append(f"{name} cannot affect the dynamics (it cancels from every payoff advantage)")
    return Continuation(
        game=base,
        parameter=name,
        values=_frozen(grid),
        variables=tuple(v.name for v in base.variables),
        fixed=fixed,
        branches=tuple(branches),
        changes=tuple(sorted(changes, key=lambda c: (c.value, c.label))),
        method=method,
        notes=tuple(notes),
        dynamics=dyn.spec(),
    )


def _prepare(game, parameter, start, stop, num, values):
    pmap = game.parameter_map
    if not isinstance(parameter, str) or parameter not in pmap:
        known = ", ".join(pmap) or "none"
        raise ParameterError(
            f"cannot continue in {parameter!r}: not a parameter of {game.name!r} "
            f"(parameters: {known})"
        )
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
        raise ParameterError(f"num = {num!r}: give an integer of at least 2 grid values")
    values = dict(values or {})
    if parameter in values:
        raise ParameterError(
            f"values fixes {parameter!r}, the parameter being continued; remove it from values"
        )
    base = game.with_values(values)
    p = pmap[parameter]
    lo, hi = p.check(_exact_input(start, "start")), p.check(_exact_input(stop, "stop"))
    if lo >= hi:
        raise ParameterError(
            f"start = {start} is not below stop = {stop}: give an interval with start < stop"
        )
    grid = np.linspace(float(lo), float(hi), int(num))
    grid[0], grid[-1] = float(lo), float(hi)
    return base, parameter, grid, lo, hi


def _exact_input(v: Any, what: str) -> sympy.Rational:
    if isinstance(v, str):
        from ._formula import parse_number

        return parse_number(v)
    try:
        return exact_number(v.item() if isinstance(v, np.generic) else v)
    except Exception as exc:  # FormulaError says why; re-raise as a parameter error
        raise ParameterError(f"{what} = {v!r} is not a finite number") from exc


def _symbolic_obstacle(game: Game, name: str) -> str | None:
    """Why the symbolic method cannot be used (payoffs that are not rational functions)."""
    shares = set(game.variables) | {s for p in game.populations for s in p.share_symbols}
    for row in game.payoffs.values():
        for e in row:
            for node in sympy.preorder_traversal(e):
                if not node.free_symbols & shares:
                    continue
                if isinstance(node, (sympy.Min, sympy.Max, sympy.Abs, sympy.exp, sympy.log)):
                    return (
                        f"the payoffs contain {type(node).__name__} of the shares: not a "
                        "rational function"
                    )
                if isinstance(node, sympy.Pow) and not node.exp.is_Integer:
                    return f"the payoffs contain the power {node} of the shares"
    return None


#: Expression size (nodes) above which the symbolic method gives way to the numeric one.
_SIZE_LIMIT = 600


class _FallBack(Exception):
    """The symbolic method cannot finish; the message says why."""


# ---------------------------------------------------------------------- shared machinery
class _Context:
    """The game with the other parameters fixed, the grid, and a cache of exact analyses."""

    def __init__(self, base: Game, name: str, grid: np.ndarray, lo, hi, dynamics: Any = None):
        from .dynamics import Time, dynamics_from_spec

        self.dynamics = dynamics_from_spec(dynamics)
        self.discrete = self.dynamics.time is Time.DISCRETE
        self.base = base
        self.name = name
        self.grid = grid
        self.lo, self.hi = lo, hi
        self.symbol = base.parameter_map[name].symbol
        self.n = len(base.variables)
        self._cache: dict[sympy.Rational, Analysis] = {}

    def exact(self, value: Any) -> Analysis:
        """The exact analysis at ``value`` (a float is read as the library reads it: its
        shortest repr, as ``game.with_values`` does)."""
        from ._analysis import analyze

        v = exact_number(value.item() if isinstance(value, np.generic) else value)
        if v not in self._cache:
            self._cache[v] = analyze(
                self.base.with_values(**{self.name: v}), dynamics=self.dynamics
            )
        return self._cache[v]


def _free_shares(rp: RestPoint, game: Game) -> np.ndarray:
    out = []
    for v in game.variables:
        c = rp.coordinates.get(v)
        out.append(float(sympy.re(c.evalf(17))) if c is not None else math.nan)
    return np.array(out)


def _real_parts(rp: RestPoint, n: int) -> np.ndarray:
    ev = rp.numeric_eigenvalues
    if ev is None or len(ev) != n:
        return np.full(n, math.nan)
    return np.sort(np.array([complex(z).real for z in ev]))


def _smallest_share(rp: RestPoint) -> float:
    """The smallest share of a strategy in use in a mixed population (0 on the boundary)."""
    vals = [
        float(sympy.re(rp.shares[p][j].evalf(17)))
        for p, sup in enumerate(rp.support)
        if len(sup) > 1
        for j in sup
    ]
    return min(vals) if vals else 0.0


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def _sample_between(lo: float, hi: float) -> sympy.Rational:
    """A simple rational strictly inside (lo, hi), far from both ends."""
    mid, width = (lo + hi) / 2, hi - lo
    frac = Fraction(mid)
    for den in (1, 2, 4, 8, 10, 16, 100, 1000, 10**4, 10**6, 10**9):
        cand = frac.limit_denominator(den)
        if abs(cand - frac) < width / 4:
            return sympy.Rational(cand.numerator, cand.denominator)
    return sympy.Rational(frac.numerator, frac.denominator)


def _numeric_verdict(re: np.ndarray, tol: float) -> Stability | None:
    """The verdict floating point can vouch for, or None where a real part is too small."""
    if np.any(~np.isfinite(re)) or np.any(np.abs(re) <= tol):
        return None
    pos, neg = bool(np.any(re > 0)), bool(np.any(re < 0))
    if pos and neg:
        return Stability.SADDLE
    return Stability.UNSTABLE if pos else Stability.STABLE


# ---------------------------------------------------------------------- symbolic method
@dataclass
class _Critical:
    """A zero of one of the expressions that govern a branch."""

    value: float
    exact: sympy.Expr | None
    tags: set  # (label, kind)


@dataclass
class _SymBranch:
    label: str
    face: str
    support: tuple[tuple[int, ...], ...]
    coords: Callable[[np.ndarray], np.ndarray]  # complex grid -> (K, n) complex
    factors: list[tuple[Callable, int]]  # (complex grid -> (K, d+1) coefficients, multiplicity)
    formulas: dict[sympy.Symbol, sympy.Expr]


class _SymbolicContinuation:
    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.notes: list[str] = []

    def run(self):
        ctx = self.ctx
        analysis = self._analyse()
        crit: list[_Critical] = []
        branches: list[_SymBranch] = []
        for rp in analysis.rest_points:
            br, exprs = self._branch(rp)
            branches.append(br)
            for kind, e in exprs:
                crit.extend(self._zeros(e, rp.label, kind))
        if analysis.continua:
            self.notes.append(
                "continua of rest points for every value: "
                + ", ".join(repr(c.face) for c in analysis.continua)
                + " (not followed)"
            )
        self.branches = branches
        crit = _merge(crit)
        inside = [c for c in crit if ctx.lo < c.value < ctx.hi or _is_inside(c, ctx)]
        bounds = [float(ctx.lo)] + [c.value for c in inside] + [float(ctx.hi)]
        interval_verdicts = []
        for a, b in zip(bounds, bounds[1:]):
            interval_verdicts.append(self._verdicts(ctx.exact(_sample_between(a, b))))
        # Which analysis decides each grid value: an interval's, or its own exact one.
        per_value = []
        own: dict[int, dict[str, RestPoint]] = {}
        for k, v in enumerate(ctx.grid):
            if _coincident(v, crit) is not None:
                own[k] = self._match(ctx.exact(v))
                per_value.append({lab: rp.stability for lab, rp in own[k].items()})
            else:
                per_value.append(interval_verdicts[sum(_below(c, v) for c in inside)])
        grid_c = ctx.grid.astype(complex)
        out_branches = []
        with np.errstate(all="ignore"):
            for br in branches:
                coords = br.coords(grid_c)
                re = self._eig_real_parts(br, grid_c)
                stab = tuple(pv.get(br.label) for pv in per_value)
                exists = np.array([s is not None for s in stab])
                states = np.where(exists[:, None], coords.real, np.nan)
                re = np.where(exists[:, None], re, np.nan)
                # On a zero, take the exact point: a formula may be 0/0 there.
                for k, matched in own.items():
                    if br.label in matched:
                        states[k] = _free_shares(matched[br.label], ctx.base)
                        re[k] = _real_parts(matched[br.label], ctx.n)
                for k, s in enumerate(stab):
                    if s is None or k in own:
                        continue
                    scale = 1.0 + float(np.nanmax(np.abs(re[k]))) if re.shape[1] else 1.0
                    num = _numeric_verdict(re[k], _CHECK_TOL * scale)
                    if num is not None and s in _HYPERBOLIC and num is not s:
                        raise _FallBack(
                            f"at {ctx.name} = {ctx.grid[k]!r} the exact verdict of "
                            f"{br.label!r} ({s.value}) disagrees with its floating-point "
                            f"eigenvalues ({num.value}): a zero the symbolic search missed"
                        )
                out_branches.append(
                    Branch(br.label, _frozen(ctx.grid.copy()), _frozen(states), stab, _frozen(re))
                )
        pending = []
        for i, c in enumerate(inside):
            left, right = interval_verdicts[i], interval_verdicts[i + 1]
            for br in branches:
                b, a = left.get(br.label), right.get(br.label)
                if b is not a:
                    pending.append((c, br, b, a, left, right))
        out_branches = self._relabel(out_branches, {p[1].label for p in pending})
        changes = [self._change(*p) for p in pending]
        return out_branches, changes, "symbolic", list(dict.fromkeys(self.notes))

    def _relabel(self, out: list[Branch], changing: set[str]) -> list[Branch]:
        """Number the points of one face as :func:`~lmc_games.analyze` does, by their shares.

        The symbolic analysis numbers the formulas of a face (``-sqrt`` before ``+sqrt``);
        formulas that never give a point in the interval are dropped, and the others are
        labelled ``face``, ``face #2``, ... in increasing order of the first mixed population's
        first share (averaged where they exist).
        """
        self.rename: dict[str, str] = {}
        by_face: dict[str, list[int]] = {}
        for i, br in enumerate(self.branches):
            by_face.setdefault(br.face, []).append(i)
        keep = set(range(len(out)))
        for face, idx in by_face.items():
            if len(idx) == 1:
                continue
            alive = [i for i in idx if out[i].exists.any() or out[i].label in changing]
            alive = alive or idx[:1]
            keep -= set(idx) - set(alive)
            dropped = [out[i].label for i in idx if i not in alive]
            if dropped:
                self.notes.append(
                    f"face {face!r}: {len(dropped)} of its {len(idx)} formulas give no rest "
                    "point on the interval (dropped)"
                )
            key = {i: self._share_key(self.branches[i], out[i]) for i in alive}
            for rank, i in enumerate(sorted(alive, key=lambda i: key[i])):
                self.rename[out[i].label] = face if rank == 0 else f"{face} #{rank + 1}"
        return [
            replace(b, label=self.rename.get(b.label, b.label))
            for i, b in enumerate(out)
            if i in keep
        ]

    def _share_key(self, br: _SymBranch, b: Branch) -> float:
        game = self.ctx.base
        cols = np.cumsum([0] + [p.k - 1 for p in game.populations])
        for p, sup in enumerate(br.support):
            if len(sup) > 1:
                j, free = sup[0], b.states[:, cols[p] : cols[p + 1]]
                share = free[:, j] if j < free.shape[1] else 1 - free.sum(axis=1)
                ok = np.isfinite(share)
                return float(share[ok].mean()) if ok.any() else math.inf
        return 0.0

    def _name(self, label: str) -> str:
        return getattr(self, "rename", {}).get(label, label)

    # -------------------------------------------------------------- analysis
    def _analyse(self) -> Analysis:
        from ._analysis import analyze

        ctx = self.ctx
        subs = {
            p.symbol: ctx.base.values[p.name] for p in ctx.base.parameters if p.name != ctx.name
        }
        param = ctx.base.parameter_map[ctx.name]
        payoffs = {k: tuple(e.xreplace(subs) for e in v) for k, v in ctx.base.payoffs.items()}
        reduced = replace(
            ctx.base,
            parameters=(param,),
            payoffs=payoffs,
            values={ctx.name: ctx.base.values[ctx.name]},
            scenarios={},
            definitions={k: e.xreplace(subs) for k, e in ctx.base.definitions.items()},
        )
        try:
            a = analyze(reduced, symbolic=True)
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise _FallBack(f"the symbolic analysis failed ({exc})") from None
        if not a.complete:
            raise _FallBack("the symbolic analysis is incomplete: " + "; ".join(a.notes))
        return a

    def _branch(self, rp: RestPoint):
        """Compiled coordinates and characteristic polynomial of one symbolic rest point, and
        the expressions in mu whose zeros can change its verdict or existence."""
        ctx = self.ctx
        mu = ctx.symbol
        inter = dict(rp.intermediates)
        coords = {v: _resolve(rp.coordinates[v], inter) for v in ctx.base.variables}
        implicit = set().union(*(e.free_symbols for e in coords.values())) - {mu}
        if implicit:
            raise _FallBack(
                f"{rp.label!r} is given implicitly ({', '.join(sorted(map(str, implicit)))}: a "
                "root of a polynomial of degree 3 or more) in the symbolic analysis"
            )
        exprs: list[tuple[str, sympy.Expr]] = []
        # Existence: the shares of the mixed populations, and every side condition.
        for p, sup in enumerate(rp.support):
            if len(sup) > 1:
                exprs += [("existence", _resolve(rp.shares[p][j], inter)) for j in sup]
        if rp.exists_if not in (sympy.true, sympy.false):
            for rel in rp.exists_if.atoms(sympy.core.relational.Relational):
                exprs.append(("existence", _resolve(rel.lhs - rel.rhs, inter)))
        factors = []
        if rp.charpoly is None:
            raise _FallBack(f"{rp.label!r}: no characteristic polynomial")
        for f in sympy.Mul.make_args(rp.charpoly):
            mult = 1
            if isinstance(f, sympy.Pow) and f.exp.is_Integer and f.exp > 0:
                f, mult = f.base, int(f.exp)
            if not f.has(LAMBDA):
                continue
            f = _resolve(f, inter)
            if expr_size(f, _SIZE_LIMIT) >= _SIZE_LIMIT:
                # Expanding such a polynomial in lambda (radicals of the parameter inside its
                # coefficients) takes sympy minutes or more; exact analyses on the grid do not.
                raise _FallBack(
                    f"{rp.label!r}: its characteristic polynomial is too large to follow "
                    "symbolically"
                )
            try:
                poly = sympy.Poly(f, LAMBDA)
            except sympy.PolynomialError as exc:
                raise _FallBack(f"{rp.label!r}: characteristic polynomial ({exc})") from None
            coeffs = poly.all_coeffs()
            d = len(coeffs) - 1
            if coeffs[0].has(mu):
                exprs.append(("degenerate", coeffs[0]))
            exprs.append(("zero eigenvalue", coeffs[-1]))
            if d >= 2:
                exprs.append(("Hopf", _hurwitz(coeffs, d - 1)))
            factors.append((_compile_many(coeffs, mu), mult))
        # Where a radicand vanishes two points of a face meet (a fold) or the formula stops
        # being real.
        seen = [e for _, e in exprs] + list(coords.values())
        radicands = {
            node.base
            for e in seen
            for node in sympy.preorder_traversal(e)
            if isinstance(node, sympy.Pow) and node.exp.is_Rational and not node.exp.is_Integer
        }
        exprs += [("existence", r) for r in radicands]
        br = _SymBranch(
            label=rp.label,
            face=rp.label.split(" #")[0],
            support=rp.support,
            coords=_compile_many([coords[v] for v in ctx.base.variables], mu),
            factors=factors,
            formulas=coords,
        )
        return br, exprs

    # -------------------------------------------------------------- zeros
    def _zeros(self, e: sympy.Expr, label: str, kind: str) -> list[_Critical]:
        ctx = self.ctx
        mu = ctx.symbol
        if not e.has(mu):
            return []
        exact = _exact_zeros(e, mu, ctx.lo, ctx.hi)
        if exact is None:
            exact = _radical_zeros(e, mu, ctx.lo, ctx.hi)
        if exact is not None:
            return [_Critical(float(r.evalf(30)), r, {(label, kind)}) for r in exact]
        return [_Critical(r, None, {(label, kind)}) for r in _float_zeros(e, mu, ctx)]

    # -------------------------------------------------------------- verdicts
    def _verdicts(self, analysis: Analysis) -> dict[str, Stability | None]:
        """Exact verdicts of an analysis at one value, keyed by the symbolic branches' labels."""
        return {lab: rp.stability for lab, rp in self._match(analysis).items()}

    def _match(self, analysis: Analysis) -> dict[str, RestPoint]:
        """The rest points of an exact analysis at one value, keyed by the symbolic branches'
        labels (the points of a face with several formulas are matched by coordinates)."""
        ctx = self.ctx
        value = float(analysis.game.values[ctx.name])
        out: dict[str, RestPoint] = {}
        by_face: dict[str, list[_SymBranch]] = {}
        for br in self.branches:
            by_face.setdefault(br.face, []).append(br)
        for rp in analysis.rest_points:
            face = rp.label.split(" #")[0]
            cands = [b for b in by_face.get(face, []) if b.label not in out]
            if len(by_face.get(face, [])) == 1 and cands:
                out[cands[0].label] = rp
                continue
            here = _free_shares(rp, ctx.base)
            dist = [float(np.max(np.abs(_coords_at(b, value) - here))) for b in cands]
            if dist and min(dist) < 1e-5:
                out[cands[int(np.argmin(dist))].label] = rp
            else:
                self.notes.append(
                    f"at {ctx.name} = {value!r} the rest point {rp.label!r} matches no symbolic "
                    "branch (not followed)"
                )
        return out

    def _eig_real_parts(self, br: _SymBranch, grid_c: np.ndarray) -> np.ndarray:
        n = self.ctx.n
        re = np.full((len(grid_c), n), np.nan)
        coeff_sets = [(f(grid_c), m) for f, m in br.factors]
        for k in range(len(grid_c)):
            roots = []
            for coeffs, m in coeff_sets:
                c = coeffs[k]
                if not np.all(np.isfinite(c)) or c[0] == 0:
                    roots = None
                    break
                roots += list(np.roots(c.real)) * m
            if roots is not None and len(roots) == n:
                re[k] = np.sort(np.real(roots))
        return re

    # -------------------------------------------------------------- changes
    def _change(self, c: _Critical, br: _SymBranch, before, after, left, right):
        ctx = self.ctx
        kinds = {k for lab, k in c.tags if lab == br.label}
        if before is None or after is None:
            kind = "existence"
        elif "zero eigenvalue" in kinds:
            kind = "zero eigenvalue"
        elif "Hopf" in kinds:
            kind = "Hopf"
        else:
            kind = "degenerate"
        at = None
        if c.exact is not None and c.exact.is_Rational:
            at = self._verdicts(ctx.exact(c.exact)).get(br.label)
        with np.errstate(all="ignore"):
            state = br.coords(np.array([complex(c.value)]))[0].real
        note = self._describe(c, br, kind, before, after, state, left, right)
        return StabilityChange(
            parameter=ctx.name,
            value=c.value,
            label=self._name(br.label),
            kind=kind,
            before=before,
            after=after,
            at=at,
            state=tuple(float(s) for s in state),
            exact=c.exact,
            note=note,
        )

    def _describe(self, c, br, kind, before, after, state, left, right) -> str:
        # Other branches that meet this one here and change existence: a transcritical or fold.
        partners = []
        with np.errstate(all="ignore"):
            for other in self.branches:
                if other is br:
                    continue
                if (left.get(other.label) is None) == (right.get(other.label) is None):
                    if kind != "existence":
                        continue
                there = other.coords(np.array([complex(c.value)]))[0].real
                if np.all(np.isfinite(there)) and np.max(np.abs(there - state)) < 1e-6:
                    partners.append(self._name(other.label))
        with_ = f" at the rest point {', '.join(map(repr, partners))}" if partners else ""
        if kind == "existence":
            verb = "enters" if before is None else "leaves"
            return f"{self._name(br.label)!r} {verb} the state space{with_}"
        if kind == "zero eigenvalue":
            return "a real eigenvalue crosses zero" + (
                f"; {', '.join(map(repr, partners))} passes through this point (transcritical)"
                if partners
                else ""
            )
        if kind == "Hopf":
            return "a complex pair of eigenvalues crosses the imaginary axis"
        return "no eigenvalue crosses the imaginary axis here; the formula is singular"


def _is_inside(c: _Critical, ctx: _Context) -> bool:
    """For an exact zero equal to a float end point, whether it is strictly inside."""
    if c.exact is None:
        return False
    return bool(ctx.lo < c.exact < ctx.hi)


def _coords_at(br: _SymBranch, value: float) -> np.ndarray:
    """A branch's free shares at one value, as a limit where the formula is 0/0 there (a
    quadratic face whose leading coefficient vanishes); ``inf`` where it is not real."""
    with np.errstate(all="ignore"):
        z = br.coords(np.array([complex(value)]))[0]
        if not np.all(np.isfinite(z)):
            h = 1e-7 * (1 + abs(value))
            sides = br.coords(np.array([complex(value - h), complex(value + h)]))
            # A removable 0/0 has one limit; a pole has none (its two sides may average to
            # anything).
            gap = np.max(np.abs(sides[0] - sides[1]))
            z = sides.mean(axis=0) if gap < 1e-5 else np.full(z.shape, np.inf)
    if not np.all(np.isfinite(z)) or np.any(np.abs(z.imag) > 1e-6):
        return np.full(z.shape, np.inf)
    return z.real


def _below(c: _Critical, v: float) -> bool:
    """Whether the zero ``c`` lies below grid value ``v``, read exactly as the library reads
    it (its shortest repr) when ``c`` is exact."""
    if c.exact is not None:
        return bool(c.exact < exact_number(float(v)))
    return c.value < v


def _coincident(v: float, crit: Sequence[_Critical]) -> _Critical | None:
    """The zero a grid value may fall on, so that it is analysed exactly on its own."""
    for c in crit:
        if c.exact is not None:
            if c.exact.is_Rational:
                if exact_number(float(v)) == c.exact:
                    return c
            elif float(v) == c.value:
                return c
        elif abs(v - c.value) <= _NEAR_TOL * (1 + abs(c.value)):
            return c
    return None


def _merge(crit: list[_Critical]) -> list[_Critical]:
    crit = sorted(crit, key=lambda c: c.value)
    out: list[_Critical] = []
    for c in crit:
        if out and abs(c.value - out[-1].value) <= _MERGE_TOL * (1 + abs(c.value)):
            last = out[-1]
            last.tags |= c.tags
            if last.exact is None and c.exact is not None:
                last.value, last.exact = c.value, c.exact
            continue
        out.append(_Critical(c.value, c.exact, set(c.tags)))
    return out


def _resolve(expr: sympy.Expr, inter: Mapping) -> sympy.Expr:
    """Substitute the named quantities of a symbolic analysis until none is left."""
    for _ in range(len(inter) + 1):
        new = expr.xreplace(inter)
        if new == expr:
            break
        expr = new
    return expr


def _hurwitz(coeffs: Sequence[sympy.Expr], order: int) -> sympy.Expr:
    """The Hurwitz determinant of the given order; ``coeffs`` from the highest degree down."""
    d = len(coeffs) - 1

    def a(i: int) -> sympy.Expr:
        return coeffs[i] if 0 <= i <= d else sympy.Integer(0)

    M = sympy.Matrix(order, order, lambda i, j: a(2 * (j + 1) - (i + 1)))
    return M.det(method="berkowitz")


def _exact_zeros(e: sympy.Expr, mu: sympy.Symbol, lo, hi) -> list[sympy.Expr] | None:
    """Exact real zeros and poles of a rational function of ``mu`` with rational coefficients
    in ``[lo, hi]``; ``None`` when ``e`` is not such a function. An identically zero ``e``
    has no isolated zeros (e.g. the trace of a 2x2 bimatrix game's interior: a centre on a
    whole interval is no change)."""
    if e.free_symbols - {mu} or not e.is_rational_function(mu):
        return None
    num, den = sympy.fraction(sympy.together(e))
    try:
        polys = [sympy.Poly(num, mu), sympy.Poly(den, mu)]
    except sympy.PolynomialError:
        return None
    if any(p.domain not in (sympy.ZZ, sympy.QQ) for p in polys):
        return None
    if polys[0].is_zero:
        return []
    roots: set = set()
    for p in polys:
        if p.degree() > 0:
            for factor, _ in p.sqf_list()[1]:
                roots.update(factor.real_roots())
    return sorted((r for r in roots if lo <= r <= hi), key=lambda r: float(r.evalf(30)))


def _radical_zeros(e: sympy.Expr, mu: sympy.Symbol, lo, hi) -> list[sympy.Expr] | None:
    """Exact zeros of ``A + B*sqrt(D)`` with ``A``, ``B``, ``D`` rational in ``mu`` (the form
    the coordinates of a quadratic face take): they are among the zeros of ``A**2 - B**2*D``,
    kept where ``e`` itself vanishes (checked to 50 digits). ``None`` for other forms."""
    if e.free_symbols - {mu}:
        return None
    halves = [
        n
        for n in sympy.preorder_traversal(e)
        if isinstance(n, sympy.Pow) and n.exp.is_Rational and n.exp.q == 2
    ]
    bases = {n.base for n in halves}
    if len(bases) != 1:
        return None
    (D,) = bases
    if not D.is_rational_function(mu):
        return None
    t = sympy.Dummy("t")
    e_t = e.xreplace({n: t ** int(2 * n.exp) for n in halves})
    if not e_t.is_rational_function(mu, t):
        return None
    num = sympy.fraction(sympy.together(e_t))[0]
    try:
        A_B = sympy.Poly(sympy.rem(sympy.expand(num), t**2 - D, t), t)
    except sympy.PolynomialError:
        return None
    if A_B.degree() > 1:
        return None
    coeffs = A_B.all_coeffs()
    B, A = coeffs if len(coeffs) == 2 else [sympy.Integer(0), coeffs[0]]
    cands = _exact_zeros(sympy.together(A**2 - B**2 * D), mu, lo, hi)
    if cands is None:
        return None
    out = []
    for r in cands:
        try:
            v = sympy.N(e.xreplace({mu: r}), 50)
            scale = 1 + abs(sympy.N(A.xreplace({mu: r}), 50))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if v.is_finite and scale.is_finite and bool(abs(v) < sympy.Float(1e-30) * scale):
            out.append(r)
    return out


def _float_zeros(e: sympy.Expr, mu: sympy.Symbol, ctx: _Context) -> list[float]:
    """Zeros of ``e`` found by brentq where it changes sign on a fine grid; where ``e`` is not
    real (a complex formula) it has no zero."""
    from scipy.optimize import brentq

    f = _compile_many([e], mu)
    fine = np.union1d(ctx.grid, np.linspace(float(ctx.lo), float(ctx.hi), 2001))

    def real(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            z = f(np.asarray(x, dtype=complex))[:, 0]
        ok = np.abs(z.imag) <= 1e-12 * (1 + np.abs(z.real))
        return np.where(ok, z.real, np.nan)

    vals = real(fine)
    scale = float(np.nanmax(np.abs(vals))) if np.any(np.isfinite(vals)) else 0.0
    if scale == 0.0 or np.nanmax(np.abs(vals)) <= 1e-12:
        return []  # identically zero (to rounding), or never real
    out = []
    for i in range(len(fine) - 1):
        a, b = vals[i], vals[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0.0:
            out.append(float(fine[i]))
        elif a * b < 0:

            def g(x: float) -> float:
                r = real(np.array([x]))[0]
                if not np.isfinite(r):
                    raise _FallBack("a critical expression is not real inside a bracket")
                return float(r)

            try:
                out.append(float(brentq(g, fine[i], fine[i + 1], xtol=_XTOL, rtol=_RTOL)))
            except _FallBack:
                out.append(float((fine[i] + fine[i + 1]) / 2))
    if np.isfinite(vals[-1]) and vals[-1] == 0.0:
        out.append(float(fine[-1]))
    return out


def _compile_many(exprs: Sequence[sympy.Expr], mu: sympy.Symbol) -> Callable:
    """``f(values) -> (K, len(exprs))`` complex array. The trees are the library's own (built
    from formulas the safe parser accepted), never user text."""
    from ._compile import compile_expressions

    fn = compile_expressions([mu], exprs)

    def f(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=complex)
        cols = [np.broadcast_to(np.asarray(v, dtype=complex), x.shape) for v in fn(x)]
        return np.stack(cols, axis=-1) if cols else np.zeros(x.shape + (0,), dtype=complex)

    return f


# ---------------------------------------------------------------------- numeric method
class _NumericContinuation:
    """Exact analyses at every grid value; changes located between grid values."""

    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.notes: list[str] = []

    def _points(self, value) -> dict[str, RestPoint]:
        return {r.label: r for r in self.ctx.exact(value).rest_points}

    def run(self):
        ctx = self.ctx
        per_value = [self._points(v) for v in ctx.grid]
        labels = list(dict.fromkeys(lab for pv in per_value for lab in pv))
        K, n = len(ctx.grid), ctx.n
        branches, changes = [], []
        for lab in labels:
            states = np.full((K, n), np.nan)
            re = np.full((K, n), np.nan)
            stab: list[Stability | None] = []
            for k, pv in enumerate(per_value):
                rp = pv.get(lab)
                stab.append(rp.stability if rp is not None else None)
                if rp is not None:
                    states[k] = _free_shares(rp, ctx.base)
                    re[k] = _real_parts(rp, n)
            branches.append(
                Branch(lab, _frozen(ctx.grid.copy()), _frozen(states), tuple(stab), _frozen(re))
            )
            changes += self._changes(lab, stab)
        # A change located on an end of the interval is no change within it (as in the
        # symbolic method): the end value merely sits on a threshold.
        lo, hi = float(ctx.lo), float(ctx.hi)
        changes = [
            ch
            for ch in changes
            if min(abs(ch.value - lo), abs(ch.value - hi)) > 10 * _XTOL * (1 + abs(ch.value))
        ]
        return branches, changes, "numeric", self.notes

    def _changes(self, lab: str, stab: list) -> list[StabilityChange]:
        """Runs of equal verdicts; a single grid value that is non-hyperbolic or a centre
        between two runs is the place of the change itself."""
        ctx = self.ctx
        runs = [
            (v, [i for i, _ in g])
            for v, g in itertools.groupby(enumerate(stab), key=lambda t: t[1])
        ]
        out = []
        r = 0
        while r < len(runs) - 1:
            verdict, idx = runs[r]
            nxt_v, nxt_idx = runs[r + 1]
            if (
                nxt_v in (Stability.NON_HYPERBOLIC, Stability.CENTRE)
                and len(nxt_idx) == 1
                and r + 2 < len(runs)
            ):
                after = runs[r + 2][0]
                k = nxt_idx[0]
                if after is not verdict:
                    rp = self._points(ctx.grid[k])[lab]
                    out.append(
                        self._make(
                            lab,
                            float(ctx.grid[k]),
                            verdict,
                            after,
                            rp,
                            at=nxt_v,
                            exact=exact_number(float(ctx.grid[k])),
                        )
                    )
                r += 2
                continue
            out.append(self._locate(lab, ctx.grid[idx[-1]], ctx.grid[nxt_idx[0]], verdict, nxt_v))
            r += 1
        return out

    def _locate(self, lab, a: float, b: float, before, after) -> StabilityChange:
        from scipy.optimize import brentq

        ctx = self.ctx
        # A map's verdict changes where a multiplier crosses the unit circle: real parts of
        # eigenvalues bracket nothing there, so the bisection on the verdict below finds it.
        if before is not None and after is not None and not ctx.discrete:
            ra = _real_parts(self._points(a)[lab], ctx.n)
            rb = _real_parts(self._points(b)[lab], ctx.n)
            # An eigenvalue that is identically zero on one side (a continuum through the
            # point) gives no bracket; then bisect on the verdict below.
            flips = [j for j in range(ctx.n) if ra[j] * rb[j] < 0]
            if flips:
                j = flips[0]

                def g(x: float) -> float:
                    rp = self._points(x).get(lab)
                    if rp is None:
                        raise _FallBack("the branch vanishes inside the bracket")
                    return float(_real_parts(rp, ctx.n)[j])

                try:
                    x = float(brentq(g, a, b, xtol=_XTOL, rtol=_RTOL))
                    rp = self._points(x)[lab]
                    ev = rp.numeric_eigenvalues or ()
                    crossing = min(ev, key=lambda z: abs(complex(z).real), default=0j)
                    kind = "Hopf" if abs(complex(crossing).imag) > 1e-6 else "zero eigenvalue"
                    return self._make(lab, x, before, after, rp, kind=kind)
                except (_FallBack, ValueError):
                    pass
        if before is None or after is None:
            x, rp = self._locate_existence(lab, float(a), float(b), before is not None)
            return self._make(lab, x, before, after, rp, kind="existence")
        # Bisection on the verdict itself (a change brentq cannot bracket).
        lo, hi = float(a), float(b)
        while hi - lo > _XTOL * (1 + abs(lo)):
            mid = (lo + hi) / 2
            if mid in (lo, hi):
                break
            rp = self._points(mid).get(lab)
            if (rp.stability if rp is not None else None) is before:
                lo = mid
            else:
                hi = mid
        x = (lo + hi) / 2
        rp = self._points(lo).get(lab) or self._points(hi).get(lab)
        kind = "degenerate" if ctx.discrete else None  # else from the eigenvalues there
        return self._make(lab, x, before, after, rp, kind=kind)

    def _locate_existence(self, lab: str, a: float, b: float, exists_at_a: bool):
        """Where a point enters or leaves: a secant on its smallest support share (which
        reaches 0 where it leaves through the boundary) from the side where it exists, each
        guess tried just inside and just outside, with bisection as the safeguard (a fold,
        where two points meet inside the face, has no share going to 0)."""
        e, out = (a, b) if exists_at_a else (b, a)
        rp_e = self._points(e)[lab]
        seen = [(e, _smallest_share(rp_e))]
        for _ in range(80):
            tol = _XTOL * (1 + abs(e))
            width = abs(out - e)
            if width <= tol:
                break
            guesses, secant = [(e + out) / 2], False
            if len(seen) >= 2 and seen[-1][1] != seen[-2][1]:
                (m0, d0), (m1, d1) = seen[-2], seen[-1]
                g = m1 - d1 * (m1 - m0) / (d1 - d0)
                step = math.copysign(tol / 4, out - e)
                lo, hi = min(e, out), max(e, out)
                if lo < g - step < hi and lo < g + step < hi:
                    guesses, secant = [g - step, g + step], True
                elif (g - out) * (out - e) >= 0:
                    # Beyond the bracket: the point may leave right at its end (a zero that
                    # falls on a grid value).
                    guesses, secant = [out - 2 * step], True
            for x in guesses:
                rp = self._points(x).get(lab)
                if rp is not None:
                    e, rp_e = x, rp
                    seen.append((x, _smallest_share(rp)))
                else:
                    out = x
            if secant and abs(out - e) > width / 2:
                seen = seen[-1:]  # the secant did not help: bisect next
        return (e + out) / 2, rp_e

    def _make(self, lab, x, before, after, rp, *, kind=None, at=None, exact=None):
        ctx = self.ctx
        if kind is None:
            ev = rp.numeric_eigenvalues or ()
            crossing = min(ev, key=lambda z: abs(complex(z).real), default=0j)
            kind = "Hopf" if abs(complex(crossing).imag) > 1e-9 else "zero eigenvalue"
        state = tuple(float(v) for v in _free_shares(rp, ctx.base)) if rp is not None else ()
        note = {
            "existence": f"{lab!r} {'enters' if before is None else 'leaves'} the state space",
            "zero eigenvalue": "a real eigenvalue crosses zero",
            "Hopf": "a complex pair of eigenvalues crosses the imaginary axis",
        }.get(kind, "the verdict changes without an eigenvalue crossing located")
        if ctx.discrete and kind == "degenerate":
            note = "a multiplier of the map crosses the unit circle (bisection on the verdict)"
        return StabilityChange(
            parameter=ctx.name,
            value=float(x),
            label=lab,
            kind=kind,
            before=before,
            after=after,
            at=at,
            state=state,
            exact=exact,
            note=note + " (located numerically)",
        )

"""The symbolic vector field in reduced coordinates, and its Jacobian.

A population with k strategies has k - 1 free shares (its first k - 1 strategies, in the order
listed; the last share is one minus their sum). Stability is always computed on this state
space: the full Jacobian of the simplex form has an extra eigenvalue normal to the simplex,
which says nothing about stability and changes sign when a constant is added to the payoffs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy

from ._errors import DynamicsError
from ._game import Game
from .dynamics import Dynamics, Replicator, Time

__all__ = ["System", "system"]

T = sympy.Symbol("t")


@dataclass(frozen=True, eq=False)
class System:
    """The reduced dynamical system of a game under a dynamics.

    Attributes
    ----------
    game : Game
    dynamics : Dynamics
    variables : tuple of sympy.Symbol
        The free shares, population by population.
    payoffs : tuple of tuple of sympy.Expr
        Expected payoff of each strategy, per population, in the free shares.
    advantages : tuple of tuple of sympy.Expr
        Per population, the payoff of each of its first k - 1 strategies minus that of its
        last: for a two-strategy population, the payoff advantage ``f1 - f2`` papers factor out.
    field : tuple of sympy.Expr
        Time derivative of each free share, in the factored form papers print.

    Examples
    --------
    >>> from lmc_games import Game
    >>> g = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                    parameters={"V": 2, "C": 3})
    >>> s = System.of(g)
    >>> s.field[0]
    x*(1 - x)*(-C*x + V)/2
    """

    game: Game
    dynamics: Dynamics
    variables: tuple[sympy.Symbol, ...]
    payoffs: tuple[tuple[sympy.Expr, ...], ...]
    advantages: tuple[tuple[sympy.Expr, ...], ...]
    field: tuple[sympy.Expr, ...]
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, game: Game, dynamics: Dynamics | None = None) -> System:
        """Derive the reduced system of ``game`` (replicator dynamics by default).

        The field is each population's first k - 1 components of ``dynamics.growth``; for
        the replicator and its constant multiples (:meth:`Dynamics.replicator_rate`) it is
        written in the factored form papers print.
        """
        dynamics = dynamics or Replicator()
        payoffs = game.expected_payoffs()
        shares = tuple(p.shares() for p in game.populations)
        svars = game.variables
        advantages = tuple(
            tuple(_tidy(f[i] - f[-1], svars) for i in range(len(f) - 1)) for f in payoffs
        )
        rate = dynamics.replicator_rate()
        if rate is not None:
            # The replicator (or a constant multiple of it, as pairwise imitation): the
            # factored form papers print, built from the payoff advantages.
            comps: list[sympy.Expr] = []
            for pop, x, adv in zip(game.populations, shares, advantages):
                if pop.k == 2:
                    v = x[0]
                    comps.append(_papers_form([v, 1 - v], rate * adv[0], svars))
                else:
                    # x_i (f_i - fbar) = x_i * sum_j x_j (f_i - f_j), written through advantages
                    # so that payoff terms common to all strategies never appear.
                    for i in range(pop.k - 1):
                        inner = adv[i] - sympy.Add(*[x[j] * adv[j] for j in range(pop.k - 1)])
                        comps.append(_papers_form([x[i]], rate * _tidy(inner, svars), svars))
            fieldv = tuple(comps)
        else:
            growth = dynamics.growth(game, shares, payoffs)
            if len(growth) != len(game.populations) or any(
                len(gp) != pop.k for pop, gp in zip(game.populations, growth)
            ):
                raise DynamicsError(
                    f"{dynamics.describe()}: growth() must give one rate per strategy of each "
                    f"population, shape {game.shape}"
                )
            fieldv = tuple(
                _tidy_inside(sympy.sympify(g), svars)
                for pop, gp in zip(game.populations, growth)
                for g in gp[: pop.k - 1]
            )
        return cls(game, dynamics, game.variables, payoffs, advantages, fieldv)

    @cached_property
    def jacobian(self) -> sympy.Matrix:
        """Jacobian of the reduced field with respect to the free shares (symbolic)."""
        return sympy.Matrix([[sympy.diff(f, v) for v in self.variables] for f in self.field])

    @property
    def dimension(self) -> int:
        """Dimension of the state space."""
        return len(self.variables)

    @property
    def is_map(self) -> bool:
        """Whether the dynamics is a map in discrete time (its field is the increment)."""
        return self.dynamics.time is Time.DISCRETE

    def equations(self) -> list[sympy.Eq]:
        """The equations as ``Eq(dx/dt, ...)`` in the factored form; for a map in discrete
        time, ``Eq(x(t + 1) - x(t), ...)``."""
        if self.is_map:
            return [
                sympy.Eq(sympy.Function(v.name)(T + 1) - sympy.Function(v.name)(T), f)
                for v, f in zip(self.variables, self.field)
            ]
        return [
            sympy.Eq(sympy.Derivative(sympy.Function(v.name)(T), T), f)
            for v, f in zip(self.variables, self.field)
        ]

    def latex(self, *, environment: str = "align*", width: float | None = None) -> str:
        r"""The equations in LaTeX (``\dot{x} = x(1 - x)(\ldots)``), one line each, or with
        ``width`` (characters) broken at the signs of their sums where longer.

        Parameter names use their declared LaTeX.
        """
        from ._render._breaking import aligned_lines

        names = self._latex_names()

        def lhs(v: sympy.Symbol) -> str:
            name = sympy.latex(v, symbol_names=names)
            return f"{name}' - {name}" if self.is_map else rf"\dot{{{name}}}"

        body = r" \\" + "\n"
        if width is None:
            lines = [
                f"{lhs(v)} &= " + sympy.latex(f, symbol_names=names)
                for v, f in zip(self.variables, self.field)
            ]
        else:
            lines = [
                body.join(aligned_lines(lhs(v), f, names, width))
                for v, f in zip(self.variables, self.field)
            ]
        return f"\\begin{{{environment}}}\n" + body.join(lines) + f"\n\\end{{{environment}}}"

    def _repr_latex_(self) -> str:
        # Notebooks render $$...$$ blocks; "aligned" is the environment allowed inside them.
        return "$$" + self.latex(environment="aligned") + "$$"

    def __str__(self) -> str:
        return "\n".join(f"{self._lhs(v)} = {f}" for v, f in zip(self.variables, self.field))

    def _lhs(self, v: sympy.Symbol) -> str:
        return f"{v}' - {v}" if self.is_map else f"d{v}/dt"

    def _latex_names(self) -> dict[sympy.Symbol, str]:
        return {p.symbol: p.latex for p in self.game.parameters if p.latex}

    def __repr__(self) -> str:
        eqs = "; ".join(f"{self._lhs(v)} = {f}" for v, f in zip(self.variables, self.field))
        return f"<System of {self.game.name!r}: {eqs}>"


def system(game: Game, dynamics: Dynamics | None = None) -> System:
    """The reduced dynamical system of ``game`` (replicator dynamics by default).

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> system(mp).field
    (2*x*(1 - x)*(2*y - 1), 2*y*(1 - 2*x)*(1 - y))
    """
    return System.of(game, dynamics)


def _papers_form(front: list, rest: sympy.Expr, shares) -> sympy.Expr:
    """``front * rest`` kept unevaluated as papers print it: constant factors first, then the
    share factors, then the rest (``2*a*x*(1 - x)*(2*y - 1)``, ``x*(1 - x)*(V - C*y)/2``)."""
    if rest == 0:
        return sympy.Integer(0)
    const, state = [], []
    for f in sympy.Mul.make_args(rest):
        (state if f.free_symbols & set(shares) else const).append(f)
    return sympy.Mul(*const, *front, *state, evaluate=False)


def _tidy(expr: sympy.Expr, shares) -> sympy.Expr:
    """Collect a payoff advantage by the shares; expand only moderate expressions."""
    if sympy.count_ops(expr) > 4000:
        return expr
    e = sympy.expand(expr)
    present = [s for s in shares if s in e.free_symbols]
    e = sympy.collect(e, present) if present else e
    # Pull out a common numeric factor, as papers print (V - C*y)/2 rather than V/2 - C*y/2.
    return sympy.factor_terms(e) if e.is_Add else e


def _tidy_inside(expr: sympy.Expr, shares) -> sympy.Expr:
    """Collect the payoff terms inside ``max``, ``exp`` and piecewise conditions of a field,
    which is where the payoff differences of BNN, Smith, logit and best response sit; the
    field's value is unchanged."""

    def tidy_args(e):
        return e.func(*[_tidy(a, shares) for a in e.args])

    kinds = (sympy.Max, sympy.Min, sympy.exp, sympy.tanh, sympy.core.relational.Relational)
    return expr.replace(lambda e: isinstance(e, kinds), tidy_args)

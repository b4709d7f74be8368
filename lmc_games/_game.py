"""Games: populations, strategies, named parameters and a payoff table.

A :class:`Game` is the first stage of the pipeline. It holds

* its populations, each with a name, a label for figures and tables, its strategies and the
  symbols of its shares (the share of the first strategy, ``x``, for a two-strategy
  population; one symbol per strategy otherwise);
* named parameters (:class:`~lmc_games.Parameter`) with exact default values;
* a payoff table: for every strategy profile, the payoff of each population — formulas in the
  parameters, the helper definitions and, for state-dependent payoffs, the shares;
* named scenarios (sets of parameter values) and the current values.

A symmetric single-population game keeps its payoff matrix: entry ``(i, j)`` is the payoff of a
focal player using strategy ``i`` against an opponent using ``j``.

Games are frozen. :meth:`Game.with_values` and :meth:`Game.scenario` return new games.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

import sympy

from . import _render
from ._errors import GameError, ModelError, ParameterError
from ._formula import exact_number, parse_formula
from ._params import Parameter, make_symbol

__all__ = ["Game", "Population"]

_DEFAULT_SHARE_LETTERS = ("x", "y", "z", "w", "u", "v", "s", "r")


@dataclass(frozen=True)
class Population:
    """One population of players.

    Attributes
    ----------
    name : str
        Identifier (``savannakhet``).
    strategies : tuple of str
        Strategy names, in the order of the payoff table.
    label : str
        Human-readable name for figures and tables (``Savannakhet (Laos)``).
    share_symbols : tuple of sympy.Symbol
        For two strategies, ``(x,)``: the share of the first strategy. For k >= 3 strategies,
        one symbol per strategy; the last is eliminated as one minus the others.
    share_given : bool
        Whether the model named the share symbols (``share`` in the model file).
    """

    name: str
    strategies: tuple[str, ...]
    label: str
    share_symbols: tuple[sympy.Symbol, ...]
    share_given: bool = True

    @property
    def k(self) -> int:
        """Number of strategies."""
        return len(self.strategies)

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        """The free shares of the reduced state space: the first k - 1 strategies' shares."""
        return self.share_symbols[: self.k - 1]

    def shares(self) -> tuple[sympy.Expr, ...]:
        """All k shares expressed in the free ones (the last is one minus the others)."""
        free = self.variables
        return (*free, sympy.Integer(1) - sum(free, sympy.Integer(0)))

    def share_names(self) -> str | list[str] | None:
        """The ``share`` entry as the model file writes it (``None`` when none was given)."""
        if not self.share_given:
            return None
        if self.k == 2:
            return self.share_symbols[0].name
        return [s.name for s in self.share_symbols]


def _as_population_spec(spec: Any) -> dict[str, Any]:
    if isinstance(spec, Population):
        return {
            "name": spec.name,
            "strategies": spec.strategies,
            "label": spec.label,
            "share": spec.share_names(),
        }
    if isinstance(spec, Mapping):
        return dict(spec)
    if isinstance(spec, Sequence) and len(spec) == 2 and isinstance(spec[0], str):
        return {"name": spec[0], "strategies": spec[1]}
    raise GameError(
        f"population {spec!r}: give a mapping with 'name' and 'strategies', "
        "or a pair (name, [strategies])"
    )


def _as_parameters(parameters: Any) -> tuple[Parameter, ...]:
    if parameters is None:
        return ()
    if isinstance(parameters, Mapping):
        out = []
        for name, spec in parameters.items():
            if isinstance(spec, Parameter):
                if spec.name != name:
                    raise ParameterError(
                        f"parameter key {name!r} names a Parameter called {spec.name!r}"
                    )
                out.append(spec)
            elif isinstance(spec, Mapping):
                out.append(Parameter(name, **spec))
            else:
                out.append(Parameter(name, spec))
        return tuple(out)
    out = []
    for spec in parameters:
        if not isinstance(spec, Parameter):
            raise ParameterError(
                f"{spec!r} is not a Parameter; pass Parameter objects or a mapping"
            )
        out.append(spec)
    return tuple(out)


def _to_expr(value: Any, names: Mapping[str, sympy.Expr], where: str) -> sympy.Expr:
    """A payoff or definition given as text, number or sympy expression, over declared names."""
    if isinstance(value, sympy.Basic):
        # Users build sympy expressions with plain symbols; ours carry assumptions, so map by name.
        unknown = sorted(s.name for s in value.free_symbols if s.name not in names)
        if unknown:
            raise ModelError(f"{where}: unknown name(s) {', '.join(unknown)} in {value}")
        return value.xreplace({s: names[s.name] for s in value.free_symbols})
    if isinstance(value, bool):
        raise ModelError(f"{where}: {value!r} is not a payoff; write a number or a formula")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return exact_number(value)
    return parse_formula(value, names, where=where)


@dataclass(frozen=True)
class Game:
    """A normal-form game played by one or more populations.

    Build games with the named constructors :meth:`symmetric`, :meth:`bimatrix` and
    :meth:`from_table`, or load a model file with :func:`lmc_games.load_model`.

    Attributes
    ----------
    name : str
        Identifier of the model.
    populations : tuple of Population
    parameters : tuple of Parameter
    payoffs : Mapping
        ``profile -> payoffs``: a profile is a tuple of strategy indices, one per population
        (for a symmetric game: ``(focal, opponent)``); payoffs a tuple with one sympy
        expression per population (one for a symmetric game). Definitions are substituted.
    is_symmetric : bool
        A symmetric single-population game (one population, pairwise matrix payoffs).
    definitions : Mapping
        Helper expressions by name, already expanded into parameters and shares.
    scenarios : Mapping
        Named parameter sets: ``name -> {parameter: value}``.
    values : Mapping
        The current parameter values (defaults, then a scenario and ``with_values``).
    title, description : str
    references : tuple of str
    source : str or None
        The model file this game came from.
    claims : tuple of Claim
        The claims the model file makes about the game (its ``[claims.NAME]`` tables), for
        :func:`lmc_games.check`; empty for a game built in Python.

    Examples
    --------
    >>> g = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
    ...                    parameters={"V": 2, "C": 3}, name="hawk_dove")
    >>> g.payoffs[(0, 0)]
    (-C/2 + V/2,)
    >>> g.with_values(C=4).values["C"]
    4
    """

    name: str
    populations: tuple[Population, ...]
    parameters: tuple[Parameter, ...]
    payoffs: Mapping[tuple[int, ...], tuple[sympy.Expr, ...]]
    is_symmetric: bool = False
    definitions: Mapping[str, sympy.Expr] = field(default_factory=dict)
    scenarios: Mapping[str, Mapping[str, sympy.Rational]] = field(default_factory=dict)
    values: Mapping[str, sympy.Rational] = field(default_factory=dict)
    title: str = ""
    description: str = ""
    references: tuple[str, ...] = ()
    source: str | None = None
    scenario_name: str | None = None
    claims: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "payoffs", MappingProxyType(dict(self.payoffs)))
        object.__setattr__(self, "definitions", MappingProxyType(dict(self.definitions)))
        object.__setattr__(
            self,
            "scenarios",
            MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.scenarios.items()}),
        )
        values = {p.name: p.value for p in self.parameters}
        values.update(self.values)
        object.__setattr__(self, "values", MappingProxyType(values))
        if not self.title:
            object.__setattr__(self, "title", self.name)
        if self.is_symmetric and len(self.populations) != 1:
            raise GameError("a symmetric game has exactly one population")
        self._check_table()

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_table(
        cls,
        populations: Sequence[Any],
        payoffs: Mapping[Any, Any],
        *,
        parameters: Any = None,
        definitions: Mapping[str, Any] | None = None,
        scenarios: Mapping[str, Mapping[str, Any]] | None = None,
        symmetric: bool = False,
        name: str = "game",
        title: str = "",
        description: str = "",
        references: Iterable[str] = (),
        source: str | None = None,
    ) -> Game:
        """Build a game from a payoff table keyed by strategy profiles, as papers print it.

        Parameters
        ----------
        populations : sequence
            One entry per population: a mapping with ``name``, ``strategies`` and optionally
            ``label`` and ``share`` (a symbol name for two strategies, a list of k names
            otherwise), or a pair ``(name, strategies)``.
        payoffs : mapping
            ``"s1, s2, ..." -> [payoff of population 1, payoff of population 2, ...]`` (keys may
            also be tuples of strategy names). Payoffs are formulas (text, parsed safely), numbers
            or sympy expressions. For ``symmetric=True`` keys are ``"focal, opponent"`` and
            values single payoffs.
        parameters : mapping or sequence of Parameter, optional
            ``name -> value``, ``name -> {"value": ..., "min": ...}`` or Parameter objects.
        definitions : mapping, optional
            Helper expressions, in any order but without cycles; they may use parameters,
            shares and other definitions.
        scenarios : mapping, optional
            ``scenario -> {parameter: value}``.
        symmetric : bool
            One population playing a symmetric pairwise game.
        name, title, description, references, source
            Metadata; ``source`` (a file name) prefixes error messages.

        Returns
        -------
        Game

        Examples
        --------
        >>> g = Game.from_table(
        ...     [("row", ["up", "down"]), ("col", ["left", "right"])],
        ...     {"up, left": [1, 0], "up, right": [0, 1],
        ...      "down, left": [0, 1], "down, right": [1, 0]})
        >>> [p.share_symbols[0].name for p in g.populations]
        ['x', 'y']
        """
        where0 = f"{source}, " if source else ""
        params = _as_parameters(parameters)
        specs = [_as_population_spec(p) for p in populations]
        if not specs:
            raise ModelError(f"{where0}the game needs at least one population")
        if symmetric and len(specs) != 1:
            raise ModelError(f"{where0}a symmetric game has exactly one [[population]]")
        taken: set[str] = {p.name for p in params}
        dup = _first_duplicate([p.name for p in params])
        if dup:
            raise ModelError(f"{where0}parameter {dup!r} is declared twice")
        pops: list[Population] = []
        pop_names = [str(s.get("name", "")) for s in specs]
        dup = _first_duplicate(pop_names)
        if dup:
            raise ModelError(f"{where0}population {dup!r} is declared twice; names must differ")
        # Default share names avoid everything the model declares by name.
        reserved = taken | set((definitions or {}).keys())
        for spec in specs:
            share = spec.get("share")
            reserved.update([share] if isinstance(share, str) else list(share or []))
        letters = (c for c in _DEFAULT_SHARE_LETTERS + tuple(f"x{i}" for i in range(1, 99)))
        for i, spec in enumerate(specs):
            pname = spec.get("name")
            if not isinstance(pname, str) or not pname.isidentifier():
                raise ModelError(f"{where0}population {i + 1}: name {pname!r} is not an identifier")
            strategies = spec.get("strategies")
            if (
                not isinstance(strategies, (list, tuple))
                or len(strategies) < 2
                or not all(isinstance(s, str) and s.isidentifier() for s in strategies)
            ):
                raise ModelError(
                    f"{where0}population {pname!r}: strategies must be a list of at least two "
                    f"identifiers, got {strategies!r}"
                )
            dup = _first_duplicate(strategies)
            if dup:
                raise ModelError(f"{where0}population {pname!r}: strategy {dup!r} listed twice")
            k = len(strategies)
            share = spec.get("share")
            given = share is not None
            if share is None:
                letter = next(c for c in letters if c not in reserved)
                reserved.add(letter)
                names = [letter] if k == 2 else [f"{letter}{j + 1}" for j in range(k)]
            elif k == 2 and isinstance(share, str):
                names = [share]
            elif k >= 3 and isinstance(share, (list, tuple)) and len(share) == k:
                names = list(share)
            else:
                want = "one symbol name" if k == 2 else f"a list of {k} symbol names"
                raise ModelError(
                    f"{where0}population {pname!r}: share must be {want}, got {share!r}"
                )
            for n in names:
                if not isinstance(n, str) or not n.isidentifier():
                    raise ModelError(
                        f"{where0}population {pname!r}: share {n!r} is not an identifier"
                    )
                if n in taken:
                    raise ModelError(
                        f"{where0}population {pname!r}: share symbol {n!r} is already used "
                        "(by a parameter or another population); choose another"
                    )
                taken.add(n)
            pops.append(
                Population(
                    name=pname,
                    strategies=tuple(strategies),
                    label=str(spec.get("label") or pname),
                    share_symbols=tuple(make_symbol(n) for n in names),
                    share_given=given,
                )
            )
        # Names visible in formulas: parameters, every share symbol, definitions.
        names: dict[str, sympy.Expr] = {p.name: p.symbol for p in params}
        share_subs: dict[sympy.Symbol, sympy.Expr] = {}
        for pop in pops:
            for sym in pop.share_symbols:
                names[sym.name] = sym
            if pop.k >= 3:
                # The last share is not a free coordinate: formulas may use it, but it stands for
                # one minus the others.
                share_subs[pop.share_symbols[-1]] = pop.shares()[-1]
        defs = _resolve_definitions(definitions or {}, names, where0)
        names.update(defs)

        table: dict[tuple[int, ...], tuple[sympy.Expr, ...]] = {}
        given_keys: dict[tuple[int, ...], Any] = {}
        for key, value in payoffs.items():
            profile = _parse_profile(key, pops, symmetric, where0)
            if profile in given_keys:
                raise ModelError(
                    f"{where0}[payoffs] profile {key!r} duplicates {given_keys[profile]!r}"
                )
            given_keys[profile] = key
            where = f"{where0}[payoffs] {_quoted(key)}"
            if symmetric:
                if isinstance(value, (list, tuple)):
                    if len(value) != 1:
                        raise ModelError(f"{where}: a symmetric game takes one payoff per profile")
                    value = value[0]
                exprs = (_to_expr(value, names, where),)
            else:
                if not isinstance(value, (list, tuple)) or len(value) != len(pops):
                    raise ModelError(
                        f"{where}: give a list of {len(pops)} payoffs, one per population in order"
                    )
                exprs = tuple(_to_expr(v, names, where) for v in value)
            table[profile] = tuple(e.xreplace(share_subs) for e in exprs)

        nplayers = 2 if symmetric else len(pops)
        shape = [pops[0].k] * 2 if symmetric else [p.k for p in pops]
        missing = [
            prof for prof in itertools.product(*(range(n) for n in shape)) if prof not in table
        ]
        if missing:
            pretty = ", ".join(repr(_profile_text(m, pops, symmetric)) for m in missing[:4])
            more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
            raise ModelError(
                f"{where0}[payoffs] is missing profile(s) {pretty}{more}: every profile of "
                f"{nplayers} strategies must appear exactly once"
            )
        pmap = {p.name: p for p in params}
        scen: dict[str, dict[str, sympy.Rational]] = {}
        for sname, svalues in (scenarios or {}).items():
            scen[sname] = {}
            for pname, v in svalues.items():
                if pname not in pmap:
                    raise ModelError(
                        f"{where0}[scenarios.{sname}]: {pname!r} is not a parameter"
                        f"{_suggest(pname, pmap)}"
                    )
                try:
                    scen[sname][pname] = pmap[pname].check(v)
                except ParameterError as exc:
                    raise ModelError(f"{where0}[scenarios.{sname}]: {exc}") from None
        return cls(
            name=name,
            populations=tuple(pops),
            parameters=params,
            payoffs=table,
            is_symmetric=symmetric,
            definitions=defs,
            scenarios=scen,
            title=title,
            description=description,
            references=tuple(references),
            source=source,
        )

    @classmethod
    def symmetric(
        cls,
        matrix: Sequence[Sequence[Any]],
        strategies: Sequence[str] | None = None,
        *,
        parameters: Any = None,
        share: str | Sequence[str] | None = None,
        name: str = "game",
        population: str = "players",
        label: str | None = None,
        **metadata: Any,
    ) -> Game:
        """A symmetric single-population game from its payoff matrix.

        ``matrix[i][j]`` is the payoff of a player using strategy ``i`` against one using ``j``.

        Examples
        --------
        >>> rps = Game.symmetric([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], ["R", "P", "S"])
        >>> len(rps.populations[0].share_symbols)
        3
        """
        k = len(matrix)
        if k < 2 or any(len(row) != k for row in matrix):
            raise GameError(
                f"the payoff matrix must be square with at least 2 rows, got {matrix!r}"
            )
        strategies = list(strategies) if strategies is not None else [f"s{i + 1}" for i in range(k)]
        if len(strategies) != k:
            raise GameError(f"{len(strategies)} strategy names for a {k}x{k} matrix")
        spec = {"name": population, "strategies": strategies, "label": label or population}
        if share is not None:
            spec["share"] = share
        table = {(strategies[i], strategies[j]): matrix[i][j] for i in range(k) for j in range(k)}
        return cls.from_table(
            [spec], table, parameters=parameters, symmetric=True, name=name, **metadata
        )

    @classmethod
    def bimatrix(
        cls,
        A: Sequence[Sequence[Any]],
        B: Sequence[Sequence[Any]],
        strategies: tuple[Sequence[str], Sequence[str]] | None = None,
        *,
        populations: tuple[str, str] = ("row", "column"),
        parameters: Any = None,
        name: str = "game",
        **metadata: Any,
    ) -> Game:
        """A two-population game from the row population's matrix ``A`` and the column
        population's matrix ``B`` (both indexed ``[row strategy][column strategy]``).

        Examples
        --------
        >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
        >>> mp.payoffs[(0, 1)]
        (-1, 1)
        """
        m, n = len(A), len(A[0]) if A else 0
        if (
            m < 2
            or n < 2
            or any(len(r) != n for r in A)
            or len(B) != m
            or any(len(r) != n for r in B)
        ):
            raise GameError("A and B must both be m x n matrices with m, n >= 2")
        rows, cols = (
            strategies
            if strategies is not None
            else (
                [f"r{i + 1}" for i in range(m)],
                [f"c{j + 1}" for j in range(n)],
            )
        )
        table = {(rows[i], cols[j]): [A[i][j], B[i][j]] for i in range(m) for j in range(n)}
        pops = [(populations[0], list(rows)), (populations[1], list(cols))]
        return cls.from_table(pops, table, parameters=parameters, name=name, **metadata)

    # ----------------------------------------------------------------- values
    @property
    def parameter_map(self) -> Mapping[str, Parameter]:
        """Parameters by name."""
        return MappingProxyType({p.name: p for p in self.parameters})

    @property
    def symbols(self) -> Mapping[str, sympy.Symbol]:
        """Parameter symbols by name."""
        return MappingProxyType({p.name: p.symbol for p in self.parameters})

    def with_values(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Game:
        """A copy of the game with some parameter values changed (bounds checked).

        Examples
        --------
        >>> g = Game.symmetric([["a", 0], [0, 1]], parameters={"a": 1})
        >>> g.with_values(a="1/3").values["a"]
        1/3
        """
        changes = dict(values or {})
        changes.update(kwargs)
        pmap = self.parameter_map
        new = dict(self.values)
        for name, v in changes.items():
            if name not in pmap:
                raise ParameterError(f"unknown parameter {name!r}{_suggest(name, pmap)}")
            if isinstance(v, str):
                from ._formula import parse_number

                v = parse_number(v)
            new[name] = pmap[name].check(v)
        return replace(self, values=new)

    def with_free(self, names: Iterable[str]) -> Game:
        """A copy in which only ``names`` remain parameters; every other parameter is replaced
        by its current value in the payoffs.

        A symbolic analysis of the copy keeps just those parameters as symbols, which is how a
        sweep or a continuation over a few parameters gets formulas it can compile once.

        Examples
        --------
        >>> g = Game.symmetric([["a", "b"], [0, 1]], parameters={"a": 2, "b": 0.5})
        >>> h = g.with_free(["a"])
        >>> [p.name for p in h.parameters], h.payoffs[(0, 1)]
        (['a'], (1/2,))
        """
        keep = list(names)
        pmap = self.parameter_map
        for name in keep:
            if name not in pmap:
                raise ParameterError(f"unknown parameter {name!r}{_suggest(name, pmap)}")
        subs = {p.symbol: self.values[p.name] for p in self.parameters if p.name not in keep}
        payoffs = {k: tuple(e.xreplace(subs) for e in v) for k, v in self.payoffs.items()}
        definitions = {k: e.xreplace(subs) for k, e in self.definitions.items()}
        scenarios = {
            k: {n: v for n, v in sc.items() if n in keep} for k, sc in self.scenarios.items()
        }
        return replace(
            self,
            parameters=tuple(p for p in self.parameters if p.name in keep),
            payoffs=payoffs,
            definitions=definitions,
            scenarios=scenarios,
            values={n: v for n, v in self.values.items() if n in keep},
        )

    def __reduce__(self):
        # MappingProxyType cannot be pickled. Rebuild through the constructor, whose
        # __post_init__ wraps plain dicts again: games travel to worker processes this way.
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("payoffs", "definitions", "values"):
            state[key] = dict(state[key])
        state["scenarios"] = {k: dict(v) for k, v in self.scenarios.items()}
        return (_rebuild_game, (state,))

    def scenario(self, name: str) -> Game:
        """The game with a named scenario's values applied on top of the defaults."""
        if name not in self.scenarios:
            known = ", ".join(self.scenarios) or "none"
            raise ParameterError(f"unknown scenario {name!r}; this model has: {known}")
        defaults = {p.name: p.value for p in self.parameters}
        defaults.update(self.scenarios[name])
        return replace(self, values=defaults, scenario_name=name)

    def value_substitution(self) -> dict[sympy.Symbol, sympy.Rational]:
        """``{symbol: value}`` for every parameter, for ``xreplace``."""
        return {p.symbol: self.values[p.name] for p in self.parameters}

    # ----------------------------------------------------------------- structure
    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies per population."""
        return tuple(p.k for p in self.populations)

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        """The free shares of the reduced state space, population by population."""
        return tuple(v for p in self.populations for v in p.variables)

    @property
    def state_dependent(self) -> bool:
        """Whether some payoff depends on the population shares."""
        shares = {s for p in self.populations for s in p.share_symbols}
        return any(e.free_symbols & shares for row in self.payoffs.values() for e in row)

    def expected_payoffs(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        """Expected payoff of each strategy of each population, in the free shares.

        For a population p and its strategy s, the sum over the other populations' profiles of
        the product of their shares times the payoff. For a symmetric game, the matrix times
        the share vector. Not expanded.
        """
        shares = [p.shares() for p in self.populations]
        if self.is_symmetric:
            k = self.populations[0].k
            x = shares[0]
            return (
                tuple(
                    sympy.Add(*[x[j] * self.payoffs[(i, j)][0] for j in range(k)]) for i in range(k)
                ),
            )
        out = []
        for p, pop in enumerate(self.populations):
            row = []
            for s in range(pop.k):
                terms = []
                others = [range(q.k) if q_i != p else [s] for q_i, q in enumerate(self.populations)]
                for prof in itertools.product(*others):
                    weight = sympy.Mul(
                        *[shares[q][prof[q]] for q in range(len(self.populations)) if q != p]
                    )
                    terms.append(weight * self.payoffs[prof][p])
                row.append(sympy.Add(*terms))
            out.append(tuple(row))
        return tuple(out)

    def profile_label(self, profile: Sequence[int]) -> str:
        """The label of a pure profile (``"reasonable, excessive"``)."""
        return _profile_text(
            tuple(profile), self.populations, False if not self.is_symmetric else None
        )

    def _check_table(self) -> None:
        if self.is_symmetric:
            k = self.populations[0].k
            expected = set(itertools.product(range(k), range(k)))
        else:
            expected = set(itertools.product(*(range(p.k) for p in self.populations)))
        if set(self.payoffs) != expected:
            raise GameError("the payoff table must give every strategy profile exactly once")

    def to_markdown(self) -> str:
        """Populations, parameters, payoff table, replicator equations and scenarios as
        Markdown (what a notebook shows)."""
        return _render.render(self, "markdown")

    def to_latex(self) -> str:
        """Parameter and payoff tables (booktabs) and the replicator equations, as LaTeX."""
        return _render.render(self, "latex")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return _render.render(self, "text")

    def __repr__(self) -> str:
        shape = "x".join(str(k) for k in self.shape)
        kind = "symmetric " if self.is_symmetric else ""
        return (
            f"<Game {self.name!r}: {kind}{len(self.populations)} population(s), {shape} "
            f"strategies, {len(self.parameters)} parameters>"
        )


# --------------------------------------------------------------------- helpers
def _first_duplicate(items: Iterable[Any]) -> Any:
    seen = set()
    for it in items:
        if it in seen:
            return it
        seen.add(it)
    return None


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    if close:
        return f"; did you mean {', '.join(repr(c) for c in close)}?"
    listed = ", ".join(list(known)[:12])
    return f"; known: {listed}" if listed else ""


def _quoted(key: Any) -> str:
    if isinstance(key, str):
        return f'"{key}"'
    return repr(key)


def _profile_text(
    profile: tuple[int, ...], pops: Sequence[Population], symmetric: bool | None
) -> str:
    if symmetric:
        s = pops[0].strategies
        return ", ".join(s[i] for i in profile)
    return ", ".join(pop.strategies[i] for pop, i in zip(pops, profile))


def _parse_profile(
    key: Any, pops: Sequence[Population], symmetric: bool, where0: str
) -> tuple[int, ...]:
    if isinstance(key, str):
        parts = [s.strip() for s in key.split(",")]
    elif isinstance(key, (tuple, list)):
        parts = [str(s).strip() for s in key]
    else:
        raise ModelError(f'{where0}[payoffs] key {key!r} is not a profile like "a, b"')
    slots = [pops[0], pops[0]] if symmetric else list(pops)
    if len(parts) != len(slots):
        what = (
            "focal and opponent strategy"
            if symmetric
            else f"{len(slots)} strategies, one per population"
        )
        raise ModelError(f"{where0}[payoffs] key {_quoted(key)} must name {what}")
    profile = []
    for part, pop in zip(parts, slots):
        if part not in pop.strategies:
            raise ModelError(
                f"{where0}[payoffs] key {_quoted(key)}: {part!r} is not a strategy of "
                f"{pop.name!r} ({', '.join(pop.strategies)})"
            )
        profile.append(pop.strategies.index(part))
    return tuple(profile)


def _resolve_definitions(
    definitions: Mapping[str, Any], names: Mapping[str, sympy.Expr], where0: str
) -> dict[str, sympy.Expr]:
    """Parse definitions in dependency order, refusing cycles and name clashes."""
    for d in definitions:
        if not isinstance(d, str) or not d.isidentifier():
            raise ModelError(f"{where0}[definitions] {d!r} is not an identifier")
        if d in names:
            raise ModelError(
                f"{where0}[definitions] {d!r} is already a parameter or share; rename one of them"
            )
    placeholders = {d: sympy.Symbol(f"_def_{d}") for d in definitions}
    scope = dict(names)
    scope.update(placeholders)
    raw: dict[str, sympy.Expr] = {}
    for d, text in definitions.items():
        raw[d] = _to_expr(text, scope, f"{where0}[definitions] {d}")
    resolved: dict[str, sympy.Expr] = {}
    visiting: list[str] = []

    def resolve(d: str) -> sympy.Expr:
        if d in resolved:
            return resolved[d]
        if d in visiting:
            cycle = " -> ".join(visiting[visiting.index(d) :] + [d])
            raise ModelError(f"{where0}[definitions] are cyclic: {cycle}")
        visiting.append(d)
        expr = raw[d]
        deps = {name for name, ph in placeholders.items() if ph in expr.free_symbols}
        expr = expr.xreplace({placeholders[n]: resolve(n) for n in deps})
        visiting.pop()
        resolved[d] = expr
        return expr

    for d in definitions:
        resolve(d)
    return resolved


def _rebuild_game(state: dict) -> Game:
    return Game(**state)

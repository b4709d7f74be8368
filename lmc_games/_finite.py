"""Finite populations: fixation probabilities, stationary distributions, several populations.

Population ``p`` has ``N_p`` members. Every member revises at rate one (one unit of time is, on
average, one revision per member); population ``p`` is therefore picked with probability
``N_p / Σ N``, and within it:

* **Fermi** (pairwise comparison, Traulsen, Nowak & Pacheco 2006): a random member (strategy
  ``a``) meets a random other member of its population (strategy ``b``) and adopts ``b`` with
  probability ``1 / (1 + exp(-β (π_b − π_a)))``;
* **Moran** (birth–death, Nowak et al. 2004): a member reproduces with probability
  proportional to its fitness ``1 − w + w·π`` and its offspring replaces a random member.

With probability ``μ_p`` the revising member (Fermi) or the offspring (Moran) takes instead one
of the other ``k_p − 1`` strategies at random. Payoffs exclude self-interaction: in a symmetric
game a member meets the other ``N − 1`` members of its own population (Traulsen, Nowak &
Pacheco 2006; as EGTtools does); in a game of several populations a member of ``p`` plays
against the shares of the others. Payoffs that depend on the shares are evaluated at the
composition ``n / N``.

The fixation probability of one mutant ``m`` in a population of residents ``r`` (the other
populations monomorphic, their profile the *context*) is
``ρ = 1 / (1 + Σ_{k=1}^{N−1} Π_{j=1}^{k} T⁻(j)/T⁺(j))``, with ``T⁻/T⁺ = exp(−β(π_m − π_r))``
(Fermi) or ``f_r / f_m`` (Moran), summed in log space. In the limit of rare mutations the
process lives on the pure profiles (Fudenberg & Imhof 2006): from a profile, a mutant arises in
population ``p`` at rate ``N_p μ_p``, takes each other strategy with probability
``1/(k_p − 1)``, and fixes with probability ρ (for several populations, Veller & Hayward 2016).
Its stationary distribution says where the process spends its time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from ._errors import ExactSizeError, GameError, LimitError, ParameterError
from ._finite_core import (
    Payoffs,
    compositions,
    count_states,
    exact_fixation,
    gth_exact,
    gth_log,
    log_fixation,
)
from ._game import Game

__all__ = [
    "PROCESSES",
    "CornerVerdict",
    "FiniteAnalysis",
    "Fixation",
    "FullStationary",
    "Transition",
    "finite",
    "fixation_probabilities",
    "check_full_chain",
    "full_stationary",
]

#: The revision processes: pairwise comparison (Fermi) and Moran birth–death.
PROCESSES = ("fermi", "moran")
#: Largest state space :func:`full_stationary` builds unless ``max_states`` says otherwise.
MAX_FULL_STATES = 200_000
#: Largest population size (the fixation sums cost one term per member).
MAX_SIZE = 100_000_000
#: Largest population for exact (rational) Moran fixation probabilities: the fractions hold
#: a product of up to N - 1 ratios each, so the time grows with about the square of N
#: (measured with ``lmc-games finite hawk_dove --process moran --selection 1/100 --exact``:
#: N = 1,000 about 1 s, 3,000 about 5 s, 10,000 about 46 s of CPU).
MAX_EXACT_SIZE = 2_000


# --------------------------------------------------------------------- results
@dataclass(frozen=True)
class Fixation:
    """The fixation probability of one mutant in a population of residents.

    Attributes
    ----------
    population : str
        The population the mutant arises in.
    resident, mutant : str
        Strategy names.
    context : str
        Label of the pure profile the other populations play (``""`` for one population).
    probability : float
        ρ; may underflow to 0.0 — :attr:`log_probability` keeps it.
    log_probability : float
        ln ρ, computed in log space (finite even where ρ underflows).
    size : int
        N of the population; a neutral mutant fixes with probability 1/N.
    exact : sympy.Rational or None
        ρ exactly, where asked for and the process is rational.
    """

    population: str
    resident: str
    mutant: str
    context: str
    probability: float
    log_probability: float
    size: int
    exact: sympy.Rational | None = None

    @property
    def neutral(self) -> float:
        """1/N, the fixation probability of a neutral mutant."""
        return 1.0 / self.size

    @property
    def favoured(self) -> bool:
        """Whether selection favours the mutant's fixation (ρ > 1/N, beyond rounding)."""
        return self.log_probability + math.log(self.size) > 1e-12

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: population, resident, mutant, context, probability (and exact)."""
        out: dict[str, Any] = {
            "population": self.population,
            "resident": self.resident,
            "mutant": self.mutant,
            "context": self.context,
            "probability": self.probability,
            "log_probability": self.log_probability,
        }
        if self.exact is not None:
            out["probability_exact"] = str(self.exact)
        return out


@dataclass(frozen=True)
class Transition:
    """A transition of the rare-mutation chain between two pure profiles.

    Attributes
    ----------
    source, target : str
        Profile labels.
    population : str
        The population whose strategy changes.
    probability : float
        Probability of this transition per mutation event: the mutation's population and
        strategy, times the fixation probability.
    fixation : Fixation
    """

    source: str
    target: str
    population: str
    probability: float
    fixation: Fixation

    @property
    def favoured(self) -> bool:
        """Whether the mutant fixes more often than a neutral one would."""
        return self.fixation.favoured


@dataclass(frozen=True)
class CornerVerdict:
    """A pure profile: the time a finite population spends there beside the replicator's
    verdict on it (see :meth:`FiniteAnalysis.beside`).

    Attributes
    ----------
    label : str
    stationary : float
        Probability in the rare-mutation limit.
    stability : str or None
        The replicator's verdict at this corner (``"stable"``, ``"saddle"``, ...; None when
        the analysis has no verdict there).
    asymptotically_stable : bool
    """

    label: str
    stationary: float
    stability: str | None
    asymptotically_stable: bool


@dataclass(frozen=True)
class FiniteAnalysis:
    """Finite populations of a game: fixation probabilities and where the process spends its
    time in the limit of rare mutations.

    Attributes
    ----------
    model : str
    populations : tuple of str
    strategies : tuple of tuple of str
        Strategy names per population.
    shape : tuple of int
        Strategies per population.
    symmetric : bool
    sizes : Mapping
        N per population.
    process : str
        ``"fermi"`` or ``"moran"``.
    selection : float
        β (Fermi) or w (Moran).
    mutation : Mapping
        Relative mutation probability per population (only ratios matter in the limit).
    fixation : tuple of Fixation
        Per population, per context (profile of the others), per resident and mutant.
    profiles : tuple of tuple of int
        The pure profiles, in the order of :attr:`labels`.
    labels : tuple of str
        Their labels (as in ``analyze``: ``hawk``; ``reasonable, excessive``).
    stationary : Mapping
        ``label -> probability`` in the limit of rare mutations.
    log_stationary : Mapping
        The same, as natural logarithms (finite where a probability underflows).
    stationary_exact : Mapping or None
        Exact Rationals, where asked for and the process is rational.
    transitions : tuple of Transition
    occupied : tuple of str
        The fewest profiles, by decreasing probability, that hold at least :attr:`coverage`
        of the stationary distribution: where the process spends its time.
    coverage : float
    """

    model: str
    populations: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    shape: tuple[int, ...]
    symmetric: bool
    sizes: Mapping[str, int]
    process: str
    selection: float
    mutation: Mapping[str, float]
    fixation: tuple[Fixation, ...]
    profiles: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]
    stationary: Mapping[str, float]
    log_stationary: Mapping[str, float]
    stationary_exact: Mapping[str, sympy.Rational] | None
    transitions: tuple[Transition, ...]
    occupied: tuple[str, ...]
    coverage: float

    def beside(self, analysis: Any) -> tuple[CornerVerdict, ...]:
        """Each pure profile's stationary probability beside the replicator's verdict on it.

        Parameters
        ----------
        analysis : Analysis
            :func:`lmc_games.analyze` of the same game (every pure profile is one of its rest
            points).

        Returns
        -------
        tuple of CornerVerdict
            In the order of :attr:`labels`.

        Examples
        --------
        >>> from lmc_games import analyze, load_model
        >>> game = load_model("water_use")
        >>> res = finite(game, 5, selection=1.0)
        >>> for c in res.beside(analyze(game)):
        ...     print(f"{c.label:24} {c.stationary:.3f} {c.stability}")
        reasonable, reasonable   0.765 stable
        reasonable, excessive    0.004 saddle
        excessive, reasonable    0.230 saddle
        excessive, excessive     0.000 unstable
        """
        points = {rp.label: rp for rp in getattr(analysis, "rest_points", ())}
        out = []
        for label in self.labels:
            rp = points.get(label)
            out.append(
                CornerVerdict(
                    label=label,
                    stationary=self.stationary[label],
                    stability=None if rp is None or rp.stability is None else str(rp.stability),
                    asymptotically_stable=bool(rp is not None and rp.asymptotically_stable),
                )
            )
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``lmc-games finite --format json``."""
        out: dict[str, Any] = {
            "model": self.model,
            "process": self.process,
            "selection": self.selection,
            "sizes": dict(self.sizes),
            "fixation": [f.to_dict() for f in self.fixation],
            "stationary": dict(self.stationary),
            "occupied": list(self.occupied),
            "coverage": self.coverage,
        }
        if self.stationary_exact is not None:
            out["stationary_exact"] = {k: str(v) for k, v in self.stationary_exact.items()}
        return out

    def to_text(self, analysis: Any = None) -> str:
        """A plain-text summary: fixation table, stationary distribution, occupied profiles;
        with ``analysis`` (of the same game), the replicator's verdict beside each profile and
        its stable rest points."""
        what = "Fermi rule, beta" if self.process == "fermi" else "Moran process, w"
        sizes = ", ".join(f"{p} N={n}" for p, n in self.sizes.items())
        lines = [
            f"Finite populations of {self.model}: {what} = {self.selection:g}; {sizes}",
            "",
            "Fixation probability of one mutant (x N: relative to a neutral mutant, 1/N)",
        ]
        exact = any(f.exact is not None for f in self.fixation)
        head = ("population", "context", "resident", "mutant", "probability", "x N")
        rows = [(*head, "exact") if exact else head]
        for f in self.fixation:
            row = (
                f.population,
                f.context or "-",
                f.resident,
                f.mutant,
                _probability_text(f.log_probability),
                _probability_text(f.log_probability + math.log(f.size)),
            )
            rows.append((*row, str(f.exact)) if exact else row)
        lines += _table(rows)
        lines += ["", "Stationary distribution over pure profiles (rare mutations)"]
        exact = self.stationary_exact is not None
        verdicts = {c.label: c for c in self.beside(analysis)} if analysis is not None else None
        head = ("profile", "probability")
        if exact:
            head = (*head, "exact")
        if verdicts is not None:
            head = (*head, "replicator")
        rows = [head]
        for label in self.labels:
            row = (label, _probability_text(self.log_stationary[label]))
            if exact:
                row = (*row, str(self.stationary_exact[label]))
            if verdicts is not None:
                row = (*row, verdicts[label].stability or "-")
            rows.append(row)
        lines += _table(rows)
        share = f"{100 * self.coverage:g}%"
        lines += ["", f"At least {share} of the time in: {'; '.join(self.occupied)}"]
        if analysis is not None:
            stable = [rp.label for rp in analysis.rest_points if rp.asymptotically_stable]
            lines.append(
                "Replicator dynamics (infinite populations), asymptotically stable: "
                + ("; ".join(stable) if stable else "none")
            )
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class FullStationary:
    """The stationary distribution of the full chain (all compositions) with mutation.

    Attributes
    ----------
    model : str
    populations : tuple of str
    sizes : Mapping
    process : str
    selection : float
    mutation : Mapping
    states : numpy.ndarray
        ``(S, Σ k_p)`` counts of each strategy, population after population.
    probability : numpy.ndarray
        ``(S,)`` stationary probabilities.
    profile_mass : Mapping
        ``label -> probability`` of each pure (monomorphic) profile.
    mixed_mass : float
        Probability of all states with some population mixed.
    residual : float
        Max-norm of ``π Q`` relative to the largest rate (a check of the linear solve).
    """

    model: str
    populations: tuple[str, ...]
    sizes: Mapping[str, int]
    process: str
    selection: float
    mutation: Mapping[str, float]
    states: np.ndarray
    probability: np.ndarray
    profile_mass: Mapping[str, float]
    mixed_mass: float
    residual: float


# --------------------------------------------------------------------- settings
@dataclass(frozen=True)
class _Settings:
    sizes: tuple[int, ...]
    selection: float
    process: str
    mutation: tuple[float, ...]
    mutation_given: bool


def _check_game(game: Any) -> Game:
    if not isinstance(game, Game):
        raise GameError(f"expected a Game (lmc_games.load_model), got {type(game).__name__}")
    return game


def _sizes(game: Game, size: Any) -> tuple[int, ...]:
    names = [p.name for p in game.populations]
    if isinstance(size, Mapping):
        unknown = [n for n in size if n not in names]
        if unknown:
            raise ParameterError(
                f"size for unknown population {unknown[0]!r}; the populations are "
                f"{', '.join(names)}"
            )
        missing = [n for n in names if n not in size]
        if missing:
            raise ParameterError(
                f"no size for population {missing[0]!r}: give a size for every population "
                f"({', '.join(names)}), or one size for all"
            )
        values = [size[n] for n in names]
    elif isinstance(size, Sequence) and not isinstance(size, str):
        if len(size) != len(names):
            raise ParameterError(
                f"{len(size)} sizes for {len(names)} populations ({', '.join(names)})"
            )
        values = list(size)
    else:
        values = [size] * len(names)
    out = []
    for name, v in zip(names, values):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            else:
                raise ParameterError(f"size of {name!r} must be a whole number, got {v!r}")
        if v < 2:
            raise ParameterError(f"size of {name!r} must be at least 2 members, got {v}")
        if v > MAX_SIZE:
            raise LimitError(
                f"size of {name!r} is {v:,}; at most {MAX_SIZE:,} members per population"
            )
        out.append(int(v))
    return tuple(out)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ParameterError(f"{what} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ParameterError(f"{what} must be finite, got {value!r}")
    return v


def _settings(game: Game, size: Any, selection: Any, process: str, mutation: Any) -> _Settings:
    if process not in PROCESSES:
        raise ParameterError(f"process {process!r}: choose one of {', '.join(PROCESSES)}")
    sizes = _sizes(game, size)
    sel = _number(selection, "the selection intensity")
    if process == "fermi" and sel < 0:
        raise ParameterError(f"the selection intensity beta must be at least 0, got {sel:g}")
    if process == "moran" and not 0 <= sel <= 1:
        raise ParameterError(f"the Moran selection weight w must be in [0, 1], got {sel:g}")
    names = [p.name for p in game.populations]
    if mutation is None:
        mus = (1.0,) * len(names)
        given = False
    else:
        if isinstance(mutation, Mapping):
            bad = [n for n in mutation if n not in names]
            if bad:
                raise ParameterError(f"mutation for unknown population {bad[0]!r}")
            missing = [n for n in names if n not in mutation]
            if missing:
                raise ParameterError(f"no mutation probability for population {missing[0]!r}")
            raw = [mutation[n] for n in names]
        else:
            raw = [mutation] * len(names)
        mus = tuple(_number(m, "the mutation probability") for m in raw)
        for n, m in zip(names, mus):
            if not 0 < m <= 1:
                raise ParameterError(
                    f"the mutation probability of {n!r} must be in (0, 1], got {m:g} (leave "
                    "it out for the limit of rare mutations)"
                )
        given = True
    return _Settings(sizes, sel, process, mus, given)


def _label(game: Game, profile: Sequence[int]) -> str:
    """The label of a pure profile as ``analyze`` writes it."""
    return ", ".join(pop.strategies[i] for pop, i in zip(game.populations, profile))


def _profiles(game: Game) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(k) for k in game.shape)))


# --------------------------------------------------------------------- fixation
def _one_hot(k: int, i: int) -> np.ndarray:
    v = np.zeros(k)
    v[i] = 1.0
    return v


def _fixation_log_ratios(
    pay: Payoffs, settings: _Settings, p: int, pairs: list[tuple[tuple[int, ...], int, int]]
) -> np.ndarray:
    """log T⁻(j)/T⁺(j), j = 1..N−1, for each (full resident profile, resident, mutant) of ``p``."""
    sizes = settings.sizes
    n = sizes[p]
    j = np.arange(1, n, dtype=float)
    counts = []
    for q, k_q in enumerate(pay.shape):
        c = np.zeros((len(pairs), n - 1, k_q))
        for i, (profile, r, m) in enumerate(pairs):
            if q == p:
                c[i, :, m] = j
                c[i, :, r] = n - j
            else:
                c[i, :, :] = _one_hot(k_q, profile[q]) * sizes[q]
        counts.append(c)
    pi = pay.strategy_payoffs(counts, sizes)[p]
    res = np.array([r for _, r, _ in pairs])
    mut = np.array([m for _, _, m in pairs])
    rows = np.arange(len(pairs))
    pi_r = pi[rows, :, res]
    pi_m = pi[rows, :, mut]
    if settings.process == "fermi":
        return -settings.selection * (pi_m - pi_r)
    w = settings.selection
    f_r = 1.0 - w + w * pi_r
    f_m = 1.0 - w + w * pi_m
    # Only the two strategies present matter: an absent strategy's fitness has no weight.
    _check_fitness(
        np.minimum(f_r.min(initial=np.inf), f_m.min(initial=np.inf)),
        np.concatenate([pi_r.ravel(), pi_m.ravel()]),
        w,
    )
    return np.log(f_r) - np.log(f_m)


def _check_fitness(fmin: float, pi: np.ndarray, w: float) -> None:
    if not fmin > 0:
        low = float(np.min(pi))
        bound = 1.0 / (1.0 - low) if low < 1 else 1.0
        raise ParameterError(
            f"Moran fitness 1 - w + w*payoff is not positive for w = {w:g} (lowest payoff "
            f"{low:g}); choose w < {bound:.6g}, or shift the payoffs up"
        )


def _exact_fixation(
    pay: Payoffs, settings: _Settings, p: int, profile: tuple[int, ...], r: int, m: int
) -> Fraction:
    n = settings.sizes[p]
    if settings.process == "fermi":
        if settings.selection != 0:
            raise GameError(
                "exact=True: the Fermi rule's fixation probability is not rational unless "
                "beta = 0 (it holds exp of payoff differences); use the Moran process or "
                "floating point"
            )
        return Fraction(1, n)
    from ._formula import exact_number

    w = exact_number(settings.selection)
    w = Fraction(int(w.p), int(w.q))
    if w == 0:
        return Fraction(1, n)
    ratios = []
    sizes = settings.sizes
    table_cache: dict[int, list[Fraction]] = {}
    for j in range(1, n):
        shares = []
        counts = []
        for q, k_q in enumerate(pay.shape):
            c = [0] * k_q
            if q == p:
                c[m], c[r] = j, n - j
            else:
                c[profile[q]] = sizes[q]
            counts.append(c)
            shares.append([Fraction(v, sizes[q]) for v in c])
        if pay.state_dependent or 0 not in table_cache:
            table_cache[0] = pay.exact_table(shares)
        flat = table_cache[0]
        pi_r, pi_m = _exact_payoffs(pay, flat, counts, sizes, p, r, m)
        f_r = 1 - w + w * pi_r
        f_m = 1 - w + w * pi_m
        if f_r <= 0 or f_m <= 0:
            raise ParameterError(
                f"Moran fitness 1 - w + w*payoff is not positive for w = {settings.selection:g}; "
                "choose a smaller w"
            )
        ratios.append(f_r / f_m)
    return exact_fixation(ratios)


def _exact_payoffs(
    pay: Payoffs,
    flat: list[Fraction],
    counts: list[list[int]],
    sizes: tuple[int, ...],
    p: int,
    r: int,
    m: int,
) -> tuple[Fraction, Fraction]:
    if pay.symmetric:
        k = pay.shape[0]
        n = counts[0]
        size = sizes[0]

        def payoff(a: int) -> Fraction:
            total = sum((flat[a * k + b] * (n[b] - (a == b)) for b in range(k)), Fraction(0))
            return total / (size - 1)

        return payoff(r), payoff(m)
    strides = []
    acc = 1
    for k in reversed(pay.shape):
        strides.append(acc)
        acc *= k
    strides = strides[::-1]
    per_pop = acc

    def payoff(a: int) -> Fraction:
        # The other populations are monomorphic: one profile carries all their weight.
        idx = 0
        for q in range(len(pay.shape)):
            s = a if q == p else counts[q].index(sizes[q])
            idx += s * strides[q]
        return flat[p * per_pop + idx]

    return payoff(r), payoff(m)


def _pairs_by_population(game: Game) -> list[list[tuple[tuple[int, ...], int, int]]]:
    """Per population: (resident profile, resident, mutant), contexts in profile order."""
    out = []
    for p, pop in enumerate(game.populations):
        others = [range(k) if q != p else [0] for q, k in enumerate(game.shape)]
        pairs = []
        for base in itertools.product(*others):
            for r in range(pop.k):
                for m in range(pop.k):
                    if m != r:
                        profile = base[:p] + (r,) + base[p + 1 :]
                        pairs.append((profile, r, m))
        out.append(pairs)
    return out


def _context(game: Game, profile: tuple[int, ...], p: int) -> str:
    return ", ".join(
        pop.strategies[i] for q, (pop, i) in enumerate(zip(game.populations, profile)) if q != p
    )


def _fixations(game: Game, settings: _Settings, exact: bool) -> list[tuple[Fixation, tuple]]:
    if exact:
        _check_exact_size(game, settings)
    pay = Payoffs(game)
    out = []
    for p, pairs in enumerate(_pairs_by_population(game)):
        n = settings.sizes[p]
        pop = game.populations[p]
        # Memory of one population's sums: pairs x (N - 1) x strategies, a few arrays.
        need = 8.0 * len(pairs) * (n - 1) * (sum(game.shape) + 4)
        from ._limits import check_memory

        check_memory(need, "the fixation sums", "use smaller populations")
        # A fixation probability of e^-1e6 underflows to 0 on purpose; its log is kept.
        with np.errstate(under="ignore"):
            logs = log_fixation(_fixation_log_ratios(pay, settings, p, pairs))
        for (profile, r, m), lp in zip(pairs, logs):
            ex = None
            if exact:
                frac = _exact_fixation(pay, settings, p, profile, r, m)
                ex = sympy.Rational(frac.numerator, frac.denominator)
            lp = float(min(lp, 0.0))
            fix = Fixation(
                population=pop.name,
                resident=pop.strategies[r],
                mutant=pop.strategies[m],
                context=_context(game, profile, p),
                probability=math.exp(lp),
                log_probability=lp,
                size=n,
                exact=ex,
            )
            out.append((fix, (p, profile, r, m)))
    return out


def _check_exact_size(game: Game, settings: _Settings) -> None:
    """Refuse exact Moran arithmetic past :data:`MAX_EXACT_SIZE` members (the neutral cases,
    ``w = 0`` or the Fermi rule at ``beta = 0``, are ``1/N`` and cost nothing)."""
    if settings.selection == 0:
        return
    if settings.process != "moran":
        return  # the Fermi rule with beta != 0 has no exact value; _exact_fixation says so
    for pop, n in zip(game.populations, settings.sizes):
        if n > MAX_EXACT_SIZE:
            raise ExactSizeError(
                f"exact fixation probabilities for population {pop.name!r} of {n:,} members: "
                f"exact Moran arithmetic is limited to {MAX_EXACT_SIZE:,} members (its fractions "
                "grow with every member and the time with about the square of N: hawk-dove "
                "with 10,000 members took 46 s); leave out exact=True "
                "(--exact), whose sums in log space are stable at any size, or use a smaller "
                "population"
            )


def fixation_probabilities(
    game: Game,
    size: int | Mapping[str, int] | Sequence[int],
    *,
    selection: float,
    process: str = "fermi",
    exact: bool = False,
) -> tuple[Fixation, ...]:
    """Fixation probability of one mutant in each population while the others are pure.

    Parameters
    ----------
    game : Game
        At its current parameter values.
    size : int, mapping or sequence
        N for every population, ``{population: N}``, or one N per population in order.
    selection : float
        β ≥ 0 for the Fermi rule, w in [0, 1] for the Moran process.
    process : {"fermi", "moran"}
    exact : bool
        Also give ρ as an exact Rational. Possible for the Moran process with rational payoffs
        and w, and for β = 0; the Fermi rule holds exponentials, so it is never rational
        otherwise (a GameError says so).

    Returns
    -------
    tuple of Fixation
        Population by population; within one, contexts in profile order, then resident and
        mutant.

    Examples
    --------
    >>> from lmc_games import Game
    >>> g = Game.symmetric([[1, 1], [1, 1]], ["a", "b"])
    >>> [round(f.probability, 12) for f in fixation_probabilities(g, 10, selection=2.0)]
    [0.1, 0.1]
    >>> g = Game.symmetric([[2, 2], [1, 1]], ["a", "b"])
    >>> f = fixation_probabilities(g, 4, selection=1, process="moran", exact=True)
    >>> f[1].resident, f[1].mutant, f[1].exact      # (1 - 1/2)/(1 - 1/2**4)
    ('b', 'a', 8/15)
    """
    game = _check_game(game)
    settings = _settings(game, size, selection, process, None)
    return tuple(f for f, _ in _fixations(game, settings, exact))


# --------------------------------------------------------------------- stationary
def finite(
    game: Game,
    size: int | Mapping[str, int] | Sequence[int],
    *,
    selection: float,
    process: str = "fermi",
    mutation: float | Mapping[str, float] | None = None,
    exact: bool = False,
    coverage: float = 0.9,
) -> FiniteAnalysis:
    """Finite populations of a game: fixation probabilities and the stationary distribution
    over pure profiles in the limit of rare mutations.

    Parameters
    ----------
    game : Game
    size : int, mapping or sequence
        N for every population, ``{population: N}``, or one N per population.
    selection : float
        β (Fermi) or w (Moran).
    process : {"fermi", "moran"}
    mutation : float or mapping, optional
        Mutation probability per revision (one for all, or per population). In the rare-
        mutation limit only the ratios between populations matter: mutants arise in
        population p at rate N_p μ_p. Default: the same in every population.
    exact : bool
        Exact Rationals for fixation and stationary probabilities (Moran with rational
        payoffs and w, or β = 0; see :func:`fixation_probabilities`).
    coverage : float
        :attr:`FiniteAnalysis.occupied` lists the fewest profiles holding this much mass.

    Returns
    -------
    FiniteAnalysis

    Examples
    --------
    >>> from lmc_games import load_model
    >>> res = finite(load_model("prisoners_dilemma"), 20, selection=1.0)
    >>> res.occupied
    ('defect',)
    >>> round(sum(res.stationary.values()), 12)
    1.0
    """
    game = _check_game(game)
    settings = _settings(game, size, selection, process, mutation)
    cov = _number(coverage, "coverage")
    if not 0 < cov <= 1:
        raise ParameterError(f"coverage must be in (0, 1], got {cov:g}")
    fixes = _fixations(game, settings, exact)
    profiles = _profiles(game)
    index = {prof: i for i, prof in enumerate(profiles)}
    labels = tuple(_label(game, prof) for prof in profiles)
    m = len(profiles)
    log_rates = np.full((m, m), -np.inf)
    weights = _population_weights(game, settings)
    exact_rates = [[Fraction(0)] * m for _ in range(m)] if exact else None
    total_weight = math.fsum(w for w, _ in weights)
    transitions = []
    for fix, (p, profile, _r, mut) in fixes:
        src = index[profile]
        dst = index[profile[:p] + (mut,) + profile[p + 1 :]]
        w, w_exact = weights[p]
        per_strategy = w / (game.shape[p] - 1)
        log_rates[src, dst] = math.log(per_strategy) + fix.log_probability
        if exact_rates is not None:
            ex = fix.exact
            exact_rates[src][dst] = w_exact / (game.shape[p] - 1) * Fraction(int(ex.p), int(ex.q))
        transitions.append(
            Transition(
                source=labels[src],
                target=labels[dst],
                population=game.populations[p].name,
                probability=math.exp(math.log(per_strategy / total_weight) + fix.log_probability),
                fixation=fix,
            )
        )
    with np.errstate(under="ignore"):
        log_pi = gth_log(log_rates) if m > 1 else np.zeros(1)
        pi = np.exp(log_pi)
    stationary = {lab: float(v) for lab, v in zip(labels, pi)}
    stationary_exact = None
    if exact_rates is not None:
        ex = gth_exact(exact_rates)
        stationary_exact = {
            lab: sympy.Rational(v.numerator, v.denominator) for lab, v in zip(labels, ex)
        }
    order = sorted(range(m), key=lambda i: (-log_pi[i], i))
    occupied = []
    mass = 0.0
    for i in order:
        occupied.append(labels[i])
        mass += pi[i]
        if mass >= cov * (1 - 1e-12):
            break
    return FiniteAnalysis(
        model=game.name,
        populations=tuple(p.name for p in game.populations),
        strategies=tuple(p.strategies for p in game.populations),
        shape=tuple(game.shape),
        symmetric=bool(game.is_symmetric),
        sizes=MappingProxyType({p.name: n for p, n in zip(game.populations, settings.sizes)}),
        process=settings.process,
        selection=settings.selection,
        mutation=MappingProxyType(
            {p.name: mu for p, mu in zip(game.populations, settings.mutation)}
        ),
        fixation=tuple(f for f, _ in fixes),
        profiles=tuple(profiles),
        labels=labels,
        stationary=MappingProxyType(stationary),
        log_stationary=MappingProxyType({lab: float(v) for lab, v in zip(labels, log_pi)}),
        stationary_exact=None if stationary_exact is None else MappingProxyType(stationary_exact),
        transitions=tuple(transitions),
        occupied=tuple(occupied),
        coverage=cov,
    )


def _population_weights(game: Game, settings: _Settings) -> list[tuple[float, Fraction]]:
    """Relative rate N_p μ_p at which mutants arise in population p (float and exact)."""
    from ._formula import exact_number

    out = []
    for n, mu in zip(settings.sizes, settings.mutation):
        e = exact_number(mu)
        out.append((n * mu, n * Fraction(int(e.p), int(e.q))))
    return out


# --------------------------------------------------------------------- full chain
def check_full_chain(
    game: Game,
    size: int | Mapping[str, int] | Sequence[int],
    *,
    max_states: int = MAX_FULL_STATES,
) -> int:
    """The number of states of the full chain, or a LimitError saying how large it would be.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> check_full_chain(load_model("rock_paper_scissors"), 10)    # C(12, 2)
    66
    """
    game = _check_game(game)
    sizes = _sizes(game, size)
    shape = tuple(game.shape)
    n_states = count_states(sizes, shape)
    cap = int(max_states)
    if n_states > cap:
        parts = " x ".join(
            f"{math.comb(n + k - 1, k - 1):,} ({p.name}: N={n}, {k} strategies)"
            for p, n, k in zip(game.populations, sizes, shape)
        )
        raise LimitError(
            f"the full chain would have {n_states:,} states ({parts}), more than the limit "
            f"of {cap:,}; reduce the population sizes, use the rare-mutation limit (no "
            "mutation), or raise max_states"
        )
    return n_states


def full_stationary(
    game: Game,
    size: int | Mapping[str, int] | Sequence[int],
    *,
    selection: float,
    mutation: float | Mapping[str, float],
    process: str = "fermi",
    max_states: int = MAX_FULL_STATES,
) -> FullStationary:
    """Stationary distribution of the full Markov chain on all compositions, with mutation.

    The chain lives on the product of the populations' compositions (for one population of
    N members and k strategies, C(N + k − 1, k − 1) states). It is built as a sparse rate
    matrix and its left null vector is found by a sparse LU solve.

    Parameters
    ----------
    game : Game
    size : int, mapping or sequence
    selection : float
    mutation : float or mapping
        Mutation probability per revision, in (0, 1].
    process : {"fermi", "moran"}
    max_states : int
        Refuse (LimitError) larger chains; the message says how many states it would have.

    Returns
    -------
    FullStationary

    Examples
    --------
    >>> from lmc_games import load_model
    >>> full = full_stationary(load_model("hawk_dove"), 10, selection=1.0, mutation=1e-3)
    >>> round(float(full.probability.sum()), 12), full.states.shape
    (1.0, (11, 2))
    """
    from scipy import sparse
    from scipy.sparse.linalg import spsolve
    from scipy.special import expit

    game = _check_game(game)
    if mutation is None:
        raise ParameterError("the full chain needs a mutation probability in (0, 1]")
    settings = _settings(game, size, selection, process, mutation)
    shape = tuple(game.shape)
    n_states = check_full_chain(game, settings.sizes, max_states=max_states)
    comps = [compositions(n, k) for n, k in zip(settings.sizes, shape)]
    counts_c = [len(c) for c in comps]
    strides = [math.prod(counts_c[q + 1 :]) for q in range(len(comps))]
    state_ids = np.arange(n_states)
    idx = [(state_ids // strides[q]) % counts_c[q] for q in range(len(comps))]
    counts = [comps[q][idx[q]] for q in range(len(comps))]
    pay = Payoffs(game)
    payoffs = pay.strategy_payoffs(counts, settings.sizes)
    total = float(sum(settings.sizes))
    rows, cols, vals = [], [], []
    for p, (comp, n, k) in enumerate(zip(comps, settings.sizes, shape)):
        lookup = {tuple(c): i for i, c in enumerate(comp.tolist())}
        mu = settings.mutation[p]
        n_p = counts[p].astype(float)
        pi = payoffs[p]
        if settings.process == "moran":
            w = settings.selection
            fit = 1.0 - w + w * pi
            present = counts[p] > 0
            _check_fitness(float(fit[present].min()), pi[present], w)
            births = n_p * fit
            big_f = births.sum(axis=1)
        for a in range(k):
            for b in range(k):
                if a == b:
                    continue
                move = np.array(
                    [
                        lookup.get(tuple(_shift(c, a, b)), -1) if c[a] > 0 else -1
                        for c in comp.tolist()
                    ]
                )
                target_c = move[idx[p]]
                ok = target_c >= 0
                if settings.process == "fermi":
                    adopt = expit(settings.selection * (pi[:, b] - pi[:, a]))
                    rate = (n_p[:, a] / total) * (
                        (1 - mu) * n_p[:, b] / (n - 1) * adopt + mu / (k - 1)
                    )
                else:
                    offspring = (1 - mu) * births[:, b] / big_f + (mu / (k - 1)) * (
                        big_f - births[:, b]
                    ) / big_f
                    rate = (n_p[:, a] / total) * offspring
                src = state_ids[ok]
                dst = src + (target_c[ok] - idx[p][ok]) * strides[p]
                rows.append(src)
                cols.append(dst)
                vals.append(rate[ok])
    rows_a = np.concatenate(rows)
    cols_a = np.concatenate(cols)
    vals_a = np.concatenate(vals)
    q = sparse.coo_matrix((vals_a, (rows_a, cols_a)), shape=(n_states, n_states)).tocsr()
    out_rate = np.asarray(q.sum(axis=1)).ravel()
    q = (q - sparse.diags(out_rate)).tocsc()
    # Fix the probability of the most visited pure profile (rare-mutation limit) at 1: a
    # reference state of tiny mass would make the others overflow.
    ref = _reference_state(game, settings, comps, strides)
    qt = q.T.tocsr()
    keep = np.ones(n_states, dtype=bool)
    keep[ref] = False
    a_mat = qt[keep][:, keep].tocsc()
    rhs = -np.asarray(qt[keep][:, [ref]].todense()).ravel()
    sol = spsolve(a_mat, rhs) if n_states > 1 else np.zeros(0)
    pi_full = np.empty(n_states)
    pi_full[keep] = sol
    pi_full[ref] = 1.0
    pi_full = np.clip(pi_full, 0.0, None)
    pi_full /= pi_full.sum()
    residual = float(np.abs(q.T @ pi_full).max() / max(float(out_rate.max()), 1e-300))
    states = np.concatenate(counts, axis=1)
    labels = {}
    mono = np.ones(n_states, dtype=bool)
    for p, n in enumerate(settings.sizes):
        mono &= (counts[p] == n).any(axis=1)
    for i in np.nonzero(mono)[0]:
        prof = tuple(int(np.argmax(counts[p][i])) for p in range(len(comps)))
        labels[_label(game, prof)] = float(pi_full[i])
    ordered = {_label(game, prof): labels[_label(game, prof)] for prof in _profiles(game)}
    return FullStationary(
        model=game.name,
        populations=tuple(p.name for p in game.populations),
        sizes=MappingProxyType({p.name: n for p, n in zip(game.populations, settings.sizes)}),
        process=settings.process,
        selection=settings.selection,
        mutation=MappingProxyType(
            {p.name: mu for p, mu in zip(game.populations, settings.mutation)}
        ),
        states=states,
        probability=pi_full,
        profile_mass=MappingProxyType(ordered),
        mixed_mass=float(max(0.0, 1.0 - sum(ordered.values()))),
        residual=residual,
    )


def _shift(c: list[int], a: int, b: int) -> list[int]:
    c = list(c)
    c[a] -= 1
    c[b] += 1
    return c


def _reference_state(
    game: Game, settings: _Settings, comps: list[np.ndarray], strides: list[int]
) -> int:
    try:
        res = finite(
            game,
            settings.sizes,
            selection=settings.selection,
            process=settings.process,
            mutation={p.name: mu for p, mu in zip(game.populations, settings.mutation)},
        )
        best = max(range(len(res.labels)), key=lambda i: res.log_stationary[res.labels[i]])
        prof = res.profiles[best]
    except GameError:
        prof = (0,) * len(comps)
    state = 0
    for q, (comp, s) in enumerate(zip(comps, prof)):
        row = int(np.nonzero(comp[:, s] == settings.sizes[q])[0][0])
        state += row * strides[q]
    return state


def _probability_text(log_value: float) -> str:
    """A probability from its logarithm; as a power of e where a float would underflow."""
    if log_value < -700:
        return f"e^{log_value:.6g}"
    return f"{math.exp(log_value):.6g}"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]

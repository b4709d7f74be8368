"""Limits checked before any work starts, so that no request fails after minutes of it.

Every entry point that integrates, sweeps, analyses exactly or writes files calls these checks
first; each raises :class:`~lmc_games.LimitError` (or :class:`~lmc_games.OutputError` for
paths) with a message saying what to change. The limits are sizes, never wall-clock times, so
a request is accepted or refused the same way on every run and every machine.

========================  ==============  ===============================================
limit                     default         environment variable to raise it
========================  ==============  ===============================================
steps per trajectory      10,000,000      ``LMC_GAMES_MAX_STEPS``
starts per grid           1,000,000       ``LMC_GAMES_MAX_STARTS``
parameter points          10,000,000      ``LMC_GAMES_MAX_POINTS``
memory of one request     2 GiB           ``LMC_GAMES_MAX_MEMORY`` (bytes; ``8G`` allowed)
digits of an exact number 400             ``LMC_GAMES_MAX_DIGITS``
size of a number          1e300           (fixed: the range of floating-point numbers)
degree of a number field  64              ``LMC_GAMES_MAX_DEGREE`` (exact sign decisions)
========================  ==============  ===============================================

Why these numbers: the default run is 2,000 steps, 9 starts and 1 point, so the defaults
leave three to six orders of magnitude for legitimate work while refusing typos such as
``--dt 1e-9`` (10^11 steps) or ``--vary p=0:1:100000000`` (800 MB for the grid alone).
Numbers larger than 1e300 have no room left in double precision (1.8e308) for the products
of the replicator equation; numbers with more than 400 digits make exact arithmetic slow and
their printed forms unreadable. A number field of degree above 64 (a polynomial with radicals
nested that deep) is where sympy's primitive elements take minutes; beyond it a sign is
reported as undecided instead.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

from ._errors import GameError, LimitError, OutputError

__all__ = [
    "limit",
    "check_time",
    "count_starts",
    "check_starts",
    "check_points",
    "check_memory",
    "check_simulation",
    "check_numbers",
    "check_degrees",
    "check_output_file",
    "check_output_dir",
]

_DEFAULTS = {
    "steps": 10_000_000,
    "starts": 1_000_000,
    "points": 10_000_000,
    "memory": 2 * 1024**3,
    "digits": 400,
    "degree": 64,
}
#: Largest magnitude of a number in a model (double precision ends at 1.8e308).
MAX_MAGNITUDE = 10**300


def limit(name: str) -> int:
    """The current value of a limit: its environment variable if set, else the default.

    Parameters
    ----------
    name : {"steps", "starts", "points", "memory", "digits", "degree"}

    Examples
    --------
    >>> limit("steps")
    10000000
    """
    if name not in _DEFAULTS:
        raise KeyError(name)
    var = f"LMC_GAMES_MAX_{name.upper()}"
    text = os.environ.get(var, "").strip()
    if not text:
        return _DEFAULTS[name]
    scale = 1
    suffixes = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    if name == "memory" and text[-1].upper() in suffixes:
        scale, text = suffixes[text[-1].upper()], text[:-1]
    try:
        value = int(text) * scale
    except ValueError:
        raise LimitError(f"{var}={text!r}: give a whole number") from None
    if value < 1:
        raise LimitError(f"{var}={text!r}: give a positive whole number")
    return value


def _size(n: float) -> str:
    return f"{n:,.0f}" if n < 1e15 else f"{n:.3g}"


def _bytes(n: float) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} bytes"


def _positive(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise LimitError(f"{name} must be a number; got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise LimitError(f"{name} must be a finite positive number; got {value!r}")
    return v


def check_time(
    t_end: Any,
    dt: Any,
    *,
    eps: Any = None,
    save_every: Any = None,
    options: bool = False,
    default_dt: bool = False,
) -> int:
    """Check an integration's times and return its number of steps per trajectory.

    Parameters
    ----------
    t_end, dt : float
        Final time and step (for adaptive methods, the spacing of saved times); finite and
        positive.
    eps : float, optional
        Convergence radius, finite and positive when given.
    save_every : float, optional
        Spacing of saved times; finite and positive when given.
    options : bool
        Name the command-line options (``--t-end``) in messages instead of the arguments.
    default_dt : bool
        ``dt`` is the default (the user gave none); messages say so.

    Returns
    -------
    int
        ``ceil(t_end / dt)``, at most the ``steps`` limit.

    Examples
    --------
    >>> check_time(100, 0.05)
    2000
    >>> check_time(1e9, 0.05)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.LimitError: t_end / dt = 20,000,000,000 steps per trajectory, more than ...
    """
    n_t, n_dt, n_eps = ("--t-end", "--dt", "--eps") if options else ("t_end", "dt", "eps")
    t = _positive(t_end, n_t)
    h = _positive(dt, n_dt)
    if eps is not None:
        _positive(eps, n_eps)
    if save_every is not None:
        _positive(save_every, "save_every")
    if t < h:
        # One step of size dt would overshoot t_end: there is nothing between 0 and t_end
        # to save, and a shortened step is not what was asked for.
        if default_dt:
            raise LimitError(
                f"{n_t} {t:g} is shorter than the default output spacing {h:g}: give a "
                f"longer {n_t}, or {n_dt} at most {n_t}"
            )
        raise LimitError(
            f"{n_t} {t:g} is shorter than one step {n_dt} {h:g}: give {n_dt} at most {n_t}"
        )
    steps = math.ceil(t / h - 1e-9)
    cap = limit("steps")
    if steps > cap:
        raise LimitError(
            f"{n_t} / {n_dt} = {_size(steps)} steps per trajectory, more than the limit of "
            f"{_size(cap)}: use a larger {n_dt} or a smaller {n_t} (or raise the limit with "
            "LMC_GAMES_MAX_STEPS)"
        )
    return max(1, steps)


def count_starts(strategy_counts: Iterable[int], n: int) -> int:
    """Number of starts of the ``--starts n`` grid (docs/cli.md), without building it.

    A population with k strategies has ``C(n + k - 2, k - 1)`` interior lattice points
    (``n`` for k = 2, ``n(n + 1)/2`` for k = 3); the grid is their product.

    Examples
    --------
    >>> count_starts([2, 2], 4)
    16
    >>> count_starts([3], 4)
    10
    """
    total = 1
    for k in strategy_counts:
        total *= math.comb(n + k - 2, k - 1)
    return total


def check_starts(game: Any, n: Any, *, options: bool = False) -> int:
    """Check ``--starts n`` for ``game`` and return the number of starts it gives.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> check_starts(load_model("water_use"), 3)
    9
    """
    name = "--starts" if options else "starts"
    bad = isinstance(n, bool) or not isinstance(n, (int, float))
    if bad or not math.isfinite(n) or int(n) != n or n < 1:
        raise LimitError(f"{name} must be a positive whole number; got {n!r}")
    n = int(n)
    ks = [p.k for p in game.populations]
    count = count_starts(ks, n)
    cap = limit("starts")
    if count > cap:
        raise LimitError(
            f"{name} {n} gives {_size(count)} starts for this model, more than the limit of "
            f"{_size(cap)}: use a smaller {name} (or raise the limit with LMC_GAMES_MAX_STARTS)"
        )
    return count


def check_memory(nbytes: float, what: str, fix: str) -> None:
    """Refuse a request whose arrays would need more than the ``memory`` limit.

    Examples
    --------
    >>> check_memory(1e6, "the states", "save fewer")
    """
    cap = limit("memory")
    if nbytes > cap:
        raise LimitError(
            f"{what} would need {_bytes(nbytes)} of memory, more than the limit of "
            f"{_bytes(cap)}: {fix} (or raise the limit with LMC_GAMES_MAX_MEMORY, e.g. 8G)"
        )


def check_points(counts: Sequence[int], *, columns: int = 8, options: bool = False) -> int:
    """Check the size of a parameter grid (the product of ``counts``) and its memory.

    Parameters
    ----------
    counts : sequence of int
        Number of values of each varied parameter.
    columns : int
        Numbers kept per point (the varied values and the measures), for the memory bound.
    options : bool
        Speak of ``--vary`` instead of ``vary``.

    Examples
    --------
    >>> check_points([101, 101])
    10201
    """
    name = "--vary" if options else "vary"
    total = 1
    for c in counts:
        total *= int(c)
    cap = limit("points")
    if total > cap:
        raise LimitError(
            f"{name}: {_size(total)} parameter points, more than the limit of {_size(cap)}: "
            "use fewer values (or split the sweep, or raise the limit with "
            "LMC_GAMES_MAX_POINTS)"
        )
    check_memory(8.0 * total * (columns + 3 * len(counts)), f"{name}: the grid", "use fewer values")
    return total


def check_simulation(
    n_starts: int,
    n_points: int,
    n_shares: int,
    t_end: Any,
    dt: Any,
    *,
    save_every: Any = None,
    options: bool = False,
) -> int:
    """Check a simulation that keeps every saved state; return the steps per trajectory.

    The saved states take ``(saved times) x starts x points x shares x 8`` bytes, kept twice
    (free and full shares).

    Examples
    --------
    >>> check_simulation(9, 1, 4, 100, 0.05)
    2000
    >>> check_simulation(10**5, 1, 4, 100, 0.05)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.LimitError: the saved states would need 11.9 GiB of memory, ...
    """
    steps = check_time(t_end, dt, save_every=save_every, options=options)
    spacing = float(dt) if save_every is None else float(save_every)
    saved = math.ceil(float(t_end) / max(spacing, float(dt)) - 1e-9) + 1
    nbytes = 2.0 * 8 * saved * n_starts * n_points * n_shares
    fewer = "--starts/--init" if options else "starts"
    check_memory(
        nbytes,
        "the saved states",
        f"use fewer {fewer}, a shorter {'--t-end' if options else 't_end'} or a larger "
        f"{'--dt' if options else 'save_every'}",
    )
    return steps


def _digits(n: int) -> int:
    n = abs(n)
    return 1 if n == 0 else int(n.bit_length() * 0.30102999566398120) + 1


def _number_problem(value: Any) -> str | None:
    """Why an exact number is too large to work with, or None."""
    import sympy

    if isinstance(value, sympy.Rational):
        p, q = int(value.p), int(value.q)
        if abs(p) > MAX_MAGNITUDE * q:
            return "is larger than 1e300 in magnitude"
        cap = limit("digits")
        if max(_digits(p), _digits(q)) > cap:
            return f"has more than {cap} digits (LMC_GAMES_MAX_DIGITS)"
    return None


def _magnitude(expr: Any) -> Any:
    """mpmath value of a constant expression, or None when it is outside the checks' reach;
    raises LimitError as soon as a part exceeds 1e300 in magnitude."""
    import mpmath
    import sympy

    ctx = mpmath.MPContext()
    ctx.prec = 60
    big = ctx.mpf(10) ** 300

    def ev(e: Any) -> Any:
        if e.is_Rational:
            return ctx.mpf(int(e.p)) / int(e.q)
        if e.is_Float:
            return ctx.mpf(e)
        if e is sympy.E:
            return ctx.e
        if e is sympy.pi:
            return ctx.pi
        if e.is_Add or e.is_Mul or e.is_Pow or e.func in (sympy.exp, sympy.log, sympy.Abs):
            args = [ev(a) for a in e.args]
            if any(a is None for a in args):
                return None
            too_big = False
            try:
                if e.is_Add:
                    v = ctx.fsum(args)
                elif e.is_Mul:
                    v = ctx.fprod(args)
                elif e.is_Pow:
                    base, ex = args
                    if base == 0 or (base < 0 and not e.args[1].is_Integer):
                        return None
                    # log10 of the result, computed before the result itself can overflow
                    scale = ex * ctx.log10(abs(base))
                    too_big = scale > 300
                    v = None if too_big or scale < -300 else ctx.power(base, ex)
                elif e.func is sympy.exp:
                    too_big = args[0] > 691  # exp(691) > 1e300
                    v = None if too_big else ctx.exp(args[0])
                elif e.func is sympy.log:
                    if args[0] <= 0:
                        return None
                    v = ctx.log(args[0])
                else:
                    v = abs(args[0])
            except (OverflowError, ZeroDivisionError, ValueError, TypeError):
                return None
            if too_big or (isinstance(v, ctx.mpf) and abs(v) > big):
                raise LimitError(f"{_short(e)} is larger than 1e300 in magnitude")
            if not isinstance(v, ctx.mpf):
                return None
            return v
        if e.func in (sympy.Min, sympy.Max):
            args = [ev(a) for a in e.args]
            if any(a is None for a in args):
                return None
            return min(args) if e.func is sympy.Min else max(args)
        return None

    return ev(expr)


def check_numbers(game: Any, *, values: bool = True) -> None:
    """Refuse numbers too large for the library: in parameter values and in the payoffs.

    Every exact number (a parameter value, a constant in a formula) must have at most
    ``digits`` digits in its numerator and denominator and be at most 1e300 in magnitude,
    and so must every constant part of a payoff (``exp(1000)`` is 2e434: refused). Payoffs
    are checked at the game's parameter values when ``values``.

    Examples
    --------
    >>> from lmc_games import Game
    >>> check_numbers(Game.bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]]))
    >>> check_numbers(Game.bimatrix([["2**13000", 0], [0, 1]], [[1, 0], [0, 1]]))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.LimitError: payoff of "r1, c1" to row: the number ... is larger than 1e300 ...
    """
    import sympy

    for name, value in game.values.items():
        why = _number_problem(
            sympy.Rational(value) if not isinstance(value, sympy.Basic) else value
        )
        if why:
            raise LimitError(
                f"parameter {name} = {_short(value)} {why}: use a value of a sensible scale "
                "(e.g. measure money in millions)"
            )
    subs = game.value_substitution() if values else {}
    pops = game.populations
    for profile, row in game.payoffs.items():
        for p, expr in enumerate(row):
            where = f"payoff of {_profile_text(game, profile)}" + (
                f" to {pops[p].name}" if len(row) > 1 else ""
            )
            try:
                e = expr.xreplace(subs) if subs else expr
            except (ValueError, TypeError, ArithmeticError) as exc:
                # e.g. min() of a value that is complex at these parameter values
                raise GameError(
                    f"{where} cannot be evaluated at the parameter values ({exc}); check the "
                    "formula and the values"
                ) from None
            if not e.free_symbols and (e.has(sympy.I) or e.is_extended_real is False):
                raise GameError(
                    f"{where} is {_short(e)} at the parameter values, not a real number (a "
                    "square root or logarithm of a negative number?); check the formula and "
                    "the values"
                )
            for node in sympy.preorder_traversal(e):
                why = _number_problem(node) if node.is_Rational else None
                if why:
                    raise LimitError(
                        f"{where}: the number {_short(node)} {why}: rescale the payoffs "
                        "(e.g. measure money in millions)"
                    )
            _check_constant_parts(e, where)


def share_degree(expr: Any, shares: set) -> int:
    """Degree of ``expr`` in the ``shares``, read from its structure without expanding it
    (``(1 + x)**1000`` has degree 1000); a function of the shares counts as degree 1 in
    its argument's degree.

    Examples
    --------
    >>> import sympy
    >>> x, y = sympy.symbols("x y")
    >>> share_degree((1 + x)**3 * y + sympy.exp(x), {x, y})
    4
    """
    if not (expr.free_symbols & shares):
        return 0
    if expr.is_Symbol:
        return 1
    if expr.is_Add:
        return max(share_degree(a, shares) for a in expr.args)
    if expr.is_Mul:
        return sum(share_degree(a, shares) for a in expr.args)
    if expr.is_Pow and expr.exp.is_Integer:
        return abs(int(expr.exp)) * share_degree(expr.base, shares)
    return max(share_degree(a, shares) for a in expr.args)


def check_degrees(game: Any) -> None:
    """Refuse payoffs of very high degree in the shares before an exact analysis.

    The exact analysis expands and differentiates the payoffs and eliminates over the
    faces; ``(1 + x)**1000`` ran for many minutes. A payoff whose degree in the shares
    (:func:`share_degree`) exceeds the ``degree`` limit (64) is refused with the profile
    named. :func:`~lmc_games.simulate` does not need this check.

    Examples
    --------
    >>> from lmc_games import Game
    >>> check_degrees(Game.bimatrix([["(1 + x)**3", 0], [0, 1]], [[1, 0], [0, 1]]))
    >>> check_degrees(Game.bimatrix([["(1 + x)**1000", 0], [0, 1]], [[1, 0], [0, 1]]))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.LimitError: payoff of "r1, c1" to row has degree 1000 in the shares, ...
    """
    cap = limit("degree")
    shares: set = set()
    for pop in game.populations:
        shares |= set(pop.share_symbols)
    pops = game.populations
    for profile, row in game.payoffs.items():
        for p, expr in enumerate(row):
            d = share_degree(expr, shares)
            if d > cap:
                where = f"payoff of {_profile_text(game, profile)}" + (
                    f" to {pops[p].name}" if len(row) > 1 else ""
                )
                raise LimitError(
                    f"{where} has degree {d} in the shares, more than {cap}, the budget of "
                    "exact analysis (LMC_GAMES_MAX_DEGREE): write the payoff with a lower "
                    "degree"
                )


def _check_constant_parts(expr: Any, where: str) -> None:
    if expr.is_Atom:
        return
    if not expr.free_symbols:
        try:
            _magnitude(expr)
        except LimitError as exc:
            raise LimitError(
                f"{where}: {exc}; rescale the payoffs (e.g. measure money in millions)"
            ) from None
        return
    for arg in expr.args:
        _check_constant_parts(arg, where)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:20] + "..." + text[-10:]


def _profile_text(game: Any, profile: tuple[int, ...]) -> str:
    try:
        if game.is_symmetric:
            strategies = game.populations[0].strategies
            return f'"{strategies[profile[0]]}, {strategies[profile[1]]}"'
        return (
            '"'
            + ", ".join(pop.strategies[i] for pop, i in zip(game.populations, profile, strict=True))
            + '"'
        )
    except (IndexError, TypeError, ValueError):
        return str(profile)


def check_output_file(path: Any, option: str, extensions: Sequence[str]) -> None:
    """Refuse an output file before any work: wrong extension, missing or read-only folder,
    or a folder where the file should be.

    Parameters
    ----------
    path : path-like
    option : str
        How the user named it (``"--out"``), for the message.
    extensions : sequence of str
        Accepted extensions with the dot, lower case (``(".csv",)``).

    Examples
    --------
    >>> check_output_file("results.csv", "--out", (".csv",))
    >>> check_output_file("results.txt", "--out", (".csv",))
    Traceback (most recent call last):
    ...
    lmc_games._errors.OutputError: --out 'results.txt': the file must end in .csv
    """
    text = os.fspath(path)
    if os.path.splitext(text)[1].lower() not in extensions:
        allowed = ", ".join(extensions[:-1]) + (" or " if len(extensions) > 1 else "")
        raise OutputError(f"{option} {text!r}: the file must end in {allowed}{extensions[-1]}")
    if os.path.isdir(text):
        raise OutputError(f"{option} {text!r}: is a folder; give a file name")
    _check_writable_folder(os.path.dirname(os.path.abspath(text)), option, text)


def _check_writable_folder(folder: str, option: str, text: str) -> None:
    if not os.path.isdir(folder):
        raise OutputError(f"{option} {text!r}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {text!r}: the folder {folder} is not writable")


#: A file the report writer puts in every folder it writes: its presence means the library
#: wrote the folder before, so rewriting it loses nothing of the user's.
REPORT_MARKER = "provenance.json"


def check_output_dir(path: Any, option: str, *, force: bool = False) -> None:
    """Check a folder a report is written to, before any work.

    Accepted: a folder that does not exist yet (its parent must be writable), an empty
    folder, or a folder the library wrote before (it holds ``provenance.json``). Any other
    folder holding files could hold a user's own ``report.md``: it is refused unless
    ``force``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(d, "--out")
    >>> _ = (d / "report.md").write_text("my notes")
    >>> check_output_dir(d, "--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.OutputError: --out '...': the folder holds files the library did not ...
    >>> check_output_dir(d, "--out", force=True)
    """
    text = os.fspath(path)
    if os.path.exists(text) and not os.path.isdir(text):
        raise OutputError(f"{option} {text!r}: is a file; give a folder")
    if not os.path.isdir(text):
        parent = os.path.dirname(os.path.abspath(text))
        _check_writable_folder(parent, option, text)
        return
    if not os.access(text, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {text!r}: the folder is not writable")
    try:
        entries = os.listdir(text)
    except OSError as exc:
        raise OutputError(f"{option} {text!r}: {exc.strerror or exc}") from None
    if entries and REPORT_MARKER not in entries and not force:
        raise OutputError(
            f"{option} {text!r}: the folder holds files the library did not write (no "
            f"{REPORT_MARKER}); choose an empty or new folder, or pass --force to write into it"
        )

"""Named symbolic parameters.

A parameter is a sympy Symbol that carries what a paper's parameter table prints about it: its
meaning, its default value, its bounds and its LaTeX name. Values are exact (sympy Rationals):
a value written ``0.1`` is 1/10, so that a payoff advantage that should vanish does vanish.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from ._errors import ParameterError
from ._formula import exact_number

__all__ = ["Parameter", "make_symbol"]


def make_symbol(name: str, minimum=None, maximum=None) -> sympy.Symbol:
    """The sympy Symbol that stands for a parameter (or share) called ``name``.

    Bounds become sympy assumptions where they are sign information, so that sympy can decide,
    say, that ``p*theta*F >= 0`` for non-negative parameters. Shares are created without a
    bound: declaring them positive would make sympy drop the rest points on the boundary.

    Examples
    --------
    >>> make_symbol("p", 0, 1).is_nonnegative
    True
    >>> make_symbol("x").is_real
    True
    """
    assumptions: dict[str, bool] = {"real": True}
    if minimum is not None and minimum > 0:
        assumptions["positive"] = True
    elif minimum is not None and minimum >= 0:
        assumptions["nonnegative"] = True
    elif maximum is not None and maximum < 0:
        assumptions["negative"] = True
    elif maximum is not None and maximum <= 0:
        assumptions["nonpositive"] = True
    return sympy.Symbol(name, **assumptions)


@dataclass(frozen=True)
class Parameter:
    """A named parameter of a game.

    Parameters
    ----------
    name : str
        Identifier used in formulas (``p``, ``theta``, ``dB_L``; ``lambda`` is allowed).
    value : number
        Default value, taken exactly (a float is read through its shortest repr: 0.1 is 1/10).
    description : str, optional
        What the parameter means, for parameter tables.
    min, max : number, optional
        Inclusive bounds, checked whenever a value is set.
    latex : str, optional
        LaTeX for tables and equations; defaults to sympy's rendering of ``name``.

    Examples
    --------
    >>> p = Parameter("p", 0.5, description="spot-check probability", min=0, max=1)
    >>> p.value
    1/2
    >>> p.symbol.is_nonnegative
    True
    >>> p.check(2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.ParameterError: parameter 'p' = 2 is above its maximum 1; choose ...
    """

    name: str
    value: sympy.Rational
    description: str = ""
    min: sympy.Rational | None = None
    max: sympy.Rational | None = None
    latex: str | None = None
    symbol: sympy.Symbol = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ParameterError(
                f"parameter name {self.name!r} is not an identifier; use letters, digits and _"
            )
        object.__setattr__(self, "value", exact_number(self.value))
        for key in ("min", "max"):
            bound = getattr(self, key)
            if bound is not None:
                object.__setattr__(self, key, exact_number(bound))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ParameterError(
                f"parameter {self.name!r}: min {self.min} is above max {self.max}; swap them"
            )
        object.__setattr__(self, "symbol", make_symbol(self.name, self.min, self.max))
        self.check(self.value)

    @property
    def latex_name(self) -> str:
        """LaTeX for the parameter: the declared one, else sympy's rendering of the name."""
        return self.latex if self.latex else sympy.latex(sympy.Symbol(self.name))

    def bounds_text(self) -> str:
        """The bounds as an interval, e.g. ``[0, 1]`` or ``[0, ∞)``."""
        lo = "(-∞" if self.min is None else f"[{self.min}"
        hi = "∞)" if self.max is None else f"{self.max}]"
        return f"{lo}, {hi}"

    def check(self, value) -> sympy.Rational:
        """Return ``value`` as an exact number, or raise :class:`ParameterError` if it lies
        outside the bounds."""
        v = exact_number(value)
        if self.min is not None and v < self.min:
            raise ParameterError(
                f"parameter {self.name!r} = {v} is below its minimum {self.min}; "
                f"choose a value in {self.bounds_text()}"
            )
        if self.max is not None and v > self.max:
            raise ParameterError(
                f"parameter {self.name!r} = {v} is above its maximum {self.max}; "
                f"choose a value in {self.bounds_text()}"
            )
        return v

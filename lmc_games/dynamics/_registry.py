"""Dynamics by name: the registry behind ``--dynamics NAME[:KEY=VALUE,...]``."""

from __future__ import annotations

import re
from fractions import Fraction

from .._errors import DynamicsError
from ._base import Dynamics

__all__ = ["register", "available", "dynamics_from_spec"]

_REGISTRY: dict[str, type[Dynamics]] = {}

_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
# A number as people type it: 0.1, 1e-3, -2, 3/4 (kept exact). Nothing else is read, so no
# text reaches a parser that could evaluate it.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_RATIO = re.compile(r"[+-]?\d+/\d+\Z")


def register(cls: type[Dynamics]) -> type[Dynamics]:
    """Make ``cls`` available by its :attr:`~Dynamics.name` (usable as a class decorator).

    Examples
    --------
    >>> from lmc_games.dynamics import Replicator
    >>> register(Replicator) is Replicator
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, Dynamics)):
        raise DynamicsError(f"register() takes a subclass of Dynamics, not {cls!r}")
    if not _NAME.match(cls.name):
        raise DynamicsError(
            f"dynamics name {cls.name!r}: use lower-case letters, digits and hyphens"
        )
    old = _REGISTRY.get(cls.name)
    if old is not None and old is not cls and old.__module__.startswith("lmc_games."):
        raise DynamicsError(f"the name {cls.name!r} belongs to {old.__name__}; choose another")
    _REGISTRY[cls.name] = cls
    return cls


def available() -> tuple[str, ...]:
    """Names of the registered dynamics, in registration order.

    Examples
    --------
    >>> "replicator" in available()
    True
    """
    return tuple(_REGISTRY)


def dynamics_from_spec(spec: str | Dynamics | None) -> Dynamics:
    """The dynamics named by ``spec``, ``NAME[:KEY=VALUE,...]`` (e.g. ``logit:eta=0.1``).

    A :class:`Dynamics` is returned as it is and ``None`` means the replicator dynamics.
    Values are numbers (``0.1``, ``1e-3``, or a ratio ``1/20``, kept exact).

    Raises
    ------
    DynamicsError
        For an unknown name or option, a value that is not a number, or one out of range.

    Examples
    --------
    >>> dynamics_from_spec("replicator")
    Replicator()
    >>> dynamics_from_spec(None).spec()
    'replicator'
    """
    if isinstance(spec, Dynamics):
        return spec
    if spec is None:
        spec = "replicator"
    if not isinstance(spec, str):
        raise DynamicsError(f"a dynamics is a name such as 'logit:eta=0.1', not {spec!r}")
    name, _, rest = spec.strip().partition(":")
    name = name.strip().lower().replace("_", "-")
    cls = _REGISTRY.get(name)
    if cls is None:
        raise DynamicsError(f"unknown dynamics {name!r}; choose one of: {', '.join(available())}")
    values: dict[str, int | float | Fraction] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, text = item.partition("=")
            key, text = key.strip(), text.strip()
            if not eq or not key:
                raise DynamicsError(
                    f"{name}: options are written KEY=VALUE separated by commas, not {item!r}"
                )
            if key in values:
                raise DynamicsError(f"{name}: option {key!r} given twice")
            values[key] = _number(name, key, text)
    return cls(**values)


def _number(name: str, key: str, text: str) -> int | float | Fraction:
    if _RATIO.match(text):
        num, den = text.split("/")
        if int(den) == 0:
            raise DynamicsError(f"{name}: option {key}={text} divides by zero")
        return Fraction(int(num), int(den))
    if _NUMBER.match(text):
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        # Taken exactly, as --set takes a decimal: eta=0.1 is 1/10, so the equations print
        # tanh(5*(...)/2) rather than a float 2.5, and the spec equals the default Logit().
        return Fraction(text)
    raise DynamicsError(f"{name}: option {key} must be a number (0.1, 1e-3 or 1/20), not {text!r}")

"""The same formulas in every run: sympy's order of polynomial generators, made reproducible.

When sympy turns an expression into a polynomial without being told the generators (``cancel``,
``factor``, ``together``, ``Poly(expr)``, and everything built on them), it collects the
symbols in a ``set`` and sorts them by a key that splits a trailing number off the name:
``q`` and ``q0`` both get the key ``("q", 0)``. Equal keys keep the order in which the set
yields them, and a set of symbols is ordered by string hashes, which Python randomises per
process. The generator order decides which sign a factor is printed with, so with parameters
``q`` and ``q0`` (central_local) the same rest point printed as
``(-C_s + G_s + ...)/(A + ...)`` in one run and ``(C_s - G_s - ...)/(-A - ...)`` in the next,
and a report differed from run to run (the values are equal; the text was not).

:func:`install` wraps sympy's ``_sort_gens`` so that the generators reach sympy's sort
already ordered by their full names: Python's sort is stable, so the names break the ties
and sympy's own order is otherwise unchanged. It is installed when :mod:`lmc_games` is
imported; it changes nothing for generators whose keys differ, and it is skipped (with the
old behaviour) if a sympy release no longer has the function.
"""

from __future__ import annotations

from typing import Any

_MODULES = ("sympy.polys.polyutils", "sympy.polys.polytools")


def _tie_broken(original: Any) -> Any:
    def _sort_gens(gens: Any, **args: Any) -> tuple:
        return original(sorted(gens, key=str), **args)

    _sort_gens.lmc_games_original = original  # type: ignore[attr-defined]
    return _sort_gens


def install() -> bool:
    """Make sympy's generator order independent of string hashing; True when installed.

    Examples
    --------
    >>> import sympy
    >>> install()
    True
    >>> q, q0, A = sympy.symbols("q q0 A")
    >>> sympy.Poly(q0 + q*A).gens
    (q, q0, A)
    """
    import importlib

    modules = [importlib.import_module(m) for m in _MODULES]
    if not all(hasattr(m, "_sort_gens") for m in modules):
        return False
    for m in modules:
        current = m._sort_gens
        if not hasattr(current, "lmc_games_original"):
            m._sort_gens = _tie_broken(current)
    return True

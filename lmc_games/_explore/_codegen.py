"""JavaScript source for the explorer, printed by sympy from the library's own expressions.

Every symbol is renamed to a generated identifier before printing (``s_0`` for free shares,
``p_0`` for parameters, ``c_0`` for common subexpressions), so no text a user wrote reaches
the generated code: the code is sympy's printing of expression trees over those identifiers,
numbers, and fixed templates written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from sympy.printing.jscode import JavascriptCodePrinter

from .._compile._common import _Parts
from .._errors import ConditionError
from .._stability_table import GUARD, _small

__all__ = ["ConditionError", "condition_parts", "js_field_kernel", "js_function"]


class _Abs(sympy.Function):
    """``|x|`` that sympy never rewrites: the size of a condition's terms is only ever
    evaluated, and evaluating ``Abs`` of large terms symbolically costs minutes."""

    nargs = 1


def _scale(lhs: Any, rhs: Any) -> Any:
    """The size of a relation's terms, as the sweeps' tables compute it
    (:func:`lmc_games._stability_table._scale`), with :class:`_Abs`."""
    terms = []
    for side in (lhs, rhs):
        e = sympy.expand(side) if _small(side) else side
        terms.extend(sympy.Add.make_args(e))
    return sympy.Add(*[_Abs(t) for t in terms])


class _Printer(JavascriptCodePrinter):
    """sympy's JavaScript printer; integers and fractions beyond 2**53 become the float
    Python's exact division gives (as the numpy and numba engines print them)."""

    def _big(self, expr) -> str | None:
        p, q = int(expr.p), int(expr.q)
        if abs(p) < 2**53 and q < 2**53:
            return None
        try:
            return f"({p / q!r})"
        except OverflowError:
            return "Infinity" if p > 0 else "(-Infinity)"

    def _print_Integer(self, expr):  # noqa: N802 (sympy's method name)
        return self._big(expr) or super()._print_Integer(expr)

    def _print_Rational(self, expr):  # noqa: N802
        return self._big(expr) or super()._print_Rational(expr)

    def _print__Abs(self, expr):  # noqa: N802
        return f"Math.abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr):  # noqa: N802
        return "Math.E"

    def _print_Pi(self, expr):  # noqa: N802
        return "Math.PI"


_PRINTER = _Printer({"inline": True})


def _as_expr(e: Any) -> sympy.Basic:
    """A library value as a sympy object, without sympify: text never reaches the printer."""
    if isinstance(e, sympy.Basic):
        return e
    if isinstance(e, bool):
        return sympy.true if e else sympy.false
    if isinstance(e, int):
        return sympy.Integer(e)
    if isinstance(e, float):
        return sympy.Float(e)
    raise TypeError(f"not a sympy expression or a number: {type(e).__name__}")


def _print(e: Any) -> str:
    if isinstance(e, bool):
        return "true" if e else "false"
    return _PRINTER.doprint(_as_expr(e))


def _renamed(
    shares: Sequence[sympy.Symbol], params: Sequence[sympy.Symbol], exprs: Sequence[Any]
) -> list[sympy.Basic]:
    """``exprs`` over the generated identifiers ``s_i`` and ``p_j``; any other symbol is an
    error (nothing a user wrote may reach the printer)."""
    renames = {v: sympy.Symbol(f"s_{i}") for i, v in enumerate(shares)}
    renames.update({q: sympy.Symbol(f"p_{j}") for j, q in enumerate(params)})
    out = [_as_expr(e).xreplace(renames) for e in exprs]
    stray = set().union(*(e.free_symbols for e in out)) - set(renames.values()) if out else set()
    if stray:
        raise ConditionError("expressions refer to unknown symbols")
    return out


def _cse(exprs: list[sympy.Basic]) -> tuple[list[tuple[Any, Any]], list[Any]]:
    return sympy.cse(exprs, symbols=sympy.numbered_symbols("c_"))


def _loads(source: str, prefix: str, count: int, used: set, offset: str = "") -> list[str]:
    return [
        f"  const {prefix}_{i} = {source}[{offset}{i}];"
        for i in range(count)
        if sympy.Symbol(f"{prefix}_{i}") in used
    ]


def js_function(
    name: str,
    shares: Sequence[sympy.Symbol],
    params: Sequence[sympy.Symbol],
    exprs: Sequence[Any],
    *,
    tail: str | None = None,
) -> str:
    """``function name(s, p) { ...; return [e0, e1, ...]; }`` after common-subexpression
    elimination; ``s`` and ``p`` are arrays of the free shares and the parameters.

    ``tail``, when given, replaces the return statement; it may refer to the printed
    expressions as ``E[i]`` (placeholders filled in here).
    """
    exprs = _renamed(shares, params, exprs)
    replacements, reduced = _cse(exprs)
    used = set()
    for _, e in replacements:
        used |= e.free_symbols
    for e in reduced:
        used |= getattr(e, "free_symbols", set())
    lines = [f"function {name}(s, p) {{"]
    lines += _loads("s", "s", len(shares), used)
    lines += _loads("p", "p", len(params), used)
    for sym, e in replacements:
        lines.append(f"  const {sym} = {_print(e)};")
    printed = [_print(e) for e in reduced]
    if tail is None:
        lines.append(f"  return [{', '.join(printed)}];")
    else:
        out = tail
        # Placeholders are replaced from the highest index down, so E[1] never eats E[10].
        for i in reversed(range(len(printed))):
            out = out.replace(f"E[{i}]", f"({printed[i]})")
        lines.append(f"  {out}")
    lines.append("}")
    return "\n".join(lines)


def js_field_kernel(
    shares: Sequence[sympy.Symbol], params: Sequence[sympy.Symbol], exprs: Sequence[Any]
) -> str:
    """The field as two JavaScript functions, for integrating many steps at fixed parameters:

    - ``fieldConsts(p)`` returns a ``Float64Array`` ``q`` of the parameters and the
      subexpressions of parameters alone, computed once per parameter point;
    - ``fieldInto(s, o, q, out)`` writes the field at the shares ``s[o], s[o+1], ...`` into
      ``out[0], out[1], ...`` and allocates nothing.

    The split is the one the library's own integrators use
    (:meth:`lmc_games._compile._common._Parts.split` after the same common-subexpression
    elimination): each largest subexpression of parameters alone, the parameter-only
    factors of a product and terms of a sum included, is computed once, and the per-state
    arithmetic is the expression trees of ``simulate``'s RK4 kernels, printed for
    JavaScript.
    """
    exprs = _renamed(shares, params, exprs)
    replacements, reduced = _cse(exprs)
    parts = _Parts.split(replacements, reduced, len(shares), len(params))
    used: set = {sympy.Symbol(k) for k in parts.kargs}
    for _, e in parts.hoisted:
        used |= _as_expr(e).free_symbols
    consts = ["function fieldConsts(p) {"]
    consts += _loads("p", "p", len(params), used)
    consts += [f"  const {sym} = {_print(e)};" for sym, e in parts.hoisted]
    consts.append(f"  return Float64Array.of({', '.join(parts.kargs)});")
    consts.append("}")
    inner: set = set()
    for _, e in parts.inner:
        inner |= e.free_symbols
    for e in parts.reduced:
        inner |= _as_expr(e).free_symbols
    kernel = ["function fieldInto(s, o, q, out) {"]
    kernel += [
        f"  const s_{i} = s[o + {i}];" if i else "  const s_0 = s[o];"
        for i in range(len(shares))
        if sympy.Symbol(f"s_{i}") in inner
    ]
    kernel += [f"  const {name} = q[{k}];" for k, name in enumerate(parts.kargs)]
    kernel += [f"  const {sym} = {_print(e)};" for sym, e in parts.inner]
    kernel += [f"  out[{i}] = {_print(e)};" for i, e in enumerate(parts.reduced)]
    kernel.append("}")
    return "\n".join(consts) + "\n\n" + "\n".join(kernel)


def condition_parts(cond: Any, start: int = 0) -> tuple[str, list[Any]]:
    """A condition as a JavaScript boolean expression over ``E[i]`` placeholders, and the
    expressions those stand for: each relation ``lhs OP rhs`` becomes
    ``G.op(E[start+2k], E[start+2k+1])`` with ``E[2k] = lhs - rhs`` and ``E[2k+1]`` the size of its
    terms, so the page applies the sweep's guard band (see
    :mod:`lmc_games._stability_table`)."""
    exprs: list[Any] = []
    ops = {">": "gt", "<": "lt", ">=": "ge", "<=": "le", "==": "eq", "!=": "ne"}

    def walk(c) -> str:
        if c is True or c is sympy.true:
            return "true"
        if c is False or c is sympy.false:
            return "false"
        if isinstance(c, sympy.And):
            return "(" + " && ".join(walk(a) for a in c.args) + ")"
        if isinstance(c, sympy.Or):
            return "(" + " || ".join(walk(a) for a in c.args) + ")"
        if isinstance(c, sympy.Not):
            return "!" + walk(c.args[0])
        if isinstance(c, sympy.core.relational.Relational):
            k = start + len(exprs)
            exprs.append(c.lhs - c.rhs)
            exprs.append(_scale(c.lhs, c.rhs))
            return f"G.{ops[c.rel_op]}(E[{k}], E[{k + 1}])"
        raise ConditionError(f"cannot print the condition {c}")

    return walk(cond), exprs


#: The guard band, for the page's helper object ``G``.
GUARD_JS = repr(GUARD)

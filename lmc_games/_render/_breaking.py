r"""Long equations broken over the lines of an ``align`` environment.

LaTeX never breaks a displayed equation: a replicator equation of a three-population game
(``\dot{z} = z(1 - z)(\ldots)`` with a sum of twenty terms) ran 226 pt past the right margin of
water_use_lmc's landscape report. :func:`aligned_lines` breaks such an equation where a reader
expects it, at the plus and minus signs of its sums: a product ``x(1 - x)(a + b + \ldots)``
keeps its short factors on the first line, opens the long sum with ``\Bigl(`` (``\bigl(`` one
level down, where a term of that sum is itself too long) and closes it on its last line;
continuation lines are indented by ``\qquad``. ``\left(`` and ``\right)`` cannot span lines,
which is why the broken brackets have fixed sizes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy

_OPEN = (r"\Bigl(", r"\bigl(")
_CLOSE = (r"\Bigr)", r"\bigr)")


def visible_width(tex: str) -> float:
    r"""Rough printed width of a LaTeX math fragment, in characters: a command such as
    ``\theta`` counts one, sizing commands and braces nothing, a binary sign one and a half
    (its spacing).

    Examples
    --------
    >>> visible_width(r"x \left(1 - x\right)")
    6.5
    """
    s = re.sub(r"\\(left|right|[bB]igg?[lr]?)\b", "", tex)
    s = re.sub(r"\\(q?quad|,|;|!)", "  ", s)
    s = re.sub(r"\\[a-zA-Z]+", "x", s)
    s = re.sub(r"[{}\s]", "", s)
    return len(s) + 0.5 * len(re.findall(r"[+=-]", s))


def aligned_lines(
    lhs: str, expr: sympy.Expr, names: Mapping[sympy.Symbol, str], width: float
) -> list[str]:
    r"""The lines ``lhs &= ...`` (then ``&\qquad ...``) of an ``align`` environment, ``expr``
    broken at the signs of its sums so that each line is about ``width`` characters wide
    (:func:`visible_width`) at most; one line when it fits.

    Examples
    --------
    >>> a, b, c, d, x = sympy.symbols("a b c d x")
    >>> aligned_lines(r"\dot{x}", x * (1 - x) * (a + b + c + d), {}, 12)
    ['\\dot{x} &= x \\left(1 - x\\right) \\Bigl(a + b', '&\\qquad + c + d\\Bigr)']
    >>> aligned_lines(r"\dot{x}", a + b, {}, 80)
    ['\\dot{x} &= a + b']
    """

    def tex(e: sympy.Expr) -> str:
        return sympy.latex(e, symbol_names=dict(names))

    pieces = _pieces(expr, tex, width, 0)
    return [f"{lhs} &= {pieces[0]}"] + [rf"&\qquad {p}" for p in pieces[1:]]


def _pieces(e: sympy.Expr, tex, width: float, depth: int) -> list[str]:
    """``e`` in LaTeX as a list of line pieces."""
    whole = tex(e)
    if visible_width(whole) <= width or depth >= len(_OPEN):
        return [whole]
    if e.is_Add:
        return _sum_pieces(e, tex, width, depth)
    if e.is_Mul:
        return _product_pieces(e, tex, width, depth, whole)
    return [whole]


def _sum_pieces(e: sympy.Expr, tex, width: float, depth: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for i, term in enumerate(e.as_ordered_terms()):
        parts = _pieces(term, tex, width, depth)
        first = parts[0]
        if i:
            # Each term printed alone carries its own minus sign; a plus joins the others.
            first = "- " + first[1:].lstrip() if first.startswith("-") else "+ " + first
        if current and visible_width(current + " " + first) > width:
            lines.append(current)
            current = first
        else:
            current = f"{current} {first}" if current else first
        if len(parts) > 1:
            lines.append(current)
            lines.extend(parts[1:-1])
            current = parts[-1]
    lines.append(current)
    return lines


def _product_pieces(e: sympy.Expr, tex, width: float, depth: int, whole: str) -> list[str]:
    if sympy.fraction(e)[1] != 1:
        return [whole]  # a fraction prints as \frac{...}{...}, which cannot be broken
    coeff, rest = e.as_coeff_Mul()
    factors = list(sympy.Mul.make_args(rest))
    sums = [f for f in factors if f.is_Add]
    if not sums:
        return [whole]
    big = max(sums, key=lambda f: len(tex(f)))
    others = list(factors)
    others.remove(big)
    prefix = tex(sympy.Mul(coeff, *others)) if others or coeff != 1 else ""
    if prefix == "1":
        prefix = ""
    elif prefix == "-1":
        prefix = "-"
    inner = _sum_pieces(big, tex, width - visible_width(prefix), depth + 1)
    if len(inner) == 1:
        return [whole]
    head = f"{prefix} {_OPEN[depth]}" if prefix else _OPEN[depth]
    return [head + inner[0], *inner[1:-1], inner[-1] + _CLOSE[depth]]

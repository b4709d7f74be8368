"""Long displayed equations broken over lines (lmc_games/_render/_breaking.py).

LaTeX refuses a ``\\left(`` without its ``\\right)`` on the same line, never breaks a displayed
equation by itself, and reports an overfull box when a line is too wide: water_use_lmc's
replicator equations ran 226 pt past the margin of its report. The properties: an equation
that fits is sympy's LaTeX unchanged; a broken one keeps every ``\\left``/``\\right`` pair on one
line, opens and closes as many fixed-size brackets as it needs, keeps its lines within the
width wherever a line holds more than one term, and loses no term.
"""

from __future__ import annotations

import re

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import load_model
from lmc_games._render._breaking import aligned_lines, visible_width
from lmc_games._render._latex import EQUATION_WIDTH, game_to_latex

SYMS = sympy.symbols("a b c d e f g h x y z")

terms = st.builds(
    lambda c, vs: c * sympy.Mul(*vs),
    st.integers(-3, 3).filter(bool),
    st.lists(st.sampled_from(SYMS), min_size=1, max_size=3),
)
sums = st.lists(terms, min_size=2, max_size=12).map(lambda ts: sympy.Add(*ts))
products = st.builds(
    lambda s, inner, v: v * (1 - v) * (s + v * inner), sums, sums, st.sampled_from(SYMS)
)


def _check(lines: list[str], width: float) -> None:
    for line in lines:
        assert line.count(r"\left(") == line.count(r"\right)"), line
    joined = " ".join(lines)
    assert joined.count(r"\Bigl(") == joined.count(r"\Bigr)")
    assert joined.count(r"\bigl(") == joined.count(r"\bigr)")
    assert lines[0].split(" &= ")[0] == r"\dot{x}"
    assert all(line.startswith(r"&\qquad ") for line in lines[1:])


@settings(max_examples=80, deadline=None)
@given(st.one_of(sums, products), st.sampled_from([20, 40, 80]))
def test_broken_lines_are_valid_latex_within_the_width(expr, width):
    lines = aligned_lines(r"\dot{x}", expr, {}, width)
    _check(lines, width)
    whole = sympy.latex(expr)
    if visible_width(whole) <= width:
        assert lines == [rf"\dot{{x}} &= {whole}"]
    for line in lines:
        body = line.split("&= ", 1)[-1].replace(r"&\qquad ", "")
        # A line over the width holds one term that cannot be broken further (a product
        # without a long sum, or a sum two levels down).
        if visible_width(body) > width + 8:
            assert len(re.findall(r"(?<![({]) [+-] ", body)) <= 1 or r"\left(" in body, line


@settings(max_examples=60, deadline=None)
@given(sums)
def test_no_term_is_lost(expr):
    # Broken at width 10, a sum of monomials prints each term once, in sympy's order.
    lines = aligned_lines(r"\dot{x}", expr, {}, 10)
    text = " ".join(line.split("&= ", 1)[-1].replace(r"&\qquad ", "") for line in lines)
    expected = sympy.latex(expr)
    assert text.replace(" ", "") == expected.replace(" ", "")


def test_the_three_population_equations_fit_the_report():
    # water_use_lmc's z equation: sympy's one line is about 330 characters wide.
    tex = game_to_latex(load_model("water_use_lmc"), fit_width=True)
    body = tex[tex.index(r"\begin{align*}") : tex.index(r"\end{align*}")]
    lines = [ln for ln in body.splitlines()[1:] if ln.strip()]
    assert len(lines) > 3  # broken
    for line in lines:
        assert visible_width(line.replace(r"&\qquad", "").replace("&=", "=")) <= EQUATION_WIDTH + 8
        assert line.count(r"\left(") == line.count(r"\right)"), line
    # without fit_width the equations stay one line each, as sympy prints them
    plain = game_to_latex(load_model("water_use_lmc"))
    assert r"\qquad" not in plain

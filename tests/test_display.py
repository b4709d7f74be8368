"""Notebook and terminal display of games, systems and analyses (issue 6, item 3)."""

from __future__ import annotations

from lmc_games import analyze, load_model, system


def test_game_displays_as_markdown_and_text():
    g = load_model("inspection")
    md = g._repr_markdown_()
    assert md.startswith("# Inspection game") and "| inspect |" in md.replace("`", "")
    text = str(g)
    assert "Inspection game" in text and "dp/dt = p*(1 - p)*(-c + q*(l + r))" in text
    assert "\\toprule" in g.to_latex()


def test_system_displays_as_latex():
    s = system(load_model("hawk_dove"))
    tex = s._repr_latex_()
    assert tex.startswith("$$\\begin{aligned}") and tex.endswith("\\end{aligned}$$")
    assert "\\dot{x}" in tex
    assert str(s).startswith("dx/dt = ")


def test_analysis_displays_as_markdown_and_text():
    a = analyze(load_model("hawk_dove"))
    assert "| `hawk+dove` |" in a._repr_markdown_()
    assert "hawk+dove" in str(a) and "stable" in str(a)

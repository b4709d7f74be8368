"""The paper style, text preparation, and file output."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser

from lmc_games import LmcGamesError, load_model, plot
from lmc_games.plot._style import text


def test_paper_style_sets_journal_widths_and_fonts():
    with plot.paper_style(1) as rc:
        assert matplotlib.rcParams["figure.figsize"][0] == 3.5
        assert matplotlib.rcParams["mathtext.fontset"] == "cm"
        assert matplotlib.rcParams["pdf.fonttype"] == 42
        assert not matplotlib.rcParams["text.usetex"]
        assert rc["axes.spines.top"] is False
    with plot.paper_style(2, font="stix"):
        assert matplotlib.rcParams["figure.figsize"][0] == 7.2
        assert matplotlib.rcParams["mathtext.fontset"] == "stix"
    # Restored afterwards.
    assert (
        matplotlib.rcParams["pdf.fonttype"] != 42
        or matplotlib.rcParamsDefault["pdf.fonttype"] == 42
    )
    with pytest.raises(LmcGamesError, match="columns"):
        plot.figure_size(3)
    with pytest.raises(LmcGamesError, match="font"):
        plot.style_rc(font="comic")


def test_palette_is_okabe_ito():
    # Okabe & Ito (2008), "Color universal design": the eight colours.
    assert set(plot.PALETTE) == {
        "#000000",
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    }


def test_text_modes():
    assert text("share of hawk, $x$", mode="plain") == "share of hawk, $x$"
    assert text("share of hawk, $x$", mode="cm") == "$\\text{share of hawk, }x$"
    assert text("a_b & c%, $x_1$", mode="tex") == "a\\_b \\& c\\%, $x_1$"
    assert text("Owners:\nshare, $x$", mode="cm") == "$\\text{Owners:}$\n$\\text{share, }x$"
    assert text("costs \\$5", mode="cm") == "$\\text{costs \\$5}$"
    with plot.paper_style(font="stix"):
        assert text("a $x$") == "a $x$"
    with plot.paper_style(font="cm"):
        assert text("a $x$") == "$\\text{a }x$"


_PLAIN = st.text(alphabet="abcXYZ :,()-_&%#~^é–'", min_size=1, max_size=10)
_MATH = st.sampled_from(["$x$", "$\\dot{x}$", "$p_1$", "$\\theta k F$"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(_PLAIN, _MATH), min_size=1, max_size=4))
def test_cm_text_is_valid_mathtext_keeping_the_words(pieces):
    s = "".join(pieces)
    out = text(s, mode="cm")
    MathTextParser("path").parse(out)  # raises on invalid mathtext
    # Underscores are set in maths between pieces of \text (Computer Modern's text font has
    # a dot accent at that code point): undo that to find the words.
    flat = out.replace("\\$", "$")
    for a, b in (("}\\_\\text{", "_"), ("}\\_", "_"), ("\\_\\text{", "_"), ("\\_", "_")):
        flat = flat.replace(a, b)
    for p in pieces:
        if not p.startswith("$"):
            for word in p.split():
                assert word.replace("\\", "") in flat


def test_save_writes_the_three_formats_reproducibly(tmp_path):
    # The same figure built twice gives the same bytes (no dates, fixed ids).
    for ext in ("pdf", "svg", "png"):
        figs = [plot.phase_figure(load_model("hawk_dove")) for _ in range(2)]
        a = plot.save(figs[0], tmp_path / f"a.{ext}").read_bytes()
        b = plot.save(figs[1], tmp_path / f"b.{ext}").read_bytes()
        assert a == b, ext
    pdf = (tmp_path / "a.pdf").read_bytes()
    assert b"/Subtype /Type3" not in pdf  # TrueType fonts only, as journals require
    with pytest.raises(LmcGamesError, match=r"\.pdf, \.svg or \.png"):
        plot.save(figs[0], tmp_path / "a.jpg")


def test_figure_helpers_draw_in_the_paper_style(tmp_path):
    fig = plot.phase_figure(load_model("hawk_dove_roles"), t_end=5, out=tmp_path / "f.png")
    assert (tmp_path / "f.png").exists()
    assert fig.get_size_inches()[0] == pytest.approx(3.5)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$\\text{Owners: share of hawk, }x$"
    assert ax.xaxis.label.get_fontsize() == 8
    wide = plot.phase_figure(load_model("hawk_dove_roles"), t_end=5, columns=2, font="stix")
    assert wide.get_size_inches()[0] == pytest.approx(7.2)
    assert wide.axes[0].get_xlabel() == "Owners: share of hawk, $x$"


def test_drawing_without_the_style_uses_plain_text():
    ax = Figure().add_subplot()
    art = plot.phase_line(plot.portrait(load_model("hawk_dove")), ax)
    assert art.ax.get_xlabel() == "Share of hawk, $x$"

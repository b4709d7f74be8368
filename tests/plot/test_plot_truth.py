"""Figures that cannot mislead (issue 10 §5): what a projection shows where rest points meet,
labels made from identifiers, and where a time axis ends."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from lmc_games import load_model, plot, simulate
from lmc_games.plot._markers import SEVERAL_TEXT
from lmc_games.plot._style import text


def _dominant_game(tmp_path, populations=4):
    """``populations`` populations that each earn 1 with ``keep`` and 0 with ``switch_off``
    whatever the others do: ``keep`` strictly dominates, so the corner where everyone keeps
    (every share 1) is the only attractor and every other corner is a saddle or a source."""
    names = ["shipping_companies", "port_authorities", "river_commission", "local_fishers"]
    lines = ['[model]\nname = "dominant"\n']
    for name in names[:populations]:
        lines.append(f'[[population]]\nname = "{name}"\nstrategies = ["keep", "switch_off"]\n')
    lines.append("[payoffs]")
    for profile in itertools.product(["keep", "switch_off"], repeat=populations):
        pay = ", ".join("1" if s == "keep" else "0" for s in profile)
        lines.append(f'"{", ".join(profile)}" = [{pay}]')
    path = tmp_path / "dominant.toml"
    path.write_text("\n".join(lines) + "\n")
    return load_model(str(path))


@pytest.fixture
def four(tmp_path):
    game = _dominant_game(tmp_path)
    return game, plot.portrait(game, starts=2, t_end=12)


def _markers_at(art, ax, xy):
    """gid -> whether a marker of that artist sits at ``xy`` on ``ax``."""
    out = {}
    for a in art.rest_points:
        if a.axes is ax:
            data = np.asarray(a.get_xydata())
            out[a.get_gid()] = bool(np.any(np.all(np.abs(data - xy) < 1e-12, axis=1)))
    return out


def test_the_attractor_shows_where_corners_meet(four):
    game, pp = four
    analysis = pp.analysis
    stable = [r.label for r in analysis.rest_points if r.stability.value == "stable"]
    assert stable == ["keep, keep, keep, keep"]
    art = plot.phase_projections(pp)
    assert len(art.axes) == 6
    for ax in art.axes:
        at = _markers_at(art, ax, (1.0, 1.0))
        # (1, 1) collects the four corners (1, 1, *, *): the attractor and three saddles.
        assert at["rest-points:stable"]
        assert not at.get("rest-points:saddle", False)
        assert at["rest-points:several"]
        stable_line = next(
            a for a in art.rest_points if a.axes is ax and a.get_gid() == "rest-points:stable"
        )
        ring = next(
            a for a in art.rest_points if a.axes is ax and a.get_gid() == "rest-points:several"
        )
        assert stable_line.get_zorder() > ring.get_zorder()
        # (0, 0) collects sources and saddles only: the saddle is shown, in a ring.
        at0 = _markers_at(art, ax, (0.0, 0.0))
        assert at0["rest-points:saddle"] and not at0.get("rest-points:unstable", False)
        assert at0["rest-points:several"]
        # The stable marker appears nowhere else.
        assert np.allclose(stable_line.get_xydata(), [[1.0, 1.0]])
    labels = [t.get_text() for t in art.legend.get_texts()]
    assert text(SEVERAL_TEXT) in labels
    assert text("stable") in labels


def test_projected_marks_are_the_analysis_grouped(four):
    """Independent check: group the analysis's corners by hand."""
    _, pp = four
    groups = pp.projection(0, 2)
    assert len(groups) == 4
    for pm in groups:
        members = [m for m in pp.rest_points if (m.state[0], m.state[2]) == pm.position]
        assert set(pm.marks) == set(members) and len(members) == 4
        want = "stable" if pm.position == (1.0, 1.0) else None
        if want:
            assert pm.shown.value == "stable" and pm.mixed
        verdicts = {m.stability.value for m in members}
        assert set(pm.verdicts) == verdicts


def test_projections_of_the_cube_mark_meeting_verdicts(tmp_path):
    game = _dominant_game(tmp_path, populations=3)
    pp = plot.portrait(game, starts=2, t_end=12)
    fig = Figure(figsize=(7, 2.5), layout="constrained")
    art = plot.phase_cube(pp, list(fig.subplots(1, 3)), projections=True)
    for ax in art.axes:
        at = _markers_at(art, ax, (1.0, 1.0))
        assert at["rest-points:stable"] and at["rest-points:several"]
        assert not at.get("rest-points:saddle", False)


def test_a_single_rest_point_per_position_draws_no_ring(tmp_path):
    pp = plot.portrait(load_model("hawk_dove_roles"), starts=2)
    fig = Figure()
    art = plot.phase_projections(pp, [fig.add_subplot()])
    assert all(a.get_gid() != "rest-points:several" for a in art.rest_points)
    assert SEVERAL_TEXT not in [t.get_text() for t in art.legend.get_texts()]


# --------------------------------------------------------------------------- labels


def _all_text(fig):
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


@pytest.mark.parametrize("font", ["cm", "stix"])
def test_labels_from_identifiers_read_as_words(tmp_path, font):
    game = _dominant_game(tmp_path, populations=3)
    kw = {"font": font, "starts": 2, "t_end": 12}
    for fig in (
        plot.phase_figure(game, **kw),
        plot.phase_figure(game, projections=True, **kw),
    ):
        texts = _all_text(fig)
        joined = " ".join(texts)
        assert "shipping companies" in joined and "switch off" not in joined.replace("\\", "")
        for t in texts:
            plain = t.replace(r"\_", "")
            assert "_" not in plain.replace("_{", "").replace("\\text", ""), t
            assert "˙" not in t


def test_an_underscore_the_model_asks_for_is_an_underscore_in_cm():
    """A label given with an underscore keeps it, set so that Computer Modern draws an
    underscore rather than its dot accent."""
    s = text("share of no_inspect", mode="cm")
    assert r"\_" in s and "\\text{share of no}" in s
    fig = Figure()
    with plot.paper_style(font="cm"):
        t = fig.text(0.1, 0.5, s)
        fig.canvas.draw()  # mathtext parses it
    assert t.get_window_extent().width > 0


# --------------------------------------------------------------------------- time axis


def test_the_time_axis_ends_where_trajectories_settle():
    game = load_model("water_use")
    sim = simulate(game, [[0.3, 0.3], [0.7, 0.2], [0.1, 0.9]], t_end=100, engine="numpy")
    settled = plot.settled_time(sim)
    # Independent: the last saved time at which some share is more than 0.005 from its end.
    full = sim.full_states()[:, :, 0, :]
    moving = np.max(np.abs(full - full[-1]), axis=(1, 2)) > 5e-3
    last_moving = sim.times[np.nonzero(moving)[0][-1]]
    assert last_moving < settled <= last_moving + (sim.times[1] - sim.times[0]) + 1e-12
    assert 15 < settled < 30  # water_use settles by t ~ 20 (issue 10)
    art = plot.time_series(sim, Figure().add_subplot(), game=game)
    lo, hi = art.ax.get_xlim()
    assert lo == 0 and settled < hi <= 1.5 * settled
    assert hi == 30.0  # 1.2 x 24.9, rounded up
    keep = plot.time_series(sim, Figure().add_subplot(), game=game, t_max=None)
    assert keep.ax.get_xlim() == (0.0, 100.0)
    fixed = plot.time_series(sim, Figure().add_subplot(), game=game, t_max=60)
    assert fixed.ax.get_xlim() == (0.0, 60.0)


def test_a_cycle_keeps_the_whole_run():
    """Matching pennies circles its centre for ever: nothing settles, the axis is the run."""
    game = load_model("matching_pennies")
    sim = simulate(game, [[0.2, 0.3]], t_end=50, engine="numpy")
    assert plot.series_end(sim) == 50.0
    art = plot.time_series(sim, Figure().add_subplot(), game=game)
    assert art.ax.get_xlim() == (0.0, 50.0)


def test_panels_of_one_simulation_share_one_time_axis():
    game = load_model("water_use")
    sim = simulate(game, [[0.3, 0.3], [0.7, 0.2]], t_end=100, engine="numpy")
    fig = plot.simulation_figure(sim, game)
    ends = {ax.get_xlim()[1] for ax in fig.axes}
    assert len(ends) == 1 and ends.pop() == plot.series_end(sim) < 100
    whole = plot.simulation_figure(sim, game, t_max=None)
    assert {ax.get_xlim()[1] for ax in whole.axes} == {100.0}


def test_bad_t_max_is_a_clear_error():
    from lmc_games import LmcGamesError

    sim = simulate(load_model("hawk_dove"), [[0.2]], t_end=10, engine="numpy")
    with pytest.raises(LmcGamesError, match="t_max"):
        plot.time_series(sim, Figure().add_subplot(), t_max="soon")
    with pytest.raises(LmcGamesError, match="t_max"):
        plot.time_series(sim, Figure().add_subplot(), t_max=0)

"""Region maps, basins, continuation diagrams, time series and sensitivity panels: the
drawn content is read back and compared with the data and with closed forms."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from lmc_games import (
    LmcGamesError,
    bundled_models,
    latin_hypercube,
    load_model,
    plot,
    simulate,
    starts_grid,
    sweep,
)
from lmc_games._continuation import continuation


def _axes():
    return Figure(figsize=(3.5, 2.6), layout="constrained").add_subplot()


def _cells(image, shape):
    """The colour codes of a pcolormesh, as (len(x), len(y)) like the sweep's arrays."""
    return np.asarray(image.get_array()).reshape(shape[1], shape[0]).T


# --------------------------------------------------------------------------- region maps
@pytest.fixture(scope="module")
def hawk_dove_sweep():
    g = load_model("hawk_dove")
    res = sweep(g, {"V": np.linspace(0.5, 4, 15), "C": np.linspace(0.3, 4.1, 12)})
    return g, res


def test_region_map_categories_match_the_sweep(hawk_dove_sweep):
    g, res = hawk_dove_sweep
    art = plot.region_map(res, _axes(), game=g)
    codes = _cells(art.image, res.shape)
    assert np.array_equal(codes, art.codes)
    V, C = res.parameter("V"), res.parameter("C")
    for i in range(res.shape[0]):
        for j in range(res.shape[1]):
            key = art.keys[codes[i, j]]
            assert key == res.stable_labels(i, j)
            # Maynard Smith (1982): hawk is the ESS iff C < V, the mixed state iff C > V.
            assert key == (("hawk",) if C[i, j] < V[i, j] else ("hawk+dove",))
    assert art.ax.get_xlabel() == "$V$" and art.ax.get_ylabel() == "$C$"
    legend = [t.get_text() for t in art.legend.get_texts()]
    assert legend == ["hawk", "hawk+dove"]


def test_region_map_colours_are_distinct_and_listed_in_the_legend(hawk_dove_sweep):
    g, res = hawk_dove_sweep
    art = plot.region_map(res, _axes(), game=g)
    patches = art.legend.get_patches()
    colours = [to_rgba(p.get_facecolor()) for p in patches]
    assert len(set(colours)) == len(colours) == len(art.categories)
    # The cell colours are those of the legend, code by code.
    for code, colour in enumerate(colours):
        assert to_rgba(art.image.cmap(art.image.norm(code))) == pytest.approx(colour)


def test_analytic_boundaries_are_the_closed_forms():
    # Hawk–dove: the boundary between "hawk" and "hawk+dove" is C = V.
    g = load_model("hawk_dove")
    (b,) = plot.boundaries(g, "V", "C", x_range=(0.5, 4), y_range=(0.3, 4.1))
    ok = np.isfinite(b.y)
    assert ok.sum() > 50 and np.allclose(b.y[ok], b.x[ok])
    assert b.equation == "C = V"
    # Water use: both governments use water reasonably iff p > (C_i + dB_i + S_i - V_i -
    # D_i)/(theta k F) for both (models/water_use.toml); Savannakhet's bound binds:
    # p F > (3 + 4 + 1 - 2 - 1.5)/(0.8 * 1.5) = 15/4. Excessive use by both is stable iff
    # p F < 15/8, and (excessive, reasonable) in between.
    w = load_model("water_use")
    bs = plot.boundaries(w, "p", "F", x_range=(0.05, 1), y_range=(0.5, 20))
    products = sorted(float(np.nanmedian(b.x * b.y)) for b in bs)
    assert products == pytest.approx([15 / 8, 15 / 4])
    for b in bs:
        ok = np.isfinite(b.y)
        assert np.ptp(b.x[ok] * b.y[ok]) < 1e-9
    with pytest.raises(LmcGamesError, match="two different"):
        plot.boundaries(w, "p", "p", x_range=(0, 1), y_range=(0, 1))
    with pytest.raises(LmcGamesError, match="unknown parameter"):
        plot.boundaries(w, "p", "nope", x_range=(0, 1), y_range=(0, 1))


def test_region_map_draws_boundaries_and_checks_their_axes(hawk_dove_sweep):
    g, res = hawk_dove_sweep
    bs = plot.boundaries(g, "V", "C", x_range=(0.5, 4), y_range=(0.3, 4.1))
    art = plot.region_map(res, _axes(), game=g, boundaries=bs)
    (ln,) = art.lines
    assert ln.get_gid() == "boundary"
    assert np.array_equal(ln.get_xdata(), bs[0].x, equal_nan=True)
    swapped = plot.boundaries(g, "C", "V", x_range=(0.3, 4.1), y_range=(0.5, 4))
    art2 = plot.region_map(res, _axes(), game=g, boundaries=swapped)
    x, y = art2.lines[0].get_xydata().T
    ok = np.isfinite(x) & np.isfinite(y)
    assert np.allclose(x[ok], y[ok])


@dataclass(frozen=True)
class FakeOutcomeSweep:
    """The attributes of a SweepResult with measure "outcome" that region_map reads: this
    test pins the contract, independently of how sweep() fills them."""

    names: tuple = ("a", "b")
    dims: tuple = ("a", "b")
    shape: tuple = (3, 2)
    coords: dict = field(default_factory=lambda: {"a": np.array([0, 1, 2.0]), "b": [5, 6.0]})
    labels: tuple = ("x", "y")
    measure: str = "outcome"
    shares: dict = field(
        default_factory=lambda: {
            "x": np.array([[1, 0.5], [0, 0], [0.25, 1]]),
            "y": np.array([[0, 0.5], [1, 0], [0.75, 0]]),
        }
    )
    convergence_time_median: np.ndarray = field(
        default_factory=lambda: np.array([[1, 2], [3, np.nan], [5, 6.0]])
    )


def test_continuous_maps_show_the_sweep_values():
    res = FakeOutcomeSweep()
    art = plot.region_map(res, _axes(), show="time")
    got = np.ma.filled(_cells(art.image, res.shape).astype(float), np.nan)
    assert np.array_equal(got, res.convergence_time_median, equal_nan=True)
    assert art.colorbar.ax.get_ylabel() == "Median convergence time"
    art = plot.region_map(res, _axes(), show="share", label="y")
    assert np.array_equal(_cells(art.image, res.shape), res.shares["y"])
    assert art.image.norm.vmin == 0 and art.image.norm.vmax == 1
    art = plot.region_map(res, _axes(), show="reached")
    keys = [art.keys[c] for c in _cells(art.image, res.shape).ravel()]
    assert keys == [("x",), ("x", "y"), ("y",), (), ("x", "y"), ("x",)]
    assert art.categories == ("x", "y", "x and y", "none")
    with pytest.raises(LmcGamesError, match="label="):
        plot.region_map(res, _axes(), show="share", label="z")
    with pytest.raises(LmcGamesError, match="measure='stable'"):
        plot.region_map(res, _axes(), show="stable")


def test_region_map_of_a_sample_and_of_a_slice():
    g = load_model("hawk_dove")
    sample = sweep(g, latin_hypercube({"V": (0.5, 4), "C": (0.5, 4)}, n=40, seed=3))
    art = plot.region_map(sample, _axes(), game=g)
    xy = art.image.get_offsets()
    assert np.allclose(xy[:, 0], sample.coords["V"]) and np.allclose(xy[:, 1], sample.coords["C"])
    codes = np.asarray(art.image.get_array()).astype(int)
    for k in range(40):
        v, c = sample.coords["V"][k], sample.coords["C"][k]
        assert art.keys[codes[k]] == (("hawk",) if c < v else ("hawk+dove",))


def test_region_map_needs_two_free_dimensions():
    g = load_model("water_use")
    res = sweep(g, {"p": [0.2, 0.8], "F": [4, 8], "k": [1, 2]})
    with pytest.raises(LmcGamesError, match="fix all but two"):
        plot.region_map(res, _axes(), game=g)
    art = plot.region_map(res, _axes(), game=g, at={"k": 2})
    assert art.ax.get_xlabel() == "$p$" and art.ax.get_ylabel() == "$F$"


# --------------------------------------------------------------------------- basins
def test_basin_map_colours_each_start_by_the_attractor_it_reaches():
    g = load_model("hawk_dove_roles")
    data = plot.basin_data(g, n=8, t_end=60)
    art = plot.basin_map(data, _axes())
    xs, ys = np.unique(data.starts[:, 0]), np.unique(data.starts[:, 1])
    cells = np.asarray(art.image.get_array()).reshape(ys.size, xs.size)
    for (x, y), reached in zip(data.starts, data.reached):
        code = cells[np.searchsorted(ys, y), np.searchsorted(xs, x)]
        assert art.keys[int(code)] == reached
        # Symmetric roles: the diagonal x = y is the saddle's stable manifold; below it the
        # owners' hawk convention wins, above it the intruders'.
        if x > y:
            assert reached == "hawk, dove"
        elif x < y:
            assert reached == "dove, hawk"
    assert [t.get_text() for t in art.legend.get_texts()] == list(art.categories)


def test_basin_map_on_the_triangle_and_from_a_sweep():
    if "mechanism_overlap" not in bundled_models():
        pytest.skip("mechanism_overlap is not bundled")
    g = load_model("mechanism_overlap")
    data = plot.basin_data(g, n=7, t_end=80)
    art = plot.basin_map(data, _axes())
    assert set(art.keys) >= set(data.labels)
    assert not any("_" in c for c in art.categories)  # the legend is in words
    assert len(np.asarray(art.image.get_array())) > 0
    res = sweep(load_model("hawk_dove_roles"), {"C": [3, 4]}, measure="outcome", starts=3, t_end=60)
    b = plot.BasinData.from_sweep(res, load_model("hawk_dove_roles"), (1,))
    assert b.starts.shape == (9, 2) and len(b.reached) == 9
    with pytest.raises(LmcGamesError, match="one index per sweep dimension"):
        plot.BasinData.from_sweep(res, load_model("hawk_dove_roles"), ())


# --------------------------------------------------------------------------- continuation
def test_continuation_diagram_solid_where_stable_dashed_where_not():
    # Hawk–dove, V = 2: hawk is stable for C < V; for C > V the interior ESS x* = V/C is
    # (Maynard Smith 1982); they exchange stability at C = V = 2.
    c = continuation(load_model("hawk_dove"), "C", 0.5, 4, num=71)
    art = plot.continuation_diagram(c, _axes())
    by = {}
    for ln in art.lines:
        _, label, verdict = ln.get_gid().split(":")
        by.setdefault((label, verdict), []).append(ln)
    (hawk_stable,) = by[("hawk", "stable")]
    assert hawk_stable.get_linestyle() == "-"
    assert np.all(hawk_stable.get_xdata()[:-1] < 2) and np.allclose(hawk_stable.get_ydata(), 1)
    (hawk_unstable,) = by[("hawk", "unstable")]
    assert hawk_unstable.get_linestyle() == "--"
    (mixed,) = by[("hawk+dove", "stable")]
    x, y = mixed.get_xydata().T
    assert np.allclose(y, 2 / x) and x.min() >= 2 - 1e-9
    (mark,) = [m for m in art.markers if m.get_gid().startswith("change:hawk:")]
    assert mark.get_xdata()[0] == pytest.approx(2) and mark.get_ydata()[0] == pytest.approx(1)
    texts = [t.get_text() for t in art.legend.get_texts()]
    assert "asymptotically stable" in texts and "change: zero eigenvalue" in texts


def test_continuation_figure_has_a_panel_per_share():
    g = load_model("hawk_dove_roles")
    c = continuation(g, "C", 1, 4, num=31)
    fig = plot.continuation_figure(c, g)
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == 2
    assert "Intruders" in panels[1].get_ylabel()


# --------------------------------------------------------------------------- time series
def test_time_series_draws_every_share_of_every_start():
    g = load_model("rock_paper_scissors")
    inits = [[0.5, 0.3], [0.2, 0.2]]
    sim = simulate(g, inits, t_end=5, engine="numpy")
    art = plot.time_series(sim, _axes(), game=g)
    # Three strategies: every share, the implied last one included; two starts each.
    assert len(art.lines) == 6
    full = sim.full_states()[:, :, 0, :]
    for ln in art.lines:
        _, col, start = ln.get_gid().split(":")
        assert np.array_equal(ln.get_ydata(), full[:, int(start), int(col)])
    assert [t.get_text() for t in art.legend.get_texts()] == [
        "rock ($r$)",
        "paper ($p$)",
        "scissors ($s$)",
    ]
    sim2 = simulate(g, inits, params={"a": [1, 2]}, t_end=2, engine="numpy")
    with pytest.raises(LmcGamesError, match="point="):
        plot.time_series(sim2, _axes(), game=g)


def test_simulation_figure_one_panel_per_population():
    g = load_model("inspection")
    sim = simulate(g, starts_grid(g, 2), t_end=4, engine="numpy")
    fig = plot.simulation_figure(sim, g)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel().startswith("$\\text{Inspector")


def test_sensitivity_colours_read_as_more_of_the_parameter():
    g = load_model("hawk_dove")
    values = [2.5, 3, 4, 6, 8]
    sim = plot.sensitivity_runs(g, "C", values, start=[0.1], t_end=30)
    art = plot.sensitivity(sim, "C", _axes(), game=g)
    assert len(art.lines) == 5
    # viridis darkens toward low values: luminance increases with C.
    lum = [np.dot(to_rgba(ln.get_color())[:3], [0.2126, 0.7152, 0.0722]) for ln in art.lines]
    assert all(a < b for a, b in zip(lum, lum[1:]))
    # Each curve ends at the ESS x* = V/C (Maynard Smith 1982).
    for ln, c in zip(art.lines, values):
        assert ln.get_ydata()[-1] == pytest.approx(2 / c, abs=2e-3)
    assert art.colorbar.ax.get_title() == "$C$"  # short symbols sit above the bar


def test_sensitivity_of_an_inert_parameter_warns():
    g = load_model("water_use")
    with pytest.warns(plot.PlotWarning, match="cannot affect the dynamics"):
        plot.sensitivity_runs(g, "B_L", [5, 10], start=[0.5, 0.5], t_end=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.sensitivity_runs(g, "p", [0.2, 0.8], start=[0.5, 0.5], t_end=1)
    with pytest.raises(LmcGamesError, match="at least two"):
        plot.sensitivity_runs(g, "p", [0.2], start=[0.5, 0.5], t_end=1)


# --------------------------------------------------------------------------- sweep figure
def test_sweep_figures():
    g = load_model("hawk_dove")
    res = sweep(g, {"V": np.linspace(0.5, 4, 6), "C": np.linspace(0.3, 4.1, 5)})
    fig = plot.sweep_figure(res, g)
    assert [ln.get_gid() for ln in fig.axes[0].lines] == ["boundary"]
    roles = load_model("hawk_dove_roles")
    out = sweep(roles, {"C": [1, 3, 5]}, measure="outcome", starts=3, t_end=40)
    fig = plot.sweep_figure(out, roles)
    top = fig.axes[0]
    bands = [c for c in top.collections if (c.get_gid() or "").startswith("share:")]
    assert len(bands) == len(out.labels) + 1
    out2 = sweep(roles, {"C": [3, 5], "V": [1, 2]}, measure="outcome", starts=2, t_end=40)
    fig = plot.sweep_figure(out2, roles)
    maps = [ax for ax in fig.axes if any(c.get_gid() == "regions" for c in ax.collections)]
    assert len(maps) == len(out2.labels[:3]) + 1
    # Three swept parameters: one panel per value of the third, its value in the title.
    w = load_model("water_use")
    res3 = sweep(w, {"p": [0.2, 0.6, 1], "F": [2, 8, 14], "k": [1, 2]})
    fig = plot.sweep_figure(res3, w, analytic=False)
    maps = [ax for ax in fig.axes if any(c.get_gid() == "regions" for c in ax.collections)]
    assert [ax.get_title() for ax in maps] == ["$k\\text{ = }1$", "$k\\text{ = }2$"]
    res4 = sweep(w, {"p": [0.2, 1], "F": [2, 8], "k": [1, 2], "theta": [0.5, 1]})
    with pytest.raises(LmcGamesError, match="up to three"):
        plot.sweep_figure(res4, w)

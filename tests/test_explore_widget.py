"""The explorer as a Jupyter widget, on the Python side: its traits, their checks, and what a
notebook is given to display. Skipped without anywidget (the optional extra ``jupyter``).

The widget's module (widget.js) is driven in a real browser in test_explore_browser.py,
with a model object that has anywidget's interface.
"""

from __future__ import annotations

import sys

import pytest

from lmc_games import LmcGamesError, analyze, load_model
from lmc_games._explore import explore
from lmc_games._stability_table import label_order

traitlets = pytest.importorskip("traitlets", reason="anywidget is not installed")
pytest.importorskip("anywidget", reason="anywidget is not installed")


@pytest.fixture(scope="module")
def water():
    return load_model("water_use"), explore(load_model("water_use"), vary="p,F,k")


def test_traits_start_at_the_page_values_and_stable_set(water):
    game, page = water
    w = page.widget
    assert w is page.widget  # one widget per page: display and reads share it
    assert w.values == {"p": 0.5, "F": 8.0, "k": 1.5}
    an = analyze(game)
    expected = label_order(game, [r.label for r in an.rest_points if r.asymptotically_stable])
    assert w.stable_set == expected and w.source == "exact" and w.grid_point is None
    assert w.html == page.html
    # The view's module is the shipped widget.js, and it only relays (no second analysis).
    assert "export default { render }" in w._esm and "postMessage" in w._esm
    assert "function rest(" not in w._esm and "jacobian" not in w._esm


def test_setting_values_merges_and_checks_bounds():
    w = explore(load_model("water_use"), vary=["p", "F"]).widget
    w.values = {"p": 0.3}
    assert w.values == {"p": 0.3, "F": 8.0}
    w.values = {"F": 2}
    assert w.values == {"p": 0.3, "F": 2.0} and isinstance(w.values["F"], float)
    for bad, message in [
        ({"p": 1.5}, "outside its bounds"),
        ({"F": -1.0}, "outside its bounds"),
        ({"theta": 0.5}, "no slider for parameter 'theta'"),
        ({"p": float("nan")}, "finite number"),
        ({"p": "0.3"}, "finite number"),
        ({"p": True}, "finite number"),
    ]:
        with pytest.raises(traitlets.TraitError, match=message):
            w.values = bad
    assert w.values == {"p": 0.3, "F": 2.0}  # a refused value changes nothing


def test_front_end_updates_reach_the_traits():
    """What the view sends (values, stable set, source, grid point) lands in the traits, as
    the kernel applies a front end's state message."""
    w = explore(load_model("water_use"), vary="p").widget
    w.set_state(
        {
            "values": {"p": 0.48},
            "stable_set": ["excessive, excessive"],
            "source": "live",
            "grid_point": None,
        }
    )
    assert w.values == {"p": 0.48}
    assert w.stable_set == ["excessive, excessive"] and w.source == "live"
    w.set_state({"stable_set": None, "source": "none"})
    assert w.stable_set is None


def test_a_notebook_is_given_the_widget(water):
    _, page = water
    data, _meta = page._repr_mimebundle_()
    view = data["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == page.widget.model_id


def test_without_anywidget_the_notebook_gets_the_iframe(water, monkeypatch):
    import lmc_games._explore._widget as wmod

    monkeypatch.setattr(wmod, "widget_available", lambda: False)
    _, page = water
    data = page._repr_mimebundle_()
    assert data["text/html"] == page._repr_html_()
    assert data["text/html"].startswith("<iframe")
    # Asking for the widget itself says what to install.
    fresh = explore(load_model("hawk_dove"))
    monkeypatch.setattr(wmod, "_CLASS", None)
    monkeypatch.setitem(sys.modules, "anywidget", None)
    with pytest.raises(LmcGamesError, match=r"pip install 'lmc-games\[jupyter\]'"):
        _ = fresh.widget

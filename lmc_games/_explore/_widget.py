"""The explorer page as a Jupyter widget (``anywidget``; imported only when asked for).

anywidget because it needs no extension installed in the notebook: one ES module, shown by
JupyterLab, Jupyter Notebook 7, VS Code and Colab alike. The module (``widget.js``) puts the
explorer page, unchanged, in a sandboxed iframe and relays its state: the page's numbers come
from its generated code, never from a second implementation in the widget.
"""

from __future__ import annotations

import math
from importlib import resources
from typing import TYPE_CHECKING, Any

from .._errors import LmcGamesError, ParameterError

if TYPE_CHECKING:
    from . import ExplorerPage

_CLASS: Any = None


def widget_available() -> bool:
    """Whether anywidget can be imported."""
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True


def _widget_class() -> Any:
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    try:
        import anywidget
        import traitlets
    except ImportError:
        raise LmcGamesError(
            "the explorer widget needs anywidget: pip install 'lmc-games[jupyter]'"
            " (without it a notebook shows the page in an iframe, not synced with Python)"
        ) from None

    class ExplorerWidget(anywidget.AnyWidget):
        """The explorer page in a notebook, its values and stable set synced with Python."""

        _esm = resources.files(__package__).joinpath("widget.js").read_text(encoding="utf-8")
        html = traitlets.Unicode("").tag(sync=True)
        height = traitlets.Int(900).tag(sync=True)
        values = traitlets.Dict().tag(sync=True)
        stable_set = traitlets.List(traitlets.Unicode(), allow_none=True).tag(sync=True)
        source = traitlets.Unicode("exact").tag(sync=True)
        grid_point = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)

        def __init__(self, page: ExplorerPage, **kwargs: Any) -> None:
            self._params = {q["name"]: q for q in page._start["params"]}
            super().__init__(
                html=page.html,
                values=dict(page._start["values"]),
                stable_set=list(page._start["stable_set"]),
                **kwargs,
            )

        @traitlets.validate("values")
        def _check_values(self, proposal: Any) -> dict:
            new = dict(proposal["value"])
            for name, v in new.items():
                q = self._params.get(name)
                if q is None:
                    known = ", ".join(self._params) or "none"
                    raise traitlets.TraitError(
                        f"no slider for parameter {name!r}; the page's sliders: {known}"
                    )
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    raise traitlets.TraitError(f"{name} must be a finite number, not {v!r}")
                if (q["min"] is not None and v < q["min"]) or (
                    q["max"] is not None and v > q["max"]
                ):
                    lo = "-inf" if q["min"] is None else q["min"]
                    hi = "inf" if q["max"] is None else q["max"]
                    raise traitlets.TraitError(f"{name} = {v} is outside its bounds [{lo}, {hi}]")
            # Values not given keep their current ones: setting {"p": 0.3} moves one slider.
            return {**self.values, **{k: float(v) for k, v in new.items()}}

    _CLASS = ExplorerWidget
    return _CLASS


def make_widget(page: ExplorerPage) -> Any:
    """The widget of an explorer page (see :attr:`ExplorerPage.widget`)."""
    if not page._start:
        raise ParameterError("this explorer page was not made by explore(); it has no widget")
    return _widget_class()(page)

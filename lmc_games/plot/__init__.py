"""Figures for papers: phase diagrams, time series, sensitivity panels, basins, region maps
and continuation diagrams.

Computing and drawing are separate. Functions that compute (:func:`portrait`,
:func:`basin_data`, :func:`boundaries`, :func:`sensitivity_runs`) return frozen objects; drawing
functions take those objects (or :class:`~lmc_games.Simulation`, sweep and continuation results),
an optional ``ax``, and return the matplotlib objects they made. :func:`paper_style` sets fonts,
sizes and colours for print; :func:`save` writes PDF, SVG or PNG. The one-call helpers
:func:`phase_figure`, :func:`simulation_figure`, :func:`sweep_figure` and
:func:`continuation_figure` do both and return a figure.

Importing this subpackage imports matplotlib but not ``matplotlib.pyplot``; pyplot is imported
only when a drawing function has to create a figure itself (``ax=None``).
"""

from ._data import (
    BasinData,
    Boundary,
    Curve,
    FieldSample,
    FlowArrow,
    PhasePortrait,
    PlotWarning,
    ProjectedMark,
    RestMark,
    basin_data,
    boundaries,
    geometry_of,
    portrait,
    sensitivity_runs,
    series_end,
    settled_time,
)
from ._figures import (
    basin_figure,
    continuation_figure,
    phase_figure,
    simulation_figure,
    sweep_figure,
)
from ._finite import FiniteArtists, corner_geometry, finite_figure, stationary_diagram
from ._maps import basin_map, continuation_diagram, region_map
from ._markers import MARKER_STYLE
from ._phase import (
    PhaseArtists,
    phase_cube,
    phase_diagram,
    phase_line,
    phase_projections,
    phase_square,
    phase_triangle,
)
from ._series import sensitivity, time_series
from ._style import COLUMN_WIDTH, PALETTE, figure_size, paper_style, save, style_rc

__all__ = [
    "basin_data",
    "basin_figure",
    "basin_map",
    "BasinData",
    "boundaries",
    "Boundary",
    "COLUMN_WIDTH",
    "continuation_diagram",
    "continuation_figure",
    "corner_geometry",
    "Curve",
    "FieldSample",
    "figure_size",
    "finite_figure",
    "FiniteArtists",
    "FlowArrow",
    "geometry_of",
    "MARKER_STYLE",
    "PALETTE",
    "paper_style",
    "phase_cube",
    "phase_diagram",
    "phase_figure",
    "phase_line",
    "phase_projections",
    "phase_square",
    "phase_triangle",
    "PhaseArtists",
    "PhasePortrait",
    "PlotWarning",
    "portrait",
    "ProjectedMark",
    "region_map",
    "RestMark",
    "save",
    "sensitivity",
    "sensitivity_runs",
    "series_end",
    "settled_time",
    "simulation_figure",
    "stationary_diagram",
    "style_rc",
    "sweep_figure",
    "time_series",
]

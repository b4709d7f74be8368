"""Sphinx configuration for the lmc_games documentation.

Build (warnings are errors, as in CI)::

    sphinx-build -W --keep-going -b html docs /tmp/docs-html

Pages are Markdown (MyST); docstrings are numpydoc. The API reference is generated from
``lmc_games.__all__`` and ``lmc_games.plot.__all__`` at build time (see ``_api_source`` below),
so a name exported later appears without editing the page, and no generated file is written into
the source tree.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import lmc_games  # noqa: E402
import lmc_games.plot  # noqa: E402

project = "lmc_games"
author = "lmc_games developers"
copyright = "2026, lmc_games developers"  # noqa: A001
release = lmc_games.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
# images/ holds the gallery's PNGs; README.md files are folder notes, not pages.
exclude_patterns = ["_build", "images", "**/README.md", ".ipynb_checkpoints"]

# MyST: $...$ and $$...$$ maths, ::: fences, heading anchors so that links such as
# (tutorial.md#sweep-p-and-f) resolve.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc / numpydoc
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # signatures show the names; the numpydoc sections give the types
autodoc_member_order = "bysource"
autosummary_generate = False  # no stub files: the reference is one page per module
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# `>>>` prompts are doctested by pytest; hide `# doctest:` flags in the rendered pages.
trim_doctest_flags = True

html_theme = "alabaster"
html_title = f"lmc_games {release}"
html_theme_options = {
    "description": "Evolutionary games of government cooperation",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_static_path: list[str] = []
pygments_style = "sphinx"


# --------------------------------------------------------------------------- API reference
# Sections of the reference, in pipeline order. Names not exported (yet) are skipped; names
# exported but not listed here land in "Other names", so the page always covers __all__.
_API_SECTIONS: dict[str, list[tuple[str, list[str]]]] = {
    "lmc_games": [
        (
            "Games and model files",
            ["Game", "Population", "Parameter", "load_model", "bundled_models"],
        ),
        ("Dynamics and the symbolic system", ["Dynamics", "Replicator", "System", "system"]),
        (
            "Rest points and stability",
            ["analyze", "Analysis", "RestPoint", "Stability", "Continuum", "DetTraceRow"],
        ),
        ("Compiled fields", ["compile_field", "CompiledField"]),
        (
            "Simulation and convergence",
            [
                "simulate",
                "Simulation",
                "SimulationWarning",
                "starts_grid",
                "converge",
                "Convergence",
                "basins",
            ],
        ),
        (
            "Sweeps",
            [
                "sweep",
                "SweepResult",
                "latin_hypercube",
                "random_points",
                "ParameterSample",
                "compile_rest_points",
                "RestPointTable",
                "RestPointValues",
                "SweepError",
            ],
        ),
        (
            "Continuation",
            ["continuation", "Continuation", "Branch", "StabilityChange"],
        ),
        ("Reports and citation", ["report", "citation"]),
        (
            "Claims and the audit",
            [
                "check",
                "Audit",
                "Finding",
                "FindingCode",
                "Claim",
                "load_claims",
                "audit_section",
            ],
        ),
        (
            "Errors",
            [
                "LmcGamesError",
                "GameError",
                "ModelError",
                "FormulaError",
                "ParameterError",
                "EngineUnavailableError",
                "ClaimError",
                "LimitError",
                "OutputError",
                "UndecidedError",
                "ResumeWarning",
                "TableCacheWarning",
            ],
        ),
    ],
    "lmc_games.plot": [
        (
            "One-call figures",
            [
                "phase_figure",
                "simulation_figure",
                "sweep_figure",
                "continuation_figure",
                "basin_figure",
            ],
        ),
        (
            "Computing what a figure shows",
            [
                "portrait",
                "PhasePortrait",
                "RestMark",
                "Curve",
                "FlowArrow",
                "FieldSample",
                "basin_data",
                "BasinData",
                "boundaries",
                "Boundary",
                "sensitivity_runs",
                "geometry_of",
            ],
        ),
        (
            "Drawing",
            [
                "phase_diagram",
                "phase_line",
                "phase_square",
                "phase_triangle",
                "phase_cube",
                "phase_projections",
                "PhaseArtists",
                "time_series",
                "sensitivity",
                "region_map",
                "basin_map",
                "continuation_diagram",
            ],
        ),
        (
            "Style and output",
            [
                "paper_style",
                "style_rc",
                "figure_size",
                "save",
                "COLUMN_WIDTH",
                "PALETTE",
                "MARKER_STYLE",
                "PlotWarning",
            ],
        ),
    ],
}

_API_MARKER = "<!-- api: {module} -->"


def _directive(module: object, name: str) -> str:
    obj = getattr(module, name)
    if isinstance(obj, type):
        return "autoclass"
    if callable(obj):
        return "autofunction"
    return "autodata"


def _data_entry(module: object, name: str) -> list[str]:
    """A constant re-exported from a private module: its ``#:`` comment lives there, where
    autodoc does not look, and autodoc would show the docstring of its type instead."""
    from sphinx.pycode import ModuleAnalyzer

    obj = getattr(module, name)
    doc: list[str] = []
    prefix = module.__name__ + "."
    for modname in sorted(m for m in sys.modules if m.startswith(prefix)):
        if getattr(sys.modules[modname], name, None) is obj:
            doc = ModuleAnalyzer.for_module(modname).find_attr_docs().get(("", name), [])
            if doc:
                break
    lines = [f".. data:: {name}"]
    value = repr(obj)
    if len(value) <= 90:
        lines.append(f"   :value: {value}")
    lines.append("")
    lines += [f"   {line}" if line else "" for line in doc]
    lines.append("")
    return lines


def _api_source(modname: str) -> str:
    """Markdown for one module's reference: per section a summary table and an entry per name."""
    module = sys.modules[modname]
    exported = list(module.__all__)
    sections = [
        (title, [n for n in names if n in exported]) for title, names in _API_SECTIONS[modname]
    ]
    listed = {n for _, names in sections for n in names}
    rest = sorted((n for n in exported if n not in listed), key=str.lower)
    if rest:
        sections.append(("Other names", rest))
    out = [f"```{{eval-rst}}\n.. currentmodule:: {modname}\n```\n"]
    for title, names in sections:
        if not names:
            continue
        lines = [".. autosummary::", ""] + [f"   {n}" for n in names] + [""]
        for n in names:
            kind = _directive(module, n)
            if kind == "autodata":
                lines += _data_entry(module, n)
                continue
            lines.append(f".. {kind}:: {n}")
            if kind == "autoclass":
                lines.append("   :members:")
            lines.append("")
        out.append(f"## {title}\n\n```{{eval-rst}}\n" + "\n".join(lines) + "\n```\n")
    return "\n".join(out)


def _insert_api(app, docname: str, source: list[str]) -> None:
    for modname in _API_SECTIONS:
        marker = _API_MARKER.format(module=modname)
        if marker in source[0]:
            source[0] = source[0].replace(marker, _api_source(modname))


def _trim_code_blocks(app, doctree) -> None:
    """Drop the blank line that ends each ``>>>`` block in the Markdown sources.

    pytest's doctest parser reads a block's closing fence as expected output unless a blank
    line comes first, so the pages keep one; the rendered page need not show it.
    """
    from docutils import nodes

    for node in doctree.findall(nodes.literal_block):
        text = node.astext()
        trimmed = text.rstrip()
        if trimmed != text and node.rawsource == text:
            node.children = [nodes.Text(trimmed)]
            node.rawsource = trimmed


def setup(app):
    app.connect("source-read", _insert_api)
    app.connect("doctree-read", _trim_code_blocks)
    return {"parallel_read_safe": True}

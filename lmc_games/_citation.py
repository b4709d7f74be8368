"""BibTeX for the library and for the references of a model."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._game import Game

__all__ = ["citation"]

_LIBRARY = """@software{{lmc_games,
  title = {{lmc\\_games: evolutionary game theory for the study of cooperation between
           governments}},
  author = {{{{The lmc\\_games developers}}}},
  year = {{2026}},
  version = {{{version}}},
  license = {{MIT}},
  note = {{Python library}}
}}"""


def citation(game: Game | None = None) -> str:
    """BibTeX entries: the library, then each reference of ``game`` (if given).

    A model file's references are free text (``Author, A. (Year). Title. Journal...``); each
    becomes a ``@misc`` entry whose key is the first author's surname and the year, with the
    text kept whole in ``note`` so nothing is lost or misparsed, and the DOI or URL split out
    when there is one.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> bib = citation(load_model("inspection"))
    >>> bib.startswith("@software{lmc_games,")
    True
    >>> "@misc{tsebelis1989," in bib
    True
    """
    from . import __version__

    entries = [_LIBRARY.format(version=__version__)]
    keys: set[str] = set()
    for ref in game.references if game is not None else ():
        entries.append(_entry(ref, keys))
    return "\n\n".join(entries) + "\n"


def _entry(ref: str, keys: set[str]) -> str:
    surname = re.match(r"\s*([^\W\d_][\w'-]*)", ref)
    year = re.search(r"\((\d{4})[a-z]?\)|\b(1[89]\d\d|20\d\d)\b", ref)
    base = (surname.group(1) if surname else "ref").lower()
    base = re.sub(r"[^a-z0-9]", "", base) or "ref"
    base += (year.group(1) or year.group(2)) if year else ""
    key, n = base, 1
    while key in keys:
        n += 1
        key = f"{base}{chr(ord('a') + n - 1)}"
    keys.add(key)
    fields = [f"  note = {{{_escape(ref.strip())}}}"]
    doi = re.search(r"(?:https?://doi\.org/|doi:\s*)(10\.\S+?)[.,;]?(?:\s|$)", ref)
    url = re.search(r"https?://\S+?(?=[.,;]?(?:\s|$))", ref)
    if doi:
        fields.append(f"  doi = {{{doi.group(1)}}}")
    elif url:
        fields.append(f"  url = {{{url.group(0)}}}")
    if year:
        fields.append(f"  year = {{{year.group(1) or year.group(2)}}}")
    return "@misc{" + key + ",\n" + ",\n".join(fields) + "\n}"


_TEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
}


def _escape(text: str) -> str:
    return "".join(_TEX.get(c, c) for c in text)

"""The PDF toolkit every document uses: an A4 page with the Japanese font, and the batch trick.

The font is Noto Sans JP, brought in by the ``pylopdf-fonts-jp`` package (SIL Open Font License); no system
font is assumed. fpdf2 subsets the font for each document, which costs far more than a page: for a batch,
many cards are rendered as pages of one document and then split into one PDF each (pypdf), so that the font is
parsed and subset once per chunk, not once per card.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from fpdf import FPDF

T = TypeVar("T")
FONT = "NotoSansJP"
SPLIT_CHUNK = 25


@cache
def font_path() -> Path:
    """The Japanese font file shipped by the font package."""
    return Path(str(resources.files("pylopdf_fonts_jp") / "NotoSansJP-Regular.otf"))


class Document(FPDF):
    """A4 portrait, millimetres, the Japanese font registered, fixed metadata for reproducible output."""

    def __init__(self, title: str, created_at: datetime) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, fname=str(font_path()))
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=False)
        self.set_margins(18, 16, 18)
        self.set_title(title)
        self.set_creator("shomei")
        self.set_creation_date(created_at)

    def bytes(self) -> bytes:
        return bytes(self.output())


def render(
    title: str, created_at: datetime, items: Iterable[T], draw: Callable[[Document, T], None]
) -> bytes:
    """One document with a page (or more) per item."""
    document = Document(title, created_at)
    for item in items:
        draw(document, item)
    return document.bytes()


def render_each(
    title: str, created_at: datetime, items: Sequence[T], draw: Callable[[Document, T], None]
) -> list[bytes]:
    """One PDF per item, each drawn on exactly one page, made in chunks and split (see the module doc)."""
    from pypdf import PdfReader, PdfWriter

    results: list[bytes] = []
    for start in range(0, len(items), SPLIT_CHUNK):
        chunk = items[start : start + SPLIT_CHUNK]
        if len(chunk) == 1:
            results.append(render(title, created_at, chunk, draw))
            continue
        combined = PdfReader(io.BytesIO(render(title, created_at, chunk, draw)))
        if len(combined.pages) != len(chunk):
            raise ValueError("render_each needs exactly one page per item")
        for page in combined.pages:
            writer = PdfWriter()
            writer.add_page(page)
            writer.add_metadata({"/Title": title, "/Creator": "shomei"})
            buffer = io.BytesIO()
            writer.write(buffer)
            results.append(buffer.getvalue())
    return results

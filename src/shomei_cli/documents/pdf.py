"""The PDF toolkit every document uses: an A4 page with the Japanese font, and the batch trick.

The font is Noto Sans JP, brought in by the ``pylopdf-fonts-jp`` package (SIL Open Font License); no system
font is assumed. fpdf2 subsets the font for each document, which costs far more than a page: for a batch,
many cards are rendered as pages of one document and then split into one PDF each (pypdf), so that the font is
parsed and subset once per chunk, not once per card.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from fpdf import FPDF
from fpdf.fonts import Glyph, SubsetMap, TTFFont
from fpdf.output import OutputProducer, PDFFont
from fpdf.syntax import Name, PDFContentStream, PDFObject

T = TypeVar("T")
FONT = "NotoSansJP"
SPLIT_CHUNK = 25


@cache
def font_path() -> Path:
    """The Japanese font file shipped by the font package."""
    return Path(str(resources.files("pylopdf_fonts_jp") / "NotoSansJP-Regular.otf"))


def _cid(glyph: Glyph) -> int:
    """The glyph's CID in a CID-keyed CFF font (its name is ``cidNNNNN``), as fpdf2 reads it."""
    if glyph.glyph_name == ".notdef":
        return 0
    if glyph.glyph_name.startswith("cid") and glyph.glyph_name[3:].isdigit():
        return int(glyph.glyph_name[3:])
    return int(glyph.glyph_id)


class _CidCodes(SubsetMap):
    """Character codes that are the glyphs' CIDs, so that the font's encoding is plain Identity-H.

    fpdf2 numbers the glyphs of a CFF font 1, 2, 3 … and maps those codes to CIDs with an embedded CMap
    stream as the font's /Encoding. That is valid PDF, but text extractors that know only the predefined
    CMaps (pypdf among them) then read every two-byte code as two one-byte characters: a NUL before each
    letter. With code = CID the embedded CMap is the identity, and Identity-H says so to every reader.
    """

    def __init__(self, font: TTFFont) -> None:
        super().__init__(font)
        self._reserved = []
        self._char_id_per_glyph = {
            glyph: _cid(glyph) for glyph in self._char_id_per_glyph if glyph is not None
        }

    def pick_glyph(self, glyph: Glyph | None) -> int | None:
        if glyph is None:
            return None
        code = self._char_id_per_glyph.get(glyph)
        if code is None:
            code = self._char_id_per_glyph[glyph] = _cid(glyph)
        return code


def _identity_cmap(stream: PDFObject) -> bool:
    """Whether an embedded encoding CMap maps every code to the same CID (see _CidCodes). Code 0 is left
    out: fpdf2 maps it to the CID of the font's first character, where Identity-H gives CID 0, .notdef."""
    if getattr(stream, "type", None) != Name("CMap") or not isinstance(stream, PDFContentStream):
        return False
    text = stream._contents.decode("latin-1")
    pairs = re.findall(r"^<([0-9A-F]{4})> (\d+)$", text, flags=re.MULTILINE)
    return bool(pairs) and all(int(code, 16) in (0, int(cid)) for code, cid in pairs)


class _IdentityOutput(OutputProducer):
    """fpdf2's output, with Identity-H in place of an embedded encoding CMap that is the identity."""

    def _add_pdf_obj(self, pdf_obj: PDFObject, trace_label: str | None = None) -> int:
        if _identity_cmap(pdf_obj):
            return 0  # never written: _add_fonts puts the predefined name in its place
        return super()._add_pdf_obj(pdf_obj, trace_label)

    def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
        fonts = super()._add_fonts(*args, **kwargs)
        for font in fonts.values():
            encoding = getattr(font, "encoding", None)
            if isinstance(font, PDFFont) and encoding is not None and _identity_cmap(encoding):
                font.encoding = Name("Identity-H")
        return fonts


def _not_justified(align: Any) -> Any:
    if str(getattr(align, "value", align)).upper() == "J":
        raise ValueError("shomei's documents are not justified (see Document.multi_cell)")
    return align


class Document(FPDF):
    """A4 portrait, millimetres, the Japanese font registered, fixed metadata for reproducible output."""

    def __init__(self, title: str, created_at: datetime) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, fname=str(font_path()))
        font = self.fonts[FONT.lower()]
        assert isinstance(font, TTFFont) and font.is_cff and font.is_cid_keyed
        font.subset = _CidCodes(font)
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=False)
        self.set_margins(18, 16, 18)
        self.set_title(title)
        self.set_creator("shomei")
        self.set_creation_date(created_at)

    # fpdf2 justifies a multi_cell by default, and spaces a justified line with a literal code 0x20, which
    # under _CidCodes is another glyph (CID 32): shomei's documents are ragged right, never justified.
    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["align"] = _not_justified(kwargs.get("align", "L"))
        return super().multi_cell(*args, **kwargs)

    def cell(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["align"] = _not_justified(kwargs.get("align", "L"))
        return super().cell(*args, **kwargs)

    def bytes(self) -> bytes:
        return bytes(self.output(output_producer_class=_IdentityOutput))


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

"""The PDF toolkit every document uses: an A4 page with the Japanese font, and the batch trick.

The font is Noto Sans JP, brought in by the ``pylopdf-fonts-jp`` package (SIL Open Font License); no system
font is assumed. fpdf2 subsets the font for each document, which costs far more than a page: for a batch,
many cards are rendered as pages of one document and then split into one PDF each (pypdf), so that the font is
parsed and subset once per chunk, not once per card.
"""

from __future__ import annotations

import io
import os
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
MAX_WORKERS = 8


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
        # fontTools would recompute the bounds of every glyph of the subset when saving it (half the time of
        # a document with varied names); the full font's bounds, which the subset's lie within, stay valid
        font.ttfont.recalcBBoxes = False
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
    return render_split(items, draw, title, created_at, pages_per_item=1)


def render_split(
    items: Sequence[T],
    draw: Callable[[Document, T], None],
    title: str | Callable[[T], str],
    created_at: datetime | Callable[[T], datetime],
    *,
    pages_per_item: int | None = None,
    chunk_size: int = SPLIT_CHUNK,
) -> list[bytes]:
    """One PDF per item, each drawn on one page or more: the items are drawn as pages of one document per
    chunk of ``chunk_size`` items, which is then split into one PDF per item (see the module doc). The
    chunks are drawn on every core when there are several. This is the "render → one document's bytes"
    step; whatever is done to each document afterwards (signing) takes its bytes from here."""
    if not items:
        return []
    chunks = [items[start : start + chunk_size] for start in range(0, len(items), chunk_size)]
    jobs = [(chunk, draw, title, created_at, pages_per_item) for chunk in chunks]
    results: list[bytes] = []
    for part in map_processes(_render_chunk, jobs):
        results.extend(part)
    return results


def _render_chunk(
    job: tuple[
        Sequence[T],
        Callable[[Document, T], None],
        str | Callable[[T], str],
        datetime | Callable[[T], datetime],
        int | None,
    ],
) -> list[bytes]:
    from pypdf import PdfReader, PdfWriter

    chunk, draw, title, created_at, pages_per_item = job

    def title_of(item: T) -> str:
        return title if isinstance(title, str) else title(item)

    def created_of(item: T) -> datetime:
        return created_at if isinstance(created_at, datetime) else created_at(item)

    if len(chunk) == 1:
        return [render(title_of(chunk[0]), created_of(chunk[0]), chunk, draw)]
    document = Document(title_of(chunk[0]), created_of(chunk[0]))
    spans: list[tuple[int, int]] = []
    for item in chunk:
        first = document.page
        draw(document, item)
        spans.append((first, document.page))
        if pages_per_item is not None and document.page - first != pages_per_item:
            raise ValueError(f"each item must be drawn on exactly {pages_per_item} page(s)")
    combined = PdfReader(io.BytesIO(document.bytes()))
    parts: list[bytes] = []
    for item, (first, last) in zip(chunk, spans, strict=True):
        writer = PdfWriter()
        for index in range(first, last):  # fpdf's page numbers start at 1: pages first+1 … last
            writer.add_page(combined.pages[index])
        writer.add_metadata(
            {"/Title": title_of(item), "/Creator": "shomei", "/CreationDate": _pdf_date(created_of(item))}
        )
        buffer = io.BytesIO()
        writer.write(buffer)
        parts.append(buffer.getvalue())
    return parts


R = TypeVar("R")


def map_processes(function: Callable[[T], R], jobs: Sequence[T]) -> list[R]:
    """``[function(job) for job in jobs]``, on as many processes as there are cores when there is more than
    one job (drawing a PDF is pure Python: threads would share one core). The function and jobs must be
    picklable (module-level functions, dataclasses). A process with threads of its own (a server) starts its
    workers from a fork server rather than forking itself mid-request."""
    workers = min(len(jobs), os.cpu_count() or 1, MAX_WORKERS)
    if workers <= 1:
        return [function(job) for job in jobs]
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
    if method == "spawn" and "forkserver" in multiprocessing.get_all_start_methods():
        method = "forkserver"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return list(pool.map(function, jobs))


def _pdf_date(value: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSSZ) in UTC, as fpdf writes for a whole document."""
    from datetime import UTC

    return value.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")

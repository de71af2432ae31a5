"""Invoice PDFs that must not go out under the chamber's name, made here with pypdf from a plain one."""

from __future__ import annotations

import functools
import io
import zlib
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def plain_invoice(pages: int = 1) -> bytes:
    """A small commercial invoice, as the applicant's accounting system would print it."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=12)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"COMMERCIAL INVOICE NT-INV-0042 page {page + 1}")
    return bytes(pdf.output())


def _edited(change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_invoice())))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(writer: PdfWriter, **entries: str) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action")})
    for key, value in entries.items():
        entry = NameObject(value) if value.startswith("/") else TextStringObject(value)
        action[NameObject(f"/{key}")] = entry
    return action


def _link(writer: PdfWriter, action: DictionaryObject) -> None:
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 200, 40)]),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def encrypted() -> bytes:
    return _edited(lambda w: w.encrypt(user_password="", owner_password="owner", algorithm="AES-128"))


def with_javascript() -> bytes:
    """A document-level script, run when the invoice is opened."""

    def change(w: PdfWriter) -> None:
        script = _action(w, S="/JavaScript", JS="app.alert('paid');")
        names = ArrayObject([TextStringObject("paid"), w._add_object(script)])
        tree = DictionaryObject({NameObject("/Names"): names})
        scripts = DictionaryObject({NameObject("/JavaScript"): w._add_object(tree)})
        w._root_object[NameObject("/Names")] = scripts

    return _edited(change)


def with_open_action() -> bytes:
    def change(w: PdfWriter) -> None:
        w._root_object[NameObject("/OpenAction")] = _action(w, S="/GoTo", D="/Fit")

    return _edited(change)


def with_page_action() -> bytes:
    def change(w: PdfWriter) -> None:
        on_open = _action(w, S="/Named", N="/Print")
        w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): on_open})

    return _edited(change)


def with_launch() -> bytes:
    return _edited(lambda w: _link(w, _action(w, S="/Launch", F="calc.exe")))


def with_javascript_uri() -> bytes:
    return _edited(lambda w: _link(w, _action(w, S="/URI", URI="  JavaScript:app.alert(1)")))


def with_web_link() -> bytes:
    """A link to a web page is allowed: it does nothing until the reader clicks it."""
    return _edited(lambda w: _link(w, _action(w, S="/URI", URI="https://example.com/invoices/42")))


def with_embedded_file() -> bytes:
    return _edited(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00"))


def with_form() -> bytes:
    def change(w: PdfWriter) -> None:
        w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject()})

    return _edited(change)


def with_xfa() -> bytes:
    def change(w: PdfWriter) -> None:
        stream = DecodedStreamObject()
        stream.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
        xfa = w._add_object(stream)
        form = DictionaryObject({NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): xfa})
        w._root_object[NameObject("/AcroForm")] = form

    return _edited(change)


def _deflated_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + compressor.flush()


@functools.cache
def bomb(megabytes: int = 300, streams: int = 1) -> bytes:
    """Page content streams that inflate to ``megabytes`` MB of zeros, together: a few hundred KB on disk."""
    data = _deflated_zeros(megabytes * 1024 * 1024 // streams)

    def change(w: PdfWriter) -> None:
        contents = []
        for _ in range(streams):
            stream = EncodedStreamObject()
            stream._data = data
            stream[NameObject("/Filter")] = NameObject("/FlateDecode")
            contents.append(w._add_object(stream))
        w.pages[0][NameObject("/Contents")] = ArrayObject(contents)

    return _edited(change)

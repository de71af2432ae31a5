"""The invoice PDF an invoice certification attaches: checked before anything is stored, because the chamber's
stamp is laid over it and the result goes out under the chamber's name.

It must be a plain, inert document: at most 10 MB and 1 to 20 pages; not encrypted; no JavaScript (a ``/JS``
or ``/JavaScript`` entry anywhere, or a ``javascript:`` URI); no actions that run by themselves (``/AA``, an
``/OpenAction`` that is an action rather than the page to open at) and none that leave the document (Launch,
ImportData, SubmitForm, ResetForm, GoToE, GoToR, Rendition, Movie, Sound, RichMediaExecute); no embedded or
attached files; no form (``/AcroForm``, ``/XFA``). Links to web pages are allowed. Every object reachable from
the file's trailer is visited, pages and annotations included (the certified invoice copies them), and every
stream in it is decompressed against a shared budget: once the decompressed bytes together exceed
MAX_INFLATED the file is refused, and no stream is inflated beyond what is left of that budget (pypdf's own
decompression limits are set to it while reading), so a decompression bomb costs about twice MAX_INFLATED of
memory at most, never its full size.
"""

from __future__ import annotations

import io
from typing import Any

from shomei_cli.domain.errors import InvalidInput
from shomei_cli.i18n import _

FIELD = "attachment"
MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 20
# what all of the streams of one invoice may decompress to, together; a 20-page scanned invoice is far below
MAX_INFLATED = 64 * 1024 * 1024
# actions that leave the document or act on something outside it
FOREIGN_ACTIONS = frozenset(
    {
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/ResetForm",
        "/GoToE",
        "/GoToR",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
    }
)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_invoice_pdf(data: bytes) -> None:
    """Nothing, or InvalidInput naming the attachment and saying exactly what is wrong with it."""
    if len(data) > MAX_BYTES:
        raise InvalidInput.single(
            FIELD, _("is {size} bytes; at most {limit} (10 MB)").format(size=len(data), limit=MAX_BYTES)
        )
    if not data.startswith(b"%PDF-"):
        raise InvalidInput.single(FIELD, _("is not a PDF file"))
    try:
        _check(data)
    except _Refused as refused:
        raise InvalidInput.single(FIELD, refused.reason) from None


def _check(data: bytes) -> None:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    budget = _Budget()
    try:
        with apply_configuration(_limits(MAX_INFLATED)):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise _Refused(_("is encrypted; attach the invoice without a password or restrictions"))
            pages = len(reader.pages)
            if not 1 <= pages <= MAX_PAGES:
                raise _Refused(_("has {pages} pages; an invoice has 1 to 20").format(pages=pages))
            _walk(reader.trailer, budget)
    except LimitReachedError:
        raise _Refused(_too_big()) from None
    except _Refused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise _Refused(_("is a damaged PDF file")) from None


def _too_big() -> str:
    return _("decompresses to more than {limit} MB; attach the invoice as a plain PDF").format(
        limit=MAX_INFLATED // (1024 * 1024)
    )


def _limits(remaining: int) -> Any:
    """pypdf's configuration with every decompression limit at ``remaining`` bytes."""
    from pypdf import get_configuration

    return get_configuration().with_overwrites(
        **{
            "zlib_maximum_output_length": remaining,
            "lzw_maximum_output_length": remaining,
            "run_length_maximum_output_length": remaining,
            "jbig2_maximum_output_length": remaining,
            "brotli_maximum_output_length": remaining,
            "array_based_stream_maximum_output_length": remaining,
            "image_maximum_buffer_size": remaining,
            "stream_decoding_work_maximum_length": remaining,
        }
    )


class _Budget:
    def __init__(self) -> None:
        self.remaining = MAX_INFLATED

    def spend(self, stream: Any) -> None:
        from pypdf import apply_configuration

        # no stream may inflate beyond what is left: a bomb stops at the budget, it is never read in full
        with apply_configuration(_limits(max(self.remaining, 1))):
            size = len(stream.get_data())
        self.remaining -= size
        if self.remaining < 0:
            raise _Refused(_too_big())


def _walk(root: Any, budget: _Budget) -> None:
    """Every object reachable from ``root``, once each, without recursion (a deep file is no stack risk)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            _check_dictionary(item)
            if isinstance(item, StreamObject):
                budget.spend(item)
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _check_dictionary(entry: Any) -> None:
    from pypdf.generic import ArrayObject

    keys = set(entry.keys())
    action = str(entry.get("/S", ""))
    if keys & {"/JS", "/JavaScript"} or action == "/JavaScript":
        raise _Refused(_("contains JavaScript; attach the invoice as a plain PDF"))
    uri = entry.get("/URI") if action == "/URI" else None
    if uri is not None and str(uri.get_object()).strip().lower().startswith("javascript:"):
        raise _Refused(_("contains JavaScript; attach the invoice as a plain PDF"))
    # an /OpenAction that is a destination (open at page 1, fit the width) is a view, not an action: allowed
    opens = "/OpenAction" in keys and not isinstance(entry["/OpenAction"].get_object(), ArrayObject)
    if opens or "/AA" in keys or action in FOREIGN_ACTIONS:
        raise _Refused(_("has actions that run by themselves or leave the document; attach a plain PDF"))
    if keys & {"/EmbeddedFiles", "/EmbeddedFile", "/EF"} or entry.get("/Subtype") == "/FileAttachment":
        raise _Refused(_("has embedded files; attach the invoice alone"))
    if keys & {"/AcroForm", "/XFA"}:
        raise _Refused(_("has a form; attach the invoice as a plain (flattened) PDF"))

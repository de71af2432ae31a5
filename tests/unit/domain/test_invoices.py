"""The invoice PDF attached to an invoice certification: only a plain, inert document is accepted."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.invoices import MAX_INFLATED, check_invoice_pdf
from tests import hostile_pdfs

ACTIONS = "has actions that run by themselves or leave the document; attach a plain PDF"
JAVASCRIPT = "contains JavaScript; attach the invoice as a plain PDF"
BOMB = "decompresses to more than 64 MB; attach the invoice as a plain PDF"


def refusal(data: bytes) -> list[FieldError] | None:
    try:
        check_invoice_pdf(data)
    except InvalidInput as refused:
        return refused.errors
    return None


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (hostile_pdfs.encrypted, "is encrypted; attach the invoice without a password or restrictions"),
        (hostile_pdfs.with_javascript, JAVASCRIPT),
        (hostile_pdfs.with_javascript_uri, JAVASCRIPT),
        (hostile_pdfs.with_open_action, ACTIONS),
        (hostile_pdfs.with_page_action, ACTIONS),
        (hostile_pdfs.with_launch, ACTIONS),
        (hostile_pdfs.with_embedded_file, "has embedded files; attach the invoice alone"),
        (hostile_pdfs.with_form, "has a form; attach the invoice as a plain (flattened) PDF"),
        (hostile_pdfs.with_xfa, "has a form; attach the invoice as a plain (flattened) PDF"),
        (lambda: hostile_pdfs.bomb(300), BOMB),
        (lambda: hostile_pdfs.bomb(100, streams=10), BOMB),
        (lambda: hostile_pdfs.plain_invoice(21), "has 21 pages; an invoice has 1 to 20"),
        (lambda: b"%PDF-1.7\n garbage", "is a damaged PDF file"),
        (lambda: b"PK\x03\x04 a zip file", "is not a PDF file"),
    ],
)
def test_what_goes_out_under_the_chambers_name_is_refused_unless_inert(
    make: Callable[[], bytes], reason: str
) -> None:
    assert refusal(make()) == [FieldError("attachment", reason)]


@pytest.mark.parametrize(
    "make",
    [
        hostile_pdfs.plain_invoice,
        lambda: hostile_pdfs.plain_invoice(20),
        hostile_pdfs.with_web_link,  # a link does nothing until the reader follows it
    ],
)
def test_a_plain_invoice_is_accepted(make: Callable[[], bytes]) -> None:
    assert refusal(make()) is None


def test_a_decompression_bomb_is_never_inflated_in_full() -> None:
    bomb = hostile_pdfs.bomb(300)
    assert len(bomb) < 400_000
    tracemalloc.start()
    try:
        assert refusal(bomb) == [FieldError("attachment", BOMB)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the budget, and a copy of it at most: never the 300 MB it would inflate to
    assert peak < 2.5 * MAX_INFLATED

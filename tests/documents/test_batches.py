"""Documents made in batches (documents.pdf.render_split): drawn as pages of shared documents in chunks, on
every core, then split into one PDF per item with its own pages, title and date, in the order given."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from shomei_cli.documents.pdf import SPLIT_CHUNK, Document, map_processes, render_split

WHEN = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    name: str
    pages: int


def draw(pdf: Document, item: Item) -> None:
    for page in range(item.pages):
        pdf.add_page()
        pdf.cell(100, 10, f"{item.name} page {page + 1}")


def title(item: Item) -> str:
    return f"Item {item.name}"


def texts(data: bytes) -> list[str]:
    return [page.extract_text().replace("\x00", "") for page in PdfReader(io.BytesIO(data)).pages]


def test_each_item_gets_its_own_pages_title_and_date_in_order_across_chunks() -> None:
    items = [Item(f"N{n:03d}", 1 + n % 3) for n in range(SPLIT_CHUNK + 5)]  # two chunks
    pdfs = render_split(items, draw, title, WHEN)
    assert len(pdfs) == len(items)
    for item, data in zip(items, pdfs, strict=True):
        assert texts(data) == [f"{item.name} page {n + 1}" for n in range(item.pages)]
        metadata = PdfReader(io.BytesIO(data)).metadata
        assert metadata is not None
        assert (metadata.title, metadata["/CreationDate"]) == (f"Item {item.name}", "D:20261127010000Z")


def test_one_item_is_one_document_and_none_is_nothing() -> None:
    (pdf,) = render_split([Item("ONE", 2)], draw, title, WHEN)
    assert texts(pdf) == ["ONE page 1", "ONE page 2"]
    assert render_split([], draw, title, WHEN) == []


def test_a_fixed_page_count_is_held_to() -> None:
    with pytest.raises(ValueError, match="exactly 1 page"):
        render_split([Item("A", 1), Item("B", 2)], draw, "same", WHEN, pages_per_item=1)


def square(n: int) -> int:
    return n * n


def test_map_processes_keeps_the_order() -> None:
    assert map_processes(square, list(range(7))) == [n * n for n in range(7)]
    assert map_processes(square, []) == []

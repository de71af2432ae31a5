"""Text that no column can hold is named, wherever it sits in a value, before anything is looked up."""

from __future__ import annotations

from dataclasses import dataclass

from shomei_cli.domain.errors import FieldError
from shomei_cli.domain.validation import unstorable

NUL = "must not contain NUL or unpaired surrogate characters"


@dataclass
class Query:
    status: str | None
    before: str | None


def test_nul_and_lone_surrogates_are_named_by_their_path() -> None:
    content = {"consignee": {"name": "ACME\x00"}, "goods": [{"description": "ok"}, {"description": "\udc80"}]}
    assert unstorable("content", content) == [
        FieldError("content.consignee.name", NUL),
        FieldError("content.goods.2.description", NUL),
    ]
    assert unstorable("query", Query("issued", "AP\x00")) == [FieldError("before", NUL)]
    assert unstorable("refs", ["AP0000001", "AP\x00"], identifier=True) == [FieldError("refs.2", NUL)]


def test_identifiers_are_at_most_64_characters_and_free_text_is_left_to_its_field_rules() -> None:
    assert unstorable("ref", "A" * 64, identifier=True) == []
    assert unstorable("ref", "A" * 65, identifier=True) == [
        FieldError("ref", "must be at most 64 characters (it has 65)")
    ]
    assert unstorable("reason", "A" * 5000) == []
    assert unstorable("content", {"remarks": "髙橋ビル①\n㈱"}) == []
    assert unstorable("attachment", b"%PDF-\x00") == []

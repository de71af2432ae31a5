"""Batch onboarding of signers: a CSV file (UTF-8 or Excel's CP932) and the images it names. Every row is
checked before anything is written; a re-run reports the signers already there."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.records import SignerImport
from shomei_cli.services import review, signers
from shomei_cli.services.core import Core
from shomei_cli.store.tables import ReviewItem, Signer
from tests.unit.signers.conftest import (
    Login,
    audit_events,
    count,
    jpeg_signature,
    particulars,
    png_signature,
    snapshot,
    transparent_signature,
)

HEADER = ("氏名", "氏名(英字)", "役職", "役職(英字)", "サイン")
ROWS = [
    ("大阪 正人", "Osaka Masahito", "代表取締役", "President", "osaka.png"),
    ("田中 一郎", "Tanaka Ichiro", "取締役輸出部長", "Director, Export", "tanaka.jpg"),
]


SIXTEENTH = "is required: the company already has 15 signers (a 16th and later signer needs a written reason)"


def csv_file(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def images() -> dict[str, bytes]:
    return {"osaka.png": png_signature(), "tanaka.jpg": jpeg_signature(), "sato.png": transparent_signature()}


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_a_csv_and_its_images_register_every_row_pending_review(
    core: Core, admin: Login, staff: Login, encoding: str
) -> None:
    results = signers.import_signers(core, admin.actor, csv_file(ROWS, encoding=encoding), images())

    assert results == [
        SignerImport(2, "created", "SG000001", "大阪 正人", "Osaka Masahito", "pending"),
        SignerImport(3, "created", "SG000002", "田中 一郎", "Tanaka Ichiro", "pending"),
    ]
    assert [(i.reference, i.kind) for i in review.list_items(core, staff.actor, None, None)] == [
        ("SG000001", "signer_addition"),
        ("SG000002", "signer_addition"),
    ]
    tanaka = signers.show_signer(core, admin.actor, "SG000002")
    assert (tanaka.title, tanaka.title_en) == ("取締役輸出部長", "Director, Export")
    stored = signers.signature_image(core, admin.actor, "SG000002")
    assert stored.startswith(b"\x89PNG\r\n\x1a\n") and stored == signers.signature_image(
        core, admin.actor, "SG000001"
    )


def test_a_rerun_reports_the_signers_already_there_and_adds_only_the_new_ones(
    core: Core, admin: Login, staff: Login
) -> None:
    signers.import_signers(core, admin.actor, csv_file(ROWS), images())
    review.decide(core, staff.actor, "SG000001", "approve", None)
    grown = [*ROWS, ("佐藤 健", "Sato Ken", "輸出課長", "Export Manager", "sato.png")]

    again = signers.import_signers(core, admin.actor, csv_file(grown, encoding="cp932"), images())

    assert again == [
        SignerImport(2, "exists", "SG000001", "大阪 正人", "Osaka Masahito", "active"),
        SignerImport(3, "exists", "SG000002", "田中 一郎", "Tanaka Ichiro", "pending"),
        SignerImport(4, "created", "SG000003", "佐藤 健", "Sato Ken", "pending"),
    ]
    assert count(core, Signer) == 3
    assert [e[2] for e in audit_events(core) if e[1] == "signer.add"] == ["SG000001", "SG000002", "SG000003"]


def test_every_row_is_checked_first_and_nothing_is_written_if_any_is_bad(core: Core, admin: Login) -> None:
    rows = [
        ("大阪 正人", "Osaka Masahito", "代表取締役", "President", "missing.png"),
        ("田中 一郎", "Tanaka Ichiro", "取締役", "Director", "broken.png"),
        ("", "Sato Ken", "輸出課長", "Export Manager", "sato.png"),
        ("高橋 一", "Takahashi Hajime", "部長", "Manager", ""),
        ("山本 二郎", "Yamamoto Jiro", "部長", "Manager", "osaka.png"),  # a good row: not written either
    ]
    files = {**images(), "broken.png": b"GIF89a this is not the image it claims to be"}
    before = snapshot(core)

    with pytest.raises(InvalidInput) as refused:
        signers.import_signers(core, admin.actor, csv_file(rows), files)

    assert refused.value.errors == [
        FieldError("signature", "missing.png is not in the signatures folder", 2),
        FieldError("signature", "broken.png is not a readable PNG or JPEG image", 3),
        FieldError("name", "is required", 4),
        FieldError("signature", "is required (the image's file name)", 5),
    ]
    assert refused.value.message == (
        "Invalid input: row 2, signature: missing.png is not in the signatures folder; "
        "row 3, signature: broken.png is not a readable PNG or JPEG image; row 4, name: is required; "
        "row 5, signature: is required (the image's file name)"
    )
    assert snapshot(core) == before
    assert (count(core, Signer), count(core, ReviewItem)) == (0, 0)
    assert [e for e in audit_events(core) if e[1] == "signer.add"] == []


def test_a_missing_column_is_named(core: Core, admin: Login) -> None:
    with pytest.raises(InvalidInput) as refused:
        signers.import_signers(core, admin.actor, csv_file([r[:4] for r in ROWS], HEADER[:4]), images())

    assert refused.value.errors == [FieldError("signature", "column is missing", 1)]


def test_the_16th_row_needs_a_reason_and_without_one_nothing_is_written(core: Core, admin: Login) -> None:
    rows = [(*(str(v) for v in particulars(n).values()), "osaka.png") for n in range(1, 17)]

    with pytest.raises(InvalidInput) as refused:
        signers.import_signers(core, admin.actor, csv_file(rows), images())

    assert refused.value.errors == [FieldError("reason", SIXTEENTH, 17)]
    assert count(core, Signer) == 0

    with_reasons = [(*row, "海外拠点の署名者" if n == 16 else "") for n, row in enumerate(rows, start=1)]
    results = signers.import_signers(core, admin.actor, csv_file(with_reasons, (*HEADER, "理由")), images())

    assert [(r.row, r.outcome, r.reference) for r in results][-1] == (17, "created", "SG000016")
    assert count(core, Signer) == 16


def test_a_rejected_signer_can_be_registered_anew_by_import(core: Core, admin: Login, staff: Login) -> None:
    signers.import_signers(core, admin.actor, csv_file(ROWS[:1]), images())
    review.decide(core, staff.actor, "SG000001", "reject", "The signature does not match the passport.")

    again = signers.import_signers(core, admin.actor, csv_file(ROWS[:1]), images())

    assert again == [SignerImport(2, "created", "SG000002", "大阪 正人", "Osaka Masahito", "pending")]

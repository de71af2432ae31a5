"""Onboarding signers: `signer import` of N signers and their N 署名登録証, against one document.

    python benchmarks/signers.py [--signers 200]

Runs the services in-process on a fresh SQLite store and prints, side by side: the import, the chamber's
approvals, printing the N cards as separate PDFs (as `shomei signer card` does, in batches), and the same
cards as pages of one document. Goal (issue 5): cost per separate PDF <= 4 x cost per page in one document.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

PASSWORD = "kumo-no-ue-de-odoru-77"
BATCH = 50


def signature(seed: int) -> bytes:
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    points = [(60 + i * 8, 150 + ((i * 37 + seed * 11) % 90) - 45) for i in range(100)]
    draw.line(points, fill=(10, 10, 40), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signers", type=int, default=200)
    args = parser.parse_args()
    from shomei_cli.documents.cards import SignerCardData, render_signer_cards, render_signer_cards_document
    from shomei_cli.services import auth, chambers, registrations, review, signers
    from shomei_cli.services.core import Core
    from shomei_cli.store.tables import Signer

    def activate(core: Core, login_id: str, initial: str) -> auth.Actor:
        token = auth.login(core, "1301", login_id, initial).token
        auth.change_password(
            core, auth.authenticate(core, token, allow_temporary_password=True), initial, PASSWORD
        )
        return auth.authenticate(core, auth.login(core, "1301", login_id, PASSWORD).token)

    with tempfile.TemporaryDirectory() as directory:
        core = Core.open(f"sqlite:///{Path(directory) / 'bench.db'}")
        created = chambers.init_chamber(core, "1301", "東京商工会議所", "Tokyo CCI")
        staff = activate(core, "S00001", created.staff.initial_password)
        example = Path(__file__).resolve().parent.parent / "docs" / "examples" / "registrations.csv"
        registrations.issue_from_csv(core, staff, example.read_bytes())
        (admin_card,) = registrations.print_cards(core, staff, ["1301000001"])
        assert admin_card.password is not None
        admin = activate(core, "A1301000001", admin_card.password)

        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(["name", "name_en", "title", "title_en", "signature", "reason"])
        images = {}
        for i in range(args.signers):
            images[f"s{i}.png"] = signature(i)
            writer.writerow(
                [
                    f"署名者 {i}号",
                    f"Signer Number {i}",
                    "輸出部長",
                    "Export Manager",
                    f"s{i}.png",
                    "大口輸出のため" if i >= 15 else "",
                ]
            )
        start = time.perf_counter()
        imported = signers.import_signers(core, admin, buffer.getvalue().encode(), images)
        t_import = time.perf_counter() - start
        start = time.perf_counter()
        for row in imported:
            review.decide(core, staff, row.reference, "approve", None)
        t_approve = time.perf_counter() - start
        refs = [row.reference for row in imported]
        start = time.perf_counter()
        printed = []
        for begin in range(0, len(refs), BATCH):
            printed += signers.print_signer_cards(core, admin, refs[begin : begin + BATCH])
        t_cards = time.perf_counter() - start
        with core.read() as session:
            rows = {s.reference: s for s in session.exec(Signer.__table__.select())}  # type: ignore[attr-defined]
        data = [
            SignerCardData(
                chamber_code="1301",
                chamber_name="東京商工会議所",
                registration_number="1301000001",
                company_name="日商テスト商事株式会社",
                company_name_en="Nissho Test Co., Ltd.",
                name=rows[r].name,
                name_en=rows[r].name_en,
                title=rows[r].title,
                title_en=rows[r].title_en,
                birth_date=None,
                address=None,
                address_en=None,
                user_id=p.login_id,
                password=p.password,
                password_notice=None,
                signature_png=rows[r].signature_png,
                issued_on=p.first_printed_at.date(),
                printed_at=p.first_printed_at,
                time_zone="Asia/Tokyo",
            )
            for r, p in zip(refs, printed, strict=True)
        ]
        start = time.perf_counter()
        render_signer_cards_document(data)
        t_document = time.perf_counter() - start
        start = time.perf_counter()
        render_signer_cards(data)
        t_separate = time.perf_counter() - start
        core.close()
    n = args.signers
    per_card = t_cards / n
    per_page = t_document / n
    print(f"Onboarding {n} signers (services in-process, SQLite)")
    print(f"{'signer import (validation, images, one transaction)':58} {t_import:8.2f} s")
    print(f"{'chamber approvals':58} {t_approve:8.2f} s")
    print(
        f"{f'{n} 署名登録証 as separate PDFs (user IDs issued, hashed)':58} {t_cards:8.2f} s   "
        f"{per_card * 1000:.1f} ms/card"
    )
    print(
        f"{f'the same {n} cards as pages of one document':58} {t_document:8.2f} s   "
        f"{per_page * 1000:.1f} ms/page"
    )
    per_pdf = t_separate / n
    label = f"the same {n} cards rendered as separate PDFs (chunked, split)"
    print(f"{label:58} {t_separate:8.2f} s   {per_pdf * 1000:.1f} ms/PDF")
    print(f"total (import + approvals + cards) {t_import + t_approve + t_cards:.2f} s")
    ratio = per_pdf / per_page
    print(
        f"rendering: per separate PDF / per page in one document = {ratio:.2f}  (goal <= 4: "
        f"{'MET' if ratio <= 4 else 'NOT MET'})"
    )
    print(
        "the whole first print (user ID, argon2 hash, records, PDF) per card / per page = "
        f"{per_card / per_page:.2f}"
    )


if __name__ == "__main__":
    main()

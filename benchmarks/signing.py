"""What the chamber's signature costs: signing one certificate, and the whole print it is part of.

    python benchmarks/signing.py [--certificates 30]

Issues CERTIFICATES certificates of origin (ORIGINAL and one COPY page each) through the services on a fresh
SQLite store (benchmarks/applications.py's company), then measures, per certificate:

- drawing it (``render_certificate``), the floor of a print;
- signing the drawn PDF with the chamber's key: its data embedded and a visible PAdES signature in box 10
  (``signing.pades.sign_documents``), and the same invisibly (as a receipt is signed); goal <= 50 ms;
- the whole print through the services (``print_certificate``: the checks, the print recorded, drawn and
  signed in one transaction);
- checking the signed file offline (``documents.verify.check_document`` against the chamber's kit).

Prints the median and the 90th percentile of each in milliseconds. Nothing here asserts; it only measures.
The machine's other load shows in every figure alike; say what it was.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from applications import setup
from printing import issue

GOAL_MS = 50.0


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return f"{name:<44} median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms   (n={len(samples)})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--certificates", type=int, default=30)
    options = parser.parse_args()

    from shomei_cli.documents import verify
    from shomei_cli.documents.certificates import render_certificate
    from shomei_cli.documents.issued import dumps
    from shomei_cli.services import api, applications
    from shomei_cli.services.audit import require
    from shomei_cli.signing import issued, keystore, pades
    from shomei_cli.store.tables import Chamber

    with tempfile.TemporaryDirectory() as home:
        made: Any = setup(Path(home))
        core, staff, signer = made[0], made[1], made[2]
        refs = issue(core, staff, signer, options.certificates)
        action = applications.Action.CERTIFICATE_PRINT
        scope = require(core, signer, action)
        with core.write() as session:
            chamber = session.get_one(Chamber, signer.chamber_id)
            row = keystore.ensure(session, core, chamber, core.clock.now())
            identity = keystore.signing_identity(core, row)
            root = keystore.root_fingerprint(row)
            found = [applications._find(session, signer, scope, ref, action) for ref in refs]
            data = [applications._certificate_data(session, core, a, root) for a in found]
            signed_data = [dumps(applications._issued_json(d, chamber)) for d in data]
        kit = verify.kit_from_record(api.verification_kit(core))

        drawing, visible, invisible, checking = [], [], [], []
        for item, document in zip(data, signed_data, strict=True):
            ms, pdf = timed(lambda item=item: render_certificate(item))
            drawing.append(ms)

            def sign(placement: Any, pdf: bytes = pdf, document: bytes = document) -> bytes:
                to_sign = pades.ToSign(pdf, document, "data", placement, "Issued", None, core.clock.now())
                (signed,) = pades.sign_documents(identity, [to_sign], None)
                return signed

            ms, signed = timed(lambda pdf=pdf: sign(issued.placement("co", pdf, 1)))
            visible.append(ms)
            invisible.append(timed(lambda: sign(None))[0])
            checking.append(timed(lambda signed=signed: verify.check_document(signed, kit))[0])
        whole = [timed(lambda ref=ref: applications.print_certificate(core, signer, ref))[0] for ref in refs]

    print(f"{options.certificates} certificates of origin, ORIGINAL and one COPY page each")
    print(summary("drawn (render_certificate)", drawing))
    print(summary("signed, visible in box 10, data embedded", visible))
    print(summary("signed, invisible (as a receipt)", invisible))
    print(summary("whole print (print_certificate)", whole))
    print(summary("checked offline (check_document)", checking))
    verdict = "met" if statistics.median(visible) <= GOAL_MS else "NOT met"
    print(f"goal: a visible signature <= {GOAL_MS:.0f} ms median: {verdict}")


if __name__ == "__main__":
    main()

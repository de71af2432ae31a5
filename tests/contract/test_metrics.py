"""What the server counts for /metrics (server/metrics.py): logins by outcome, payments by method and issued
certificates, once per request that did it; the embedded store counts nothing (it has no /metrics)."""

from __future__ import annotations

from prometheus_client import REGISTRY

from shomei_cli.backends.base import Backend
from tests.contract.companies import FIRST, example_json_form, outcome, the_signer, with_signer
from tests.contract.conftest import CHAMBER_CODE, MakeBackend
from tests.helpers import TEST_PASSWORD


def counts() -> dict[str, float]:
    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    return {
        "login ok": value("shomei_logins_total", outcome="success"),
        "login failed": value("shomei_logins_total", outcome="failure"),
        "prepaid": value("shomei_payments_total", method="prepaid"),
        "transfer": value("shomei_payments_total", method="transfer"),
        "issued": value("shomei_certificates_issued_total"),
    }


def test_the_server_counts_logins_payments_and_issued_certificates(
    make_backend: MakeBackend, staff: Backend, way: str
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    signer.apply("co", example_json_form("shipment"), None, False)
    signer.apply("co", example_json_form("shipment"), None, False)
    staff.decide_review("1301-00000001", "approve", None)
    staff.decide_review("1301-00000002", "approve", None)
    staff.topup(FIRST, 10_000)
    before = counts()

    staff.confirm_payment("AP0000002", "transfer", "MIZUHO-1127-0042")  # before staff's session ends below
    make_backend().login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    outcome(lambda: make_backend().login(CHAMBER_CODE, "S00001", "wrong-password-1234"))
    signer.pay_application("AP0000001", "prepaid", None)
    outcome(lambda: signer.pay_application("AP0000001", "prepaid", None))  # refused: already issued

    after = counts()
    served = 1 if way.startswith("remote-") else 0
    assert {k: after[k] - before[k] for k in after} == {
        "login ok": served,
        "login failed": served,
        "prepaid": served,
        "transfer": served,
        "issued": 2 * served,
    }

"""`shomei chamber payment provider` and `shomei cert pay --method card` as users type them: the secret from a
file or the environment only, never printed; the payment page's address; the notification that issues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.payments import sign_notification
from shomei_cli.services import api
from shomei_cli.services.core import Core
from tests.cli.conftest import Shomei
from tests.cli.test_cert_cli import company, issue, ok, quick, workdir  # noqa: F401  (fixtures)

SECRET = "whsec_6b1f0f4e3c2a49d8a7e5c3b1f9d2e4a6"
CHECKOUT = "https://pay.example-psp.jp/checkout"


def test_staff_set_the_provider_from_a_file_and_a_signer_pays_by_card(
    company: dict[str, Shomei],
    workdir: Path,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff, sub = company["staff"], company["sub"]
    (workdir / "psp-secret.txt").write_text(SECRET + "\n")
    shown = ok(
        staff(
            "chamber",
            "payment",
            "provider",
            "set",
            "--checkout-url",
            CHECKOUT,
            "--secret-file",
            "psp-secret.txt",
        )
    )
    assert shown.stdout.splitlines() == [
        f"checkout page     {CHECKOUT}",
        "shared secret     set",
        "notifications to  /api/v1/payments/notify",
    ]
    assert SECRET not in shown.stdout + shown.stderr
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    ok(staff("chamber", "review", "approve", "1301-00000001"))
    paying = ok(sub("cert", "pay", "AP0000001", "--method", "card"))
    assert paying.stderr == (
        "Pay ¥1,360 at the chamber's payment page below. The certificate is issued when the payment arrives: "
        "`shomei cert show 1301-00000001` then says issued.\n"
    )
    (url,) = paying.stdout.splitlines()
    assert url.startswith(CHECKOUT + "?merchant=1301&session=cs_")
    assert ok(sub("cert", "show", "AP0000001", "--json")).json()["summary"]["status"] == "awaiting_payment"
    session = url.split("session=")[1].split("&")[0]
    body = json.dumps(
        {
            "id": "evt_1",
            "type": "payment.succeeded",
            "merchant": "1301",
            "session": session,
            "amount": 1360,
            "currency": "JPY",
            "payment_id": "pi_1",
        }
    ).encode()
    core = Core.open(f"sqlite:///{tmp_path / 'cli.db'}", clock=clock, secret_key=_cli_key())
    try:
        result = api.payment_notification(
            core, body, sign_notification(SECRET, int(clock.now().timestamp()), body)
        )
    finally:
        core.close()
    assert result.outcome == "issued"
    assert ok(sub("cert", "show", "AP0000001", "--json")).json()["summary"]["status"] == "issued"


def _cli_key() -> bytes:
    from shomei_cli import config, keys

    return keys.configured_key(config.paths().config_dir / keys.KEY_FILE_NAME)


def test_the_secret_comes_from_the_environment_or_a_file_and_never_the_command_line(
    company: dict[str, Shomei], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = company["staff"]
    monkeypatch.setenv("PSP_SECRET", SECRET)
    ok(
        staff(
            "chamber", "payment", "provider", "set", "--checkout-url", CHECKOUT, "--secret-env", "PSP_SECRET"
        )
    )
    assert ok(staff("chamber", "payment", "provider", "show", "--json")).json() == {
        "checkout_url": CHECKOUT,
        "secret_set": True,
        "notify_path": "/api/v1/payments/notify",
    }
    for args, message in (
        ((), "give exactly one of --secret-file and --secret-env"),
        (
            ("--secret-env", "PSP_SECRET", "--secret-file", "x"),
            "give exactly one of --secret-file and --secret-env",
        ),
        (("--secret-env", "NOT_SET_ANYWHERE"), "the environment variable NOT_SET_ANYWHERE is not set"),
    ):
        refused = staff("chamber", "payment", "provider", "set", "--checkout-url", CHECKOUT, *args)
        assert refused.exit_code == 2
        assert message in refused.stderr
    assert (
        staff(
            "chamber", "payment", "provider", "set", "--checkout-url", CHECKOUT, "--secret", SECRET
        ).exit_code
        == 2
    )
    cleared = ok(staff("chamber", "payment", "provider", "clear", "--json")).json()
    assert cleared["checkout_url"] is None
    refused = company["signer"]("chamber", "payment", "provider", "show")
    assert refused.exit_code == 4

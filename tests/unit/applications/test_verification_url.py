"""Where a certificate's QR code points: the chamber's own verification URL, else the public address of the
server that issued it (`shomei serve --public-url`, whose /verify page answers), else an address that plainly
is not configured (.invalid never resolves)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import api
from shomei_cli.services.applications import UNSET_VERIFICATION_URL, verification_base
from tests.helpers import unsigned
from tests.unit.applications.conftest import SQLITE_ONLY, World


@pytest.mark.parametrize(
    ("setting", "public_url", "expected"),
    [
        ("https://cci.example.jp/check", "https://shomei.example.jp", "https://cci.example.jp/check"),
        (None, "https://shomei.example.jp", "https://shomei.example.jp/verify"),
        (None, "https://shomei.example.jp/", "https://shomei.example.jp/verify"),
        ("", "https://shomei.example.jp/app", "https://shomei.example.jp/app/verify"),
        (None, None, "https://verify.invalid/verify"),
    ],
)
def test_the_chamber_setting_wins_then_the_servers_address(
    setting: str | None, public_url: str | None, expected: str
) -> None:
    assert verification_base(setting, public_url) == expected
    assert UNSET_VERIFICATION_URL == "https://verify.invalid/verify"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The data each certificate is drawn from."""
    seen: list[Any] = []

    def draw(certificates: list[Any]) -> list[bytes]:
        seen.extend(certificates)
        return [b"%PDF-stub certificate" for _ in certificates]

    monkeypatch.setattr("shomei_cli.documents.certificates.render_certificates", draw)
    monkeypatch.setattr("shomei_cli.signing.issued.sign_issued", unsigned)
    return seen


@SQLITE_ONLY
def test_a_server_with_a_public_url_points_qr_codes_at_its_own_page(
    world: World, database_url: str, drawn: list[Any]
) -> None:
    issued = world.issued(world.sub_a1)
    settings = ServerSettings(database_url=database_url, public_url="https://shomei.example-cci.or.jp")
    with TestClient(create_app(settings, core=world.core)):
        api.print_certificate(world.core, world.token(world.sub_a1), "AP0000001")
    assert [d.verification_url for d in drawn] == [
        f"https://shomei.example-cci.or.jp/verify?n=1301-2026-0000001&c={issued.access_code}"
    ]
    # the chamber's own setting wins
    api.chamber_settings(world.core, world.token(world.staff), "https://cci.example.jp/check")
    api.print_certificate(world.core, world.token(world.sub_a1), "AP0000001")
    assert (
        drawn[1].verification_url
        == f"https://cci.example.jp/check?n=1301-2026-0000001&c={issued.access_code}"
    )

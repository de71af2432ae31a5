"""The public verification page the QR code opens (GET /verify) and its JSON twin
(POST /api/v1/verifications, the access code in the body), through FastAPI's TestClient on the world's
store: genuine with the particulars, a wrong code answered as an unknown number, the empty form, and the
limit of 30 checks a minute from one client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from tests.unit.applications.conftest import SQLITE_ONLY, World

pytestmark = SQLITE_ONLY

GENUINE = ("この証明書は真正です。", "This certificate is genuine.")
NOT_FOUND = ("該当する証明書はありません。", "No such certificate: the number or the access code is wrong.")
EMPTY = ("証明書番号とアクセスコードを入力してください。", "Enter the certificate number and access code.")
LIMITED = "照会が多すぎます。"


@pytest.fixture
def issued(world: World) -> Any:
    return world.issued(world.sub_a1)


@pytest.fixture
def client(world: World, database_url: str) -> Iterator[TestClient]:
    app = create_app(ServerSettings(database_url=database_url), core=world.core)
    with TestClient(app) as test_client:
        yield test_client


def wrong(code: str) -> str:
    return "A" * 10 if code != "A" * 10 else "B" * 10


def test_the_page_says_genuine_with_the_particulars(client: TestClient, issued: Any) -> None:
    page = client.get("/verify", params={"n": "1301-2026-0000001", "c": issued.access_code})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for expected in (
        *GENUINE,
        "<dt>証明書番号 Certificate No.</dt><dd>1301-2026-0000001</dd>",
        "<dt>発給 Issued by</dt><dd>Tokyo Chamber of Commerce and Industry</dd>",
        "<dt>発給日 Issued on</dt><dd>2026-11-27</dd>",
        "<dt>輸出者 Exporter</dt><dd>Nissho Test Co., Ltd.</dd>",
        "<dt>荷受人 Consignee</dt><dd>ACME Pumps Inc.</dd>",
        "<dt>仕向地 Destination</dt><dd>US</dd>",
        "<li>Centrifugal pumps (120 pcs)</li><li>Parts of pumps (350.5 kg)</li>",
    ):
        assert expected in page.text
    for absent in (*NOT_FOUND, EMPTY[0]):
        assert absent not in page.text
    # the page shows what `cert verify` shows, and no more: not the access code, not the applicant
    assert issued.access_code not in page.text.replace(f'value="{issued.access_code}"', "")
    assert "SB000001" not in page.text and "1301000001" not in page.text


def test_a_wrong_code_shows_not_found_and_nothing_of_the_certificate(client: TestClient, issued: Any) -> None:
    page = client.get("/verify", params={"n": "1301-2026-0000001", "c": wrong(issued.access_code)})
    unknown = client.get("/verify", params={"n": "1301-2026-0000001", "c": "X"})
    assert page.status_code == unknown.status_code == 200
    for expected in NOT_FOUND:
        assert expected in page.text
    for absent in (*GENUINE, "ACME Pumps Inc.", "Nissho Test", "Centrifugal pumps", "2026-11-27"):
        assert absent not in page.text
    assert page.text == unknown.text
    # the JSON endpoint: a wrong code is exactly an unknown number
    answer = client.post(
        "/api/v1/verifications", json={"number": "1301-2026-0000001", "code": wrong(issued.access_code)}
    )
    nowhere = client.post(
        "/api/v1/verifications", json={"number": "1301-2026-0009999", "code": issued.access_code}
    )
    assert answer.status_code == nowhere.status_code == 200
    assert answer.json() == {
        "status": "not_found",
        "certificate_number": "1301-2026-0000001",
        "type": None,
        "chamber": None,
        "issued_on": None,
        "cancelled_on": None,
        "exporter": None,
        "consignee": None,
        "destination_country": None,
        "goods": [],
    }
    assert nowhere.json() == {**answer.json(), "certificate_number": "1301-2026-0009999"}
    genuine = client.post(
        "/api/v1/verifications", json={"number": "1301-2026-0000001", "code": issued.access_code}
    )
    assert genuine.json() == {
        "status": "genuine",
        "certificate_number": "1301-2026-0000001",
        "type": "co",
        "chamber": "Tokyo Chamber of Commerce and Industry",
        "issued_on": "2026-11-27",
        "cancelled_on": None,
        "exporter": "Nissho Test Co., Ltd.",
        "consignee": "ACME Pumps Inc.",
        "destination_country": "US",
        "goods": ["Centrifugal pumps (120 pcs)", "Parts of pumps (350.5 kg)"],
    }


@pytest.mark.parametrize("params", [{}, {"n": "1301-2026-0000001"}, {"c": "ABCDEFGHJK"}])
def test_without_both_number_and_code_the_page_is_the_form(
    client: TestClient, params: dict[str, str]
) -> None:
    page = client.get("/verify", params=params)
    assert page.status_code == 200
    for expected in (*EMPTY, '<form method="get" action="/verify">', '<input name="n"', '<input name="c"'):
        assert expected in page.text
    for absent in (*GENUINE, *NOT_FOUND):
        assert absent not in page.text
    assert f'<input name="n" value="{params.get("n", "")}"' in page.text


def test_a_number_with_markup_is_escaped(client: TestClient) -> None:
    page = client.get("/verify", params={"n": '"><script>alert(1)</script>', "c": "ABCDEFGHJK"})
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text


def test_the_thirty_first_check_in_a_minute_is_refused(client: TestClient, issued: Any) -> None:
    params = {"n": "1301-2026-0000001", "c": issued.access_code}
    statuses = [client.get("/verify", params=params).status_code for _ in range(30)]
    assert statuses == [200] * 30
    limited = client.get("/verify", params=params)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert LIMITED in limited.text
    for absent in (*GENUINE, "ACME Pumps Inc."):
        assert absent not in limited.text
    # the JSON endpoint counts against the same limit; the empty form does not
    assert (
        client.post("/api/v1/verifications", json={"number": params["n"], "code": params["c"]}).status_code
        == 429
    )
    assert client.get("/verify").status_code == 200

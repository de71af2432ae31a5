"""RemoteBackend's transport rules, against a mock transport: what is retried, what becomes which error."""

from __future__ import annotations

import httpx
import pytest

from shomei_cli.backends.remote import RemoteBackend, is_insecure_endpoint
from shomei_cli.domain.errors import InvalidInput, SessionEnded, ShomeiError, Unavailable

IDENTITY = {
    "chamber_code": "1301",
    "chamber_name": "東京商工会議所",
    "login_id": "S00001",
    "role": "staff",
    "name": "First staff",
    "registration_number": None,
    "must_change_password": False,
    "session_started_at": "2026-11-27T01:00:00Z",
    "session_expires_at": "2026-11-27T02:00:00Z",
}


def backend_answering(*responses: httpx.Response | Exception) -> tuple[RemoteBackend, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    return RemoteBackend("http://127.0.0.1:9", "tok", client=client, retry_pause=0), seen


def problem(status: int, code: str, detail: str, **extra: object) -> httpx.Response:
    body = {"type": f"urn:shomei:problem:{code}", "title": code, "status": status, "detail": detail}
    return httpx.Response(status, json={**body, "code": code, **extra})


def test_reads_are_retried_after_503_and_connection_failures() -> None:
    backend, seen = backend_answering(
        httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(200, json=IDENTITY)
    )
    assert backend.whoami().login_id == "S00001"
    assert len(seen) == 3
    assert seen[0].headers["Authorization"] == "Bearer tok"


def test_writes_are_never_sent_twice() -> None:
    backend, seen = backend_answering(httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable) as caught:
        backend.add_staff("Suzuki", None)
    assert caught.value.message == "The endpoint http://127.0.0.1:9 timed out (ReadTimeout)."
    assert len(seen) == 1


def test_reads_give_up_after_three_tries_with_exit_8_wording() -> None:
    backend, seen = backend_answering(*(httpx.ConnectError("refused") for _ in range(3)))
    with pytest.raises(Unavailable) as caught:
        backend.whoami()
    assert caught.value.message == "The endpoint http://127.0.0.1:9 cannot be reached (ConnectError)."
    assert len(seen) == 3


def test_problem_documents_become_the_same_domain_errors() -> None:
    backend, _ = backend_answering(
        problem(401, "session_ended", "ended elsewhere", reason="superseded"),
        problem(
            422,
            "invalid_input",
            "Invalid input: name: is required",
            errors=[{"field": "name", "reason": "is required"}],
        ),
    )
    with pytest.raises(SessionEnded) as ended:
        backend.whoami()
    assert (ended.value.message, ended.value.reason) == ("ended elsewhere", "superseded")
    with pytest.raises(InvalidInput) as invalid:
        backend.add_staff("", None)
    assert [(e.field, e.reason) for e in invalid.value.errors] == [("name", "is required")]


def test_a_5xx_without_a_problem_document_is_unavailable_and_a_4xx_is_unexpected() -> None:
    backend, _ = backend_answering(httpx.Response(500, text="oops"), httpx.Response(404, text="nope"))
    with pytest.raises(Unavailable, match="answered 500 without an explanation"):
        backend.add_staff("x", None)
    with pytest.raises(ShomeiError, match="answered 404 unexpectedly"):
        backend.add_staff("x", None)


@pytest.mark.parametrize(
    ("endpoint", "insecure"),
    [
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://[::1]:8000", False),
        ("http://127.8.9.1", False),
        ("https://shomei.example.jp", False),
        ("http://shomei.example.jp", True),
        ("http://192.0.2.10:8000", True),
    ],
)
def test_plain_http_is_insecure_unless_loopback(endpoint: str, insecure: bool) -> None:
    assert is_insecure_endpoint(endpoint) is insecure

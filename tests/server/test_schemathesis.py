"""Schemathesis against the server's own OpenAPI schema (/api/v1/openapi.json), in-process (ASGI) on SQLite.

No generated request may get a server error (5xx), and every response must conform to the schema: a documented
status code, a documented content type, and a body valid against the documented schema. Problem documents are
checked here as well, since the schema leaves their body schema empty (see ``check_problem``).

Sessions. A token is made once per test (per operation), and every generated case of the authenticated run
carries it. Two operations can end that session: the logout, and a password change (only if the generator
guessed the current password, but then every later case would get 401 and the "authenticated" run would
silently test the 401 path only). Rather than log in again before every case of every operation (one argon2
verification each), those two are left out of the authenticated run and get a run of their own that logs in
afresh before each case and follows a successful password change. The authenticated run asserts that the
token it sent never gets 401, so its coverage really is authenticated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shomei_cli.domain.clock import FixedClock
from shomei_cli.server.app import create_app
from shomei_cli.server.problems import PROBLEM_MEDIA_TYPE
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import auth, chambers
from shomei_cli.services.core import Core
from tests.helpers import TEST_PASSWORD, activate

API = "/api/v1"
SPEC = f"{API}/openapi.json"
CHAMBER = "1301"
STAFF_ID = "S00001"
LOGIN = f"POST {API}/sessions"
LOGOUT = f"DELETE {API}/sessions/current"
CHANGE_PASSWORD = f"PUT {API}/me/password"
AnyCase = schemathesis.Case[Any]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Hypothesis' budget per operation (the fuzzing phase); the examples and coverage phases add their own,
# deterministic cases. Small enough that the file runs in well under a minute on two cores, argon2 included.
# Without a session every case stops at validation (422) or at the 401, before any service: a smaller budget.
_BOUNDS: dict[str, Any] = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
FUZZ = settings(max_examples=25, **_BOUNDS)
FUZZ_WITHOUT_SESSION = settings(max_examples=10, **_BOUNDS)


def _load_schema() -> BaseSchema:
    # Loaded at collection time, so that there is one test per operation (xdist spreads them), from an app
    # over a throw-away in-memory store (the schema does not depend on the data); each test then sends its
    # cases to an app and a store of its own.
    core = Core.open("sqlite://")
    try:
        return schemathesis.openapi.from_asgi(SPEC, create_app(ServerSettings("sqlite://"), core=core))
    finally:
        core.close()


schema = _load_schema()
problem_validator = jsonschema_rs.validator_for(schema.raw_schema["components"]["schemas"]["Problem"])


@dataclass
class Login:
    """The first staff ID's password and a live token of it."""

    token: str
    password: str = TEST_PASSWORD


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only (overrides the conftest's sqlite/postgres pair): the HTTP contract is the same on both."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def login(core: Core) -> Login:
    created = chambers.init_chamber(core, CHAMBER, "東京商工会議所", None)
    return Login(activate(core, CHAMBER, created.staff.login_id, created.staff.initial_password))


@pytest.fixture
def app(database_url: str, core: Core) -> FastAPI:
    """The server over the test's store. Only failed logins count against limits (services/throttle.py);
    the generator's failures may meet a 429, which the schema documents."""
    return create_app(ServerSettings(database_url), core=core)


def call_and_check(case: AnyCase, app: FastAPI, token: str | None) -> schemathesis.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    check_problem(response)
    return response


def check_problem(response: schemathesis.Response) -> None:
    """The schema documents ``application/problem+json`` with an empty schema (FastAPI puts the Problem model
    under ``application/json`` only), so Schemathesis validates no error body: do it here."""
    content_type = response.headers.get("content-type", [""])[0]
    if content_type.startswith(PROBLEM_MEDIA_TYPE):
        body = response.json()
        problem_validator.validate(body)
        assert body["status"] == response.status_code


@schema.exclude(name=[LOGOUT, CHANGE_PASSWORD]).parametrize()
@FUZZ
def test_authenticated(case: AnyCase, app: FastAPI, login: Login) -> None:
    response = call_and_check(case, app, login.token)
    # the coverage phase drops the header on purpose in some cases ("Missing `Authorization`"); a 401 to a
    # case that did send the token would mean the session was lost and the rest of the run unauthenticated
    if "Authorization" in response.request.headers and case.operation.label != LOGIN:
        assert response.status_code != 401, f"the session was lost: {response.text}"


@schema.include(name=[LOGOUT, CHANGE_PASSWORD]).parametrize()
@FUZZ
def test_session_ending(case: AnyCase, app: FastAPI, core: Core, login: Login) -> None:
    """Logout and password change, each case on a fresh session (the previous case may have ended its own)."""
    login.token = auth.login(core, CHAMBER, STAFF_ID, login.password).token
    response = call_and_check(case, app, login.token)
    if case.operation.label == CHANGE_PASSWORD and response.status_code == 204:
        assert isinstance(case.body, dict)
        login.password = str(case.body["new_password"])


@schema.parametrize()
@FUZZ_WITHOUT_SESSION
def test_without_session(case: AnyCase, app: FastAPI) -> None:
    """No token at all: every operation still answers within its schema (401 where a session is needed)."""
    call_and_check(case, app, None)


# -- ordinary tests ------------------------------------------------------------------------------------------


def test_the_eleventh_failure_from_one_client_is_a_documented_429_for_known_and_unknown_ids(
    database_url: str, core: Core, login: Login, clock: FixedClock
) -> None:
    client = TestClient(create_app(ServerSettings(database_url), core=core))
    for login_id in (STAFF_ID, "S09999"):
        body = {"chamber_code": CHAMBER, "login_id": login_id, "password": "wrong-password-123"}
        responses = []
        for _ in range(11):
            clock.advance(timedelta(seconds=60))  # past the ID's delay
            responses.append(client.post(f"{API}/sessions", json=body))
        assert [r.status_code for r in responses] == [401] * 10 + [429]
        refused = responses[10]
        assert refused.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        assert refused.headers["Retry-After"] == "300"
        problem = refused.json()
        problem_validator.validate(problem)
        assert (problem["code"], problem["status"], problem["retry_after"]) == ("rate_limited", 429, 300)


@pytest.mark.parametrize(
    ("method", "path"), [("POST", f"{API}/sessions"), ("POST", f"{API}/staff"), ("PUT", f"{API}/me/password")]
)
def test_undecodable_body_is_a_documented_problem(method: str, path: str, app: FastAPI, login: Login) -> None:
    """A JSON body that is not even text (b"\\x80") gets a documented problem, not the framework's plain 400.

    Found by the fuzzing runs above, which reach it in some runs only: checked here every time.
    """
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {login.token}"}
    response = TestClient(app).request(method, path, headers=headers, content=b"\x80")
    operation = schema[path][method]
    assert str(response.status_code) in operation.definition.raw["responses"]
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    problem = response.json()
    problem_validator.validate(problem)
    assert problem["status"] == response.status_code

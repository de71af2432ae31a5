"""The chamber and its staff IDs."""

from __future__ import annotations

import pytest

from shomei_cli.domain.errors import Conflict, InvalidInput
from shomei_cli.domain.records import NewChamber
from shomei_cli.services import auth, chambers
from shomei_cli.services.core import Core
from tests.helpers import TEST_PASSWORD, actor_for


def test_init_creates_the_chamber_and_a_first_staff_id_with_a_random_password(core: Core) -> None:
    created = chambers.init_chamber(core, "1301", "東京商工会議所", "Tokyo CCI")
    assert (created.code, created.name, created.name_en, created.time_zone) == (
        "1301",
        "東京商工会議所",
        "Tokyo CCI",
        "Asia/Tokyo",
    )
    assert created.staff.login_id == "S00001"
    assert created.staff.role == "staff"
    assert len(created.staff.initial_password) == 16
    result = auth.login(core, "1301", "S00001", created.staff.initial_password)
    assert result.identity.must_change_password is True


def test_init_normalises_a_full_width_code(core: Core) -> None:
    assert chambers.init_chamber(core, "１３０１", "東京商工会議所", None).code == "1301"


def test_init_refuses_an_existing_code(core: Core, chamber: NewChamber) -> None:
    with pytest.raises(Conflict, match="Chamber 1301 already exists"):
        chambers.init_chamber(core, "1301", "another", None)


def test_init_names_every_bad_field(core: Core) -> None:
    with pytest.raises(InvalidInput) as caught:
        chambers.init_chamber(core, "13", "", "x" * 201, "Mars/Olympus")
    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("code", "must be 4 digits, e.g. 1301"),
        ("name", "is required"),
        ("name_en", "must be at most 200 characters (it has 201)"),
        ("time_zone", "is not a known time zone: 'Mars/Olympus'"),
    ]


def test_staff_add_numbers_ids_in_sequence(core: Core, chamber: NewChamber) -> None:
    actor = actor_for(core, "1301", "S00001")
    first = chambers.add_staff(core, actor, "Suzuki", "suzuki@example.jp")
    second = chambers.add_staff(core, actor, "Tanaka")
    assert (first.login_id, second.login_id) == ("S00002", "S00003")
    listed = chambers.list_staff(core, actor)
    assert [(a.login_id, a.name, a.email, a.must_change_password) for a in listed] == [
        ("S00001", "First staff", None, False),
        ("S00002", "Suzuki", "suzuki@example.jp", True),
        ("S00003", "Tanaka", None, True),
    ]


def test_staff_add_rejects_a_bad_email_and_a_control_character(core: Core, chamber: NewChamber) -> None:
    actor = actor_for(core, "1301", "S00001")
    with pytest.raises(InvalidInput) as caught:
        chambers.add_staff(core, actor, "Su\x07zuki", "not-an-email")
    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("name", "must not contain control characters"),
        ("email", "is not an email address"),
    ]


def test_chambers_are_separate_tenants(core: Core, chamber: NewChamber) -> None:
    osaka = chambers.init_chamber(core, "2701", "大阪商工会議所", None)
    assert osaka.staff.login_id == "S00001"  # numbering is per chamber
    tokyo_actor = actor_for(core, "1301", "S00001")
    assert [a.login_id for a in chambers.list_staff(core, tokyo_actor)] == ["S00001"]
    with pytest.raises(Exception, match="Login failed"):
        auth.login(core, "2701", "S00001", TEST_PASSWORD)

"""The password policy (12 to 128 characters, not common, no ID, chamber code or name) and the generator."""

from __future__ import annotations

import string
from random import Random
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shomei_cli.domain.accounts import staff_login_id
from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.passwords import (
    GENERATED_ALPHABET,
    GENERATED_LENGTH,
    MAX_LENGTH,
    MIN_LENGTH,
    check_password,
    common_passwords,
    generate_password,
)

LOGIN_ID = "S00001"
CHAMBER_CODE = "1301"
NAMES = ("東京商工会議所", "Tokyo Chamber of Commerce and Industry", "マルベニトレーディング", "Acme Trading")


def reasons_for(password: str, **kwargs: object) -> list[str]:
    """The reasons check_password gives for ``password`` (empty when it is accepted)."""
    options: dict[str, object] = {"login_id": LOGIN_ID, "chamber_code": CHAMBER_CODE, "names": NAMES}
    options.update(kwargs)
    try:
        check_password(password, **options)  # type: ignore[arg-type]
    except InvalidInput as error:
        errors = error.errors
    else:
        return []
    assert {e.field for e in errors} == {"password"}
    return [e.reason for e in errors]


# -- length ----------------------------------------------------------------------------------------


def test_policy_limits_are_12_and_128() -> None:
    assert (MIN_LENGTH, MAX_LENGTH) == (12, 128)


def test_eleven_characters_are_too_short() -> None:
    assert reasons_for("kumo-no-ue7") == ["must be at least 12 characters (it has 11)"]


def test_twelve_characters_are_enough() -> None:
    assert reasons_for("kumo-no-ue-7") == []


def test_a_64_character_password_is_accepted() -> None:
    password = "correct-horse-battery-staple-" * 2 + "zebra7"
    assert len(password) == 64
    assert reasons_for(password) == []


def test_128_characters_are_accepted_and_129_are_not() -> None:
    accepted = ("hakone-yosemite-" * 8)[:128]
    assert len(accepted) == 128
    assert reasons_for(accepted) == []
    assert reasons_for(accepted + "x") == ["must be at most 128 characters (it has 129)"]


def test_length_counts_characters_not_bytes() -> None:
    # 12 kana are 36 bytes in UTF-8 but 12 characters: long enough.
    assert reasons_for("ふじさんのぼりたいなあゆき") == []
    assert reasons_for("ふじさんのぼりたいなあ") == ["must be at least 12 characters (it has 11)"]


# -- common passwords ------------------------------------------------------------------------------


def test_common_password_list_is_the_30000_of_zxcvbn_lower_cased() -> None:
    passwords = common_passwords()
    assert len(passwords) == 30000
    assert "password1234" in passwords
    assert all(p == p.lower() for p in passwords)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password1234",
        "PASSWORD1234",
        "QWERTY123456",
        "1QAZ2wsx3edc",
        "Ｐａｓｓｗｏｒｄ１２３４",
    ],
)
def test_common_passwords_are_rejected_whatever_their_case_or_width(password: str) -> None:
    assert reasons_for(password) == ["is one of the most common passwords"]


def test_a_keyboard_walk_not_in_the_list_is_accepted() -> None:
    # Not every weak-looking string is in the list: the policy is the list, not a guess.
    assert "qwertyuiopasdf" not in common_passwords()
    assert reasons_for("qwertyuiopasdf") == []


# -- the ID, the chamber code and the names --------------------------------------------------------


@pytest.mark.parametrize("password", ["my-S00001-secret", "my-s00001-secret", "my-Ｓ００００１-secret"])
def test_password_must_not_contain_the_id(password: str) -> None:
    assert reasons_for(password) == ["must not contain the ID"]


@pytest.mark.parametrize("password", ["harbour-1301-tokyo", "harbour-１３０１-tokyo"])
def test_password_must_not_contain_the_chamber_code(password: str) -> None:
    assert reasons_for(password) == ["must not contain the chamber code"]


@pytest.mark.parametrize(
    "password",
    [
        "東京商工会議所のパスワード",
        "i-love-tokyo chamber of commerce and industry",
        "acme trading forever",
        "ＡＣＭＥ　ＴＲＡＤＩＮＧ forever",  # full-width letters and the ideographic space fold to ASCII
        "ﾏﾙﾍﾞﾆﾄﾚｰﾃﾞｨﾝｸﾞ-2026",  # half-width katakana fold to the registered full-width name
    ],
)
def test_password_must_not_contain_the_company_or_chamber_name(password: str) -> None:
    assert reasons_for(password) == ["must not contain the company or chamber name"]


def test_missing_or_empty_names_and_ids_reject_nothing() -> None:
    assert reasons_for("kumo-no-ue-7", login_id="", chamber_code="", names=(None, "")) == []


# -- control characters ----------------------------------------------------------------------------


@pytest.mark.parametrize("control", ["\t", "\n", "\x00", "\x1b", "\x7f"])
def test_control_characters_are_rejected(control: str) -> None:
    assert reasons_for(f"kumo-no{control}ue-77") == ["must not contain control characters"]


# -- several failures at once ----------------------------------------------------------------------


def test_every_broken_rule_is_reported_together_in_order() -> None:
    password = "s00001\x001301"  # 11 characters
    with pytest.raises(InvalidInput) as caught:
        check_password(password, login_id=LOGIN_ID, chamber_code=CHAMBER_CODE, field="new_password")
    assert caught.value.errors == [
        FieldError("new_password", "must be at least 12 characters (it has 11)"),
        FieldError("new_password", "must not contain control characters"),
        FieldError("new_password", "must not contain the ID"),
        FieldError("new_password", "must not contain the chamber code"),
    ]
    assert str(caught.value) == (
        "Invalid input: new_password: must be at least 12 characters (it has 11); "
        "new_password: must not contain control characters; "
        "new_password: must not contain the ID; "
        "new_password: must not contain the chamber code"
    )


def test_a_common_password_that_is_also_a_name_breaks_both_rules() -> None:
    assert reasons_for("peanutbutter", names=("Peanut",)) == [
        "is one of the most common passwords",
        "must not contain the company or chamber name",
    ]


# -- the generator ---------------------------------------------------------------------------------

LOOK_ALIKES = "0Oo1lIi5S2Z"


def test_generated_alphabet_is_letters_and_digits_without_look_alikes() -> None:
    assert set(GENERATED_ALPHABET) == set(string.ascii_letters + string.digits) - set(LOOK_ALIKES)
    assert len(GENERATED_ALPHABET) == 51  # no character twice, so none is favoured


@pytest.mark.parametrize("look_alike", list("0Oo1lIi"))
def test_generated_alphabet_has_no_zero_o_one_l_or_i(look_alike: str) -> None:
    assert look_alike not in GENERATED_ALPHABET


def test_generated_password_is_16_characters_from_the_alphabet() -> None:
    password = generate_password()
    assert GENERATED_LENGTH == 16
    assert len(password) == 16
    assert set(password) <= set(GENERATED_ALPHABET)


def test_generated_password_length_can_be_chosen() -> None:
    assert len(generate_password(20)) == 20


def test_a_thousand_generated_passwords_are_all_distinct() -> None:
    assert len({generate_password() for _ in range(1000)}) == 1000


def test_no_common_password_of_the_generated_length_can_be_generated() -> None:
    # Why the property below holds: no listed password of 16+ characters uses only the alphabet.
    reachable = {c.casefold() for c in GENERATED_ALPHABET}
    assert [p for p in common_passwords() if len(p) >= GENERATED_LENGTH and set(p) <= reachable] == []


# An ID or chamber code is unrelated to every generated password when it holds a character the generator never
# emits (real ones nearly always do: S00001, 1301).
_never_generated = set("0125")
unrelated_ids = st.integers(1, 99999).map(staff_login_id).filter(lambda i: bool(set(i) & _never_generated))
unrelated_codes = st.from_regex(r"\A[0-9]{4}\Z").filter(lambda c: bool(set(c) & _never_generated))


@given(random=st.randoms(use_true_random=False), login_id=unrelated_ids, chamber_code=unrelated_codes)
def test_any_generated_password_passes_the_policy(random: Random, login_id: str, chamber_code: str) -> None:
    with patch("secrets.choice", random.choice):
        password = generate_password()
    check_password(password, login_id=login_id, chamber_code=chamber_code, names=NAMES)

"""Batch issuance from a CSV file: encodings, the header, normalisation, and row-level validation.

Every refusal names its row (the header is row 1, as a spreadsheet shows it) and its column, and leaves the
store exactly as it was.
"""

from __future__ import annotations

import pytest

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.records import IssuedRegistration
from shomei_cli.services import registrations
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from tests.unit.registrations.conftest import (
    EXAMPLE_CSV,
    FIELDS,
    corporate_number,
    counts,
    csv_bytes,
    valid_row,
    wrong_check_digit,
)

EXAMPLE_ISSUED = [
    IssuedRegistration(
        row=2,
        outcome="created",
        registration_number="1301000001",
        corporate_number="2010401000001",
        company_name="日商テスト商事株式会社",
        admin_id="A1301000001",
        card_pending=True,
    ),
    IssuedRegistration(
        row=3,
        outcome="created",
        registration_number="1301000002",
        corporate_number="3011001000002",
        company_name="丸の内フォワーディング株式会社",
        admin_id="A1301000002",
        card_pending=True,
    ),
]

# What the example file stores, field by field (row 3 has a full-width postal code and no department).
EXAMPLE_STORED = {
    "1301000001": {
        "kind": "exporter",
        "corporate_number": "2010401000001",
        "company_name": "日商テスト商事株式会社",
        "company_name_en": "Nissho Test Co., Ltd.",
        "representative_name": "大阪 正人",
        "representative_name_en": "Osaka Masahito",
        "representative_title": "代表取締役",
        "representative_title_en": "President",
        "postal_code": "100-0005",
        "address": "東京都千代田区丸の内三丁目2番2号",
        "address_en": "3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
        "contact_person": "鈴木 花子",
        "department": "貿易部",
        "phone": "03-1234-5678",
        "email": "boueki@nissho-test.example.jp",
        "member": True,
    },
    "1301000002": {
        "kind": "agent",
        "corporate_number": "3011001000002",
        "company_name": "丸の内フォワーディング株式会社",
        "company_name_en": "Marunouchi Forwarding K.K.",
        "representative_name": "田中 一郎",
        "representative_name_en": "Tanaka Ichiro",
        "representative_title": "代表取締役社長",
        "representative_title_en": "President and CEO",
        "postal_code": "100-0005",
        "address": "東京都千代田区丸の内一丁目1番1号",
        "address_en": "1-1-1 Marunouchi, Chiyoda-ku, Tokyo",
        "contact_person": "佐藤 健",
        "department": None,
        "phone": "03-9876-5432",
        "email": "export@marunouchi-fw.example.jp",
        "member": False,
    },
}

JAPANESE_HEADER = (
    "区分",
    "法人番号",
    "企業名",
    "企業名(英字)",
    "代表者氏名",
    "代表者氏名(英字)",
    "代表者職名",
    "代表者職名(英字)",
    "郵便番号",
    "住所",
    "住所(英字)",
    "担当者",
    "部署",
    "電話番号",
    "メールアドレス",
    "会員",
)


# Refusals decided while reading the file, before the store is touched, run on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def stored(core: Core, staff: Actor, number: str) -> dict[str, object]:
    view = registrations.show_registration(core, staff, number)
    return {name: getattr(view, name) for name in FIELDS}


def refused(core: Core, staff: Actor, data: bytes) -> list[FieldError]:
    """Issue ``data``, expecting a refusal that leaves every table as it was; returns the errors."""
    before = counts(core)
    with pytest.raises(InvalidInput) as caught:
        registrations.issue_from_csv(core, staff, data)
    assert counts(core) == before
    return caught.value.errors


# -- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_utf8_utf8_with_bom_and_cp932_give_identical_results(core: Core, staff: Actor, encoding: str) -> None:
    data = EXAMPLE_CSV.read_text(encoding="utf-8").encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    if encoding == "cp932":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the CP932 path is the one taken
    assert registrations.issue_from_csv(core, staff, data) == EXAMPLE_ISSUED
    assert {n: stored(core, staff, n) for n in EXAMPLE_STORED} == EXAMPLE_STORED


def undecodable(data: bytes, offset: int) -> FieldError:
    line = data[:offset].count(b"\n") + 1
    return FieldError(
        "file",
        f"is neither UTF-8 nor Shift_JIS (CP932): undecodable bytes at offset {offset} (line {line}); "
        "save it from Excel as 'CSV UTF-8' or 'CSV (comma delimited)'",
    )


@SQLITE_ONLY
def test_a_file_in_neither_encoding_is_refused_with_the_byte_offset(core: Core, staff: Actor) -> None:
    # 0x81 0x7F is not UTF-8, and 0x7F is not a CP932 trail byte
    data = ",".join(FIELDS).encode() + b"\r\nexporter,\x81\x7f\r\n"
    assert refused(core, staff, data) == [undecodable(data, data.index(b"\x81\x7f"))]


@SQLITE_ONLY
def test_a_utf8_file_with_one_shift_jis_cell_is_refused_at_that_cell(core: Core, staff: Actor) -> None:
    data = EXAMPLE_CSV.read_bytes().replace(b"Nissho Test", "日商テスト".encode("cp932"))
    assert refused(core, staff, data) == [undecodable(data, data.index("日商テスト".encode("cp932")))]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b" \r\n\r\n", "is empty", id="whitespace-only"),
        pytest.param(b"\xef\xbb\xbf", "has no header row", id="bom-only"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
            "is not a CSV text file (it contains binary data)",
            id="binary",
        ),
        pytest.param(csv_bytes([]), "has a header but no rows", id="header-only"),
        pytest.param(csv_bytes([]) + b",,,,\r\n\r\n", "has a header but no rows", id="header-and-blank-rows"),
    ],
)
def test_a_file_without_rows_is_refused(core: Core, staff: Actor, data: bytes, reason: str) -> None:
    assert refused(core, staff, data) == [FieldError("file", reason)]


# -- the header ------------------------------------------------------------------------------------


def _without(name: str) -> tuple[str, ...]:
    return tuple(f for f in FIELDS if f != name)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        pytest.param(
            csv_bytes([valid_row()], _without("email"), fields=_without("email")),
            [FieldError("email", "column is missing", 1)],
            id="missing-column",
        ),
        pytest.param(
            csv_bytes([{**valid_row(), "fax": "03-0000-0000"}], (*FIELDS, "FAX"), fields=(*FIELDS, "fax")),
            [FieldError("FAX", "is not a known column", 1)],
            id="unknown-column",
        ),
        pytest.param(
            csv_bytes([{**valid_row(), "x": "other"}], (*FIELDS, "会社名"), fields=(*FIELDS, "x")),
            [FieldError("会社名", "appears twice", 1)],
            id="repeated-column",
        ),
        pytest.param(
            csv_bytes([valid_row()], (*FIELDS[:-1], " "), fields=FIELDS),
            [
                FieldError("(empty, column 16)", "is not a known column", 1),
                FieldError("member", "column is missing", 1),
            ],
            id="empty-header-cell",
        ),
        pytest.param(
            csv_bytes(
                [valid_row()],
                ("住所", "remarks", *_without("address")[:-1], "郵便番号"),
                fields=("address", "x", *_without("address")[:-1], "y"),
            ),
            [
                FieldError("remarks", "is not a known column", 1),
                FieldError("郵便番号", "appears twice", 1),
                FieldError("member", "column is missing", 1),
            ],
            id="every-header-problem-at-once",
        ),
    ],
)
def test_header_problems_are_reported_with_row_1(
    core: Core, staff: Actor, data: bytes, errors: list[FieldError]
) -> None:
    assert refused(core, staff, data) == errors


@SQLITE_ONLY
def test_rows_with_too_few_or_too_many_cells_are_reported_with_their_rows(core: Core, staff: Actor) -> None:
    good = csv_bytes([valid_row(1)])
    data = good + b"exporter,1234567890123\r\n" + csv_bytes([valid_row(3)]).split(b"\r\n")[1] + b",extra\r\n"
    assert refused(core, staff, data) == [
        FieldError("row", "has 2 cells; the header has 16", 3),
        FieldError("row", "has 17 cells; the header has 16", 4),
    ]


def test_the_optional_department_column_may_be_left_out(core: Core, staff: Actor) -> None:
    header = _without("department")
    results = registrations.issue_from_csv(core, staff, csv_bytes([valid_row()], header, fields=header))
    assert [(r.row, r.outcome, r.registration_number) for r in results] == [(2, "created", "1301000001")]
    assert stored(core, staff, "1301000001")["department"] is None


@pytest.mark.parametrize("header", [FIELDS, JAPANESE_HEADER], ids=["english", "japanese"])
def test_japanese_and_english_headers_give_identical_results(
    core: Core, staff: Actor, header: tuple[str, ...]
) -> None:
    rows = [valid_row(1), valid_row(2, kind="代行業者", member="非会員")]
    results = registrations.issue_from_csv(core, staff, csv_bytes(rows, header))
    assert [(r.row, r.outcome, r.registration_number, r.admin_id) for r in results] == [
        (2, "created", "1301000001", "A1301000001"),
        (3, "created", "1301000002", "A1301000002"),
    ]
    assert stored(core, staff, "1301000001") == {**valid_row(1), "member": True}
    assert stored(core, staff, "1301000002") == {**valid_row(2), "kind": "agent", "member": False}


def test_header_names_ignore_width_case_spaces_brackets_and_order(core: Core, staff: Actor) -> None:
    header = (
        "E-Mail",
        " ＴＥＬ ",
        "企業名（英字）",
        "Company_Name",
        "[会員]",
        "REPRESENTATIVE NAME",
        "代表者氏名 (英字)",
        "役職",
        "Title (English)",
        "郵便 番号",
        "ADDRESS",
        "英文住所",
        "担当者名",
        "部署名",
        "Corporate No",
        "種別",
    )
    fields = (
        "email",
        "phone",
        "company_name_en",
        "company_name",
        "member",
        "representative_name",
        "representative_name_en",
        "representative_title",
        "representative_title_en",
        "postal_code",
        "address",
        "address_en",
        "contact_person",
        "department",
        "corporate_number",
        "kind",
    )
    row = valid_row(7)
    registrations.issue_from_csv(core, staff, csv_bytes([row], header, fields=fields))
    expected = {**row, "member": True}
    assert stored(core, staff, "1301000001") == expected


# -- normalisation ---------------------------------------------------------------------------------


def test_values_are_nfkc_normalised(core: Core, staff: Actor) -> None:
    number = corporate_number(42)
    wide_number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    row = valid_row(
        42,
        corporate_number=wide_number,
        postal_code="１０００００５",
        phone="０３－１２３４－５６７８",
        company_name="ﾆｯｼｮｳ ﾄﾚｰﾃﾞｨﾝｸﾞ ｶﾌﾞｼｷｶﾞｲｼｬ",
        company_name_en="Ｎｉｓｓｈｏ Ｔｒａｄｉｎｇ",
        contact_person="  ｽｽﾞｷ ﾊﾅｺ  ",
        email="ｔｒａｄｅ＠ｅｘａｍｐｌｅ．ｊｐ",
        member="ＹＥＳ",
    )
    (result,) = registrations.issue_from_csv(core, staff, csv_bytes([row]))
    assert (result.corporate_number, result.company_name) == (
        number,
        "ニッショウ トレーディング カブシキガイシャ",
    )
    values = stored(core, staff, "1301000001")
    assert {k: values[k] for k in row if values[k] != valid_row(42).get(k)} == {
        "company_name": "ニッショウ トレーディング カブシキガイシャ",
        "company_name_en": "Nissho Trading",
        "contact_person": "スズキ ハナコ",
        "email": "trade@example.jp",
        "member": True,
    }
    assert (values["corporate_number"], values["postal_code"], values["phone"]) == (
        number,
        "100-0005",
        "03-1234-5678",
    )


@SQLITE_ONLY
@pytest.mark.parametrize(
    "postal_code", ["1000005", "100-0005", "〒1000005", "〒100-0005", "１００－０００５"]
)
def test_postal_codes_with_or_without_the_hyphen_or_the_postal_mark(
    core: Core, staff: Actor, postal_code: str
) -> None:
    registrations.issue_from_csv(core, staff, csv_bytes([valid_row(postal_code=postal_code)]))
    assert stored(core, staff, "1301000001")["postal_code"] == "100-0005"


# -- rows ------------------------------------------------------------------------------------------


def test_every_bad_row_and_field_is_reported_at_once_and_nothing_is_written(core: Core, staff: Actor) -> None:
    rows = [
        valid_row(1),  # row 2: fine
        valid_row(2, corporate_number=wrong_check_digit(corporate_number(2))),  # row 3
        valid_row(3, company_name=""),  # row 4
        valid_row(4, email="trade4@example"),  # row 5
        valid_row(5, postal_code="100-000"),  # row 6
        valid_row(6, company_name="商" * 10_000),  # row 7
        valid_row(7, address="東京都\x07千代田区"),  # row 8
        valid_row(8, corporate_number=corporate_number(1)),  # row 9: the number of row 2 again
        valid_row(9, kind="trader", phone="12", member="maybe", company_name_en="Tab\tCo."),  # row 10
        valid_row(10, address="東京都\n千代田区"),  # row 11: one spreadsheet row over two lines
        valid_row(11, corporate_number="123456789012", representative_name=" "),  # row 12
    ]
    data = csv_bytes(rows) + b"\r\n" + csv_bytes([valid_row(1)]).split(b"\r\n", 1)[1]  # blank row 13, row 14
    assert refused(core, staff, data) == [
        FieldError("corporate_number", "is not a valid corporate number (its check digit is wrong)", 3),
        FieldError("company_name", "is required", 4),
        FieldError("email", "is not an email address", 5),
        FieldError("postal_code", "must be 7 digits, e.g. 100-0001", 6),
        FieldError("company_name", "must be at most 200 characters (it has 10000)", 7),
        FieldError("address", "must not contain control characters", 8),
        FieldError("corporate_number", "repeats row 2", 9),
        FieldError("kind", "must be exporter (申請者) or agent (代行業者)", 10),
        FieldError("company_name_en", "must not contain control characters", 10),
        FieldError("phone", "is not a phone number (digits and hyphens, e.g. 03-1234-5678)", 10),
        FieldError("member", "must be yes or no (会員 or 非会員)", 10),
        FieldError("address", "must not contain control characters", 11),
        FieldError("corporate_number", "must be the 13-digit corporate number (法人番号)", 12),
        FieldError("representative_name", "is required", 12),
        FieldError("corporate_number", "repeats row 2", 14),
    ]
    # a refused batch burns no registration number
    assert registrations.issue_from_csv(core, staff, csv_bytes([valid_row(1)]))[0].registration_number == (
        "1301000001"
    )


@SQLITE_ONLY
def test_a_number_repeated_in_another_width_is_still_a_repeat(core: Core, staff: Actor) -> None:
    number = corporate_number(5)
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = csv_bytes([valid_row(5), valid_row(6), valid_row(7, corporate_number=wide)])
    assert refused(core, staff, data) == [FieldError("corporate_number", "repeats row 2", 4)]


@SQLITE_ONLY
def test_the_message_names_rows_and_columns(core: Core, staff: Actor) -> None:
    data = csv_bytes([valid_row(1), valid_row(2, postal_code="12")])
    with pytest.raises(InvalidInput) as caught:
        registrations.issue_from_csv(core, staff, data)
    assert str(caught.value) == "Invalid input: row 3, postal_code: must be 7 digits, e.g. 100-0001"
    assert caught.value.details() == {
        "errors": [{"field": "postal_code", "reason": "must be 7 digits, e.g. 100-0001", "row": 3}]
    }

"""What an application says, per certificate type: the forms applicants write as TOML or JSON.

Pydantic models, so that the same definition validates the file, names every bad field by its path
(``goods.1.unit``), and prints as a JSON Schema for editors (`shomei cert schema --type co`).
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.validation import has_invisible
from shomei_cli.i18n import DEFAULT_LANGUAGE, N_, _, ngettext, reset_language, set_language

MAX_COPIES = 20
MAX_GOODS = 50
JAPAN = "JP"
# units that count packages, not goods: a quantity must be concrete (kg, pcs, m, L …)
NOT_A_QUANTITY_UNIT = frozenset(
    {
        "lot",
        "lots",
        "carton",
        "cartons",
        "ctn",
        "ctns",
        "case",
        "cases",
        "package",
        "packages",
        "pkg",
        "pkgs",
        "box",
        "boxes",
        "pallet",
        "pallets",
        "plt",
        "bundle",
        "bundles",
        "式",
        "一式",
        "箱",
        "ケース",
    }
)


class CertificateType(StrEnum):
    CO = "co"  # 原産地証明書 (non-preferential certificate of origin)
    INVOICE = "invoice"  # インボイス証明
    SIGNATURE = "signature"  # サイン証明


def _country(value: str) -> str:
    import pycountry

    try:
        return str(pycountry.countries.lookup(value.strip()).alpha_2)
    except LookupError:
        raise ValueError(_("is not a country (ISO 3166): {value}").format(value=repr(value))) from None


Country = Annotated[str, Field(min_length=2, max_length=60), AfterValidator(_country)]
Text = Annotated[str, Field(min_length=1, max_length=300)]
ShortText = Annotated[str, Field(min_length=1, max_length=100)]


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        # every text is printed on the certificate: no bidirectional controls or other invisible characters
        # (line breaks stay allowed, as they were)
        if isinstance(value, str) and has_invisible(value, line_breaks=True):
            raise ValueError(_("must not contain control characters"))
        return value


class Party(Form):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: Text
    country: Country


class Invoice(Form):
    number: ShortText
    date: date

    @field_validator("date")
    @classmethod
    def _not_after_today(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        today = (info.context or {}).get("today")
        if today is not None and value > today:
            raise ValueError(_("must not be after the application date ({today})").format(today=today))
        return value


class Transport(Form):
    from_: ShortText = Field(alias="from", description="port or airport of loading")
    to: ShortText = Field(description="port or airport of discharge")
    via: ShortText | None = None
    by: Literal["vessel", "flight", "truck", "rail"]
    vessel_or_flight: ShortText | None = Field(default=None, description="the vessel's name or flight number")
    on_or_about: date


class GoodsLine(Form):
    marks: Annotated[str, Field(min_length=1, max_length=200)] = Field(description="marks and numbers")
    packages: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="number and kind of packages, e.g. '10 cartons'"
    )
    description: Text = Field(description="a general name of the goods (HS-6 level)")
    hs_code: Annotated[str, Field(pattern=r"^\d{4}\.?\d{2}$")] = Field(description="HS code, 6 digits")
    quantity: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)]
    unit: ShortText = Field(description="a concrete unit: kg, pcs, m, L … (not 'lot', not cartons)")
    origin_country: Country = Field(description="country of origin of this line")

    @field_validator("unit")
    @classmethod
    def _concrete(cls, unit: str) -> str:
        if unit.strip().lower() in NOT_A_QUANTITY_UNIT:
            raise ValueError(
                _("must be a concrete unit of quantity (kg, pcs, m, L …), not a lot or a package")
            )
        return unit

    @field_validator("packages")
    @classmethod
    def _packages(cls, packages: str) -> str:
        if not re.match(r"^\s*\d+", packages):
            raise ValueError(_("must start with the number of packages, e.g. '10 cartons'"))
        return packages


class CertificateOfOrigin(Form):
    """原産地証明書: the fields of the numbered boxes 1–10 and what the application records."""

    copies: Annotated[int, Field(ge=0, le=MAX_COPIES)] = Field(default=0, description="extra COPY pages")
    destination_country: Country
    commodity_category: ShortText = Field(description="main commodity category, e.g. machinery")
    exporter: Party | None = Field(default=None, description="box 1; defaults to the registration")
    consignee: Party = Field(description="box 2")
    invoice: Invoice = Field(description="box 3")
    transport: Transport = Field(description="box 5")
    remarks: Annotated[str, Field(max_length=1000)] | None = Field(default=None, description="box 6")
    goods: Annotated[list[GoodsLine], Field(min_length=1, max_length=MAX_GOODS)] = Field(
        description="boxes 4, 7 and 8: one or more lines"
    )

    @model_validator(mode="after")
    def _not_mixed(self) -> CertificateOfOrigin:
        japanese = {line.origin_country == JAPAN for line in self.goods}
        if len(japanese) > 1:
            raise ValueError(
                _("goods of Japanese origin and of foreign origin are not mixed on one certificate")
            )
        return self


class SignatureCertification(Form):
    """サイン証明: certifies that a named document bears the signer's registered signature."""

    copies: Annotated[int, Field(ge=0, le=MAX_COPIES)] = 0
    destination_country: Country
    document_title: Text
    document_number: ShortText | None = None
    document_date: date
    addressee: Party | None = None


class InvoiceCertification(Form):
    """インボイス証明: the applicant's commercial invoice (a PDF attached), certified by the chamber."""

    copies: Annotated[int, Field(ge=0, le=MAX_COPIES)] = 0
    destination_country: Country
    consignee: Party
    invoice: Invoice


FORMS: dict[CertificateType, type[Form]] = {
    CertificateType.CO: CertificateOfOrigin,
    CertificateType.SIGNATURE: SignatureCertification,
    CertificateType.INVOICE: InvoiceCertification,
}


def certificate_type(value: str) -> CertificateType:
    try:
        return CertificateType(value.strip().lower())
    except ValueError:
        raise InvalidInput.single("type", _("must be co, invoice or signature")) from None


def parse_form(kind: CertificateType, content: dict[str, Any], today: date) -> Form:
    """Validate ``content`` as a form of ``kind``: InvalidInput names every bad field by its path."""
    try:
        return FORMS[kind].model_validate(content, context={"today": today})
    except ValidationError as exc:
        raise InvalidInput.of([FieldError(_path(e["loc"]), _reason(e)) for e in exc.errors()]) from None


def _path(location: tuple[int | str, ...]) -> str:
    """A field's path as people count: ``goods.1.unit`` is the unit of the first [[goods]] line."""
    return ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in location) or "form"


def _reason(error: Any) -> str:
    """What is wrong with one field: shomei's own words (a ValueError of a validator), or pydantic's."""
    message = str(error.get("msg", ""))
    kind = str(error.get("type", ""))
    if kind == "string_pattern_mismatch" and tuple(error.get("loc", ()))[-1:] == ("hs_code",):
        return _("must be a 6-digit HS code, e.g. 8413.70 or 841370")
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    context = error.get("ctx") or {}
    translated = _pydantic_message(kind, context)
    if translated is None:
        return message
    # Only while the English template reads exactly as this pydantic release words the message: a new wording
    # (or a context the template does not foresee) keeps pydantic's own text.
    token = set_language(DEFAULT_LANGUAGE)
    try:
        english = _pydantic_message(kind, context)
    finally:
        reset_language(token)
    return translated if english == message else message


# pydantic's messages for the errors a form commonly meets, in pydantic's exact English (pydantic_core's
# templates), so that they can be translated; any other type keeps pydantic's text.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "decimal_type": N_("Decimal input should be an integer, float, string or Decimal object"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "date_from_datetime_inexact": N_(
        "Datetimes provided to dates should have zero time - e.g. be exact dates"
    ),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
}


def _pydantic_message(kind: str, context: dict[str, Any]) -> str | None:
    """pydantic's message of ``kind`` in the language in force, or None for a type not translated here."""
    try:
        if kind == "string_too_short":
            count = int(context["min_length"])
            template = ngettext(
                "String should have at least {min_length} character",
                "String should have at least {min_length} characters",
                count,
            )
        elif kind == "string_too_long":
            count = int(context["max_length"])
            template = ngettext(
                "String should have at most {max_length} character",
                "String should have at most {max_length} characters",
                count,
            )
        elif kind == "too_short" and context.get("field_type") == "List":
            count = int(context["min_length"])
            template = ngettext(
                "List should have at least {min_length} item after validation, not {actual_length}",
                "List should have at least {min_length} items after validation, not {actual_length}",
                count,
            )
        elif kind == "too_long" and context.get("field_type") == "List":
            count = int(context["max_length"])
            template = ngettext(
                "List should have at most {max_length} item after validation, not {actual_length}",
                "List should have at most {max_length} items after validation, not {actual_length}",
                count,
            )
        elif kind == "decimal_max_digits":
            template = ngettext(
                "Decimal input should have no more than {max_digits} digit in total",
                "Decimal input should have no more than {max_digits} digits in total",
                int(context["max_digits"]),
            )
        elif kind == "decimal_max_places":
            template = ngettext(
                "Decimal input should have no more than {decimal_places} decimal place",
                "Decimal input should have no more than {decimal_places} decimal places",
                int(context["decimal_places"]),
            )
        elif kind in _PYDANTIC_MESSAGES:
            template = _(_PYDANTIC_MESSAGES[kind])
        else:
            return None
        return template.format(**context)
    except (KeyError, IndexError, TypeError, ValueError):
        return None  # a context this template does not expect: pydantic's own text is used


def form_json_schema(kind: CertificateType) -> dict[str, Any]:
    return FORMS[kind].model_json_schema(by_alias=True)


def content_of(form: Form) -> dict[str, Any]:
    """The stored (JSON) form of a validated form."""
    return form.model_dump(mode="json", by_alias=True, exclude_none=True)

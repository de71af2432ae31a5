"""Every text of an application form is printed on the certificate: no bidirectional controls or other
invisible characters; the variation selectors Japanese names need, and line breaks, stay."""

from __future__ import annotations

from datetime import date

import pytest

from shomei_cli.domain.application_forms import CertificateType, content_of, parse_form
from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.validation import check_text
from tests.contract.companies import example_json_form

TODAY = date(2026, 11, 27)
INVISIBLE = "must not contain control characters"


@pytest.mark.parametrize(
    "name",
    [
        "Riyadh \u202eedarT\u202c Est.",  # RIGHT-TO-LEFT OVERRIDE: prints "Trade" reversed
        "Riyadh \u2067Trading\u2069 Est.",  # RIGHT-TO-LEFT ISOLATE
        "Riyadh\u200bTrading",  # ZERO WIDTH SPACE
        "Riyadh\u200dTrading",  # ZERO WIDTH JOINER
        "\ufeffRiyadh Trading",  # a BOM
        "Riyadh\u00adTrading",  # SOFT HYPHEN
        "Riyadh\x07Trading",  # BEL
    ],
)
def test_an_invisible_character_in_a_printed_field_is_refused_naming_it(name: str) -> None:
    form = example_json_form("shipment")
    form["consignee"]["name"] = name
    form["goods"][0]["description"] = f"Pumps {name}"
    with pytest.raises(InvalidInput) as refused:
        parse_form(CertificateType.CO, form, TODAY)
    assert refused.value.errors == [
        FieldError("consignee.name", INVISIBLE),
        FieldError("goods.1.description", INVISIBLE),
    ]
    assert check_text("name", name, max_length=200) == [FieldError("name", INVISIBLE)]


def test_variation_selectors_and_line_breaks_are_kept() -> None:
    form = example_json_form("shipment")
    form["consignee"]["name"] = "葛\U000e0100飾商事"  # 葛 with its IVS: a legal name's own glyph
    form["consignee"]["address"] = "King Fahd Road 12\nRiyadh 11564"
    content = content_of(parse_form(CertificateType.CO, form, TODAY))
    assert (content["consignee"]["name"], content["consignee"]["address"]) == (
        "葛\U000e0100飾商事",
        "King Fahd Road 12\nRiyadh 11564",
    )

"""The qualified invoice's rules: the issuer registration number (T and 13 digits, check digit) and the
consumption tax contained in a tax-inclusive fee."""

from __future__ import annotations

import pytest

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.qualified_invoices import registration_number, tax_included, tax_rate

FIELD = "invoice_registration_number"
SHAPE = "must be T and 13 digits (適格請求書発行事業者登録番号)"
CHECK = "is not a valid registration number (its check digit is wrong)"


@pytest.mark.parametrize(
    "typed", ["T7010005005367", "t7010005005367", "T 7010-0050-05367", "Ｔ７０１０００５００５３６７"]
)
def test_a_registration_number_is_t_and_a_corporate_number_as_typed_in_any_width(typed: str) -> None:
    assert registration_number(typed) == "T7010005005367"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("7010005005367", SHAPE),  # no T
        ("T701000500536", SHAPE),  # 12 digits
        ("T70100050053670", SHAPE),  # 14 digits
        ("T70100050053a7", SHAPE),
        ("T٧010005005367", SHAPE),  # an Arabic-Indic digit is a digit to Python, not here
        ("T7010005005368", CHECK),
        ("T1010005005367", CHECK),
    ],
)
def test_a_registration_number_with_a_wrong_shape_or_check_digit_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        registration_number(typed)
    assert refused.value.errors == [FieldError(FIELD, reason)]


@pytest.mark.parametrize(("rate", "allowed"), [(10, True), (8, True), (0, True), (5, False), (-10, False)])
def test_a_fee_is_taxable_at_10_or_8_per_cent_or_not_taxable(rate: int, allowed: bool) -> None:
    if allowed:
        assert tax_rate(rate) == rate
    else:
        with pytest.raises(InvalidInput) as refused:
            tax_rate(rate)
        assert refused.value.errors == [
            FieldError("tax_rate", "must be 10 or 8 (per cent), or 0 for not taxable")
        ]


@pytest.mark.parametrize(
    ("amount", "rate", "tax"),
    [
        (1360, 10, 123),
        (1100, 10, 100),
        (1099, 10, 99),
        (1080, 8, 80),
        (1260, 8, 93),
        (3460, 10, 314),
        (1360, 0, 0),
        (0, 10, 0),
    ],
)
def test_the_tax_in_a_tax_inclusive_fee_is_rounded_down(amount: int, rate: int, tax: int) -> None:
    assert tax_included(amount, rate) == tax

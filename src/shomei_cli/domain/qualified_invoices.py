"""The qualified invoice (適格請求書): the issuer's registration number and the consumption tax on a fee.

A receipt is a qualified invoice when it shows the issuer's registration number (T and 13 digits: for a
corporation, its corporate number, whose first digit is a check digit), the amount per tax rate with the rate,
and the tax per rate. Fees are tax-inclusive amounts; the tax in them is rounded down once per rate and
receipt.
"""

from __future__ import annotations

import unicodedata

from shomei_cli.domain.errors import InvalidInput
from shomei_cli.i18n import _

NOT_TAXABLE = 0  # a fee outside consumption tax (非課税 / 不課税)
TAX_RATES = (10, 8)  # the standard and the reduced rate, in per cent
DEFAULT_TAX_RATE = 10


def registration_number(text: str, field: str = "invoice_registration_number") -> str:
    """``T`` and 13 digits whose check digit is right (hyphens, spaces and full-width forms are accepted)."""
    from stdnum.jp import cn

    compact = unicodedata.normalize("NFKC", text).upper().replace("-", "").replace(" ", "")
    digits = compact.removeprefix("T")
    if not compact.startswith("T") or not digits.isascii() or not digits.isdigit() or len(digits) != 13:
        raise InvalidInput.single(field, _("must be T and 13 digits (適格請求書発行事業者登録番号)"))
    if not cn.is_valid(digits):
        raise InvalidInput.single(field, _("is not a valid registration number (its check digit is wrong)"))
    return "T" + digits


def tax_rate(value: int, field: str = "tax_rate") -> int:
    """A fee's tax treatment: taxable at 10 or 8 per cent, or 0 for not taxable."""
    if value != NOT_TAXABLE and value not in TAX_RATES:
        raise InvalidInput.single(field, _("must be 10 or 8 (per cent), or 0 for not taxable"))
    return value


def tax_included(amount: int, rate: int) -> int:
    """The consumption tax contained in a tax-inclusive ``amount`` at ``rate`` per cent, rounded down."""
    return amount * rate // (100 + rate) if rate else 0

"""Card payments through a hosted checkout: the signed link to the provider's payment page and the signed
notification it sends back (HMAC-SHA256 under the secret the chamber shares with its provider).

The link: ``CHECKOUT_URL?merchant=…&session=…&amount=…&currency=JPY&signature=…``, the signature over
``merchant|session|amount|currency``. The notification: a JSON body, and the header
``Shomei-Signature: t=UNIX_SECONDS,v1=HEX`` where HEX is the HMAC of ``t`` + ``.`` + the raw body bytes. A
notification is believed only with a valid signature, a time within ``TOLERANCE`` of ours and an event ID
never seen before; its amount and currency must equal the fee.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.i18n import _

SIGNATURE_HEADER = "Shomei-Signature"
TOLERANCE_SECONDS = 300
CURRENCY = "JPY"
SUCCEEDED = "payment.succeeded"
MIN_SECRET_LENGTH = 32


def new_session_id() -> str:
    return "cs_" + secrets.token_urlsafe(24)


def _mac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def checkout_link(base: str, secret: str, merchant: str, session: str, amount: int, description: str) -> str:
    """The provider's payment page for one session, signed so that nobody can change the amount on the way."""
    signature = _mac(secret, f"{merchant}|{session}|{amount}|{CURRENCY}".encode())
    query = urlencode(
        {
            "merchant": merchant,
            "session": session,
            "amount": amount,
            "currency": CURRENCY,
            "description": description,
            "signature": signature,
        }
    )
    return f"{base}{'&' if '?' in base else '?'}{query}"


def sign_notification(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a provider sends with ``body`` at ``timestamp`` (what tests and the provider do)."""
    return f"t={timestamp},v1={_mac(secret, str(timestamp).encode() + b'.' + body)}"


def check_secret(secret: str) -> list[FieldError]:
    if len(secret.strip()) < MIN_SECRET_LENGTH:
        return [
            FieldError("secret", _("must be at least {length} characters").format(length=MIN_SECRET_LENGTH))
        ]
    return []


@dataclass(frozen=True)
class Notification:
    """What a provider says happened, read from a body whose signature is not yet checked."""

    event_id: str
    type: str
    merchant: str
    session: str
    amount: int
    currency: str
    payment_id: str


def read_notification(body: bytes) -> Notification:
    """The notification's fields, or InvalidInput naming the bad ones (nothing is believed yet)."""
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput.single("body", _("is not JSON")) from None
    if not isinstance(data, dict):
        raise InvalidInput.single("body", _("must be a JSON object"))
    errors: list[FieldError] = []
    texts = {}
    for name in ("id", "type", "merchant", "session", "currency", "payment_id"):
        value = data.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 100 or not value.isprintable():
            errors.append(FieldError(name, _("must be a text of 1 to 100 printable characters")))
        else:
            texts[name] = value
    amount = data.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 10**9:
        errors.append(FieldError("amount", _("must be a whole number of yen")))
    if errors:
        raise InvalidInput.of(errors)
    assert isinstance(amount, int)
    return Notification(
        texts["id"],
        texts["type"],
        texts["merchant"],
        texts["session"],
        amount,
        texts["currency"],
        texts["payment_id"],
    )


def check_signature(secret: str, header: str | None, body: bytes, now: float) -> None:
    """InvalidInput (``signature``) unless ``header`` signs ``body`` under ``secret`` within the tolerance."""
    parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise InvalidInput.single("signature", _("is missing or malformed")) from None
    given = parts.get("v1", "")
    expected = _mac(secret, str(timestamp).encode() + b"." + body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InvalidInput.single("signature", _("does not match the body under the chamber's secret"))
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidInput.single(
            "signature",
            _("was made more than {seconds} seconds away from now").format(seconds=TOLERANCE_SECONDS),
        )


class PaymentProvider(Protocol):
    """What shomei needs of a card payment provider: a page to send the payer to, and a way to believe what
    it says happened (its notification's fields are read by ``read_notification`` first, to find the
    chamber). ``HostedCheckout`` is the one implementation; another provider's shape (an API that creates
    sessions, another signature scheme) is another class with these methods."""

    def checkout_url(self, merchant: str, session: str, amount: int, description: str) -> str:
        """The page where the payer pays ``amount`` JPY for ``session``."""
        ...

    def verify(self, signature: str | None, body: bytes, now: float) -> None:
        """InvalidInput (``signature``) unless the provider signed ``body``, recently."""
        ...


@dataclass(frozen=True)
class HostedCheckout:
    """The usual hosted-checkout shape: a signed link to the provider's page, a signed notification back."""

    base_url: str
    secret: str = field(repr=False)

    def checkout_url(self, merchant: str, session: str, amount: int, description: str) -> str:
        return checkout_link(self.base_url, self.secret, merchant, session, amount, description)

    def verify(self, signature: str | None, body: bytes, now: float) -> None:
        check_signature(self.secret, signature, body, now)

"""Shell completion of the values that can be known without a store or a server: certificate types,
statuses, review kinds, payment methods, registration kinds and the profiles in the config file.

Typer generates the scripts for bash, zsh, fish and PowerShell (`shomei --install-completion`); the shell
calls `shomei` back with the words typed so far, so these functions must stay quick and light: domain
constants and the config file only (no store, no network).
"""

from __future__ import annotations

from collections.abc import Iterable

# Imported by every command module as it defines its options, so on every start-up (`shomei --help`
# included): the domain modules the values come from load only when the shell actually asks.
CERTIFICATE_TYPES = ("co", "invoice", "signature")  # tests/cli/test_completion.py holds it to the fee table
# what the review queue holds (services register a handler for each; tests/cli/test_completion.py holds
# the two lists together)
REVIEW_KINDS = ("application", "change", "renewal", "signature_change", "signer_addition")
REVIEW_STATUSES = ("pending", "approved", "returned", "rejected", "all")
PAYMENT_METHODS = ("prepaid", "card")


def _starting(values: Iterable[str], incomplete: str) -> list[str]:
    return [value for value in values if value.startswith(incomplete)]


def certificate_types(incomplete: str) -> list[str]:
    return _starting(CERTIFICATE_TYPES, incomplete)


def application_statuses(incomplete: str) -> list[str]:
    from shomei_cli.domain.applications import Status

    return _starting((s.value for s in Status), incomplete)


def review_kinds(incomplete: str) -> list[str]:
    return _starting(REVIEW_KINDS, incomplete)


def review_statuses(incomplete: str) -> list[str]:
    return _starting(REVIEW_STATUSES, incomplete)


def payment_methods(incomplete: str) -> list[str]:
    return _starting(PAYMENT_METHODS, incomplete)


def registration_kinds(incomplete: str) -> list[str]:
    from shomei_cli.domain.registrations import RegistrationKind

    return _starting((k.value for k in RegistrationKind), incomplete)


def registration_statuses(incomplete: str) -> list[str]:
    from shomei_cli.domain.registrations import RegistrationStatus

    return _starting((s.value for s in RegistrationStatus), incomplete)


def profiles(incomplete: str) -> list[str]:
    """The profiles of the config file, and always the default one."""
    from shomei_cli import config

    try:
        named = config.load_config().get("profiles", {})
    except (OSError, ValueError):  # an unreadable or broken config file completes nothing more
        named = {}
    names = {config.DEFAULT_PROFILE, *(named if isinstance(named, dict) else {})}
    return _starting(sorted(names), incomplete)

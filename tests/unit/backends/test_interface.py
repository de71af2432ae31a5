"""Both backends implement every operation of the Backend interface with its signature: a method lost in a
merge would otherwise surface only as an AttributeError on the one transport that lacks it."""

from __future__ import annotations

import inspect

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.backends.local import LocalBackend
from shomei_cli.backends.remote import RemoteBackend


def operations(cls: type) -> dict[str, list[str]]:
    return {
        name: list(inspect.signature(member).parameters)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("implementation", [LocalBackend, RemoteBackend])
def test_every_backend_operation_is_implemented_with_its_parameters(implementation: type) -> None:
    implemented = operations(implementation)
    declared = operations(Backend)
    assert {name: implemented.get(name) for name in declared} == declared

"""Password hashing: argon2id with parameters no weaker than OWASP's minimum (m=19 MiB, t=2, p=1)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class HashParameters:
    memory_kib: int = 19_456
    time_cost: int = 2
    parallelism: int = 1


class PasswordHashing:
    """Hash and verify passwords; ``needs_rehash`` says when stored parameters are out of date."""

    def __init__(self, parameters: HashParameters | None = None) -> None:
        self.parameters = parameters or HashParameters()

    @cached_property
    def _hasher(self) -> PasswordHasher:
        p = self.parameters
        return PasswordHasher(
            time_cost=p.time_cost, memory_cost=p.memory_kib, parallelism=p.parallelism, type=Type.ID
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def burn(self, password: str) -> None:
        """Spend the time of one verification, so an unknown ID answers as slowly as a known one."""
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("shomei-dummy-password-for-timing")

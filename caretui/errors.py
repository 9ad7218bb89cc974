"""Errors a coordinator can read. Messages never carry names or notes."""

from __future__ import annotations


class CaretuiError(Exception):
    """An error with a message fit to show the user as it is."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DomainError(CaretuiError):
    """A write refused by a rule: bad input, an impossible date, an unknown code."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """A record that does not exist (or no longer does)."""


class StaleRecord(DomainError):
    """The record changed since it was read: the edit would overwrite someone else's."""


class StoreError(CaretuiError):
    """The database file cannot be used: missing, empty, foreign, corrupt, too new, locked."""

    exit_code = 2

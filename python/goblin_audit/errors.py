"""The errors goblin_audit raises: one base class, a code for machines, a message and a hint for people.

The codes are the ones goblin's Node side uses for the same failure (AUDIT_BAD_SKEY, AUDIT_BAD_EVENT, ...),
so a log line reads the same whichever emitter wrote it. No message ever contains key material.
"""

from __future__ import annotations


class GoblinAuditError(Exception):
    """Base class: `code` names the failure, `hint` says what to do next (or is None)."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class KeyFileError(GoblinAuditError):
    """The private key file is missing, readable by others, or not a goblin signing key."""


class EventError(GoblinAuditError, ValueError):
    """The event cannot be signed: a field is missing or too long, or a value has no canonical JSON form."""


class OptionError(GoblinAuditError, ValueError):
    """An Emitter option is out of range (endpoint, retry limits)."""


class CollectorRefused(GoblinAuditError):
    """The collector answered and did not append the envelope (untrusted key, bad signature, HTTP 4xx)."""

    def __init__(self, code: str, message: str, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(code, message, hint)
        self.status = status


class CollectorUnavailable(GoblinAuditError):
    """No answer from the collector, or only "retry later" answers, until the retry budget ran out."""

    def __init__(self, code: str, message: str, hint: str | None = None, attempts: int = 0) -> None:
        super().__init__(code, message, hint)
        self.attempts = attempts

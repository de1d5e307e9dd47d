"""The audit envelope (goblin's ARCHITECTURE.md, "Audit: formats"), sealed as src/audit/envelope.ts seals it.

An envelope is {v, seq, ts, goblin_id, action, decision, trace_id, attrs?, kid, sig}. The signature is
Ed25519 over the RFC 8785 canonical JSON of the envelope without `sig`; the ledger line is the canonical
JSON of the whole envelope. Events are checked with the same rules as goblin's validateEvent, so what this
side accepts the collector accepts too.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .canonical import canonical_bytes
from .errors import EventError
from .keys import SignerKey

ENVELOPE_VERSION = 1
# Counted in UTF-16 code units, as JavaScript's String length (goblin's limit is written in those).
MAX_FIELD_UNITS = 1024
_TRACE_ID = re.compile("[0-9a-f]{32}")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Sealed:
    """A signed envelope, the bytes its signature covers, and its ledger line (canonical JSON, no newline)."""

    envelope: dict[str, Any]
    signed_bytes: bytes
    line: bytes


def validate_event(goblin_id: Any, action: Any, decision: Any, trace_id: Any, attrs: Any) -> dict[str, Any]:
    """The event as a dict, checked; raises EventError naming the field and what to do."""

    for name, value in (("goblin_id", goblin_id), ("action", action), ("decision", decision)):
        check_text_field(name, value)
    if trace_id is not None and not is_trace_id(trace_id):
        raise _bad_event(f"trace_id must be 32 lowercase hex digits, not all zero (got {trace_id!r})")
    if attrs is not None and not isinstance(attrs, dict):
        raise _bad_event(f"attrs must be a dict (a JSON object), not a {type(attrs).__name__}")
    event: dict[str, Any] = {
        "goblin_id": goblin_id,
        "action": action,
        "decision": decision,
        "trace_id": trace_id,
    }
    if attrs is not None:
        event["attrs"] = attrs
    return event


def check_text_field(name: str, value: Any) -> None:
    """goblin_id, action and decision: non-empty strings of at most MAX_FIELD_UNITS."""
    if not isinstance(value, str) or value == "":
        raise _bad_event(f'missing field "{name}" (a non-empty string)')
    if utf16_length(value) > MAX_FIELD_UNITS:
        raise _bad_event(f'field "{name}" is longer than {MAX_FIELD_UNITS} characters')


def seal(event: dict[str, Any], seq: int, ts: datetime, signer: SignerKey) -> Sealed:
    """Gives the event its position, time and key, and signs it."""
    unsigned = {**event, "v": ENVELOPE_VERSION, "seq": seq, "ts": format_timestamp(ts), "kid": signer.kid}
    # canonical_bytes checks attrs too: a value without a canonical form fails here, before anything is sent.
    signed = canonical_bytes(unsigned)
    envelope = {**unsigned, "sig": base64.b64encode(signer.sign(signed)).decode("ascii")}
    return Sealed(envelope, signed, canonical_bytes(envelope))


def format_timestamp(ts: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as JavaScript's Date.prototype.toISOString writes it."""
    if ts.tzinfo is None:
        raise EventError(
            "AUDIT_BAD_EVENT", "envelope: ts must be an aware datetime (naive times have no zone)"
        )
    utc = ts.astimezone(timezone.utc)
    # A JavaScript Date holds whole milliseconds: drop the microseconds below them.
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{utc.microsecond // 1000:03d}Z"


def unix_nanos(ts: datetime) -> int:
    """Nanoseconds since the epoch of `ts` at millisecond precision (the envelope's `ts`)."""
    return (ts - _EPOCH) // timedelta(milliseconds=1) * 1_000_000


def is_trace_id(value: Any) -> bool:
    """True for a W3C trace id: 32 lowercase hex digits, not all zero."""
    return isinstance(value, str) and _TRACE_ID.fullmatch(value) is not None and value != "0" * 32


def utf16_length(text: str) -> int:
    """JavaScript's String length: astral characters count twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _bad_event(why: str) -> EventError:
    return EventError(
        "AUDIT_BAD_EVENT",
        f"envelope: {why}",
        'an event is {"goblin_id", "action", "decision", "trace_id"?, "attrs"?}; nothing was sent',
    )

"""Python seals the envelopes goblin's Node side seals: the same signed bytes, signature and ledger line."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from goblin_audit import EventError, parse_signer_key, seal
from goblin_audit.envelope import format_timestamp, unix_nanos, validate_event

# RFC 8032 section 7.1, TEST 1: the key the shared vectors are signed with.
RFC8032_TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"


def parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def test_the_vector_key_is_rfc8032_test1(jcs_vectors: dict[str, Any]) -> None:
    signer = parse_signer_key(jcs_vectors["signer"]["signerKey"])
    assert signer.public_key.hex() == RFC8032_TEST1_PUBLIC
    assert signer.kid == jcs_vectors["signer"]["kid"]
    assert signer.verifier_key == jcs_vectors["signer"]["vkey"]


def test_shared_vectors_seal_byte_for_byte(jcs_vectors: dict[str, Any]) -> None:
    signer = parse_signer_key(jcs_vectors["signer"]["signerKey"])
    public = Ed25519PublicKey.from_public_bytes(signer.public_key)
    assert len(jcs_vectors["envelopes"]) == 6
    for vector in jcs_vectors["envelopes"]:
        event = vector["event"]
        checked = validate_event(
            event["goblin_id"], event["action"], event["decision"], event["trace_id"], event.get("attrs")
        )
        sealed = seal(checked, vector["seq"], parse_ts(vector["ts"]), signer)
        assert sealed.signed_bytes == vector["signed"].encode("utf-8"), vector["name"]
        assert sealed.envelope["sig"] == vector["sig"], vector["name"]
        assert sealed.line == vector["line"].encode("utf-8"), vector["name"]
        public.verify(base64.b64decode(vector["sig"]), sealed.signed_bytes)  # raises if it does not verify


def test_timestamps_are_written_as_javascript_writes_them() -> None:
    ts = datetime(2026, 3, 4, 5, 6, 7, 891_999, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(ts) == "2026-03-04T03:06:07.891Z"
    assert unix_nanos(ts) == 1772593567891_000_000
    with pytest.raises(EventError, match="aware datetime"):
        format_timestamp(datetime(2026, 3, 4))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"action": ""}, 'missing field "action"'),
        ({"decision": None}, 'missing field "decision"'),
        ({"goblin_id": 7}, 'missing field "goblin_id"'),
        # 513 emoji are 1026 UTF-16 code units: over the limit, as in JavaScript, though only 513 characters.
        ({"action": "\U0001f600" * 513}, 'field "action" is longer than 1024 characters'),
        ({"trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736"}, "trace_id must be 32 lowercase hex digits"),
        ({"trace_id": "0" * 32}, "not all zero"),
        ({"trace_id": "abc"}, "trace_id must be"),
        ({"attrs": ["not", "an", "object"]}, "attrs must be a dict"),
    ],
)
def test_bad_events_are_refused_with_the_field(fields: dict[str, Any], problem: str) -> None:
    event = {"goblin_id": "g", "action": "a", "decision": "d", "trace_id": None, "attrs": None, **fields}
    with pytest.raises(EventError) as refused:
        validate_event(**event)
    assert refused.value.code == "AUDIT_BAD_EVENT"
    assert problem in refused.value.message
    assert "nothing was sent" in refused.value.hint


def test_the_field_limit_counts_utf16_units() -> None:
    assert validate_event("g", "\U0001f600" * 512, "d", None, None)["action"] == "\U0001f600" * 512
    assert validate_event("g", "a" * 1024, "d", None, None)["action"] == "a" * 1024

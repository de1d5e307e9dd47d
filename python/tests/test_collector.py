"""goblin_audit against the real `goblin collector serve --audit`: appended, verified, refused, counted."""

from __future__ import annotations

import base64
import json
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from goblin_audit import (
    CollectorRefused,
    CollectorUnavailable,
    Emitter,
    EventError,
    OptionError,
    Retry,
    load_signer_key,
    seal,
)
from goblin_audit.envelope import unix_nanos, validate_event
from goblin_audit.otlp import log_request_body
from goblin_cli import Collector, Goblin

SOURCE = "goblin.audit.source"


@pytest.fixture()
def service_key(goblin: Goblin) -> dict[str, str]:
    """The service's key, `researcher`, made before the collector starts (it trusts the keyring then)."""
    return goblin.keygen("researcher")


@pytest.fixture()
def collector(goblin: Goblin, service_key: dict[str, str]) -> Iterator[Collector]:
    running = goblin.start_collector()
    yield running
    running.stop()


def test_envelopes_are_appended_and_goblin_audit_verify_passes(
    goblin: Goblin, service_key: dict[str, str], collector: Collector
) -> None:
    emitter = Emitter("researcher", key_file=service_key["path"], endpoint=collector.url)
    attrs: list[dict[str, Any] | None] = [
        None,
        {
            "tool": "search",
            "query": 'Zürich \U0001f50d "quoted" \\ \n',
            "nested": {"b": [1, 2.5, None], "a": True},
        },
        {"edges": [1e21, 1e-7, -0.0, 5e-324, 2**53, 0.1 + 0.2], "\u20ac": "key order", "\r": "escapes"},
    ]
    sent = [
        emitter.emit("tool.call", "allow", attrs[0]),
        emitter.emit("tool.call", "deny", attrs[1], trace_id="4bf92f3577b34da6a3ce929d0e0e4736"),
        emitter.emit("cost.check", "allow", attrs[2]),
    ]
    report = goblin.json("audit", "verify")
    assert report["entries"] == 3
    lines = goblin.ledger_lines()
    assert [line["seq"] for line in lines] == [0, 1, 2]
    for line, envelope, given in zip(lines, sent, attrs):
        # The collector keeps the service's own signature beside the event it re-signed.
        assert line["attrs"][SOURCE] == {k: envelope[k] for k in ("kid", "seq", "ts", "sig")}
        assert {k: v for k, v in line["attrs"].items() if k != SOURCE} == json.loads(json.dumps(given or {}))
        assert (line["goblin_id"], line["action"], line["decision"], line["trace_id"]) == (
            "researcher",
            envelope["action"],
            envelope["decision"],
            envelope["trace_id"],
        )
    assert collector.metric("goblin_audit_appended_total") == 3


def test_a_wrong_key_is_refused_and_counted(goblin: Goblin, collector: Collector, tmp_path: Path) -> None:
    # A key of the same name made elsewhere: the collector's keyring does not know it.
    elsewhere = Goblin(tmp_path / "elsewhere")
    impostor = Emitter("researcher", key_file=elsewhere.keygen("researcher")["path"], endpoint=collector.url)
    with pytest.raises(CollectorRefused) as refused:
        impostor.emit("tool.call", "allow")
    assert f"key {impostor.signer.kid} is not trusted" in refused.value.message
    assert refused.value.code == "AUDIT_ENVELOPE_REFUSED"
    assert collector.metric('goblin_audit_rejected_total{reason="unknown_key"}') == 1
    assert goblin.ledger_lines() == []


def test_a_tampered_envelope_is_refused_as_a_bad_signature(
    goblin: Goblin, service_key: dict[str, str], collector: Collector
) -> None:
    signer = load_signer_key(service_key["path"])
    now = datetime.now(timezone.utc)
    sealed = seal(validate_event("researcher", "rm -rf /", "deny", None, None), 0, now, signer)
    forged = {**sealed.envelope, "decision": "allow"}
    body = log_request_body(json.dumps(forged).encode(), "researcher", "researcher", unix_nanos(now), None)
    request = urllib.request.Request(f"{collector.url}/v1/logs", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        partial = json.loads(response.read())["partialSuccess"]
    assert partial["rejectedLogRecords"] == "1"
    assert "does not verify" in partial["errorMessage"]
    assert collector.metric('goblin_audit_rejected_total{reason="bad_signature"}') == 1
    # The untouched envelope, sent by the emitter's own path, is accepted: the signature covered the decision.
    body = log_request_body(sealed.line, "researcher", "researcher", unix_nanos(now), None)
    request = urllib.request.Request(f"{collector.url}/v1/logs", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {}
    assert [line["decision"] for line in goblin.ledger_lines()] == ["deny"]
    assert base64.b64decode(goblin.ledger_lines()[0]["attrs"][SOURCE]["sig"]) == base64.b64decode(
        sealed.envelope["sig"]
    )


def test_collector_down_gives_a_bounded_retry_then_an_error(
    goblin: Goblin, service_key: dict[str, str], collector: Collector
) -> None:
    emitter = Emitter(
        "researcher",
        key_file=service_key["path"],
        endpoint=collector.url,
        retry=Retry(attempts=3, backoff=0.05),
    )
    emitter.emit("tool.call", "allow")
    collector.stop()
    with pytest.raises(CollectorUnavailable) as gave_up:
        emitter.emit("tool.call", "deny")
    assert gave_up.value.attempts == 3
    assert (
        "did not take the envelope after 3 attempt(s); last: no answer (connection refused)"
        in gave_up.value.message
    )
    assert [line["decision"] for line in goblin.ledger_lines()] == ["allow"]
    assert goblin.json("audit", "verify")["entries"] == 1


def test_an_event_that_cannot_be_signed_is_not_sent(
    goblin: Goblin, service_key: dict[str, str], collector: Collector
) -> None:
    emitter = Emitter("researcher", key_file=service_key["path"], endpoint=collector.url)
    with pytest.raises(EventError, match=r"\$\.attrs\.amount: cannot write nan"):
        emitter.emit("refund.approve", "allow", {"amount": float("nan")})
    with pytest.raises(EventError, match='missing field "decision"'):
        emitter.emit("refund.approve", "")
    # No seq was spent on them: the next envelope is seq 0, and it is accepted.
    assert emitter.emit("refund.approve", "allow")["seq"] == 0
    assert len(goblin.ledger_lines()) == 1


def test_a_restarted_service_continues_its_seq(
    goblin: Goblin, service_key: dict[str, str], collector: Collector
) -> None:
    Emitter("researcher", key_file=service_key["path"], endpoint=collector.url).emit("tool.call", "allow")
    # A new process with the same key starting again at seq 0 is refused: the collector cannot tell a
    # restart from a key signing two different envelopes at one position.
    restarted = Emitter("researcher", key_file=service_key["path"], endpoint=collector.url)
    with pytest.raises(
        CollectorRefused, match="seq 0 is already in the ledger with another signature"
    ) as refused:
        restarted.emit("tool.call", "deny")
    assert "first_seq" in refused.value.hint
    assert collector.metric('goblin_audit_rejected_total{reason="conflict"}') == 1
    continued = Emitter("researcher", key_file=service_key["path"], endpoint=collector.url, first_seq=1)
    assert continued.emit("tool.call", "deny")["seq"] == 1
    assert [line["decision"] for line in goblin.ledger_lines()] == ["allow", "deny"]
    assert goblin.json("audit", "verify")["entries"] == 2


@pytest.mark.parametrize("first_seq", [-1, 2**53, 1.0, True, "1"])
def test_a_bad_first_seq(service_key: dict[str, str], first_seq: Any) -> None:
    with pytest.raises(OptionError, match="first_seq="):
        Emitter("researcher", key_file=service_key["path"], first_seq=first_seq)

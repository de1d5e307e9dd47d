"""Where envelopes go, with which headers, and how a busy, refusing or absent collector is handled.

The collector here is the scripted OTLP peer (otlp_peer.py), a real HTTP server on 127.0.0.1 that answers
what each test needs; goblin's own collector is in test_collector.py.
"""

from __future__ import annotations

import json
import sys
import types
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest

from goblin_audit import CollectorRefused, CollectorUnavailable, Emitter, OptionError, Retry
from goblin_audit.otlp import logs_endpoint, otlp_headers
from otlp_peer import Answer, HangUpPeer, ScriptedPeer, closed_port_url

# Short waits so the retry tests run fast; the defaults are in test_the_default_retry_budget.
QUICK = Retry(attempts=4, backoff=0.01, max_delay=5, timeout=5)


@pytest.fixture()
def signer_key(jcs_vectors: dict[str, Any]) -> str:
    return jcs_vectors["signer"]["signerKey"]


@pytest.fixture()
def peer_factory() -> Iterator[Any]:
    peers: list[ScriptedPeer] = []

    def make(*script: Answer) -> ScriptedPeer:
        peers.append(ScriptedPeer(*script))
        return peers[-1]

    yield make
    for peer in peers:
        peer.close()


def test_endpoint_vectors(otlp_env_vectors: dict[str, Any]) -> None:
    for vector in otlp_env_vectors["endpoints"]:
        assert logs_endpoint(vector.get("explicit"), vector["env"]) == vector["expected"], vector["name"]
    for vector in otlp_env_vectors["badEndpoints"]:
        with pytest.raises(OptionError, match="is not an http\\(s\\) URL"):
            logs_endpoint(vector.get("explicit"), vector["env"])


def test_header_vectors(otlp_env_vectors: dict[str, Any]) -> None:
    for vector in otlp_env_vectors["headers"]:
        assert otlp_headers(vector.get("explicit"), vector["env"]) == vector["expected"], vector["name"]
    for vector in otlp_env_vectors["badHeaders"]:
        with pytest.raises(OptionError) as refused:
            otlp_headers(vector.get("explicit"), vector["env"])
        assert refused.value.code == "AUDIT_BAD_HEADER"
        assert repr(vector["header"]) in refused.value.message, vector["name"]
        assert "Host" not in refused.value.message  # the value (maybe a secret) is not echoed


def test_sends_one_otlp_log_record_with_the_env_headers(peer_factory: Any, signer_key: str) -> None:
    peer = peer_factory()
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": peer.url,
        "OTEL_EXPORTER_OTLP_HEADERS": "api-key=s3cr3t,x-tenant=general",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "x-tenant=audit",
        "OTEL_SERVICE_NAME": "refunds-api",
    }
    emitter = Emitter("refunds", signer_key=signer_key, environ=env)
    envelope = emitter.emit(
        "refund.approve", "allow", {"amount_eur": 30}, trace_id="4bf92f3577b34da6a3ce929d0e0e4736"
    )
    [request] = peer.received
    assert request.path == "/v1/logs"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["api-key"] == "s3cr3t"
    assert request.headers["x-tenant"] == "audit"
    [resource_logs] = request.json()["resourceLogs"]
    assert resource_logs["resource"]["attributes"] == [
        {"key": "service.name", "value": {"stringValue": "refunds-api"}},
        {"key": "goblin.id", "value": {"stringValue": "refunds"}},
    ]
    [scope_logs] = resource_logs["scopeLogs"]
    assert scope_logs["scope"] == {"name": "goblin.audit"}
    [record] = scope_logs["logRecords"]
    assert record["eventName"] == "goblin.audit"
    assert record["attributes"] == [{"key": "event.name", "value": {"stringValue": "goblin.audit"}}]
    assert record["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert json.loads(record["body"]["stringValue"]) == envelope
    ts = datetime.strptime(envelope["ts"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert int(record["timeUnixNano"]) == int(ts.timestamp() * 1000) * 1_000_000
    assert envelope["seq"] == 0 and emitter.emit("x", "y")["seq"] == 1


def test_a_busy_collector_is_retried_after_retry_after(peer_factory: Any, signer_key: str) -> None:
    peer = peer_factory(
        Answer(503, {"Retry-After": "0"}, b'{"code":14,"message":"the collector is stopping"}'),
        Answer(
            429,
            {"Retry-After": format_datetime(datetime.now(timezone.utc) - timedelta(minutes=1), usegmt=True)},
        ),
    )
    emitter = Emitter(
        "g",
        endpoint=peer.url,
        signer_key=signer_key,
        retry=QUICK,
        environ={"OTEL_EXPORTER_OTLP_HEADERS": "api-key=k"},
    )
    emitter.emit("tool.call", "allow")
    assert len(peer.received) == 3
    # The same request each time (the collector appends an envelope once), with its headers each time.
    assert len({r.body for r in peer.received}) == 1
    assert all(r.headers["api-key"] == "k" for r in peer.received)


def test_retries_are_bounded(peer_factory: Any, signer_key: str) -> None:
    peer = peer_factory(*[Answer(429) for _ in range(10)])
    emitter = Emitter("g", endpoint=peer.url, signer_key=signer_key, retry=QUICK)
    with pytest.raises(CollectorUnavailable) as gave_up:
        emitter.emit("tool.call", "allow")
    assert len(peer.received) == 4
    assert gave_up.value.attempts == 4
    assert gave_up.value.code == "AUDIT_COLLECTOR_UNAVAILABLE"
    assert "after 4 attempt(s); last: HTTP 429" in gave_up.value.message


def test_a_retry_after_past_the_limit_gives_up_at_once(peer_factory: Any, signer_key: str) -> None:
    peer = peer_factory(Answer(503, {"Retry-After": "3600"}))
    emitter = Emitter("g", endpoint=peer.url, signer_key=signer_key, retry=QUICK)
    with pytest.raises(
        CollectorUnavailable, match="asks to wait 3600 s, longer than the 5 s this emitter waits"
    ):
        emitter.emit("tool.call", "allow")
    assert len(peer.received) == 1


@pytest.mark.parametrize(
    ("answer", "message", "hint"),
    [
        (
            Answer(401, body=b'{"code":16,"message":"missing API key"}'),
            "answered HTTP 401: missing API key",
            "OTEL_EXPORTER_OTLP_HEADERS",
        ),
        (Answer(400, body=b"bad request\nmore"), "answered HTTP 400: bad request", "goblin's collector"),
        (Answer(500, body=b""), "answered HTTP 500", "goblin's collector"),
        (
            Answer(
                200,
                body=b'{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"key k+1 is not trusted"}}',
            ),
            "the collector refused the envelope: key k+1 is not trusted",
            "--audit-trust",
        ),
        (Answer(200, body=b"<html>welcome</html>"), "not an OTLP logs response", "goblin's collector"),
    ],
)
def test_a_refusal_is_not_retried(
    peer_factory: Any, signer_key: str, answer: Answer, message: str, hint: str
) -> None:
    peer = peer_factory(answer)
    emitter = Emitter("g", endpoint=peer.url, signer_key=signer_key, retry=QUICK)
    with pytest.raises(CollectorRefused) as refused:
        emitter.emit("tool.call", "allow")
    assert refused.value.code == "AUDIT_ENVELOPE_REFUSED"
    assert message in refused.value.message
    assert hint in refused.value.hint
    assert refused.value.status == answer.status
    assert len(peer.received) == 1


def test_collector_down_is_a_bounded_retry_then_an_error(signer_key: str) -> None:
    url = closed_port_url()
    emitter = Emitter("g", endpoint=url, signer_key=signer_key, retry=QUICK)
    with pytest.raises(CollectorUnavailable) as gave_up:
        emitter.emit("tool.call", "allow")
    assert gave_up.value.attempts == 4
    assert (
        f"the collector at {url}/v1/logs did not take the envelope after 4 attempt(s)"
        in gave_up.value.message
    )
    assert "connection refused" in gave_up.value.message
    assert "goblin collector serve --audit" in gave_up.value.hint


def test_a_collector_that_hangs_up_is_retried_as_often_as_allowed(signer_key: str) -> None:
    peer = HangUpPeer()
    try:
        with pytest.raises(CollectorUnavailable, match="no answer"):
            Emitter("g", endpoint=peer.url, signer_key=signer_key, retry=QUICK).emit("tool.call", "allow")
        assert peer.connections == 4
    finally:
        peer.close()


def test_the_default_retry_budget() -> None:
    retry = Retry()
    assert (retry.attempts, retry.backoff, retry.max_delay, retry.timeout) == (5, 0.5, 30.0, 10.0)


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": 0},
        {"attempts": 1.5},
        {"backoff": -1},
        {"max_delay": float("inf")},
        {"timeout": 0},
        {"timeout": "5"},
    ],
)
def test_bad_retry_options(options: dict[str, Any]) -> None:
    with pytest.raises(OptionError) as refused:
        Retry(**options)
    assert refused.value.code == "AUDIT_BAD_OPTION"


def test_the_trace_id_comes_from_the_active_span_with_a_mock_opentelemetry_api(
    peer_factory: Any, signer_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A MOCK of opentelemetry-api: the real package is on PyPI only, not in Debian, and cannot be installed
    # here. It has the two calls goblin_audit makes: trace.get_current_span().get_span_context().
    context = types.SimpleNamespace(trace_id=0x0AF7651916CD43DD8448EB211C80319C, is_valid=True)
    mock_trace = types.SimpleNamespace(
        get_current_span=lambda: types.SimpleNamespace(get_span_context=lambda: context)
    )
    monkeypatch.setitem(sys.modules, "opentelemetry", types.SimpleNamespace(trace=mock_trace))
    peer = peer_factory()
    emitter = Emitter("g", endpoint=peer.url, signer_key=signer_key)
    assert emitter.emit("tool.call", "allow")["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    # An explicit trace id wins; no valid span means no trace id.
    assert emitter.emit("tool.call", "allow", trace_id="ab" * 16)["trace_id"] == "ab" * 16
    context.is_valid = False
    assert emitter.emit("tool.call", "allow")["trace_id"] is None
    assert [
        r.json()["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0].get("traceId") for r in peer.received
    ] == [
        "0af7651916cd43dd8448eb211c80319c",
        "ab" * 16,
        None,
    ]


def test_without_opentelemetry_there_is_no_trace_id(
    peer_factory: Any, signer_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # import fails, as when it is not installed
    peer = peer_factory()
    assert (
        Emitter("g", endpoint=peer.url, signer_key=signer_key).emit("tool.call", "allow")["trace_id"] is None
    )

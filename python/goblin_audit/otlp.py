"""Sending one envelope as an OTLP/HTTP log record (JSON encoding), the way goblin's Node emitter does.

Where it goes, which headers it carries and when it is retried follow the OpenTelemetry exporter
conventions, with the same rules as src/telemetry/audit-emitter.ts so both emitters behave alike:

- endpoint: the explicit one (with `/v1/logs` added unless it ends so), else OTEL_EXPORTER_OTLP_LOGS_ENDPOINT
  as given, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/logs`, else http://127.0.0.1:4318/v1/logs;
- headers: OTEL_EXPORTER_OTLP_HEADERS, overridden key by key by OTEL_EXPORTER_OTLP_LOGS_HEADERS, then by
  the explicit ones (W3C baggage syntax `k=v,k2=v2`, percent-decoded, as OpenTelemetry JS parses it);
- retry: 429, 502, 503 and 504 (the statuses OTLP/HTTP calls retryable) and no answer at all are retried,
  waiting what Retry-After asks or else an exponential backoff, within a bounded number of attempts.
  Retrying is safe: the collector appends an envelope once (by its kid and seq) however often it arrives.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Mapping

from .errors import CollectorRefused, CollectorUnavailable, OptionError

DEFAULT_ENDPOINT = "http://127.0.0.1:4318"
LOGS_PATH = "/v1/logs"
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
AUDIT_EVENT_NAME = "goblin.audit"
# JavaScript's String.prototype.trim set, so a header value trims the same on both sides.
_JS_TRIM = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    map(chr, range(0x2000, 0x200B))
)
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# RFC 9110 field names (tokens) and values (visible Latin-1, spaces and tabs inside).
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\x21-\x7e\x80-\xff]([\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?")


@dataclass(frozen=True)
class Retry:
    """How hard `emit` tries: `attempts` requests in all; waits start at `backoff` seconds and double.

    A Retry-After answer is waited out as asked, unless it asks for more than `max_delay` seconds: then
    `emit` gives up at once rather than retry early. `timeout` bounds each request. The defaults wait at
    most 0.5 + 1 + 2 + 4 seconds between five attempts when the collector is down.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_delay: float = 30.0
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise OptionError(
                "AUDIT_BAD_OPTION", f"Retry(attempts={self.attempts!r}): give 1 or more attempts"
            )
        for name in ("backoff", "max_delay", "timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
                raise OptionError(
                    "AUDIT_BAD_OPTION", f"Retry({name}={value!r}): give a number of seconds, 0 or more"
                )
        if self.timeout == 0:
            raise OptionError(
                "AUDIT_BAD_OPTION", "Retry(timeout=0): a request needs some time; give seconds > 0"
            )


def logs_endpoint(explicit: str | None, environ: Mapping[str, str]) -> str:
    """The URL envelopes are posted to (see the module doc for the order)."""
    if explicit:
        url = explicit if explicit.endswith(LOGS_PATH) else explicit.rstrip("/") + LOGS_PATH
    elif environ.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"):
        url = environ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]
    else:
        url = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/") + LOGS_PATH
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise OptionError(
            "AUDIT_BAD_ENDPOINT",
            f"the collector endpoint {url!r} is not an http(s) URL",
            "give e.g. http://127.0.0.1:4318 (endpoint=..., or OTEL_EXPORTER_OTLP_ENDPOINT)",
        )
    return url


def parse_otlp_headers(value: str | None) -> dict[str, str]:
    """Parses an OTEL_EXPORTER_OTLP_*HEADERS value (`k=v,k2=v2`), as OpenTelemetry JS does.

    Each entry is split at its first '=', trimmed and percent-decoded; `;metadata` after the value is
    dropped; an entry with no key or value, or that does not percent-decode, is skipped.
    """
    headers: dict[str, str] = {}
    for entry in (value or "").split(","):
        pair = entry.split(";", 1)[0]
        key, separator, raw_value = pair.partition("=")
        key, raw_value = key.strip(_JS_TRIM), raw_value.strip(_JS_TRIM)
        if not separator or not key or not raw_value:
            continue
        decoded_key, decoded_value = _decode_uri_component(key), _decode_uri_component(raw_value)
        if decoded_key is None or decoded_value is None or not decoded_value:
            continue
        headers[decoded_key] = decoded_value
    return headers


def otlp_headers(explicit: Mapping[str, str] | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The headers sent with every request: generic, then logs-specific, then explicit ones win."""
    headers = parse_otlp_headers(environ.get("OTEL_EXPORTER_OTLP_HEADERS"))
    headers.update(parse_otlp_headers(environ.get("OTEL_EXPORTER_OTLP_LOGS_HEADERS")))
    headers.update(explicit or {})
    for name, value in headers.items():
        # A decoded %0D%0A must not split the request; the value may be a secret, so only the name is shown.
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise OptionError(
                "AUDIT_BAD_HEADER", f"the header name {name!r} is not an HTTP token", "fix the header list"
            )
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise OptionError(
                "AUDIT_BAD_HEADER",
                f"the value of header {name!r} holds a line break, a control character"
                " or a character outside Latin-1",
                "fix OTEL_EXPORTER_OTLP_HEADERS (or the headers given); the value is not shown",
            )
    return headers


def log_request_body(
    line: bytes, goblin_id: str, service_name: str, time_nanos: int, trace_id: str | None
) -> bytes:
    """An ExportLogsServiceRequest (OTLP/JSON) with the envelope's canonical JSON as the record's body."""
    record = {
        "timeUnixNano": str(time_nanos),
        "observedTimeUnixNano": str(time_nanos),
        "severityNumber": 9,
        "severityText": "INFO",
        "eventName": AUDIT_EVENT_NAME,
        "body": {"stringValue": line.decode("utf-8")},
        "attributes": [{"key": "event.name", "value": {"stringValue": AUDIT_EVENT_NAME}}],
    }
    if trace_id:
        record["traceId"] = trace_id
    request = {
        "resourceLogs": [
            {
                "resource": {
                    "attributes": [
                        {"key": "service.name", "value": {"stringValue": service_name}},
                        {"key": "goblin.id", "value": {"stringValue": goblin_id}},
                    ]
                },
                "scopeLogs": [{"scope": {"name": AUDIT_EVENT_NAME}, "logRecords": [record]}],
            }
        ]
    }
    return json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post_logs(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    retry: Retry,
) -> None:
    """Posts an OTLP/JSON logs request until the collector takes it; raises when it refuses or stays away."""
    request_headers = {**headers, "Content-Type": "application/json"}
    last = "no attempt made"
    for attempt in range(1, retry.attempts + 1):
        delay: float | None = None
        try:
            status, answer_headers, answer = _post(url, body, request_headers, retry.timeout)
        except (OSError, http.client.HTTPException) as error:
            last = f"no answer ({_reason(error)})"
        else:
            if 200 <= status < 300:
                _check_partial_success(url, answer)
                return
            message = _status_message(answer)
            if status not in RETRYABLE_STATUSES:
                raise _refused_by_status(url, status, message)
            last = f"HTTP {status}" + (f": {message}" if message else "")
            delay = _retry_after_seconds(answer_headers.get("Retry-After"))
            if delay is not None and delay > retry.max_delay:
                raise CollectorUnavailable(
                    "AUDIT_COLLECTOR_UNAVAILABLE",
                    f"the collector at {url} answered {last} and asks to wait {delay:g} s, "
                    f"longer than the {retry.max_delay:g} s this emitter waits",
                    "the envelope was not sent; emit it again later, or raise Retry(max_delay=...)",
                    attempts=attempt,
                )
        if attempt == retry.attempts:
            break
        time.sleep(min(retry.max_delay, delay if delay is not None else retry.backoff * 2 ** (attempt - 1)))
    raise CollectorUnavailable(
        "AUDIT_COLLECTOR_UNAVAILABLE",
        f"the collector at {url} did not take the envelope after {retry.attempts} attempt(s); last: {last}",
        "start it (goblin collector serve --audit) or point OTEL_EXPORTER_OTLP_ENDPOINT at it; "
        "the envelope was not appended",
        attempts=retry.attempts,
    )


def _post(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float
) -> tuple[int, Mapping[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def _check_partial_success(url: str, answer: bytes) -> None:
    """A 200 answer may still refuse records (OTLP partial success): the collector's verdict."""
    try:
        partial = json.loads(answer or b"{}").get("partialSuccess") or {}
        rejected = int(partial.get("rejectedLogRecords") or 0)
    except (ValueError, AttributeError, TypeError):
        raise CollectorRefused(
            "AUDIT_ENVELOPE_REFUSED",
            f"the server at {url} answered 200 with a body that is not an OTLP logs response",
            "point the endpoint at goblin's collector (goblin collector serve --audit)",
            status=200,
        ) from None
    if rejected > 0:
        raise CollectorRefused(
            "AUDIT_ENVELOPE_REFUSED",
            f"the collector refused the envelope: {partial.get('errorMessage') or 'rejected'}",
            "the collector's reason is above: an unknown key is trusted with goblin collector serve --audit "
            "--audit-trust <vkey>; a seq already in the ledger needs Emitter(first_seq=...) after a restart",
            status=200,
        )


def _refused_by_status(url: str, status: int, message: str) -> CollectorRefused:
    hint = (
        "check the API key in OTEL_EXPORTER_OTLP_HEADERS (or OTEL_EXPORTER_OTLP_LOGS_HEADERS)"
        if status in (401, 403)
        else "check that the endpoint is goblin's collector (goblin collector serve --audit)"
    )
    detail = f": {message}" if message else ""
    return CollectorRefused(
        "AUDIT_ENVELOPE_REFUSED",
        f"the collector at {url} answered HTTP {status}{detail}",
        hint,
        status=status,
    )


def _status_message(answer: bytes) -> str:
    """The message of a google.rpc.Status answer (OTLP/JSON errors), or the first line of a text one."""
    try:
        parsed = json.loads(answer)
        if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
            return parsed["message"][:500]
    except ValueError:
        pass
    text = answer.decode("utf-8", "replace").strip()
    return text.splitlines()[0][:500] if text else ""


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3); else None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the connection closed without an answer"
    return str(reason) or type(reason).__name__


def _decode_uri_component(text: str) -> str | None:
    """JavaScript's decodeURIComponent: None where it would throw (a stray '%', bytes that are not UTF-8)."""
    out: list[str] = []
    position = 0
    for match in _PERCENT_RUN.finditer(text):
        if "%" in text[position : match.start()]:
            return None
        out.append(text[position : match.start()])
        try:
            out.append(bytes.fromhex(match.group().replace("%", "")).decode("utf-8"))
        except UnicodeDecodeError:
            return None
        position = match.end()
    if "%" in text[position:]:
        return None
    out.append(text[position:])
    return "".join(out)

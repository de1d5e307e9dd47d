"""`Emitter`: a Python service signs its audit decisions and sends them to goblin's collector.

    audit = Emitter("refunds", key_file="/run/secrets/refunds.key")  # from goblin audit keygen --name refunds
    audit.emit("refund.approve", "allow", attrs={"amount_eur": 30})

`emit` signs the event as this emitter's next envelope (seq 0, 1, 2, ...) and posts it as one OTLP log record
(event `goblin.audit`); `goblin collector serve --audit` verifies the signature against its trusted keys and
appends the event to the ledger. It returns once the collector took the envelope and raises otherwise.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from typing import Any, Mapping

from .envelope import check_text_field, seal, unix_nanos, validate_event
from .errors import KeyFileError, OptionError
from .keys import SignerKey, load_signer_key, parse_signer_key
from .otlp import Retry, log_request_body, logs_endpoint, otlp_headers, post_logs


# The collector reads seq as a JavaScript number: past 2**53 - 1 it is no longer exact.
MAX_SEQ = 2**53 - 1


class Emitter:
    """Signs goblin audit envelopes with one service key and sends each to the collector."""

    def __init__(
        self,
        goblin_id: str,
        key_file: str | os.PathLike[str] | None = None,
        endpoint: str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        signer_key: str | None = None,
        service_name: str | None = None,
        retry: Retry = Retry(),
        first_seq: int = 0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        """Reads the key (once, here) and settles where envelopes go; `environ` defaults to os.environ.

        `key_file` is the private key file `goblin audit keygen` wrote (mode 0600 or stricter);
        `signer_key` its content, for a key that comes from a secret store instead. `first_seq` is the
        seq of the first envelope: the collector refuses a second, different envelope at a (kid, seq) it
        has seen, so a service that restarts with the same key continues its numbering (docs/python.md).
        """
        env = os.environ if environ is None else environ
        check_text_field("goblin_id", goblin_id)  # a bad id fails now, not at the first emit
        self.goblin_id = goblin_id
        if (key_file is None) == (signer_key is None):
            raise KeyFileError(
                "AUDIT_NO_KEY",
                "Emitter needs a key: give key_file (or signer_key), not both",
                "create one with goblin audit keygen --name <service> and trust it in the collector",
            )
        self.signer: SignerKey = (
            load_signer_key(key_file) if key_file is not None else parse_signer_key(signer_key or "")
        )
        self.url = logs_endpoint(endpoint, env)
        self.headers = otlp_headers(headers, env)
        self.service_name = service_name or env.get("OTEL_SERVICE_NAME") or goblin_id
        self.retry = retry
        if isinstance(first_seq, bool) or not isinstance(first_seq, int) or not 0 <= first_seq <= MAX_SEQ:
            raise OptionError(
                "AUDIT_BAD_OPTION", f"first_seq={first_seq!r}: give an integer from 0 to 2**53 - 1"
            )
        self._next_seq = first_seq
        self._seq_lock = threading.Lock()

    def emit(
        self, action: str, decision: str, attrs: Mapping[str, Any] | None = None, trace_id: str | None = None
    ) -> dict[str, Any]:
        """Signs and sends one decision; returns the envelope the collector took.

        `trace_id` defaults to the active OpenTelemetry span's, when opentelemetry-api is installed and a
        span is recording. Raises EventError for an event that cannot be signed (nothing is sent),
        CollectorRefused when the collector answers no, CollectorUnavailable when it cannot be reached.
        Thread-safe: each call gets its own seq.
        """
        event = validate_event(
            self.goblin_id,
            action,
            decision,
            trace_id or active_trace_id(),
            dict(attrs) if attrs is not None else None,
        )
        now = datetime.now(timezone.utc)
        with self._seq_lock:
            if self._next_seq > MAX_SEQ:
                raise OptionError(
                    "AUDIT_SEQ_EXHAUSTED", "this emitter has used every seq up to 2**53 - 1", "use a new key"
                )
            sealed = seal(event, self._next_seq, now, self.signer)
            self._next_seq += 1
        body = log_request_body(
            sealed.line, self.goblin_id, self.service_name, unix_nanos(now), event["trace_id"]
        )
        post_logs(self.url, body, self.headers, self.retry)
        return sealed.envelope

    def __repr__(self) -> str:
        return f"Emitter(goblin_id={self.goblin_id!r}, kid={self.signer.kid!r}, url={self.url!r})"


def active_trace_id() -> str | None:
    """The trace id of the current OpenTelemetry span, as 32 hex digits; None without a span or the API."""
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None

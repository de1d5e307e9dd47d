"""A refund service whose every decision is signed into goblin's audit log with goblin_audit.

Refunds up to AUTO_APPROVE_LIMIT_EUR are approved, larger ones denied; either way the decision is signed
with the service's own key and sent to `goblin collector serve --audit` before the answer goes out. When
the decision cannot be recorded, nothing is decided: the route answers 503.

    goblin audit keygen --name refunds
    goblin collector serve --audit &
    export GOBLIN_AUDIT_KEY_FILE=$GOBLIN_HOME/keys/refunds.key
    PYTHONPATH=python uvicorn app:app --app-dir examples/python-fastapi

Settings (environment): GOBLIN_AUDIT_KEY_FILE (required), GOBLIN_ID (default refunds),
GOBLIN_AUDIT_FIRST_SEQ (the seq to continue from after a restart, default 0), and the standard
OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_HEADERS for where the collector is.
"""

from __future__ import annotations

import os
import re

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field

from goblin_audit import CollectorRefused, CollectorUnavailable, Emitter, Retry

AUTO_APPROVE_LIMIT_EUR = 100
# W3C traceparent: version-traceid-parentid-flags; the decision joins the caller's trace.
TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")

audit = Emitter(
    os.environ.get("GOBLIN_ID", "refunds"),
    key_file=os.environ["GOBLIN_AUDIT_KEY_FILE"],
    # A request waits for its audit record: give up within about a second and a half, not seven.
    retry=Retry(attempts=3, backoff=0.5),
    first_seq=int(os.environ.get("GOBLIN_AUDIT_FIRST_SEQ", "0")),
)
app = FastAPI(title="refunds")


class RefundRequest(BaseModel):
    order_id: str = Field(min_length=1, max_length=64)
    amount_eur: float = Field(gt=0, lt=1_000_000)


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


# A plain `def` route: FastAPI runs it in a worker thread, so emit's blocking send never stalls the loop.
@app.post("/refunds")
def decide_refund(refund: RefundRequest, traceparent: str | None = Header(default=None)) -> dict[str, object]:
    decision = "allow" if refund.amount_eur <= AUTO_APPROVE_LIMIT_EUR else "deny"
    match = TRACEPARENT.fullmatch(traceparent or "")
    trace_id = match.group(1) if match and match.group(1).strip("0") else None  # all zeros: no trace
    try:
        envelope = audit.emit(
            "refund.approve",
            decision,
            attrs={
                "order_id": refund.order_id,
                "amount_eur": refund.amount_eur,
                "limit_eur": AUTO_APPROVE_LIMIT_EUR,
            },
            trace_id=trace_id,
        )
    except (CollectorRefused, CollectorUnavailable) as error:
        raise HTTPException(
            503, detail=f"the decision could not be recorded, so none was made: {error.message}"
        )
    answer = {
        "order_id": refund.order_id,
        "decision": decision,
        "audit": {"kid": envelope["kid"], "seq": envelope["seq"]},
    }
    if decision == "deny":
        raise HTTPException(403, detail=answer)
    return answer

"""examples/python-fastapi end to end: uvicorn serving the app, the real collector, goblin audit verify."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from goblin_cli import REPO, START_DEADLINE_SECONDS, Collector, Goblin, clean_env

EXAMPLE = REPO / "examples" / "python-fastapi"


class Service:
    """`python -m uvicorn app:app` on a socket this test bound on 127.0.0.1 (so its port is known)."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.log = tmp_path / "uvicorn.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app:app",
                    "--fd",
                    str(self.socket.fileno()),
                    "--log-level",
                    "warning",
                ],
                cwd=EXAMPLE,
                env=env,
                pass_fds=[self.socket.fileno()],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        # A readiness poll with a deadline (a guard against a hung start, not a timing assertion).
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
                    if json.loads(response.read()) == {"ok": True}:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"uvicorn did not answer /health:\n{self.log.read_text()}")

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{self.url}{path}",
            json.dumps(body).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=START_DEADLINE_SECONDS)
        self.socket.close()


@pytest.fixture()
def collector(goblin: Goblin) -> Iterator[Collector]:
    goblin.keygen("refunds")
    running = goblin.start_collector()
    yield running
    running.stop()


@pytest.fixture()
def service(goblin: Goblin, collector: Collector, tmp_path: Path) -> Iterator[Service]:
    env = clean_env(
        GOBLIN_AUDIT_KEY_FILE=str(goblin.home / "keys" / "refunds.key"),
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        PYTHONPATH=str(REPO / "python"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    running = Service(tmp_path, env)
    yield running
    running.stop()


def test_each_decision_is_signed_appended_and_verifies(goblin: Goblin, service: Service) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    status, allowed = service.post(
        "/refunds", {"order_id": "A-1", "amount_eur": 30}, {"traceparent": f"00-{trace}-00f067aa0ba902b7-01"}
    )
    assert status == 200
    assert allowed["decision"] == "allow"
    assert allowed["audit"]["seq"] == 0
    assert allowed["audit"]["kid"].startswith("refunds+")
    status, denied = service.post("/refunds", {"order_id": "B-2", "amount_eur": 5000})
    assert status == 403
    assert denied["detail"]["decision"] == "deny"
    # Bad input is refused by FastAPI before any decision: no envelope for it.
    status, invalid = service.post("/refunds", {"order_id": "", "amount_eur": -5})
    assert status == 422
    assert {tuple(e["loc"]) for e in invalid["detail"]} == {("body", "order_id"), ("body", "amount_eur")}

    assert goblin.json("audit", "verify")["entries"] == 2
    lines = goblin.ledger_lines()
    assert [(line["goblin_id"], line["action"], line["decision"]) for line in lines] == [
        ("refunds", "refund.approve", "allow"),
        ("refunds", "refund.approve", "deny"),
    ]
    assert [line["trace_id"] for line in lines] == [trace, None]
    assert lines[1]["attrs"]["amount_eur"] == 5000
    assert [line["attrs"]["goblin.audit.source"]["kid"] for line in lines] == [allowed["audit"]["kid"]] * 2


def test_no_decision_without_an_audit_record(goblin: Goblin, collector: Collector, service: Service) -> None:
    collector.stop()
    status, answer = service.post("/refunds", {"order_id": "C-3", "amount_eur": 10})
    assert status == 503
    assert answer["detail"].startswith(
        "the decision could not be recorded, so none was made: the collector at"
    )
    assert "connection refused" in answer["detail"]
    assert goblin.ledger_lines() == []

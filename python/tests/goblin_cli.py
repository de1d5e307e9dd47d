"""The real goblin CLI for the tests: built `bin/run.js` run by Node 24, in a temporary GOBLIN_HOME.

The interpreter is $GOBLIN_NODE (the vitest runner passes its own), else the repository's
node_modules/.bin/node (the `node` devDependency), else `node` on PATH. `npm run build` must have run.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOBLIN_BIN = REPO / "bin" / "run.js"
FIXTURES = REPO / "test" / "fixtures" / "audit"
# Guards against a hung child, not timing assertions: a healthy start takes about a second.
START_DEADLINE_SECONDS = 60


def node_binary() -> str:
    local = REPO / "node_modules" / ".bin" / "node"
    found = os.environ.get("GOBLIN_NODE") or (str(local) if local.exists() else shutil.which("node"))
    if not found:
        raise RuntimeError("no Node.js found: set GOBLIN_NODE, or run npm ci at the repository root")
    if not (REPO / "dist" / "commands").is_dir():
        raise RuntimeError(f"goblin is not built: run npm run build in {REPO}")
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without OTEL_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update({"NO_COLOR": "1", "CI": "true"}, **extra)
    return env


class Goblin:
    """goblin with its own GOBLIN_HOME and project directory (goblin.config.json names the ledger key)."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.project = root / "project"
        self.project.mkdir(parents=True)
        (self.project / "goblin.config.json").write_text(json.dumps({"audit": {"key": "goblin"}}))
        self.env = clean_env(GOBLIN_HOME=str(self.home))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [node_binary(), str(GOBLIN_BIN), *args],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def json(self, *args: str, expect_exit: int = 0) -> Any:
        done = self.run(*args, "--json")
        assert (
            done.returncode == expect_exit
        ), f"goblin {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout)

    def keygen(self, name: str) -> dict[str, str]:
        """`goblin audit keygen --name NAME`: {name, vkey, path}."""
        return self.json("audit", "keygen", "--name", name)

    def ledger_lines(self) -> list[dict[str, Any]]:
        log = self.home / "audit" / "log.jsonl"
        return [json.loads(line) for line in log.read_text("utf-8").splitlines()] if log.exists() else []

    def start_collector(self) -> Collector:
        return Collector(self)


class Collector:
    """`goblin collector serve --port 0 --audit --json`, stopped with SIGTERM."""

    def __init__(self, goblin: Goblin) -> None:
        # stderr to a file, so a chatty collector never blocks on a full pipe.
        self.stderr_path = goblin.home.parent / "collector.stderr"
        with open(self.stderr_path, "a") as stderr:
            self.process = subprocess.Popen(
                [node_binary(), str(GOBLIN_BIN), "collector", "serve", "--port", "0", "--audit", "--json"],
                cwd=goblin.project,
                env=goblin.env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=START_DEADLINE_SECONDS)
        except queue.Empty:
            first = ""
        if not first:
            self.process.kill()
            raise RuntimeError(f"goblin collector serve did not start:\n{self.stderr_path.read_text()}")
        # The --json listening line is the protocol: {"event": "listening", "url": ...}.
        listening = json.loads(first)
        assert listening["event"] == "listening"
        self.url: str = listening["url"]

    def metric(self, sample: str) -> float:
        """A sample's value on /metrics (goblin_audit_rejected_total{reason="unknown_key"}); 0 if absent."""
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=10) as response:
            text = response.read().decode("utf-8")
        match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=START_DEADLINE_SECONDS)
        self.process.stdout.close()

"""Fixtures shared by the goblin_audit tests: the shared vector files and the real goblin CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from goblin_cli import FIXTURES, Goblin


def read_like_javascript(text: str) -> Any:
    """JSON as JavaScript's JSON.parse reads it: every number a double (Python would keep big ints exact)."""
    return json.loads(
        text, parse_int=lambda digits: int(digits) if abs(int(digits)) <= 2**53 else float(digits)
    )


@pytest.fixture(scope="session")
def jcs_vectors() -> dict[str, Any]:
    return read_like_javascript((FIXTURES / "jcs-vectors.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def otlp_env_vectors() -> dict[str, Any]:
    return json.loads((FIXTURES / "otlp-env-vectors.json").read_text("utf-8"))


@pytest.fixture()
def goblin(tmp_path: Path) -> Goblin:
    """goblin in a fresh GOBLIN_HOME with the ledger's key, `goblin`, already made."""
    instance = Goblin(tmp_path)
    instance.keygen("goblin")
    return instance

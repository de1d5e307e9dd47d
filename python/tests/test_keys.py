"""Private key files: goblin's own (made by the real `goblin audit keygen`), and every way one is wrong."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from goblin_audit import KeyFileError, load_signer_key, parse_signer_key
from goblin_cli import Goblin


def test_reads_the_key_goblin_audit_keygen_wrote(goblin: Goblin) -> None:
    made = goblin.keygen("refunds")
    signer = load_signer_key(made["path"])
    assert signer.verifier_key == made["vkey"]
    listed = {k["name"]: k for k in goblin.json("audit", "keys", "list")["keys"]}
    assert signer.kid == listed["refunds"]["kid"]


def write_key(directory: Path, text: str, mode: int = 0o600) -> Path:
    path = directory / "service.key"
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_refuses_a_key_file_others_can_read(tmp_path: Path, jcs_vectors: dict[str, Any], mode: int) -> None:
    skey = jcs_vectors["signer"]["signerKey"]
    path = write_key(tmp_path, skey + "\n", mode)
    with pytest.raises(KeyFileError) as refused:
        load_signer_key(path)
    assert refused.value.code == "UNSAFE_SECRET_FILE"
    assert f"has mode {mode:04o}: others can read it" in refused.value.message
    assert f"chmod 600 {path}" in refused.value.hint
    assert skey.split("+")[-1] not in str(refused.value)


def test_accepts_0600_and_0400(tmp_path: Path, jcs_vectors: dict[str, Any]) -> None:
    skey = jcs_vectors["signer"]["signerKey"]
    for mode in (0o600, 0o400):
        path = write_key(tmp_path, skey + "\n", mode)
        assert load_signer_key(path).kid == jcs_vectors["signer"]["kid"]
        path.unlink()


def test_refuses_a_missing_file_a_directory_and_a_symlink(
    tmp_path: Path, jcs_vectors: dict[str, Any]
) -> None:
    with pytest.raises(
        KeyFileError, match=r"cannot read the key file .*missing\.key \(No such file or directory\)"
    ):
        load_signer_key(tmp_path / "missing.key")
    with pytest.raises(KeyFileError, match="is not a regular file"):
        load_signer_key(tmp_path)
    target = write_key(tmp_path, jcs_vectors["signer"]["signerKey"])
    link = tmp_path / "link.key"
    os.symlink(target, link)
    with pytest.raises(KeyFileError) as refused:
        load_signer_key(link)
    assert refused.value.code == "UNSAFE_SECRET_FILE"
    assert "is a symbolic link" in refused.value.message


def test_refuses_a_key_file_of_another_user(tmp_path: Path, jcs_vectors: dict[str, Any]) -> None:
    # Giving a file away takes root, as CI runs (.ci/run installs with apt-get); as another user this fails.
    assert os.geteuid() == 0, "this test gives a file to another user: run the suite as root"
    path = write_key(tmp_path, jcs_vectors["signer"]["signerKey"])
    os.chown(path, 65534, -1)
    with pytest.raises(KeyFileError) as refused:
        load_signer_key(path)
    assert refused.value.code == "UNSAFE_SECRET_FILE"
    assert "belongs to user 65534, not to you (0)" in refused.value.message


def tamper(skey: str, part: int, replace: str) -> str:
    parts = skey.split("+", 4)
    parts[part] = replace
    return "+".join(parts)


def test_refuses_what_is_not_a_goblin_signing_key(jcs_vectors: dict[str, Any]) -> None:
    skey = jcs_vectors["signer"]["signerKey"]
    seed_b64 = skey.split("+", 4)[4]
    raw = base64.b64decode(seed_b64)
    cases = {
        "expected PRIVATE+KEY+name+hash+key": [
            "",
            "hello",
            "PRIVATE+KEY+only",
            "PRIVATE+KEY+a+b",
            skey.replace("KEY", "KEE", 1),
        ],
        "invalid key name": [
            tamper(skey, 2, "two words"),
            tamper(skey, 2, "tab\there"),
            tamper(skey, 2, "nbsp\u00a0"),
        ],
        "not an Ed25519 seed": [
            tamper(skey, 4, seed_b64[:-4]),
            tamper(skey, 4, base64.b64encode(b"\x02" + raw[1:]).decode()),
            tamper(skey, 4, seed_b64.rstrip("=") + "!"),
            tamper(skey, 4, seed_b64 + "AAAA"),
        ],
        "the key hash does not match": [tamper(skey, 3, "00000000"), tamper(skey, 2, "another-name")],
    }
    for why, texts in cases.items():
        for text in texts:
            with pytest.raises(KeyFileError) as refused:
                parse_signer_key(text)
            assert why in refused.value.message, text
            assert seed_b64 not in str(refused.value)


def test_a_verifier_key_is_named_as_such(jcs_vectors: dict[str, Any]) -> None:
    with pytest.raises(KeyFileError, match="this is a public verifier key, not a private signing key"):
        parse_signer_key(jcs_vectors["signer"]["vkey"])


def test_the_private_key_is_never_shown(jcs_vectors: dict[str, Any]) -> None:
    skey = jcs_vectors["signer"]["signerKey"]
    signer = parse_signer_key(skey)
    assert skey.split("+")[-1] not in repr(signer)
    assert "rfc8032-test1+eb2fcf50" in repr(signer)


def test_refuses_a_file_that_is_not_a_key(tmp_path: Path) -> None:
    path = tmp_path / "big.key"
    path.write_bytes(b"PRIVATE+KEY+" + b"A" * 70_000)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="larger than a key file"):
        load_signer_key(path)
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(KeyFileError, match="not UTF-8"):
        load_signer_key(path)

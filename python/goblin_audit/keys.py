"""goblin's Ed25519 signing keys, as `goblin audit keygen` writes them (src/audit/signed-note.ts).

A private key file holds one line, `PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 || 32-byte seed)>`
(the C2SP signed-note signer key form). The key hash is the first 4 bytes of
SHA-256(name || 0x0A || 0x01 || public key); `<name>+<hash>` is the key's id (`kid`) in every envelope.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import KeyFileError

ALG_ED25519 = 0x01
_SEED_BYTES = 32
_MAX_KEY_FILE_BYTES = 64 * 1024
_STRICT_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
# What JavaScript's /\s/u matches (WhiteSpace and LineTerminator), plus '+' and the C0 controls: the
# characters goblin refuses in a key name. Python's own \s differs (it has U+0085, lacks U+FEFF).
_NOT_IN_KEY_NAME = re.compile(
    "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff+\x00-\x1f]"
)


@dataclass(frozen=True, repr=False)
class SignerKey:
    """A goblin signing key: its name, key hash and public key; the private part is never shown."""

    name: str
    key_id: int
    public_key: bytes
    _private: Ed25519PrivateKey = field(compare=False)

    @property
    def kid(self) -> str:
        """`name+hash`: how envelopes and goblin's keyring name this key."""
        return f"{self.name}+{self.key_id:08x}"

    @property
    def verifier_key(self) -> str:
        """The verifier key, `name+hash+base64(0x01 || public key)`, as goblin audit keys export shows it."""
        return f"{self.kid}+{base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode('ascii')}"

    def __repr__(self) -> str:
        return f"SignerKey(kid={self.kid!r})"

    def sign(self, data: bytes) -> bytes:
        """The RFC 8032 Ed25519 signature of `data` (deterministic: the same bytes, the same signature)."""
        return self._private.sign(data)


def key_id(name: str, public_key: bytes) -> int:
    """The C2SP key hash: the first 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def is_valid_key_name(name: str) -> bool:
    """True for a key name goblin accepts: non-empty, no Unicode spaces, no '+', no control characters."""
    return len(name) > 0 and _NOT_IN_KEY_NAME.search(name) is None


def parse_signer_key(text: str) -> SignerKey:
    """Parses the content of a private key file; the error never echoes the key."""

    def bad(why: str) -> KeyFileError:
        return KeyFileError(
            "AUDIT_BAD_SKEY",
            f"not a signing key ({why})",
            "private key files are written by goblin audit keygen",
        )

    parts = text.strip().split("+")
    if len(parts) < 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        if len(parts) >= 3 and re.fullmatch("[0-9a-f]{8}", parts[1]):
            raise KeyFileError(
                "AUDIT_BAD_SKEY",
                "this is a public verifier key, not a private signing key",
                "give the key file goblin audit keygen wrote (GOBLIN_HOME/keys/<name>.key)",
            )
        raise bad("expected PRIVATE+KEY+name+hash+key")
    name, key_hash = parts[2], parts[3]
    if not is_valid_key_name(name):
        raise bad("invalid key name")
    # The base64 part may itself contain '+', so only the first four separators split.
    raw = _decode_base64_strict("+".join(parts[4:]))
    if raw is None or raw[0] != ALG_ED25519 or len(raw) != 1 + _SEED_BYTES:
        raise bad("not an Ed25519 seed")
    private = Ed25519PrivateKey.from_private_bytes(raw[1:])
    public_key = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ident = key_id(name, public_key)
    if f"{ident:08x}" != key_hash:
        raise bad("the key hash does not match the name and key")
    return SignerKey(name, ident, public_key, private)


def load_signer_key(path: str | os.PathLike[str]) -> SignerKey:
    """Reads a private key file: a regular file (not a link) of this user's that nobody else can read.

    The same rules as goblin's own key files (src/core/private-state.ts, checkSecretFile).
    """
    where = os.fspath(path)

    def unsafe(why: str, hint: str) -> KeyFileError:
        return KeyFileError("UNSAFE_SECRET_FILE", f"the key file {where} {why}", hint)

    try:
        fd = os.open(where, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise unsafe(
                "is a symbolic link: goblin reads secrets only from a file of its own",
                "give the key file itself (mode 0600)",
            ) from None
        raise KeyFileError(
            "AUDIT_KEY_UNREADABLE",
            f"cannot read the key file {where} ({error.strerror})",
            "give the path of the key file goblin audit keygen wrote (GOBLIN_HOME/keys/<name>.key)",
        ) from None
    try:
        # fstat on the open file: what was checked is what is read.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise unsafe(
                "is not a regular file: goblin reads secrets only from a file of its own",
                "give the key file itself",
            )
        if info.st_uid != os.getuid():
            raise unsafe(
                f"belongs to user {info.st_uid}, not to you ({os.getuid()})",
                "check who put it there; rotate to a new key if in doubt",
            )
        if info.st_mode & 0o077:
            raise unsafe(
                f"has mode {stat.S_IMODE(info.st_mode):04o}: others can read it",
                f"run chmod 600 {where}; if others may have read it, rotate the key",
            )
        content = b""
        while len(content) <= _MAX_KEY_FILE_BYTES:
            chunk = os.read(fd, _MAX_KEY_FILE_BYTES + 1 - len(content))
            if not chunk:
                break
            content += chunk
    finally:
        os.close(fd)
    if len(content) > _MAX_KEY_FILE_BYTES:
        raise KeyFileError(
            "AUDIT_BAD_SKEY",
            f"{where} is not a signing key (larger than a key file)",
            "give the key file goblin audit keygen wrote",
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(
            "AUDIT_BAD_SKEY",
            f"{where} is not a signing key (not UTF-8 text)",
            "give the key file goblin audit keygen wrote",
        ) from None
    try:
        return parse_signer_key(text)
    except KeyFileError as error:
        raise KeyFileError(error.code, f"{where}: {error.message}", error.hint) from None


def _decode_base64_strict(text: str) -> bytes | None:
    """Canonical base64 only (padding, no stray characters), as goblin's decodeBase64Strict."""
    if len(text) % 4 or not _STRICT_BASE64.fullmatch(text):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None

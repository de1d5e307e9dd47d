"""goblin_audit: sign goblin audit envelopes in a Python service, byte for byte as goblin's Node emitter.

    from goblin_audit import Emitter
    audit = Emitter("refunds", key_file="/run/secrets/refunds.key")
    audit.emit("refund.approve", "allow", attrs={"amount_eur": 30})

See docs/python.md in the goblin repository.
"""

from .canonical import canonical_bytes, canonical_json, ecmascript_number
from .emitter import Emitter
from .envelope import Sealed, seal
from .errors import (
    CollectorRefused,
    CollectorUnavailable,
    EventError,
    GoblinAuditError,
    KeyFileError,
    OptionError,
)
from .keys import SignerKey, load_signer_key, parse_signer_key
from .otlp import Retry

__version__ = "0.1.0"

__all__ = [
    "CollectorRefused",
    "CollectorUnavailable",
    "Emitter",
    "EventError",
    "GoblinAuditError",
    "KeyFileError",
    "OptionError",
    "Retry",
    "Sealed",
    "SignerKey",
    "canonical_bytes",
    "canonical_json",
    "ecmascript_number",
    "load_signer_key",
    "parse_signer_key",
    "seal",
]

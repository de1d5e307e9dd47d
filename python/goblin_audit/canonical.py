"""RFC 8785 (JCS) canonical JSON, byte for byte what goblin's Node side writes (src/audit/canonical-json.ts).

JCS is defined in terms of ECMAScript: numbers are written as `Number.prototype.toString` writes them
(ECMA-262 Number::toString, RFC 8785 section 3.2.2.3), strings as `JSON.stringify` escapes them, and object
members are sorted by their UTF-16 code units (section 3.2.3). Python's own `json` differs on all three
(`1e+16` vs `10000000000000000`, ordering of astral characters, `1.0` vs `1`), so each rule is written out
here. Values: None, bool, int, float, str, list/tuple, dict with str keys; anything else is refused, as are
NaN, infinities, ints a double cannot hold exactly, strings with lone surrogates and cyclic containers.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import EventError

# JSON.stringify's escapes: the two-character forms, then \u00XX (lowercase hex) for the other C0 controls.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SURROGATE = re.compile("[\ud800-\udfff]")
# The largest magnitude up to which every integer is a double (2**53); larger ints must be exact doubles.
_EXACT_INT_LIMIT = 2**53


def canonical_json(value: Any) -> str:
    """The RFC 8785 canonical JSON text of `value`; raises EventError naming the first bad value's path."""
    out: list[str] = []
    try:
        _write(value, out, "$", set())
    except RecursionError:
        raise _refused(
            "a value nested this deeply", "$", "flatten it, or record a hash of it instead"
        ) from None
    return "".join(out)


def canonical_bytes(value: Any) -> bytes:
    """UTF-8 bytes of the canonical JSON of `value`: what goblin signs and hashes."""
    return canonical_json(value).encode("utf-8")


def ecmascript_number(x: float) -> str:
    """ECMA-262 Number::toString(x) for a finite double: the number text JCS requires."""
    if math.isnan(x) or math.isinf(x):
        raise EventError("JSON_NOT_CANONICALIZABLE", f"cannot write {x!r} as canonical JSON (RFC 8785)")
    if x == 0:
        return "0"  # also -0
    if x < 0:
        return "-" + ecmascript_number(-x)
    digits, n = _shortest_digits(x)
    k = len(digits)
    # ECMA-262 6.1.6.1.20 steps 6-10, with x = 0.d1d2...dk * 10**n (digits s, k of them, exponent n).
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    exponent = n - 1
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def _shortest_digits(x: float) -> tuple[str, int]:
    """The digits s and exponent n of the shortest decimal that reads back as `x` (x = 0.s * 10**n).

    Python's float repr is that decimal: the fewest digits that round-trip, and of several such the one
    nearest `x` (David Gay's dtoa, mode 0), which is what ECMA-262 asks of Number::toString (k as small
    as possible; s closest to x). Only the layout differs, so the digits are read out of repr.
    """
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    n = len(whole) + int(exponent or 0)
    significant = digits.lstrip("0")
    n -= len(digits) - len(significant)
    return significant.rstrip("0"), n


def _write(value: Any, out: list[str], path: str, open_containers: set[int]) -> None:
    # bool before int: True is an int in Python but `true` in JSON.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value, path))
    elif isinstance(value, int):
        out.append(_integer(value, path))
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _refused(
                f"{value!r}", path, "JSON has no NaN or Infinity: send it as a string or leave it out"
            )
        out.append(ecmascript_number(value))
    elif isinstance(value, (list, tuple, dict)):
        if id(value) in open_containers:
            raise _refused("a container that contains itself", path, "break the cycle before emitting")
        open_containers.add(id(value))
        if isinstance(value, dict):
            _write_object(value, out, path, open_containers)
        else:
            out.append("[")
            for i, item in enumerate(value):
                if i:
                    out.append(",")
                _write(item, out, f"{path}[{i}]", open_containers)
            out.append("]")
        open_containers.discard(id(value))
    else:
        raise _refused(f"a {type(value).__name__}", path, "attrs hold only JSON values: convert it first")


def _write_object(record: dict, out: list[str], path: str, open_containers: set[int]) -> None:
    for key in record:
        if not isinstance(key, str):
            raise _refused(f"the {type(key).__name__} key {key!r}", path, "object keys must be strings")
        if _SURROGATE.search(key):
            raise _refused("a key with a lone UTF-16 surrogate", path, "keys must be valid Unicode")
    # UTF-16 code unit order, as RFC 8785 section 3.2.3 asks: UTF-16BE bytes compare the same way.
    keys = sorted(record, key=lambda k: k.encode("utf-16-be"))
    out.append("{")
    for i, key in enumerate(keys):
        if i:
            out.append(",")
        out.append(_string(key, path))
        out.append(":")
        _write(record[key], out, f"{path}.{key}", open_containers)
    out.append("}")


def _string(text: str, path: str) -> str:
    if _SURROGATE.search(text):
        # A Python str can hold a surrogate code point; UTF-8 (and so JCS) cannot.
        raise _refused("a string with a lone UTF-16 surrogate", path, "strings must be valid Unicode")
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _integer(value: int, path: str) -> str:
    # JCS numbers are IEEE 754 doubles. An int a double cannot hold would be signed as another number
    # (12345678901234567891 as 12345678901234567000), so it is refused, as goblin audit sign refuses it.
    if abs(value) > _EXACT_INT_LIMIT:
        try:
            exact = int(float(value)) == value
        except OverflowError:
            exact = False
        if not exact:
            raise EventError(
                "AUDIT_INEXACT_NUMBER",
                f"{path}: the number {value} cannot be signed exactly (a JSON double cannot hold it)",
                'write the number as a string ("12345678901234567891") so the log keeps every digit',
            )
    return ecmascript_number(float(value))


def _refused(what: str, path: str, hint: str) -> EventError:
    return EventError(
        "JSON_NOT_CANONICALIZABLE", f"{path}: cannot write {what} as canonical JSON (RFC 8785)", hint
    )

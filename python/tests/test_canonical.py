"""RFC 8785 canonical JSON: the RFC's published examples, edge numbers, and differential runs against V8
(JavaScript's own Number::toString) and against goblin's Node canonicalJson on random values."""

from __future__ import annotations

import json
import random
import struct
import subprocess
from typing import Any

import pytest

from conftest import read_like_javascript
from goblin_audit import EventError, canonical_bytes, canonical_json, ecmascript_number
from goblin_cli import FIXTURES, REPO, node_binary

CYBERPHONE = FIXTURES / "jcs-cyberphone"


def double(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


@pytest.mark.parametrize("name", ["arrays", "french", "structures", "unicode", "values", "weird"])
def test_rfc8785_reference_test_data(name: str) -> None:
    value = read_like_javascript((CYBERPHONE / "input" / f"{name}.json").read_text("utf-8"))
    assert canonical_bytes(value) == (CYBERPHONE / "output" / f"{name}.json").read_bytes()


def test_rfc8785_number_examples(jcs_vectors: dict[str, Any]) -> None:
    # Appendix B of RFC 8785 and further edges (1e21, 1e-7, -0, 5e-324, 2**53, 0.1 + 0.2 among them).
    cases = jcs_vectors["numbers"]["appendixB"] + [edge[:2] for edge in jcs_vectors["numbers"]["edges"]]
    assert len(cases) == 34
    for bits, text in cases:
        assert ecmascript_number(double(bits)) == text, bits
        assert canonical_json([double(bits)]) == f"[{text}]"


def test_the_numbers_of_the_brief() -> None:
    assert [ecmascript_number(x) for x in (1e21, 1e-7, -0.0, 5e-324, float(2**53), 0.1 + 0.2)] == [
        "1e+21",
        "1e-7",
        "0",
        "5e-324",
        "9007199254740992",
        "0.30000000000000004",
    ]
    # Python ints are written as the double they equal, like JavaScript numbers.
    assert canonical_json([2**53, -(2**53), 10**21, 2**60, 0, -0.0]) == (
        "[9007199254740992,-9007199254740992,1e+21,1152921504606847000,0,0]"
    )


def run_node(script: str, lines: list[str]) -> list[str]:
    """Runs an ES module with one input per line on stdin; returns its output lines (split on \\n only)."""
    done = subprocess.run(
        [node_binary(), "--input-type=module", "-e", script],
        input="\n".join(lines).encode("utf-8"),
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    return done.stdout.decode("utf-8").split("\n")[: len(lines)]


def random_doubles(rng: random.Random, count: int) -> list[float]:
    """Random bit patterns (every exponent, subnormals too), decimal-looking values and powers of 2 and 10."""
    values: list[float] = []
    while len(values) < count:
        x = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
        if x == x and abs(x) != float("inf"):
            values.append(x)
        values.append(float(f"{rng.randint(1, 10**rng.randint(1, 17))}e{rng.randint(-30, 30)}"))
    values += [10.0**e for e in range(-323, 309)] + [2.0**e for e in range(-1074, 1024)]
    return values


def test_numbers_match_v8_number_to_string() -> None:
    values = random_doubles(random.Random(8785), 20_000)
    hex_lines = [struct.pack(">d", x).hex() for x in values]
    script = (
        "import { readFileSync } from 'node:fs';"
        "const lines = readFileSync(0, 'utf8').split('\\n');"
        "const text = (h) => JSON.stringify(Buffer.from(h, 'hex').readDoubleBE(0));"
        "process.stdout.write(lines.map(text).join('\\n'))"
    )
    expected = run_node(script, hex_lines)
    mismatches = [
        (h, e, ecmascript_number(x))
        for h, e, x in zip(hex_lines, expected, values)
        if ecmascript_number(x) != e
    ]
    assert len(expected) == len(values)
    assert mismatches == []


def random_text(rng: random.Random) -> str:
    """Strings that exercise every escape and the UTF-16 ordering: controls, U+2028, private use, astral."""
    ranges = [
        (0x00, 0x1F),
        (0x20, 0x7E),
        (0x7F, 0x9F),
        (0xA0, 0x2FFF),
        (0x2028, 0x2029),
        (0xE000, 0xFFFF),
        (0x10000, 0x10FFFF),
    ]
    chars = []
    for _ in range(rng.randint(0, 8)):
        low, high = rng.choice(ranges)
        chars.append(chr(rng.randint(low, high)))
    return "".join(chars) + rng.choice(['"', "\\", "/", "", "a"])


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-(2**53), 2**53)
    if kind in (2, 3):
        return random_doubles(rng, 1)[0]
    if kind in (4, 5):
        return random_text(rng)
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_text(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def as_pairs(value: Any) -> Any:
    """Objects as {"o": [[key, value], ...]}, arrays as {"a": [...]}: no JSON object key carries an escape."""
    if isinstance(value, dict):
        return {"o": [[k, as_pairs(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"a": [as_pairs(v) for v in value]}
    return value


def test_random_values_match_goblin_node_canonical_json() -> None:
    rng = random.Random(19)
    values = [random_value(rng) for _ in range(3000)]
    # Objects travel as key/value pairs because V8's JSON.parse (Node 24) can misread an escaped key such as
    # "\"" once an earlier parse saw "\\" at the same place (nodejs/node#63785): this compares canonical
    # forms, not JSON.parse. ensure_ascii keeps raw U+2028 and astral characters out of the input lines.
    inputs = [json.dumps(as_pairs(v), ensure_ascii=True) for v in values]
    script = (
        "import { readFileSync } from 'node:fs';"
        "import { canonicalJson } from './dist/src/audit/canonical-json.js';"
        "const build = (v) => v === null || typeof v !== 'object' ? v"
        "  : 'a' in v ? v.a.map(build) : Object.fromEntries(v.o.map(([k, x]) => [k, build(x)]));"
        "const lines = readFileSync(0, 'utf8').split('\\n');"
        "process.stdout.write(lines.map((l) => canonicalJson(build(JSON.parse(l)))).join('\\n'))"
    )
    expected = run_node(script, inputs)
    mismatches = [
        (i, e, canonical_json(v)) for i, (e, v) in enumerate(zip(expected, values)) if canonical_json(v) != e
    ]
    assert len(expected) == len(values)
    assert mismatches == []


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 (code point order would put it after).
    assert (
        canonical_json({"\ufb33": 1, "\U0001f600": 2, "\u00f6": 3})
        == '{"\u00f6":3,"\U0001f600":2,"\ufb33":1}'
    )


@pytest.mark.parametrize(
    ("value", "where", "code"),
    [
        (float("nan"), "$", "JSON_NOT_CANONICALIZABLE"),
        ({"a": [1, float("inf")]}, "$.a[1]", "JSON_NOT_CANONICALIZABLE"),
        ({"a": -float("inf")}, "$.a", "JSON_NOT_CANONICALIZABLE"),
        ({"s": "half \ud800 a pair"}, "$.s", "JSON_NOT_CANONICALIZABLE"),
        ({"\udfff": 1}, "$", "JSON_NOT_CANONICALIZABLE"),
        ({1: "int key"}, "$", "JSON_NOT_CANONICALIZABLE"),
        ({None: "null key"}, "$", "JSON_NOT_CANONICALIZABLE"),
        ({"b": b"bytes"}, "$.b", "JSON_NOT_CANONICALIZABLE"),
        ({"set": {1, 2}}, "$.set", "JSON_NOT_CANONICALIZABLE"),
        ({"o": object()}, "$.o", "JSON_NOT_CANONICALIZABLE"),
        ({"n": 2**53 + 1}, "$.n", "AUDIT_INEXACT_NUMBER"),
        ({"n": -(10**400)}, "$.n", "AUDIT_INEXACT_NUMBER"),
    ],
)
def test_refuses_what_has_no_canonical_form(value: Any, where: str, code: str) -> None:
    with pytest.raises(EventError) as refused:
        canonical_json(value)
    assert refused.value.code == code
    assert refused.value.message.startswith(f"{where}: ")
    assert refused.value.hint


def test_refuses_cycles_and_absurd_depth() -> None:
    looped: dict[str, Any] = {"a": [1]}
    looped["a"].append(looped)
    with pytest.raises(EventError, match=r"^\$\.a\[1\]: cannot write a container that contains itself"):
        canonical_json(looped)
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(EventError, match="nested this deeply"):
        canonical_json(deep)
    # The same list twice (not a cycle) is fine.
    shared = [1]
    assert canonical_json({"x": shared, "y": shared}) == '{"x":[1],"y":[1]}'


def test_bool_is_not_an_int_and_tuples_are_arrays() -> None:
    assert (
        canonical_json({"t": True, "f": False, "one": 1, "tuple": (1, "a")})
        == '{"f":false,"one":1,"t":true,"tuple":[1,"a"]}'
    )

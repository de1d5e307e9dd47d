/** Hand-written protobuf bytes, for messages protobufjs will not encode (too deep, odd field orders). */

/** The bytes of one length-delimited field: its tag (field number, wire type 2), length and body. */
export function field(number: number, body: Uint8Array): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(body.length), body])
}

/** An unsigned varint. */
function varint(n: number): Buffer {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return Buffer.from(out)
}

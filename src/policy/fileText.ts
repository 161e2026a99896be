/**
 * Policy (and config) files are UTF-8 text; policy files hold at most 1 MiB. Anything else is reported with the line and
 * column of the first bad byte rather than decoded into replacement characters that would
 * surface later as a puzzling schema error.
 */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

export type DecodedText = { text: string } | { error: string; at: { line: number; column: number } };

const UTF16_BOMS: ReadonlyArray<readonly [number, number]> = [
  [0xff, 0xfe],
  [0xfe, 0xff],
];

export function decodeUtf8(bytes: Uint8Array): DecodedText {
  if (UTF16_BOMS.some(([a, b]) => bytes[0] === a && bytes[1] === b)) {
    return {
      error: 'file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8',
      at: { line: 1, column: 1 },
    };
  }
  try {
    // A UTF-8 byte order mark is dropped by the decoder, as editors expect.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8Byte(bytes);
    const byte = bytes[offset] ?? 0;
    return {
      error: `file is not valid UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset} (Latin-1 or another legacy encoding?); save it as UTF-8`,
      at: positionOfByte(bytes, offset),
    };
  }
}

/**
 * The offset of the first byte that cannot start or continue a UTF-8 sequence: the longest
 * prefix that decodes (a sequence cut at the end of a prefix is not an error in stream mode)
 * is found by bisection, so no hand-written UTF-8 state machine is needed.
 */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const decodes = (length: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let good = 0;
  let bad = bytes.length;
  if (decodes(bad)) good = bad; // only the last sequence is cut short
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (decodes(mid)) good = mid;
    else bad = mid;
  }
  // bytes[0, good) decode, maybe ending in a pending sequence that the next byte breaks: then the
  // error is that sequence's lead byte (a Latin-1 "é" followed by a newline), else bytes[good].
  let lead = good - 1;
  while (lead >= 0 && good - lead <= 3 && ((bytes[lead] ?? 0) & 0xc0) === 0x80) lead--;
  const leadByte = bytes[lead] ?? 0;
  if (lead >= 0 && leadByte >= 0xc0) {
    const length = leadByte >= 0xf0 ? 4 : leadByte >= 0xe0 ? 3 : 2;
    if (good - lead < length) return lead;
  }
  return good;
}

/** 1-based line and column (in characters) of a byte offset; the bytes before it are valid UTF-8. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
  const lines = before.split('\n');
  const last = lines[lines.length - 1] ?? '';
  return { line: lines.length, column: [...last].length + 1 };
}

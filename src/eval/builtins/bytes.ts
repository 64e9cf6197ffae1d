// Byte-level helpers with no Node dependency (the engine also runs in browsers): UTF-8,
// base64 in both alphabets, and hex.

const encoder = new TextEncoder();
// Invalid UTF-8 becomes U+FFFD: Verdict strings are Unicode, unlike Go's byte strings.
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

export const utf8Encode = (s: string): Uint8Array => encoder.encode(s);
export const utf8Decode = (bytes: Uint8Array): string => decoder.decode(bytes);

const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function lookupTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STANDARD_LOOKUP = lookupTable(STANDARD);
const URL_SAFE_LOOKUP = lookupTable(URL_SAFE);

export function base64Encode(bytes: Uint8Array, urlSafe: boolean, pad: boolean): string {
  const alphabet = urlSafe ? URL_SAFE : STANDARD;
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += alphabet[(n >> (18 - 6 * k)) & 63];
    if (pad) out += "=".repeat(4 - chars);
  }
  return out;
}

/**
 * Decodes base64; null if malformed. Line breaks are ignored as in Go. `padding` says whether
 * trailing '=' padding is "required" (Go's StdEncoding) or "optional" (accepts raw input too).
 */
export function base64Decode(text: string, urlSafe: boolean, padding: "required" | "optional"): Uint8Array | null {
  let s = text.replace(/[\r\n]/g, "");
  const padded = s.endsWith("=");
  if (padded || padding === "required") {
    if (s.length % 4 !== 0) return null;
    s = s.replace(/={1,2}$/, "");
  }
  if (s.length % 4 === 1) return null;
  const lookup = urlSafe ? URL_SAFE_LOOKUP : STANDARD_LOOKUP;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let buffer = 0;
  let bitCount = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const value = code < 128 ? (lookup[code] as number) : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[o++] = (buffer >> bitCount) & 0xff;
    }
  }
  return out;
}

export function hexEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Decodes hex digits (either case); null if the length is odd or a digit is invalid. */
export function hexDecode(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Digests and HMACs over the UTF-8 bytes of strings, as lower-case hex. Uses @noble/hashes
// rather than node:crypto so the engine keeps working in browsers.
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { def, stringArg } from "./args.js";
import { hexEncode, utf8Encode } from "./bytes.js";
import type { Builtin } from "./types.js";

type Hash = CHash;

const digest = (name: string, hash: Hash): Builtin =>
  def(name, 1, `${name}(x) -> string`, (args) => hexEncode(hash(utf8Encode(stringArg(args, 0)))));

const keyedDigest = (name: string, hash: Hash): Builtin =>
  def(name, 2, `${name}(x, key) -> string`, (args) =>
    hexEncode(hmac(hash, utf8Encode(stringArg(args, 1)), utf8Encode(stringArg(args, 0)))),
  );

/** Compares without an early exit, so timing does not reveal how much of a MAC matched. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export const cryptoBuiltins: readonly Builtin[] = [
  digest("crypto.md5", md5),
  digest("crypto.sha1", sha1),
  digest("crypto.sha256", sha256),
  keyedDigest("crypto.hmac.md5", md5),
  keyedDigest("crypto.hmac.sha1", sha1),
  keyedDigest("crypto.hmac.sha256", sha256),
  keyedDigest("crypto.hmac.sha512", sha512),
  def("crypto.hmac.equal", 2, "crypto.hmac.equal(mac1, mac2) -> boolean", (args) =>
    constantTimeEqual(utf8Encode(stringArg(args, 0)), utf8Encode(stringArg(args, 1))),
  ),
];

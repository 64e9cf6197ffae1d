// CIDR arithmetic for IPv4 and IPv6, parsed as strictly as Go's net.ParseIP/ParseCIDR (no
// leading zeros in IPv4 octets, no zones). Addresses are BigInts so both families share code.
// As in Go, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is treated as the IPv4 address.
import { BuiltinError } from "../errors.js";
import type { Value } from "../value.js";
import { arg, def, stringArg } from "./args.js";
import type { Builtin } from "./types.js";

interface Address {
  readonly family: 4 | 6;
  readonly value: bigint;
}

interface Network {
  readonly family: 4 | 6;
  readonly base: bigint; // the address with host bits cleared
  readonly prefix: number;
}

const bits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function mask(family: 4 | 6, prefix: number): bigint {
  const width = BigInt(bits(family));
  return ((1n << BigInt(prefix)) - 1n) << (width - BigInt(prefix));
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;

function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!OCTET.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** Hex groups of one side of "::", as 16-bit numbers; a trailing dotted IPv4 counts as two. */
function parseGroups(side: string, allowIPv4Tail: boolean): number[] | null {
  if (side === "") return [];
  const parts = side.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (allowIPv4Tail && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part);
      if (v4 === null) return null;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEXTET.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIPv6(s: string): bigint | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string, false);
    const tail = parseGroups(halves[1] as string, true);
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(s, true);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

export function parseIP(s: string): Address | null {
  if (!s.includes(":")) {
    const v4 = parseIPv4(s);
    return v4 === null ? null : { family: 4, value: v4 };
  }
  const v6 = parseIPv6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 - V4_MAPPED_PREFIX };
  return { family: 6, value: v6 };
}

export function parseCIDR(s: string): Network | null {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return null;
  const prefixText = s.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  const address = parseIP(s.slice(0, slash));
  if (address === null) return null;
  const writtenAsV6 = s.slice(0, slash).includes(":");
  if (prefix > (writtenAsV6 ? 128 : 32)) return null;
  // A mapped address written in IPv6 form keeps only the IPv4 part of its mask, as in Go.
  if (writtenAsV6 && address.family === 4) prefix = Math.max(prefix - 96, 0);
  return { family: address.family, base: address.value & mask(address.family, prefix), prefix };
}

function contains(net: Network, address: Address): boolean {
  return net.family === address.family && (address.value & mask(net.family, net.prefix)) === net.base;
}

function networkArg(args: readonly Value[], i: number): Network {
  const s = stringArg(args, i);
  const net = parseCIDR(s);
  if (net === null) throw new BuiltinError(`operand ${i + 1} is not a valid CIDR: ${JSON.stringify(s)}`);
  return net;
}

/** cidr_contains: the second operand may be an IP address or a whole network. */
function containsAddressOrNetwork(args: readonly Value[]): boolean {
  const outer = networkArg(args, 0);
  const s = stringArg(args, 1);
  const address = parseIP(s);
  if (address !== null) return contains(outer, address);
  const inner = parseCIDR(s);
  if (inner === null) throw new BuiltinError(`operand 2 is not a valid IP address or CIDR: ${JSON.stringify(s)}`);
  return inner.prefix >= outer.prefix && contains(outer, { family: inner.family, value: inner.base });
}

function intersects(a: Network, b: Network): boolean {
  return contains(a, { family: b.family, value: b.base }) || contains(b, { family: a.family, value: a.base });
}

export const netBuiltins: readonly Builtin[] = [
  def("net.cidr_contains", 2, "net.cidr_contains(cidr, cidr_or_ip) -> boolean", (args) =>
    containsAddressOrNetwork(args),
  ),
  def("net.cidr_intersects", 2, "net.cidr_intersects(cidr1, cidr2) -> boolean", (args) =>
    intersects(networkArg(args, 0), networkArg(args, 1)),
  ),
  def("net.cidr_is_valid", 1, "net.cidr_is_valid(cidr) -> boolean", (args) => {
    const v = arg(args, 0);
    return typeof v === "string" && parseCIDR(v) !== null;
  }),
];

/**
 * IPv4 and IPv6 addresses and CIDR blocks (`203.0.113.0/24`, `2001:db8::/32`; a bare address is a block of one),
 * parsed into bits so a sender's address can be matched against an integration's `allowedIps`. Pure: no DNS, no
 * node:net.
 */

/** An address as big-endian bits: 32 for IPv4, 128 for IPv6. */
interface Bits {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  /** The network's first address (host bits cleared). */
  network: bigint;
  prefix: number;
}

function parseIpv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseIpv6(s: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.split('::').length > 2) return null;
  let text = s;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (g: string) => (g === '' ? [] : g.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    value = (value << 16n) | BigInt(`0x${g}`);
  }
  return value;
}

function parseAddress(s: string): Bits | null {
  const v4 = parseIpv4(s);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = s.includes(':') ? parseIpv6(s) : null;
  return v6 === null ? null : { family: 6, value: v6 };
}

const width = (family: 4 | 6) => (family === 4 ? 32 : 128);
const maskOf = (family: 4 | 6, prefix: number) => {
  const w = BigInt(width(family));
  return ((1n << w) - 1n) ^ ((1n << (w - BigInt(prefix))) - 1n);
};

/** Parses `a.b.c.d/n`, `x:y::z/n` or a bare address; null when it is not one. */
export function parseCidr(s: string): Cidr | null {
  const [addr, prefixText, extra] = s.trim().split('/');
  if (extra !== undefined || addr === undefined) return null;
  const bits = parseAddress(addr);
  if (!bits) return null;
  const max = width(bits.family);
  if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { family: bits.family, network: bits.value & maskOf(bits.family, prefix), prefix };
}

/** Whether an address (IPv4, IPv6, or IPv4-mapped IPv6) is inside one of the blocks. */
export function addressAllowed(address: string | undefined, blocks: readonly Cidr[]): boolean {
  if (!address) return false;
  let bits = parseAddress(address);
  if (!bits) return false;
  // ::ffff:a.b.c.d is an IPv4 sender seen through a dual-stack socket.
  if (bits.family === 6 && bits.value >> 32n === 0xffffn) bits = { family: 4, value: bits.value & 0xffffffffn };
  const { family, value } = bits;
  return blocks.some((b) => b.family === family && (value & maskOf(family, b.prefix)) === b.network);
}

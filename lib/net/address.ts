import { isIP } from "node:net";

// Which IP addresses an outgoing request on a user's behalf (the chatbot hand-off) may reach: only public
// unicast ones. Everything this machine or its network can reach but the internet cannot — loopback, private
// and carrier-grade NAT ranges, link-local (169.254.169.254 is the cloud metadata service), "this network",
// multicast, reserved and documentation ranges — is refused, and so are the IPv6 forms that carry an IPv4
// address (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), judged by the address they carry.
//
// The input is an address as dns.lookup returns it or as the WHATWG URL parser writes a host: the parser already
// turns http://2130706433/, http://0x7f.1/ and http://0177.0.0.1/ into 127.0.0.1, and [::ffff:127.0.0.1] into
// [::ffff:7f00:1], so only canonical spellings reach this module.

export type AddressVerdict = { ok: true } | { ok: false; range: string };

type V4Range = readonly [base: number, prefix: number, range: string];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

const V4_REFUSED: readonly V4Range[] = [
  [v4(0, 0, 0, 0), 8, "um endereço da rede 0.0.0.0/8"],
  [v4(10, 0, 0, 0), 8, "um endereço de rede privada"],
  [v4(100, 64, 0, 0), 10, "um endereço interno de operadora (100.64.0.0/10)"],
  [v4(127, 0, 0, 0), 8, "um endereço desta própria máquina (loopback)"],
  [v4(169, 254, 0, 0), 16, "um endereço link-local"],
  [v4(172, 16, 0, 0), 12, "um endereço de rede privada"],
  [v4(192, 0, 0, 0), 24, "um endereço reservado"],
  [v4(192, 0, 2, 0), 24, "um endereço de documentação"],
  [v4(192, 88, 99, 0), 24, "um endereço reservado"],
  [v4(192, 168, 0, 0), 16, "um endereço de rede privada"],
  [v4(198, 18, 0, 0), 15, "um endereço reservado"],
  [v4(198, 51, 100, 0), 24, "um endereço de documentação"],
  [v4(203, 0, 113, 0), 24, "um endereço de documentação"],
  [v4(224, 0, 0, 0), 4, "um endereço multicast"],
  [v4(240, 0, 0, 0), 4, "um endereço reservado"],
];

const inV4 = (ip: number, base: number, prefix: number) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (ip & mask) >>> 0 === base;
};

/** "a.b.c.d" (decimal, as dns.lookup and the URL parser write it) → 32-bit number; null otherwise. */
const parseV4 = (s: string): number | null => {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
};

/** IPv6 text (with "::" and an optional dotted IPv4 tail) → 8 hextets; null when it is not one. */
const parseV6 = (s: string): number[] | null => {
  let text = s.toLowerCase();
  let tail: number[] = [];
  if (text.includes(".")) {
    const i = text.lastIndexOf(":");
    const ip = parseV4(text.slice(i + 1));
    if (ip === null) return null;
    tail = [ip >>> 16, ip & 0xffff];
    text = text.slice(0, i + 1); // "::ffff:", "::", "1:2:3:4:5:6:"
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const want = 8 - tail.length;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const hextets = (h: string) => (h === "" ? [] : h.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = hextets(halves[0]!);
  const rest = halves.length === 2 ? hextets(halves[1]!) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1) return head.length === want ? [...head, ...tail] : null;
  const missing = want - head.length - rest.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest, ...tail];
};

const embeddedV4 = (h: number[], at: number) => (((h[at]! << 16) | h[at + 1]!) >>> 0);

const classifyV4 = (ip: number): AddressVerdict => {
  for (const [base, prefix, range] of V4_REFUSED) if (inV4(ip, base, prefix)) return { ok: false, range };
  return { ok: true };
};

const classifyV6 = (h: number[]): AddressVerdict => {
  const zeroUpTo = (n: number) => h.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && h[7] === 0) return { ok: false, range: "o endereço não especificado (::)" };
  if (zeroUpTo(7) && h[7] === 1) return { ok: false, range: "um endereço desta própria máquina (loopback)" };
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated): the IPv4 address is what is reached.
  if (zeroUpTo(5) && h[5] === 0xffff) return classifyV4(embeddedV4(h, 6));
  if (zeroUpTo(4) && h[4] === 0xffff && h[5] === 0) return classifyV4(embeddedV4(h, 6));
  // ::a.b.c.d (IPv4-compatible, deprecated): never a legitimate public endpoint.
  if (zeroUpTo(6)) return { ok: false, range: "um endereço reservado" };
  // NAT64 (64:ff9b::/96): a translator forwards to the IPv4 address it carries.
  if (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0) return classifyV4(embeddedV4(h, 6));
  if (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 1) return { ok: false, range: "um endereço NAT64 local" };
  // 6to4 (2002:aabb:ccdd::/48) carries a.b.c.d in its second and third hextets.
  if (h[0] === 0x2002) return classifyV4(embeddedV4(h, 1));
  if (h[0] === 0x2001 && h[1] === 0x0db8) return { ok: false, range: "um endereço de documentação" };
  if (h[0] === 0x2001 && h[1] === 0) return { ok: false, range: "um endereço reservado (Teredo)" };
  if (h[0] === 0x100 && h[1] === 0 && h[2] === 0 && h[3] === 0) return { ok: false, range: "um endereço reservado" };
  if ((h[0]! & 0xfe00) === 0xfc00) return { ok: false, range: "um endereço de rede privada (fc00::/7)" };
  if ((h[0]! & 0xffc0) === 0xfe80) return { ok: false, range: "um endereço link-local" };
  if ((h[0]! & 0xffc0) === 0xfec0) return { ok: false, range: "um endereço de rede privada (site-local)" };
  if ((h[0]! & 0xff00) === 0xff00) return { ok: false, range: "um endereço multicast" };
  return { ok: true };
};

/** Whether an IP address (v4 or v6, brackets and zone id allowed) is a public unicast one. Not an IP → refused. */
export const classifyAddress = (address: string): AddressVerdict => {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) {
    const ip = parseV4(bare);
    return ip === null ? { ok: false, range: "um endereço inválido" } : classifyV4(ip);
  }
  if (family === 6) {
    const h = parseV6(bare);
    return h === null ? { ok: false, range: "um endereço inválido" } : classifyV6(h);
  }
  return { ok: false, range: "um endereço inválido" };
};

/** The host of a URL as an IP literal (brackets removed), or null when it is a name. */
export const ipLiteral = (hostname: string): string | null => {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return isIP(bare) ? bare : null;
};

import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { LookupAddress } from "node:dns";
import type { Env } from "@/lib/env";
import { classifyAddress, ipLiteral } from "./address";

// Outgoing requests to an address a user typed (the chatbot flow's external bot): https only, to public
// addresses only, checked after resolving the name, and checked again on the connection itself.
//
// Against DNS rebinding (a name that answers with a public address when the flow is saved and with 127.0.0.1 when
// the hand-off runs, or between a check and the connection) the request resolves the name exactly once, inside
// the socket's own `lookup` hook: every address the name has must be public, and the socket connects to the
// addresses that were checked, never to a second answer. An IP literal skips DNS, so it is checked before the
// request. Redirects are not followed (node:http never follows them): a 3xx is the bot's answer, and a failed
// hand-off — a redirect could point anywhere, including inside the network.

export type ResolvedAddress = { address: string; family: number };

export type EndpointPolicy = {
  /**
   * Host names (lower case, as the URL parser writes them: IPv6 in brackets) exempt from https and from the
   * address check: the development machine's own services (the simulator, a bot on localhost). Empty in production.
   */
  trustedDevHosts: readonly string[];
  /** Resolves every address of a name; tests replace it. Default dns.lookup({ all: true }). */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
};

/** Production's policy: https to public addresses, nothing exempt. */
export const STRICT_ENDPOINT_POLICY: EndpointPolicy = { trustedDevHosts: [] };

/**
 * The policy for this environment: strict in production. Elsewhere the development machine's own services are
 * exempt (plain http, loopback): localhost, and the hosts of the simulator and of the app when configured over http.
 */
export const endpointPolicyFor = (e: Pick<Env, "NODE_ENV" | "WHATSAPP_API_BASE_URL" | "APP_URL">): EndpointPolicy => {
  if (e.NODE_ENV === "production") return STRICT_ENDPOINT_POLICY;
  const hosts = new Set(["localhost", "127.0.0.1", "[::1]"]);
  for (const raw of [e.WHATSAPP_API_BASE_URL, e.APP_URL]) {
    const url = URL.canParse(raw) ? new URL(raw) : null;
    if (url?.protocol === "http:") hosts.add(url.hostname.toLowerCase());
  }
  return { trustedDevHosts: [...hosts] };
};

export type EndpointRefusal = { ok: false; message: string; /** false: a passing DNS failure, worth another try. */ final: boolean };
export type EndpointCheck = { ok: true; url: URL; trusted: boolean; addresses: ResolvedAddress[] } | EndpointRefusal;

const EXAMPLE = "https://bot.suaempresa.com.br/entrada";

const defaultLookup = async (hostname: string): Promise<ResolvedAddress[]> =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family }));

const refused = (message: string, final = true): EndpointRefusal => ({ ok: false, message, final });

const blockedMessage = (host: string, address: string, range: string) =>
  host === address || host === `[${address}]`
    ? `${address} é ${range}, inacessível pela internet: use o endereço público do seu bot.`
    : `${host} aponta para ${address}, ${range}, inacessível pela internet: use o endereço público do seu bot.`;

/** What can be judged without DNS: the URL's shape, its scheme, credentials in it, an IP literal host. */
const checkShape = (raw: string, policy: EndpointPolicy): { ok: true; url: URL; trusted: boolean; literal: string | null } | EndpointRefusal => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused(`Use uma URL completa, como ${EXAMPLE}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return refused(`Use uma URL completa, como ${EXAMPLE}.`);
  if (url.username || url.password)
    return refused("Tire o usuário e a senha da URL: o POST é autenticado pelo segredo do bot.");
  const host = url.hostname.toLowerCase();
  const trusted = policy.trustedDevHosts.includes(host);
  if (trusted) return { ok: true, url, trusted, literal: ipLiteral(host) };
  const literal = ipLiteral(host);
  if (literal) {
    const verdict = classifyAddress(literal);
    if (!verdict.ok) return refused(blockedMessage(host, literal, verdict.range));
  }
  if (url.protocol !== "https:") return refused(`Use https:// — o bot externo recebe dados de contatos e precisa de conexão segura (ex.: ${EXAMPLE}).`);
  return { ok: true, url, trusted, literal };
};

/** Resolves a name and requires every address to be public (one private answer is enough to refuse). */
const resolvePublic = async (host: string, policy: EndpointPolicy): Promise<{ ok: true; addresses: ResolvedAddress[] } | EndpointRefusal> => {
  let addresses: ResolvedAddress[];
  try {
    addresses = await (policy.lookup ?? defaultLookup)(host);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EAI_AGAIN") return refused(`Não conseguimos consultar o endereço ${host} agora (DNS): tente de novo em instantes.`, false);
    return refused(`Não encontramos o endereço ${host} (DNS): confira a URL do bot.`);
  }
  if (addresses.length === 0) return refused(`Não encontramos o endereço ${host} (DNS): confira a URL do bot.`);
  for (const a of addresses) {
    const verdict = classifyAddress(a.address);
    if (!verdict.ok) return refused(blockedMessage(host, a.address, verdict.range));
  }
  return { ok: true, addresses };
};

/** Save-time check of an endpoint URL: shape, https, and every address the name resolves to. */
export const checkEndpointUrl = async (raw: string, policy: EndpointPolicy): Promise<EndpointCheck> => {
  const shape = checkShape(raw, policy);
  if (!shape.ok) return shape;
  const { url, trusted, literal } = shape;
  if (trusted) return { ok: true, url, trusted, addresses: [] };
  if (literal) return { ok: true, url, trusted, addresses: [{ address: literal, family: literal.includes(":") ? 6 : 4 }] };
  const resolved = await resolvePublic(url.hostname, policy);
  return resolved.ok ? { ok: true, url, trusted, addresses: resolved.addresses } : resolved;
};

export type EndpointPostResult =
  | { kind: "response"; status: number }
  /** The policy refused the address (or the DNS failed); `final` when trying again cannot help. */
  | { kind: "refused"; message: string; final: boolean }
  | { kind: "error"; message: string };

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A socket `lookup` that resolves once, checks every address and hands the socket exactly those: the connection
 * goes to an address that was checked. Node calls it with { all: true } when it races IPv4 and IPv6.
 */
const guardedLookup =
  (policy: EndpointPolicy, onRefusal: (r: EndpointRefusal) => void) =>
  (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    void resolvePublic(hostname, policy).then((r) => {
      if (!r.ok) {
        onRefusal(r);
        return callback(Object.assign(new Error(r.message), { code: "EDISPAROREFUSED" }), "", 4);
      }
      if (options?.all) return callback(null, r.addresses.map((a) => ({ address: a.address, family: a.family })));
      callback(null, r.addresses[0]!.address, r.addresses[0]!.family);
    });
  };

/**
 * POSTs `body` to an endpoint under the policy. Never follows a redirect; never throws: a refused address, a
 * network failure or a timeout comes back as a result. The answer's body is discarded.
 */
export const postToEndpoint = (
  raw: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
  policy: EndpointPolicy,
): Promise<EndpointPostResult> => {
  const shape = checkShape(raw, policy);
  if (!shape.ok) return Promise.resolve({ kind: "refused", message: shape.message, final: shape.final });
  const { url, trusted, literal } = shape;
  return new Promise<EndpointPostResult>((resolve) => {
    let refusal: EndpointRefusal | null = null;
    let settled = false;
    const settle = (r: EndpointPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const body = Buffer.from(init.body);
    const req = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      headers: { ...init.headers, "content-length": String(body.length) },
      // An IP literal never reaches a lookup (checked above); a trusted development host is not checked.
      ...(trusted || literal ? {} : { lookup: guardedLookup(policy, (r) => (refusal = r)) }),
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`sem resposta em ${init.timeoutMs} ms`), { code: "ETIMEDOUT" })), init.timeoutMs);
    req.on("response", (res) => {
      res.resume();
      settle({ kind: "response", status: res.statusCode ?? 0 });
    });
    req.on("error", (err) => {
      const r = refusal as EndpointRefusal | null;
      if (r) return settle({ kind: "refused", message: r.message, final: r.final });
      settle({ kind: "error", message: err.message });
    });
    req.end(body);
  });
};

import { describe, expect, it } from "vitest";
import { classifyAddress } from "./address";
import { checkEndpointUrl, endpointPolicyFor, STRICT_ENDPOINT_POLICY, type EndpointPolicy, type ResolvedAddress } from "./endpoint";

// No test here sends a packet: names resolve through a stand-in lookup, addresses are only classified.
const resolvingTo =
  (answers: Record<string, string[]>): EndpointPolicy["lookup"] =>
  async (host) => {
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return list.map((address): ResolvedAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
const strict = (answers: Record<string, string[]> = {}): EndpointPolicy => ({ ...STRICT_ENDPOINT_POLICY, lookup: resolvingTo(answers) });

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.1.2.3", "privada"],
    ["172.16.0.1", "privada"],
    ["172.31.255.255", "privada"],
    ["192.168.0.10", "privada"],
    ["100.64.0.1", "operadora"],
    ["100.127.255.255", "operadora"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "0.0.0.0/8"],
    ["0.1.2.3", "0.0.0.0/8"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "reservado"],
    ["::1", "loopback"],
    ["::", "não especificado"],
    ["fc00::1", "privada"],
    ["fd12:3456::1", "privada"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["[::ffff:7f00:1]", "loopback"],
    ["::ffff:10.0.0.1", "privada"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["::ffff:0:127.0.0.1", "loopback"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::c0a8:1", "privada"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:c0a8:101::", "privada"],
    ["::127.0.0.1", "reservado"],
    ["2001:db8::1", "documentação"],
  ])("refuses %s (%s)", (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.range).toContain(range);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])(
    "accepts the public address %s",
    (address) => expect(classifyAddress(address)).toEqual({ ok: true }),
  );

  it("refuses what is not an IP address", () => {
    expect(classifyAddress("localhost").ok).toBe(false);
    expect(classifyAddress("1.2.3").ok).toBe(false);
    expect(classifyAddress("1::2::3").ok).toBe(false);
  });
});

describe("checkEndpointUrl (production policy)", () => {
  it.each([
    // Every spelling the URL parser turns into 127.0.0.1: decimal, hex, octal, short forms.
    "http://2130706433/",
    "https://2130706433/entrada",
    "https://0x7f.1/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://017700000001/",
    "https://127.1/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]:8443/",
    "https://[::1]/",
    "https://[0:0:0:0:0:0:0:1]/",
    "https://[64:ff9b::127.0.0.1]/",
  ])("refuses %s as this machine", async (url) => {
    const r = await checkEndpointUrl(url, strict());
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.message).toMatch(/loopback.*inacessível pela internet/);
  });

  it.each([
    ["https://10.0.0.5/bot", "privada"],
    ["https://0xa000005/bot", "privada"],
    ["https://192.168.1.1/", "privada"],
    ["https://172.20.0.1/", "privada"],
    ["https://100.64.1.1/", "operadora"],
    ["https://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://0.0.0.0/", "0.0.0.0/8"],
    ["https://0/", "0.0.0.0/8"],
    ["https://224.0.0.251/", "multicast"],
    ["https://[fd00::1]/", "privada"],
    ["https://[fe80::1]/", "link-local"],
    ["https://[::ffff:192.168.0.1]/", "privada"],
    ["https://[ff05::2]/", "multicast"],
  ])("refuses %s (%s)", async (url, range) => {
    const r = await checkEndpointUrl(url, strict());
    expect(r.ok ? "" : r.message).toContain(range);
  });

  it("resolves the name and refuses it when any of its addresses is internal", async () => {
    const policy = strict({
      "bot.exemplo.com.br": ["93.184.216.34"],
      "interno.exemplo.com.br": ["10.0.0.7"],
      "misto.exemplo.com.br": ["93.184.216.34", "192.168.0.9"],
      "v6.exemplo.com.br": ["2606:2800:220:1::1", "::ffff:127.0.0.1"],
      "localhost": ["127.0.0.1", "::1"],
    });
    expect(await checkEndpointUrl("https://bot.exemplo.com.br/entrada", policy)).toMatchObject({
      ok: true,
      addresses: [{ address: "93.184.216.34", family: 4 }],
    });
    for (const [url, text] of [
      ["https://interno.exemplo.com.br/", "interno.exemplo.com.br aponta para 10.0.0.7, um endereço de rede privada"],
      ["https://misto.exemplo.com.br/", "aponta para 192.168.0.9"],
      ["https://v6.exemplo.com.br/", "loopback"],
      ["https://localhost:8443/", "loopback"],
    ] as const) {
      const r = await checkEndpointUrl(url, policy);
      expect(r.ok ? "" : r.message, url).toContain(text);
    }
  });

  it("requires https, refuses credentials in the URL and names it when the name does not resolve", async () => {
    const policy = strict({ "bot.exemplo.com.br": ["93.184.216.34"] });
    expect(await checkEndpointUrl("http://bot.exemplo.com.br/entrada", policy)).toMatchObject({ ok: false, message: expect.stringContaining("https://") });
    expect(await checkEndpointUrl("https://usuario:senha@bot.exemplo.com.br/", policy)).toMatchObject({
      ok: false,
      message: expect.stringContaining("usuário e a senha"),
    });
    expect(await checkEndpointUrl("ftp://bot.exemplo.com.br/", policy)).toMatchObject({ ok: false, message: expect.stringContaining("URL completa") });
    expect(await checkEndpointUrl("https://nao-existe.exemplo.com.br/", policy)).toMatchObject({
      ok: false,
      final: true,
      message: "Não encontramos o endereço nao-existe.exemplo.com.br (DNS): confira a URL do bot.",
    });
    const flaky: EndpointPolicy = {
      trustedDevHosts: [],
      lookup: async () => {
        throw Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" });
      },
    };
    expect(await checkEndpointUrl("https://bot.exemplo.com.br/", flaky)).toMatchObject({ ok: false, final: false, message: expect.stringContaining("tente de novo") });
  });
});

describe("endpointPolicyFor", () => {
  const base = { WHATSAPP_API_BASE_URL: "http://sim.local:4010", APP_URL: "http://localhost:3000" };

  it("production trusts nothing: the simulator's own host and localhost are refused like any other", async () => {
    const policy = { ...endpointPolicyFor({ ...base, NODE_ENV: "production" }), lookup: resolvingTo({ "sim.local": ["10.0.0.2"], localhost: ["127.0.0.1"] }) };
    expect(policy.trustedDevHosts).toEqual([]);
    expect((await checkEndpointUrl("http://127.0.0.1:9/bot", policy)).ok).toBe(false);
    expect((await checkEndpointUrl("http://sim.local:4010/bot", policy)).ok).toBe(false);
    expect((await checkEndpointUrl("https://localhost/bot", policy)).ok).toBe(false);
  });

  it("development allows http to this machine and to the configured simulator, and nothing else internal", async () => {
    const policy = { ...endpointPolicyFor({ ...base, NODE_ENV: "development" }), lookup: resolvingTo({}) };
    expect(policy.trustedDevHosts).toEqual(expect.arrayContaining(["localhost", "127.0.0.1", "[::1]", "sim.local"]));
    for (const url of ["http://127.0.0.1:9/bot", "http://localhost:3001/bot", "http://[::1]:3001/", "http://sim.local:4010/_sim/bot"])
      expect((await checkEndpointUrl(url, policy)).ok, url).toBe(true);
    for (const url of ["http://10.0.0.5/bot", "https://192.168.0.1/", "https://169.254.169.254/"])
      expect((await checkEndpointUrl(url, policy)).ok, url).toBe(false);
  });
});

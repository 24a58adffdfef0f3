// Load generator for bench-webhooks.ts, run as its own process so it never shares the server's event loop.
// Posts signed webhooks shaped as Meta sends them — one status per POST (sent, delivered, read for every
// recipient) plus inbound text replies quoting the campaign message — at a fixed offered rate (open loop: each
// POST has a scheduled time and its latency counts from it, so a slow server cannot slow the offered load),
// over keep-alive connections, loopback only, bounded in count and time. Prints one JSON line.
//
// Config: BENCH_LOAD (JSON, see LoadConfig). Targets: a JSON file of [recipientId, wamid, phone] rows.
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";

export type LoadConfig = {
  host: string;
  port: number;
  secret: string;
  targetsFile: string;
  /** Status POSTs per second; replies come on top of them. */
  rate: number;
  /** Replies per status POST (0.1: one reply for every ten statuses), each from a different recipient. */
  replyRatio: number;
  /** Share of recipients whose statuses carry biz_opaque_callback_data (the recipient id); the rest match by wamid. */
  callbackRatio: number;
  connections: number;
  /** Stop sending after this long (the run then reports itself incomplete). */
  maxSeconds: number;
  /** A POST unanswered after this long counts as failed and its connection is replaced. */
  timeoutMs: number;
  phoneNumberId: string;
  displayPhone: string;
  /** Where to write the per-second latency timeline (by scheduled second), or "" for none. */
  timelineFile: string;
  wabaId: string;
  seed: number;
};

const config = JSON.parse(process.env.BENCH_LOAD ?? "null") as LoadConfig | null;
if (!config) throw new Error("BENCH_LOAD não definido");
if (config.host !== "127.0.0.1" && config.host !== "localhost") throw new Error("o bench só usa loopback");
const targets = JSON.parse(readFileSync(config.targetsFile, "utf8")) as [number, string, string][];
const N = targets.length;

// ---- the plan: which events, in which order ----
// Message i goes out at i / (rate/3) s of virtual time; its statuses follow as Meta's do (sent within a second,
// delivered within a few, read within ~half a minute; 2 % read-before-delivered, as Meta sometimes sends them).
// Statuses are posted in virtual-time order at a uniform rate; replies are interleaved evenly (one every
// 1/replyRatio statuses), each from a different recipient whose read was already posted (early in the run,
// before any read, one whose sent was).
const mulberry32 = (a: number) => () => {
  a = (a + 0x6d2b79f5) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const rnd = mulberry32(config.seed);
const SENT = 0, READ = 2, REPLY = 3; // prettier-ignore (1 = delivered)
const STATUS_NAMES = ["sent", "delivered", "read"] as const;

const statuses = 3 * N;
const replies = Math.min(N, Math.round(config.replyRatio * statuses));
// The replying recipients: the first `replies` of a permutation of [0, N).
let step = 7919;
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
while (gcd(step, N) !== 1) step++;
const replier = new Uint8Array(N);
for (let k = 0; k < replies; k++) replier[(k * step + 13) % N] = 1;

const total = statuses + replies;
const kind = new Uint8Array(total);
const who = new Int32Array(total);
const vtime = new Float64Array(total);
// `order`: event ids in posting order.
const order = new Uint32Array(total);
{
  const msgRate = config.rate / 3;
  for (let i = 0; i < N; i++) {
    const t = i / msgRate;
    const delivered = t + 1.5 + rnd() * 1.5;
    const times = [t + 0.5 + rnd() * 0.5, delivered, rnd() < 0.02 ? delivered - 0.2 : t + 4 + rnd() * 20];
    for (let c = 0; c < 3; c++) {
      kind[3 * i + c] = c;
      who[3 * i + c] = i;
      vtime[3 * i + c] = times[c]!;
    }
  }
  const statusOrder = Uint32Array.from({ length: statuses }, (_, k) => k).sort((a, b) => vtime[a]! - vtime[b]!);
  const used = new Uint8Array(N);
  const readQueue: number[] = []; // repliers whose read was posted, in that order
  const sentQueue: number[] = []; // repliers whose sent was posted
  let readAt = 0, sentAt = 0, pos = 0, r = 0; // prettier-ignore
  const take = (queue: number[], from: number) => {
    while (from < queue.length && used[queue[from]!]) from++;
    return from;
  };
  for (let p = 0; p < statuses; p++) {
    const k = statusOrder[p]!;
    order[pos++] = k;
    const i = who[k]!;
    if (replier[i] && kind[k] === READ) readQueue.push(i);
    if (replier[i] && kind[k] === SENT) sentQueue.push(i);
    // Reply slot r goes after status floor((r + 1) * statuses / (replies + 1)).
    while (r < replies && p + 1 >= Math.floor(((r + 1) * statuses) / (replies + 1))) {
      readAt = take(readQueue, readAt);
      sentAt = take(sentQueue, sentAt);
      const i2 = readAt < readQueue.length ? readQueue[readAt]! : sentAt < sentQueue.length ? sentQueue[sentAt]! : -1;
      if (i2 < 0) break; // no replier has even been sent to yet: the slot moves on
      used[i2] = 1;
      const e = statuses + r;
      kind[e] = REPLY;
      who[e] = i2;
      vtime[e] = vtime[k]!;
      order[pos++] = e;
      r++;
    }
  }
  // Whatever the early slots could not place (a handful at most) goes last.
  for (let i = 0; r < replies && i < N; i++)
    if (replier[i] && !used[i]) {
      used[i] = 1;
      const e = statuses + r++;
      kind[e] = REPLY;
      who[e] = i;
      vtime[e] = vtime[order[pos - 1]!]!;
      order[pos++] = e;
    }
}

// ---- bodies, as Meta sends them ----
const epoch = Math.floor(Date.now() / 1000);
const metadata = `{"display_phone_number":"${config.displayPhone}","phone_number_id":"${config.phoneNumberId}"}`;
const envelope = (value: string) =>
  `{"object":"whatsapp_business_account","entry":[{"id":"${config.wabaId}","changes":[{"value":${value},"field":"messages"}]}]}`;
const REPLY_TEXTS = ["Quero saber mais", "Qual o preço?", "Tem no tamanho M?", "Vocês entregam em Campinas?", "Obrigado!"];
const bodyOf = (k: number) => {
  const i = who[k]!;
  const [recipientId, wamid, phone] = targets[i]!;
  const waId = phone.replace(/^\+/, "");
  const ts = epoch + Math.floor(vtime[k]!);
  const c = kind[k]!;
  if (c === REPLY) {
    const text = REPLY_TEXTS[i % REPLY_TEXTS.length];
    return envelope(
      `{"messaging_product":"whatsapp","metadata":${metadata},"contacts":[{"profile":{"name":"Cliente ${i}"},"wa_id":"${waId}"}],` +
        `"messages":[{"context":{"from":"${config.displayPhone}","id":"${wamid}"},"from":"${waId}","id":"wamid.bench.in.${config.seed}.${i}",` +
        `"timestamp":"${ts}","text":{"body":"${text}"},"type":"text"}]}`,
    );
  }
  const callback = (i * 2654435761) % 1000 < config.callbackRatio * 1000 ? `,"biz_opaque_callback_data":"${recipientId}"` : "";
  const billing =
    c === READ
      ? ""
      : `,"conversation":{"id":"conv${i}"${c === SENT ? `,"expiration_timestamp":"${ts + 86400}"` : ""},"origin":{"type":"marketing"}},` +
        `"pricing":{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"}`;
  return envelope(
    `{"messaging_product":"whatsapp","metadata":${metadata},"statuses":[{"id":"${wamid}","status":"${STATUS_NAMES[c]}",` +
      `"timestamp":"${ts}","recipient_id":"${waId}"${callback}${billing}}]}`,
  );
};

const requestOf = (k: number) => {
  const body = Buffer.from(bodyOf(k));
  const signature = `sha256=${createHmac("sha256", config.secret).update(body).digest("hex")}`;
  const head =
    `POST /api/webhooks/whatsapp HTTP/1.1\r\nHost: ${config.host}:${config.port}\r\nUser-Agent: facebookexternalua\r\n` +
    `Accept: */*\r\nContent-Type: application/json\r\nX-Hub-Signature-256: ${signature}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
};

// ---- a minimal keep-alive HTTP/1.1 client (one request at a time per connection) ----
type Conn = { socket: net.Socket; buf: Buffer; inflight: number; sentAt: number; alive: boolean };
const latencies = new Float64Array(total);
const answeredAt = new Float64Array(total);
const codes = new Int16Array(total); // 0 = not answered, -1 = connection error / timeout
const statusCounts: Record<string, number> = {};
let answered = 0;
let dispatched = 0;
let connectionErrors = 0;
let maxLagMs = 0;
const idle: Conn[] = [];
const backlog: number[] = [];
const conns = new Set<Conn>();

const positionOf = new Uint32Array(total);
order.forEach((k, pos) => (positionOf[k] = pos));
let start = 0;
const scheduled = (k: number) => start + (k * 1000) / totalRate;
const totalRate = config.rate * (total / statuses);

const finish = (conn: Conn, code: number) => {
  const k = conn.inflight;
  conn.inflight = -1;
  if (k < 0) return;
  const now = performance.now();
  codes[k] = code;
  answeredAt[k] = now;
  latencies[k] = now - scheduled(positionOf[k]!);
  statusCounts[code] = (statusCounts[code] ?? 0) + 1;
  answered++;
};
// Where a chunked body starting at `pos` ends (no trailers), or -1 while incomplete.
const chunkedEnd = (buf: Buffer, pos: number): number => {
  for (;;) {
    const eol = buf.indexOf("\r\n", pos);
    if (eol < 0) return -1;
    const size = parseInt(buf.subarray(pos, eol).toString("latin1"), 16);
    if (size === 0) return buf.length >= eol + 4 ? eol + 4 : -1;
    pos = eol + 2 + size + 2;
    if (buf.length < pos) return -1;
  }
};

const parse = (conn: Conn) => {
  for (;;) {
    const end = conn.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = conn.buf.subarray(0, end).toString("latin1");
    const code = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let consumed: number;
    if (length) {
      consumed = end + 4 + Number(length[1]);
      if (conn.buf.length < consumed) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = chunkedEnd(conn.buf, end + 4);
      if (last < 0) return;
      consumed = last;
    } else consumed = end + 4;
    conn.buf = conn.buf.subarray(consumed);
    finish(conn, code);
    if (/\r\nconnection:\s*close/i.test(head)) {
      conn.alive = false;
      conn.socket.end();
      return;
    }
    next(conn);
  }
};

const connect = () =>
  new Promise<Conn>((resolve) => {
    const socket = net.connect({ host: config.host, port: config.port, noDelay: true });
    const conn: Conn = { socket, buf: Buffer.alloc(0), inflight: -1, sentAt: 0, alive: true };
    conns.add(conn);
    socket.on("connect", () => resolve(conn));
    socket.on("data", (d: Buffer) => {
      conn.buf = conn.buf.length ? Buffer.concat([conn.buf, d]) : d;
      parse(conn);
    });
    const lost = () => {
      if (!conns.delete(conn)) return;
      conn.alive = false;
      if (conn.inflight >= 0) {
        connectionErrors++;
        finish(conn, -1);
      }
      const at = idle.indexOf(conn);
      if (at >= 0) idle.splice(at, 1);
      if (!stopped) void connect().then(next);
    };
    socket.on("error", lost);
    socket.on("close", lost);
  });

// Hands the connection its next request: the oldest one waiting, else it goes idle.
const next = (conn: Conn) => {
  if (!conn.alive) return;
  const k = backlog.shift();
  if (k === undefined) {
    idle.push(conn);
    return;
  }
  send(conn, k);
};
const send = (conn: Conn, k: number) => {
  conn.inflight = k;
  conn.sentAt = performance.now();
  maxLagMs = Math.max(maxLagMs, conn.sentAt - scheduled(positionOf[k]!));
  conn.socket.write(requestOf(k));
};

let stopped = false;
const cpu0 = process.cpuUsage();
const conns0 = await Promise.all(Array.from({ length: config.connections }, () => connect()));
idle.push(...conns0);

start = performance.now();
const deadline = start + config.maxSeconds * 1000;
await new Promise<void>((resolve) => {
  const pump = () => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) * totalRate) / 1000) + 1);
    while (dispatched < due && now < deadline) {
      const k = order[dispatched++]!;
      const conn = idle.pop();
      if (conn) send(conn, k);
      else backlog.push(k);
    }
    // Unanswered too long: the connection is dropped (that POST counts as failed) and replaced.
    for (const conn of conns) if (conn.inflight >= 0 && now - conn.sentAt > config.timeoutMs) conn.socket.destroy();
    const allSent = dispatched >= total || now >= deadline;
    if (allSent && (answered >= dispatched || now > deadline + config.timeoutMs)) return resolve();
    setTimeout(pump, allSent ? 20 : 1);
  };
  pump();
});
stopped = true;
for (const conn of conns) conn.socket.destroy();
const cpu = process.cpuUsage(cpu0);

// ---- figures ----
const ok = [...codes].filter((c) => c === 200).length;
const lat = Float64Array.from(latencies.filter((_, k) => codes[k] !== 0)).sort();
const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]! : NaN);
let firstStatus = Infinity, lastStatus = 0, statusOk = 0; // prettier-ignore
for (let k = 0; k < total; k++) {
  if (kind[k] === REPLY || codes[k] !== 200) continue;
  statusOk++;
  firstStatus = Math.min(firstStatus, answeredAt[k]!);
  lastStatus = Math.max(lastStatus, answeredAt[k]!);
}
const lastAnswer = answeredAt.reduce((a, b) => Math.max(a, b), start);

// Per scheduled second: how many POSTs, their median/p99/max latency and failures — stalls show up here.
const seconds: { s: number; n: number; p50: number; p99: number; max: number; failed: number }[] = [];
{
  const buckets = new Map<number, number[]>();
  const failed = new Map<number, number>();
  for (let k = 0; k < total; k++) {
    if (codes[k] === 0) continue;
    const sec = Math.floor((scheduled(positionOf[k]!) - start) / 1000);
    (buckets.get(sec) ?? buckets.set(sec, []).get(sec)!).push(latencies[k]!);
    if (codes[k] !== 200) failed.set(sec, (failed.get(sec) ?? 0) + 1);
  }
  for (const [sec, xs] of [...buckets].sort((a, b) => a[0] - b[0])) {
    xs.sort((a, b) => a - b);
    const q = (p: number) => Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!);
    seconds.push({ s: sec, n: xs.length, p50: q(0.5), p99: q(0.99), max: Math.round(xs[xs.length - 1]!), failed: failed.get(sec) ?? 0 });
  }
  if (config.timelineFile) writeFileSync(config.timelineFile, JSON.stringify(seconds));
}
const worst = [...seconds].sort((a, b) => b.max - a.max).slice(0, 5).map((x) => `${x.s}s:${x.max}ms`);
const r1 = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    offered_rate: config.rate,
    offered_posts_per_s: r1(totalRate),
    posts: total,
    statuses,
    replies,
    dispatched,
    answered,
    ok,
    non_200: total - ok,
    status_codes: statusCounts,
    connection_errors: connectionErrors,
    complete: dispatched === total && answered === total,
    statuses_per_s: statusOk > 1 ? r1((statusOk - 1) / ((lastStatus - firstStatus) / 1000)) : 0,
    posts_per_s: r1(answered / ((lastAnswer - start) / 1000)),
    duration_s: r1((lastAnswer - start) / 1000),
    median_ms: r1(pct(50)),
    p90_ms: r1(pct(90)),
    p99_ms: r1(pct(99)),
    max_ms: r1(lat.length ? lat[lat.length - 1]! : NaN),
    over_1s_pct: Math.round((lat.filter((x) => x > 1000).length / Math.max(1, answered)) * 10000) / 100,
    max_send_lag_ms: r1(maxLagMs),
    worst_seconds: worst,
    started_at: new Date(performance.timeOrigin + start).toISOString(),
    connections: config.connections,
    loader_cpu_s: r1((cpu.user + cpu.system) / 1e6),
  }),
);
process.exit(0);

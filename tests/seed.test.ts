import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "@/db/migrate";
import { DEMO_CHIPS, DEMO_ORG_NAME, DEMO_USERS, SEED_REFERENCE_DATE, seedDemo } from "@/db/seed";
import { CITIES, TAGS, UFS } from "@/db/seed-data";
import { verifyPassword } from "@/lib/auth/password";
import { tagSchema } from "@/lib/contacts/labels";
import { decryptSecret } from "@/lib/crypto";
import { splitTags } from "@/lib/imports/validate";
import { rankOptions } from "@/lib/search-rank";

const CONTACTS = 2000;
const encryptionKey = randomBytes(32).toString("base64");
const reference = new Date(SEED_REFERENCE_DATE);
const DAY = 86_400_000;

let sql: postgres.Sql;
let organizationId: string;

const databaseUrl = () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL não definida: os testes de integração precisam de um banco migrado e vazio.");
  return url;
};

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

// Everything generated for the contacts, without identity-independent columns (organization id, event ids).
const fingerprint = async (db: postgres.Sql) => {
  const [row] = await db`
    select
      (select md5(string_agg(concat_ws('|', id, name, phone, city, state, wallet_id, tag_ids::text, opt_in_status,
         opt_in_source, opt_in_at, opted_out_at, last_interaction_at, created_at, updated_at), E'\n' order by id))
       from contacts) as contacts,
      (select md5(string_agg(concat_ws('|', contact_id, chip_id, registered, first_seen_at, last_seen_at), E'\n'
         order by contact_id, chip_id)) from contact_chips) as contact_chips,
      (select md5(string_agg(concat_ws('|', contact_id, status, source, chip_id, text_shown, occurred_at), E'\n'
         order by contact_id, occurred_at, status)) from consent_events) as consent_events`;
  return row as { contacts: string; contact_chips: string; consent_events: string };
};

const firstContacts = (db: postgres.Sql, n: number) =>
  db`select id, name, phone, city, state from contacts order by id limit ${n}`;

beforeAll(async () => {
  sql = postgres(databaseUrl(), { max: 2, onnotice: () => {} });
  ({ organizationId } = await seedDemo(sql, { contacts: CONTACTS, encryptionKey }));
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 5 });
});

describe("seed de demonstração", () => {
  it("cria a organização Loja Exemplo com fuso de São Paulo e pacote de mensagens", async () => {
    const orgs = await sql`select * from organizations`;
    expect(orgs).toHaveLength(1);
    expect(orgs[0]).toMatchObject({
      id: organizationId,
      name: DEMO_ORG_NAME,
      time_zone: "America/Sao_Paulo",
      auto_increase_size: 10000,
      price_marketing: "0.3125",
      price_utility: "0.0400",
    });
    // The package: 50,000 credited, then one debit per message of the demo's finished campaigns, chained.
    const ledger = await sql`select kind, amount, balance_after from package_ledger order by id`;
    expect(ledger[0]).toEqual({ kind: "manual_credit", amount: 50000, balance_after: 50000 });
    const debits = ledger.slice(1);
    expect(debits.length).toBeGreaterThan(0);
    debits.forEach((d, i) => expect(d).toEqual({ kind: "debit", amount: -1, balance_after: 50000 - (i + 1) }));
    expect(orgs[0]!.package_balance).toBe(50000 - debits.length);
  });

  it("cria admin, gestor e operador com a senha de demonstração", async () => {
    const users = await sql`select name, email, role, password_hash, active from users order by email`;
    expect(users.map((u) => u.role).sort()).toEqual(["admin", "gestor", "operador"]);
    for (const demo of DEMO_USERS) {
      const user = users.find((u) => u.email === demo.email);
      expect(user).toMatchObject({ name: demo.name, role: demo.role, active: true });
      expect(await verifyPassword("disparo123", user!.password_hash)).toBe(true);
      expect(await verifyPassword("senha-errada", user!.password_hash)).toBe(false);
    }
  });

  it("cria três carteiras com dono e ~30 etiquetas", async () => {
    const wallets = await sql`select name, owner_user_id from wallets order by name`;
    expect(wallets.map((w) => w.name)).toEqual(["Atacado", "E-commerce", "Varejo"]);
    expect(wallets.every((w) => w.owner_user_id)).toBe(true);
    const tags = await sql`select name from tags`;
    expect(tags.length).toBeGreaterThanOrEqual(25);
    expect(tags.length).toBeLessThanOrEqual(35);
    expect(tags.map((t) => t.name)).toContain("Campanha teste 22/05");
  });

  it("dá às etiquetas os nomes que uma equipe de marketing escreve, aceitos pelo cadastro e pela importação", async () => {
    const names = (await sql`select name from tags order by id`).map((t) => t.name as string);
    // Ids keep the generator's order (by popularity), so the benchmark's distribution is the same.
    expect(names).toEqual(TAGS.map((t) => t.name));
    expect(names).toEqual(expect.arrayContaining(["Calçados", "Acessórios", "Cliente VIP", "Black Friday 2026", "Pesquisa NPS — detrator"]));
    for (const name of names) {
      // "Cliente VIP", not "cliente-vip".
      expect(name).toMatch(/^\p{Lu}/u);
      expect(name).not.toMatch(/\p{L}-\p{L}/u);
      expect(tagSchema.parse({ name }).name).toBe(name);
      // No separator of the importer's "Etiquetas" column inside: a file that names it reads back this one etiqueta.
      expect(splitTags(name)).toEqual([name]);
    }
    // Typed without the accent, the picker offers it first.
    expect(rankOptions(names.map((label, value) => ({ value, label })), "calcados")[0]!.label).toBe("Calçados");
  });

  it("gera contatos com nome, UF válida, telefone celular único e DDD da cidade", async () => {
    const [{ total, distinct_phones, bad_phones, bad_states, short_names }] = await sql`
      select count(*)::int as total, count(distinct phone)::int as distinct_phones,
        count(*) filter (where phone !~ '^\\+55\\d{2}9\\d{8}$')::int as bad_phones,
        count(*) filter (where state <> all(${UFS as string[]}) or state is null)::int as bad_states,
        count(*) filter (where name !~ '^\\S+( \\S+){1,2}$')::int as short_names
      from contacts`;
    expect(total).toBe(CONTACTS);
    expect(distinct_phones).toBe(CONTACTS);
    expect(bad_phones).toBe(0);
    expect(bad_states).toBe(0);
    expect(short_names).toBe(0);

    const dddOf = new Map(CITIES.map((c) => [`${c.name}|${c.uf}`, String(c.ddd)]));
    const pairs = await sql`select distinct city, state, substr(phone, 4, 2) as ddd from contacts`;
    for (const p of pairs) expect(p.ddd, `${p.city}/${p.state}`).toBe(dddOf.get(`${p.city}|${p.state}`));

    const states = await sql`select state, count(*)::int as n from contacts group by state order by n desc`;
    expect(states[0].state).toBe("SP");
    expect(states.slice(0, 3).map((s) => s.state)).toContain("RJ");
  });

  it("dá de 1 a 5 etiquetas distintas e ordenadas a cada contato, com popularidades bem diferentes", async () => {
    const [{ bad }] = await sql`
      select count(*)::int as bad from contacts
      where cardinality(tag_ids) not between 1 and 5
         or tag_ids <> array(select distinct unnest(tag_ids) order by 1)
         or not tag_ids <@ (select array_agg(id) from tags)`;
    expect(bad).toBe(0);
    const shares = (
      await sql`
        select t.name, count(c.id)::float8 / ${CONTACTS} as share
        from tags t left join contacts c on t.id = any(c.tag_ids) group by t.name`
    ).map((r) => r.share as number);
    expect(shares.filter((s) => s > 0.4).length).toBeGreaterThanOrEqual(2);
    expect(shares.filter((s) => s >= 0.01 && s <= 0.1).length).toBeGreaterThanOrEqual(TAGS.length / 2);
    expect(shares.filter((s) => s < 0.01).length).toBeGreaterThanOrEqual(1);
  });

  it("mistura opt-in, opt-out e contatos sem opt-in de forma coerente", async () => {
    const rows = await sql`select opt_in_status as status, count(*)::int as n from contacts group by 1`;
    const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    expect(count("opted_in") / CONTACTS).toBeGreaterThanOrEqual(0.7);
    expect(count("opted_in") / CONTACTS).toBeLessThanOrEqual(0.8);
    expect(count("opted_out")).toBeGreaterThan(0);
    expect(count("none") + count("pending")).toBeGreaterThan(0);

    const [{ incoherent }] = await sql`
      select count(*)::int as incoherent from contacts where
        (opt_in_status = 'opted_in' and (opt_in_source is null or opt_in_at is null or opted_out_at is not null))
        or (opt_in_status = 'opted_out' and (opt_in_at is null or opted_out_at is null or opted_out_at <= opt_in_at))
        or (opt_in_status in ('none', 'pending') and (opt_in_at is not null or opted_out_at is not null))
        or opt_in_at < created_at`;
    expect(incoherent).toBe(0);
    const sources = await sql`select distinct opt_in_source as s from contacts where opt_in_status = 'opted_in'`;
    expect(sources.map((r) => r.s).sort()).toEqual(["form", "import", "optin_template", "whatsapp_reply"]);
  });

  it("espalha created_at por ~18 meses antes da data de referência, sem datas no futuro", async () => {
    const [r] = await sql`
      select min(created_at) as min, max(created_at) as max,
        count(last_interaction_at)::int as with_interaction,
        -- After the reference only by a reply to one of the demo's finished campaigns.
        count(*) filter (where last_interaction_at < created_at or (last_interaction_at > ${reference} and not exists (
          select 1 from inbound_messages m where m.contact_id = contacts.id and m.received_at >= contacts.last_interaction_at)))::int as bad_li,
        count(*) filter (where greatest(created_at, opt_in_at, opted_out_at, last_interaction_at, updated_at) > now())::int
          as future,
        count(wallet_id)::int as with_wallet
      from contacts`;
    expect(r.max.getTime()).toBeLessThanOrEqual(reference.getTime());
    expect(r.min.getTime()).toBeGreaterThanOrEqual(reference.getTime() - 560 * DAY);
    expect(r.max.getTime() - r.min.getTime()).toBeGreaterThan(500 * DAY);
    expect(r.future).toBe(0);
    expect(r.bad_li).toBe(0);
    expect(r.with_interaction / CONTACTS).toBeGreaterThan(0.75);
    expect(r.with_interaction).toBeLessThan(CONTACTS);
    expect(r.with_wallet / CONTACTS).toBeGreaterThan(0.7);
    expect(r.with_wallet / CONTACTS).toBeLessThan(0.9);
  });

  it("registra contatos em um ou nos dois chips, com datas coerentes", async () => {
    const chips = await sql`select id, name from chips order by id`;
    const perChip = await sql`select chip_id, count(*)::int as n from contact_chips group by 1 order by 1`;
    expect(perChip.map((r) => r.chip_id)).toEqual(chips.map((c) => c.id));
    const [r] = await sql`
      select
        (select count(*)::int from contacts c where not exists (select 1 from contact_chips cc where cc.contact_id = c.id))
          as without_chip,
        (select count(*)::int from (select contact_id from contact_chips group by 1 having count(*) = 2) b) as on_both,
        (select count(*)::int from contact_chips cc join contacts c on c.id = cc.contact_id
          where not cc.registered or cc.first_seen_at < c.created_at or cc.last_seen_at < cc.first_seen_at
             or cc.last_seen_at > coalesce(c.last_interaction_at, c.created_at)) as bad_dates`;
    expect(r.without_chip).toBe(0);
    expect(r.on_both / CONTACTS).toBeGreaterThan(0.1);
    expect(r.on_both / CONTACTS).toBeLessThan(0.2);
    expect(r.bad_dates).toBe(0);
    // contacts.chip_ids (what segment filters read) says exactly the same as contact_chips.
    const [m] = await sql`select count(*)::int as n from contacts c where c.chip_ids is distinct from contact_chip_ids(c.id)`;
    expect(m!.n).toBe(0);
    // The city suggestions' pairs (contact_city_counts) say exactly what the contacts say.
    const [p] = await sql`
      select count(*)::int as n from (
        (select organization_id, state, city, n from contact_city_counts where n <> 0
         except all
         select organization_id, state, city, count(*) from contacts where city is not null and state is not null group by 1, 2, 3)
        union all
        (select organization_id, state, city, count(*) from contacts where city is not null and state is not null group by 1, 2, 3
         except all
         select organization_id, state, city, n from contact_city_counts where n <> 0)) d`;
    expect(p!.n).toBe(0);
    const [pairs] = await sql`select count(*)::int as n from contact_city_counts where n > 0`;
    expect(pairs!.n).toBeGreaterThan(100);
  });

  it("guarda um evento de consentimento para cada opt-in e opt-out", async () => {
    const [r] = await sql`
      select
        (select count(*)::int from contacts where opt_in_status in ('opted_in', 'opted_out')) as opted,
        (select count(*)::int from contacts where opt_in_status = 'opted_out') as opted_out,
        (select count(*)::int from consent_events where status = 'opted_in') as in_events,
        (select count(*)::int from consent_events where status = 'opted_out') as out_events,
        (select count(*)::int from consent_events e join contacts c on c.id = e.contact_id
          where (e.status = 'opted_in' and (e.occurred_at <> c.opt_in_at or e.source <> c.opt_in_source))
             or (e.status = 'opted_out' and e.occurred_at <> c.opted_out_at)) as mismatched`;
    expect(r.in_events).toBe(r.opted);
    expect(r.out_events).toBe(r.opted_out);
    expect(r.mismatched).toBe(0);
  });

  it("cria os dois chips com tokens criptografados pela chave", async () => {
    const chips = await sql`select * from chips order by id`;
    expect(chips).toHaveLength(2);
    for (const [i, demo] of DEMO_CHIPS.entries()) {
      expect(chips[i]).toMatchObject({
        name: demo.name,
        display_number: demo.displayNumber,
        phone_number_id: demo.phoneNumberId,
        waba_id: "200000000000001",
        messages_per_second: demo.messagesPerSecond,
        messaging_limit_tier: demo.messagingLimitTier,
        quality_rating: demo.qualityRating,
        status: "active",
      });
      expect(chips[i].access_token_encrypted).not.toContain(demo.accessToken);
      expect(decryptSecret(chips[i].access_token_encrypted, encryptionKey)).toBe(demo.accessToken);
    }
  });

  it("cria templates aprovados e pendentes com variáveis coerentes", async () => {
    const templates = await sql`select * from templates order by id`;
    expect(templates.length).toBeGreaterThanOrEqual(5);
    const statuses = new Set(templates.map((t) => t.status));
    expect(statuses.has("approved") && statuses.has("pending")).toBe(true);
    for (const t of templates) {
      expect(t).toMatchObject({ language: "pt_BR", waba_id: "200000000000001" });
      const body = (t.components as { type: string; text?: string }[]).find((c) => c.type === "BODY");
      const placeholders = new Set(body?.text?.match(/\{\{\d+\}\}/g) ?? []);
      expect(t.variable_count).toBe(placeholders.size);
      expect(t.variables).toHaveLength(t.variable_count);
    }
    const promo = templates.find((t) => t.name === "promo_black_friday");
    expect(promo).toMatchObject({ category: "marketing", status: "approved", variable_count: 2 });
    expect(promo!.variables[0]).toMatchObject({ index: 1, component: "body" });
  });

  it("cria três fluxos de chatbot", async () => {
    const flows = await sql`select name, active, endpoint_url, endpoint_secret_encrypted from chatbot_flows order by name`;
    expect(flows).toEqual([
      { name: "Atendimento comercial", active: true, endpoint_url: null, endpoint_secret_encrypted: null },
      { name: "Cupom de desconto", active: false, endpoint_url: null, endpoint_secret_encrypted: null },
      { name: "Pesquisa de satisfação", active: true, endpoint_url: null, endpoint_secret_encrypted: null },
    ]);
  });

  it("recusa rodar de novo num banco que já tem organização", async () => {
    await expect(seedDemo(sql, { contacts: 10, encryptionKey })).rejects.toThrow(/já tem uma organização/);
    const [{ n }] = await sql`select count(*)::int as n from organizations`;
    expect(n).toBe(1);
  });

  it("gera os mesmos dados com a mesma semente, e outros com outra semente", async () => {
    const url = databaseUrl();
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const admin = postgres(withDatabase(url, "postgres"), { max: 1, onnotice: () => {} });
    const same = `${name}_b`;
    const other = `${name}_c`;
    try {
      for (const db of [same, other]) {
        await admin.unsafe(`drop database if exists "${db}" with (force)`);
        await admin.unsafe(`create database "${db}"`);
        await runMigrations(withDatabase(url, db));
      }
      const b = postgres(withDatabase(url, same), { max: 1, onnotice: () => {} });
      const c = postgres(withDatabase(url, other), { max: 1, onnotice: () => {} });
      try {
        await seedDemo(b, { contacts: CONTACTS, seed: 42, encryptionKey: randomBytes(32).toString("base64") });
        await seedDemo(c, { contacts: 20, seed: 7, encryptionKey });
        expect(await firstContacts(b, 20)).toEqual(await firstContacts(sql, 20));
        expect(await fingerprint(b)).toEqual(await fingerprint(sql));
        const mine = await firstContacts(sql, 20);
        const others = await firstContacts(c, 20);
        expect(others.filter((row, i) => row.phone !== mine[i].phone).length).toBeGreaterThan(15);
        expect(others.filter((row, i) => row.name !== mine[i].name).length).toBeGreaterThan(15);
      } finally {
        await b.end({ timeout: 5 });
        await c.end({ timeout: 5 });
      }
    } finally {
      for (const db of [same, other]) await admin.unsafe(`drop database if exists "${db}" with (force)`);
      await admin.end({ timeout: 5 });
    }
  }, 120_000);
});

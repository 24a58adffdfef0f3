import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { collect } from "./support/collect";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, contacts } from "@/db/schema";
import { generateKey } from "@/lib/crypto";
import { exportFileName, recipientStatusLabels, writeCampaignCsv, writeCampaignWorkbook } from "@/lib/reports/export";
import { DEMO_TEMPLATES } from "@/db/seed";
import { sendingOrganization } from "./support/sending";

// The workbook is written as the route writes it, parsed back, and checked cell by cell against the rows:
// names full of formula characters, quotes, line breaks and emoji, phones as text, dates on São Paulo's clock.

const SP = "America/Sao_Paulo";
let target: { organizationId: string; campaignId: number; timeZone: string };
let bigTarget: typeof target;
const NAMES = ['=HYPERLINK("http://x","clique")', "+55 é o DDI", "-1", "@menção", 'Ana "Aninha" Souza', "Linha 1\nLinha 2", "João 😀 Silva", "Zé"];

beforeAll(async () => {
  const { orgId, chipId, templateId } = await sendingOrganization("Relatórios Ltda", generateKey(), { packageBalance: 0, autoIncreaseSize: 100 });
  const t = DEMO_TEMPLATES.find((x) => x.name === "lembrete_carrinho")!;
  const [c] = await getDb()
    .insert(campaigns)
    .values({
      organizationId: orgId,
      name: "Relatório – Black Friday",
      chipId,
      templateId,
      status: "completed",
      chipScope: "this_chip",
      frozenAudienceName: "Lista de teste",
      frozenTemplate: { id: templateId, name: t.name, language: "pt_BR", category: "marketing", components: t.components, variables: t.variables, isOptInRequest: false, syncedAt: new Date().toISOString() },
    })
    .returning();
  const rows = await getDb()
    .insert(contacts)
    .values(NAMES.map((name, i) => ({ organizationId: orgId, name, phone: `+5511987650${String(i).padStart(3, "0")}` })))
    .returning();
  const statuses = ["read", "delivered", "sent", "failed", "skipped", "indeterminate", "read", "failed"] as const;
  await getDb()
    .insert(campaignRecipients)
    .values(
      rows.map((k, i) => ({
        organizationId: orgId,
        campaignId: c!.id,
        contactId: k.id,
        chipId,
        phone: k.phone,
        variables: { header: [], body: [k.name.split(" ")[0]!] },
        status: statuses[i]!,
        skipReason: statuses[i] === "skipped" ? ("no_opt_in" as const) : null,
        errorCode: statuses[i] === "failed" ? (i === 3 ? 131026 : 131049) : null,
        errorMessage: statuses[i] === "failed" ? "Message undeliverable" : null,
        // 2026-12-01 02:30 UTC is 30/11 23:30 in São Paulo: the day changes with the zone.
        sentAt: ["read", "delivered", "sent", "indeterminate"].includes(statuses[i]!) ? new Date("2026-12-01T02:30:00Z") : null,
        deliveredAt: ["read", "delivered"].includes(statuses[i]!) ? new Date("2026-12-01T02:31:00Z") : null,
        readAt: statuses[i] === "read" ? new Date("2026-12-01T03:00:00Z") : null,
      })),
    );
  target = { organizationId: orgId, campaignId: c!.id, timeZone: SP };

  // More than one cursor batch (2,000 rows), the last one partial: 2,500 recipients of erased contacts.
  const [big] = await getDb()
    .insert(campaigns)
    .values({ organizationId: orgId, name: "Relatório – 2.500", chipId, templateId, status: "completed", chipScope: "this_chip", frozenTemplate: c!.frozenTemplate })
    .returning();
  await getDb()
    .insert(campaignRecipients)
    .values(Array.from({ length: 2_500 }, (_, i) => ({ organizationId: orgId, campaignId: big!.id, contactId: null, chipId, phone: `+55119${String(i).padStart(8, "0")}`, status: "sent" as const, sentAt: new Date("2026-12-01T12:00:00Z") })));
  bigTarget = { ...target, campaignId: big!.id };
});

describe("send report export", () => {
  it("Envios holds every recipient, cell by cell, as the database says, formula characters kept as text", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await collect((out) => writeCampaignWorkbook(getDb(), target, out))) as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Resumo", "Envios", "Falhas", "Respostas"]);
    const envios = wb.getWorksheet("Envios")!;
    expect(envios.getRow(1).values).toEqual([undefined, "Contato", "Telefone", "Canal (chip)", "Mensagem", "Status", "Enviada em", "Entregue em", "Lida em", "Respondida em", "Motivo"]);
    const db = await getDb().execute<{ name: string; phone: string; status: string; sent_at: string | null; variables: { body: string[] } }>(sql`
      select k.name, r.phone, r.status, r.sent_at, r.variables from campaign_recipients r join contacts k on k.id = r.contact_id
       where r.campaign_id = ${target.campaignId} order by r.id`);
    expect(envios.rowCount).toBe(db.length + 1);
    db.forEach((r, i) => {
      const row = envios.getRow(i + 2);
      const name = row.getCell(1);
      expect(name.value).toBe(r.name); // a string cell, never a formula
      expect(name.type).toBe(ExcelJS.ValueType.String);
      if (/^[=+\-@]/.test(r.name)) expect(name.numFmt).toBe("@");
      expect(row.getCell(2).value).toBe(r.phone);
      expect(row.getCell(3).value).toBe("Vendas");
      expect(String(row.getCell(4).value)).toContain(`Oi, ${r.variables.body[0]}!`);
      expect(row.getCell(5).value).toBe(recipientStatusLabels[r.status]);
      const sent = row.getCell(6).value;
      if (r.sent_at) {
        expect(sent).toBeInstanceOf(Date);
        // Excel has no zones: the cell shows São Paulo's wall clock, 30/11/2026 23:30.
        expect((sent as Date).toISOString()).toBe("2026-11-30T23:30:00.000Z");
        expect(row.getCell(6).numFmt).toBe("dd/mm/yyyy hh:mm");
      } else expect(sent ?? null).toBeNull();
    });
  });

  it("Falhas explains each failure and skip in Portuguese with the next step; Resumo has the totals", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await collect((out) => writeCampaignWorkbook(getDb(), target, out))) as unknown as ExcelJS.Buffer);
    const falhas = wb.getWorksheet("Falhas")!;
    const rows = falhas.getSheetValues().slice(2).map((v) => (v as unknown[]).slice(1));
    expect(rows.map((r) => [r[0], r[2], r[3] ?? ""])).toEqual([
      ["@menção", "Falhou", 131026],
      ['Ana "Aninha" Souza', "Pulado", "no_opt_in"],
      ["Linha 1\nLinha 2", "Sem confirmação", ""],
      ["Zé", "Falhou", 131049],
    ]);
    for (const r of rows) {
      expect(String(r[4] ?? "")).not.toBe(""); // the reason, in Portuguese
      expect(String(r[5] ?? "")).not.toBe(""); // what to do next
    }
    expect(String(rows.find((r) => r[2] === "Sem confirmação")![5])).toMatch(/pode receber duas vezes/);
    expect(String(rows.find((r) => r[3] === 131049)![5])).toMatch(/próxima campanha/);
    const resumo = Object.fromEntries(wb.getWorksheet("Resumo")!.getSheetValues().slice(2).map((v) => [(v as unknown[])[1], (v as unknown[])[2]]));
    expect(resumo).toMatchObject({ Campanha: "Relatório – Black Friday", Destinatários: 8, "Enviadas (aceitas pela Meta)": 4, Lidas: 2, Falharam: 2, Puladas: 1, "Sem confirmação": 1 });
  });

  it("the CSV has a BOM, ';' separators, quoted line breaks and formula characters neutralised", async () => {
    const csv = (await collect((out) => writeCampaignCsv(getDb(), target, out))).toString("utf8");
    expect(csv.startsWith("\uFEFFContato;Telefone;")).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""clique"")"`);
    expect(csv).toContain('"Linha 1\nLinha 2"');
    expect(csv).toContain("João 😀 Silva");
    expect(csv.trim().split("\r\n")).toHaveLength(1 + NAMES.length); // rows end in CRLF; the name's own line break is quoted
  });

  it("names the file after the campaign and the day in the organization's zone", () => {
    expect(exportFileName("Relatório – Black Friday!", new Date("2026-12-01T02:30:00Z"), SP, "xlsx")).toBe("campanha-relatorio-black-friday-2026-11-30.xlsx");
  });

  it("a campaign of another organization is not found", async () => {
    await expect(writeCampaignWorkbook(getDb(), { ...target, organizationId: "00000000-0000-4000-8000-000000000099" }, new PassThrough())).rejects.toThrow(/não encontrada/);
    expect((await getDb().select().from(campaigns).where(eq(campaigns.id, target.campaignId))).length).toBe(1);
  });

  it("exports every row of a campaign larger than one cursor batch, in Excel and in CSV", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await collect((out) => writeCampaignWorkbook(getDb(), bigTarget, out))) as unknown as ExcelJS.Buffer);
    expect(wb.getWorksheet("Envios")!.rowCount).toBe(2_501);
    const csv = (await collect((out) => writeCampaignCsv(getDb(), bigTarget, out))).toString("utf8");
    expect(csv.trim().split("\r\n")).toHaveLength(2_501);
  });
});


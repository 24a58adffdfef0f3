import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import ExcelJS from "exceljs";
import { baseUrl, demo, launch, login, shot } from "./support";

// Disparo on the demo data, with the local worker and the simulator the launcher started: an immediate
// campaign reaches 100 % and its statuses arrive; a slower one is paused and resumed; one scheduled two
// minutes ahead fires by itself.

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "pt-BR", timezoneId: "America/Sao_Paulo", acceptDownloads: true })).newPage();
  await login(page, demo.gestor);
});
afterAll(async () => {
  await browser?.close();
});

const choose = async (field: string, text: string) => {
  const select = page.getByLabel(field, { exact: true });
  const value = await select.evaluate((el, n) => [...(el as HTMLSelectElement).options].find((o) => o.text.startsWith(n))?.value ?? "", text);
  expect(value, `${field}: ${text}`).not.toBe("");
  await select.selectOption(value);
};

const fill = async (name: string, chip: string, list: string) => {
  await page.goto(`${baseUrl}/campanhas/nova`);
  await page.getByLabel("Nome da campanha").fill(name);
  await choose("Chip", chip);
  await choose("Lista alvo", list);
  await choose("Template", "lembrete_carrinho");
  await page.getByLabel(/Aumento Automático do Pacote de Conversas/).check();
};

const confirmThisChip = async () => {
  await page.getByRole("button", { name: "Enviar Campanha" }).click();
  await page.waitForURL(/\/campanhas\/\d+\/confirmar/);
  await page.getByTestId("scope-this_chip").click();
  await page.getByRole("button", { name: "Confirmar envio" }).click();
  await page.waitForURL(/\/campanhas\/\d+\?confirmada=1/);
};

const count = async (key: string) => Number(((await page.getByTestId(`count-${key}`).textContent()) ?? "0").replace(/\D/g, ""));

describe("Disparo in the browser", () => {
  it("an immediate campaign reaches 100 % and the delivery statuses arrive", async () => {
    await fill("Disparo imediato E2E", "Loja Exemplo - Vendas", "Oferta especial maio");
    await confirmThisChip();
    await expect.poll(() => page.getByTestId("progress-pct").textContent(), { timeout: 60_000, interval: 500 }).toBe("100%");
    await expect.poll(() => count("delivered").then(async (d) => d + (await count("read"))), { timeout: 30_000, interval: 500 }).toBeGreaterThan(0);
    await page.getByTestId("campaign-status").getByText("Concluída").waitFor({ timeout: 30_000 });
    expect(await count("pending")).toBe(0);
    await shot(page, "50-disparo-concluido");

    // Its report: the figures, the table filtered, and the Excel file read back.
    const id = /\/campanhas\/(\d+)/.exec(page.url())![1];
    await page.goto(`${baseUrl}/relatorios/${id}`);
    await page.getByTestId("report-kpis").waitFor();
    const rows = page.getByTestId("report-rows").getByRole("row");
    const all = await rows.count();
    expect(all).toBeGreaterThan(0);
    // Search by one contact's phone: exactly that contact's row.
    const phone = (await rows.first().getByRole("cell").nth(1).textContent())!;
    await page.getByLabel("Buscar por nome ou telefone").fill(phone.replace(/\D/g, "").slice(-8));
    await page.getByRole("button", { name: "Filtrar" }).click();
    await page.waitForURL(/q=/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(phone);
    await shot(page, "53-relatorio");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Baixar Excel" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^campanha-disparo-imediato-e2e-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const file = await download.path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Resumo", "Envios", "Falhas", "Respostas"]);
    const envios = wb.getWorksheet("Envios")!;
    expect(envios.getRow(1).getCell(1).value).toBe("Contato");
    expect(envios.rowCount - 1).toBeGreaterThanOrEqual(all);
    expect(String(envios.getRow(2).getCell(2).value)).toMatch(/^\+55/);
  }, 120_000);

  it("a campaign is paused and resumed, and finishes", async () => {
    // The Pós-venda chip sends 20 messages/s: long enough to pause in the middle.
    await fill("Disparo pausado E2E", "Loja Exemplo - Pós-venda", "Clientes ativos de SP");
    await confirmThisChip();
    await expect.poll(() => count("sent").then(async (s) => s + (await count("delivered")) + (await count("read"))), { timeout: 60_000, interval: 300 }).toBeGreaterThan(5);
    await page.getByRole("button", { name: "Pausar" }).click();
    await page.getByText(/Pausada: Pausada por Bruno Lima/).waitFor({ timeout: 15_000 });
    const pendingAtPause = await count("pending");
    expect(pendingAtPause).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3000));
    await page.reload();
    expect(await count("pending")).toBe(pendingAtPause);
    await shot(page, "51-disparo-pausado");
    await page.getByRole("button", { name: "Retomar" }).click();
    await expect.poll(() => page.getByTestId("progress-pct").textContent(), { timeout: 90_000, interval: 500 }).toBe("100%");
  }, 180_000);

  it("a campaign scheduled two minutes ahead fires by itself", async () => {
    await fill("Disparo agendado E2E", "Loja Exemplo - Vendas", "Oferta especial maio");
    await page.getByText("Agendar envio").click();
    const at = new Date(Date.now() + 2.5 * 60_000);
    const local = new Intl.DateTimeFormat("pt-BR", { timeZone: "America/Sao_Paulo", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
    await page.locator("#scheduledAt").click();
    const dayLabel = new Intl.DateTimeFormat("pt-BR", { timeZone: "America/Sao_Paulo", weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(at);
    const day = page.getByRole("button", { name: dayLabel, exact: true });
    if (!(await day.isVisible())) await page.getByRole("button", { name: "Próximo mês" }).click();
    await day.click();
    await page.locator('input[type="time"]').fill(local);
    await page.getByRole("button", { name: "Concluir" }).click();
    await confirmThisChip();
    await page.getByText(/Envio confirmado: agendado para/).waitFor();
    await page.getByTestId("campaign-status").getByText("Agendada").waitFor();
    await page.getByTestId("campaign-status").getByText("Concluída").waitFor({ timeout: 4 * 60_000 });
    expect(await count("pending")).toBe(0);
    await shot(page, "52-disparo-agendado");
  }, 300_000);
});

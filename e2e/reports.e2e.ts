import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import ExcelJS from "exceljs";
import { baseUrl, demo, launch, login, shot } from "./support";

// Relatórios on the demo's two finished campaigns: the list with its figures and filters, a campaign's report
// (funnel, timeline, failures that filter the table, replies with their flow), the workbook read back, and the
// same report on a phone without sideways scrolling.

let browser: Browser;
const contexts: BrowserContext[] = [];
const open = async (viewport: { width: number; height: number }) => {
  const context = await browser.newContext({ viewport, locale: "pt-BR", timezoneId: "America/Sao_Paulo", acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  await login(page, demo.gestor);
  return page;
};
const number = (s: string | null) => Number((s ?? "").replace(/\D/g, ""));
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("Relatórios in the browser", () => {
  it("the list shows the finished campaigns' figures and filters by status; the report explains, filters and exports", async () => {
    const page = await open({ width: 1440, height: 900 });
    await page.goto(`${baseUrl}/relatorios`);
    const list = page.getByTestId("reports-rows");
    await list.getByRole("link", { name: "Black Friday antecipada" }).waitFor();
    await list.getByRole("link", { name: "Lembrete de carrinho – clientes de SP" }).waitFor();
    await page.getByLabel("Status da campanha").selectOption("completed");
    await page.getByRole("button", { name: "Filtrar" }).click();
    await page.waitForURL(/status=completed/);
    // Only completed campaigns (other browser tests may have completed some of their own): the scheduled demo
    // campaign is gone, both finished demo campaigns stay.
    const statuses = await list.getByRole("row").evaluateAll((rows) => rows.map((r) => r.querySelector("td")?.textContent ?? ""));
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    for (const s of statuses) expect(s).toMatch(/Concluída$/);
    expect(await list.getByRole("link", { name: "Lembrete de carrinho – sábado" }).count()).toBe(0);
    await list.getByRole("link", { name: "Lembrete de carrinho – clientes de SP" }).waitFor();
    const bf = list.getByRole("row", { name: /Black Friday antecipada/ });
    const recipients = number(await bf.getByRole("cell").nth(3).textContent());
    expect(recipients).toBeGreaterThan(0);
    await shot(page, "60-relatorios");

    await bf.getByRole("link", { name: "Black Friday antecipada" }).click();
    await page.waitForURL(/\/relatorios\/\d+$/);
    await page.getByTestId("report-funnel").waitFor();
    expect(number(await page.getByTestId("report-funnel").getByRole("listitem").first().textContent())).toBe(recipients);
    await page.getByTestId("report-timeline").locator("polyline").first().waitFor();
    // Replies went to the campaign's chatbot flow.
    await page.getByTestId("report-replies").getByText(/fluxo: Atendimento comercial/).first().waitFor();
    await shot(page, "61-relatorio-campanha");

    // A failure reason filters the table to exactly its rows.
    const failure = page.getByTestId("report-failures").getByRole("listitem").first();
    const failures = number(await failure.locator("span.tabular-nums").textContent());
    await failure.getByRole("link").click();
    await page.waitForURL(/reason=/);
    const rows = page.getByTestId("report-rows").getByRole("row");
    expect(await rows.count()).toBe(Math.min(failures, 50));
    expect(await page.getByText(new RegExp(`^${failures} envios? com estes filtros`)).count()).toBe(1);
    // Sorting by a column marks it.
    await page.getByRole("link", { name: "Contato", exact: true }).click();
    await page.waitForURL(/sort=name/);
    expect(await page.getByRole("columnheader", { name: "Contato" }).getAttribute("aria-sort")).toBe("ascending");

    const repliesShown = number(await page.getByTestId("replies-count").textContent());
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Baixar Excel" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^campanha-black-friday-antecipada-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await download.path());
    expect(wb.getWorksheet("Envios")!.rowCount - 1).toBe(recipients);
    expect(wb.getWorksheet("Respostas")!.rowCount - 1).toBeGreaterThanOrEqual(repliesShown);
    const flows = wb.getWorksheet("Respostas")!.getColumn(5).values.slice(2).map(String);
    expect(flows).toContain("Atendimento comercial");
  }, 120_000);

  it("on a phone the list and the report fit the screen (wide tables scroll inside their box)", async () => {
    const page = await open({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/relatorios`);
    await page.getByTestId("reports-rows").waitFor();
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await shot(page, "62-relatorios-celular");
    await page.getByTestId("reports-rows").getByRole("link", { name: "Lembrete de carrinho – clientes de SP" }).click();
    await page.getByTestId("report-funnel").waitFor();
    await shot(page, "63-relatorio-celular");
    expect(await sideways(page)).toBeLessThanOrEqual(0);
  }, 60_000);
});

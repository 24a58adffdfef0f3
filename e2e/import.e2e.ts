import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

const fixture = path.join(import.meta.dirname, "fixtures", "contatos-com-erros.csv");

let browser: Browser;
const contexts: BrowserContext[] = [];
const newPage = async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "pt-BR", acceptDownloads: true });
  contexts.push(context);
  return context.newPage();
};
const tmpFiles: string[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  for (const f of tmpFiles) rmSync(f, { force: true });
});

const openImport = async (page: Page) => {
  await page.goto(`${baseUrl}/contatos/importar`);
  await page.getByRole("heading", { level: 1, name: "Importar contatos" }).waitFor();
};

const numberIn = async (page: Page, label: string) => {
  const text = await page.locator('[data-slot="stat-card"]', { hasText: label }).locator("p.text-2xl").innerText();
  return Number(text.replace(/\D/g, ""));
};

describe("contact import in the browser", () => {
  it("uploads a Windows-1252 CSV, maps the columns, imports, shows the counts and the error report", async () => {
    const page = await newPage();
    await login(page, demo.admin);
    await openImport(page);
    await shot(page, "import-00-envio");

    await page.locator("#import-file").setInputFiles(fixture);
    await page.getByText("Qual coluna é cada informação?").waitFor();
    await page.getByText("linhas de contatos").first().waitFor();
    expect(await page.getByText("CSV, Windows-1252 (Excel), separado por ponto e vírgula").count()).toBe(1);

    // The guess from the headers: Nome, Celular, Cidade, Estado, Opt-in, Etiquetas.
    expect(await page.locator("#map-name").inputValue()).toBe("0");
    expect(await page.locator("#map-phone").inputValue()).toBe("1");
    expect(await page.locator("#map-state").inputValue()).toBe("3");
    expect(await page.locator("#map-tags").inputValue()).toBe("5");
    // The preview shows the file's accents read correctly.
    await page.getByRole("cell", { name: "Camila Araújo" }).waitFor();

    // The person maps the rest by hand.
    await page.locator("#map-city").selectOption("2");
    await page.locator("#map-optInStatus").selectOption({ label: "E · Opt-in" });
    await page.getByRole("button", { name: "Cliente ativo" }).click();
    expect(await page.getByRole("button", { name: "Cliente ativo" }).getAttribute("aria-pressed")).toBe("true");
    await page.locator("#walletId").selectOption({ label: "Varejo" });
    await page.locator("#chipId").selectOption({ label: "Loja Exemplo - Vendas (+55 11 4000-1000)" });
    await page.locator("#defaultOptInStatus").selectOption("pending");
    await page.getByLabel("Atualizar os contatos existentes").check();
    await shot(page, "import-01-mapeamento");

    await page.getByRole("button", { name: "Importar 8 linhas" }).click();
    await page.getByText("Importação concluída com 5 linhas com erro").waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get("importacao")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await numberIn(page, "Criados")) + (await numberIn(page, "Atualizados"))).toBe(3);
    expect(await numberIn(page, "Com erro")).toBe(5);
    const rows = page.locator("table tbody tr");
    expect(await rows.count()).toBe(5);
    expect(await rows.nth(1).innerText()).toContain("Telefone repetido na linha 2");
    await shot(page, "import-02-resultado");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Baixar relatório de erros (CSV)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("erros-contatos-com-erros.csv");
    const report = readFileSync((await download.path())!, "utf8");
    expect(report.startsWith("\uFEFFLinha;Motivo;Nome;Celular;Cidade;Estado;Opt-in;Etiquetas\r\n")).toBe(true);
    const lines = report.slice(1).trimEnd().split("\r\n");
    expect(lines.map((l) => l.split(";")[0])).toEqual(["Linha", "5", "6", "7", "8", "9"]);
    expect(lines[1]).toBe("5;Telefone curto demais: inclua o DDD.;Diego Ramos;123;Curitiba;PR;sim;");
    expect(lines[2]).toContain("Telefone repetido na linha 2: cada telefone entra uma vez só.;Elisa Moura;'+55 11 97001-0001;");
    expect(lines[3]).toContain("Opt-in “talvez” não reconhecido: use sim, não, pendente ou descadastrado.;Fábio Nunes;");
    // The formula is text in the report: Excel shows it, never runs it.
    expect(lines[4]).toContain(`;"'=HYPERLINK(""http://exemplo.invalid"",""Clique aqui"")";abc;`);
    expect(lines[5]).toContain("UF “XX” não existe");

    // The result survives a reload (the id is in the address), and the contacts are in the base.
    await page.reload();
    await page.getByText("Importação concluída com 5 linhas com erro").waitFor();
    await page.goto(`${baseUrl}/contatos?q=Aline%20Prado`);
    await page.getByRole("cell", { name: "Aline Prado", exact: true }).waitFor();
    expect(await page.locator("tbody").innerText()).toContain("97001-0001");
  });

  it("refuses a 50 MB file before sending it, and a binary renamed .csv, saying what to do", async () => {
    const page = await newPage();
    await login(page, demo.operador);
    await openImport(page);

    const big = path.join(os.tmpdir(), `disparo-e2e-grande-${process.pid}.csv`);
    writeFileSync(big, Buffer.alloc(50_000_000, "a"));
    tmpFiles.push(big);
    await page.locator("#import-file").setInputFiles(big);
    await page.getByText("O arquivo tem 50 MB e o limite é 10 MB.", { exact: false }).waitFor();

    const png = path.join(os.tmpdir(), `disparo-e2e-foto-${process.pid}.csv`);
    writeFileSync(png, Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"));
    tmpFiles.push(png);
    await page.locator("#import-file").setInputFiles(png);
    await page.getByText("O arquivo não parece ser uma planilha CSV ou XLSX", { exact: false }).waitFor();
    await shot(page, "import-03-arquivo-invalido");
  });
});

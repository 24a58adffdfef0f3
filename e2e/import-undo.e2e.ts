import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

let browser: Browser;
const contexts: BrowserContext[] = [];
const tmpFiles: string[] = [];

const newPage = async (width: number) => {
  const phone = width < 768;
  const context = await browser.newContext({ viewport: { width, height: phone ? 844 : 900 }, locale: "pt-BR", isMobile: phone, hasTouch: phone });
  contexts.push(context);
  return context.newPage();
};

// A small CSV of contacts the demo base does not have, with an etiqueta it does not have either.
const csvFile = (name: string, people: [string, string][]) => {
  const file = path.join(os.tmpdir(), `${name}-${process.pid}.csv`);
  writeFileSync(file, ["Nome;Telefone;Cidade;UF;Etiquetas", ...people.map(([n, p]) => `${n};${p};Campinas;SP;Desfazer E2E`)].join("\r\n"));
  tmpFiles.push(file);
  return file;
};

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  for (const f of tmpFiles) rmSync(f, { force: true });
});

const importFile = async (page: Page, file: string, rows: number) => {
  await page.goto(`${baseUrl}/contatos/importar`);
  await page.getByRole("heading", { level: 1, name: "Importar contatos" }).waitFor();
  await page.locator("#import-file").setInputFiles(file);
  await page.getByText("Qual coluna é cada informação?").waitFor();
  await page.getByRole("button", { name: `Importar ${rows} linhas` }).click();
  await page.getByText("Importação concluída").first().waitFor({ timeout: 30_000 });
};

const noSidewaysScroll = async (page: Page) => {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, "rolagem lateral").toBeLessThanOrEqual(client);
};

const searchContacts = async (page: Page, q: string) => {
  await page.goto(`${baseUrl}/contatos?q=${encodeURIComponent(q)}`);
  await page.locator("main h1").first().waitFor();
};

describe("undoing a contact import in the browser", () => {
  it("imports a small file, undoes it from the result screen, and the contacts are gone", async () => {
    const page = await newPage(1440);
    await login(page, demo.gestor);
    const file = csvFile("desfazer-e2e", [
      ["Desfazer Um", "(19) 97771-0001"],
      ["Desfazer Dois", "(19) 97771-0002"],
      ["Desfazer Três", "(19) 97771-0003"],
    ]);
    await importFile(page, file, 3);
    const resultUrl = page.url();
    expect(new URL(resultUrl).searchParams.get("importacao")).toMatch(/^[0-9a-f-]{36}$/);
    await searchContacts(page, "Desfazer Dois");
    await page.getByRole("cell", { name: "Desfazer Dois", exact: true }).waitFor();
    // Back on the result screen (its address keeps the import).
    await page.goto(resultUrl);
    await page.getByText("Importou algo errado?").waitFor();
    await shot(page, "import-undo-01-resultado-1440");

    await page.getByRole("button", { name: "Desfazer importação" }).first().click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByText("3 contatos criados serão removidos.").waitFor();
    await shot(page, "import-undo-02-confirmacao-1440");
    await dialog.getByRole("button", { name: "Desfazer importação" }).click();

    await page.getByText("3 contatos criados pela importação foram removidos.").first().waitFor();
    await page.getByText(/Etiqueta removida .*: Desfazer E2E\./).first().waitFor();
    // The recent imports list says so too, once the page has read it again.
    const listed = page.getByRole("region", { name: "Importações recentes" }).locator("li", { hasText: path.basename(file) });
    await listed.getByText("Desfeita", { exact: true }).waitFor();
    await shot(page, "import-undo-03-desfeita-1440");

    for (const name of ["Desfazer Um", "Desfazer Dois", "Desfazer Três"]) {
      await searchContacts(page, name);
      await page.getByText("Nenhum contato encontrado").waitFor();
    }
  });

  it("on a phone (390 px), undoes an earlier import from “Importações recentes”, without scrolling sideways", async () => {
    const page = await newPage(390);
    await login(page, demo.gestor);
    const file = csvFile("desfazer-depois-e2e", [
      ["Depois Um", "(19) 97772-0001"],
      ["Depois Dois", "(19) 97772-0002"],
    ]);
    await importFile(page, file, 2);
    await noSidewaysScroll(page);
    await shot(page, "import-undo-04-resultado-390");

    // Later, from the page itself (the result screen's address is gone).
    await page.goto(`${baseUrl}/contatos/importar`);
    const listed = page.getByRole("region", { name: "Importações recentes" }).locator("li", { hasText: path.basename(file) });
    await listed.getByText("Concluída", { exact: true }).waitFor();
    await noSidewaysScroll(page);
    await listed.getByRole("button", { name: "Desfazer importação" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByText("2 contatos criados serão removidos.").waitFor();
    await page.waitForTimeout(300); // the dialog's opening animation
    await shot(page, "import-undo-05-confirmacao-390");
    await dialog.getByRole("button", { name: "Desfazer importação" }).click();
    await listed.getByText("Desfeita", { exact: true }).waitFor();
    await listed.getByText("2 contatos criados pela importação foram removidos.").waitFor();
    await noSidewaysScroll(page);
    await shot(page, "import-undo-06-desfeita-390");

    await searchContacts(page, "Depois Um");
    await page.getByText("Nenhum contato encontrado").waitFor();
  });
});

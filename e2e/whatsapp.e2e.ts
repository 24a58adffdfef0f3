import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { SPARE_NUMBER } from "../scripts/whatsapp-simulator/default-config";
import { baseUrl, demo, launch, login, shot } from "./support";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "pt-BR" })).newPage();
  await login(page, demo.admin);
});
afterAll(async () => {
  await browser?.close();
});

describe("WhatsApp settings in the browser, against the Cloud API simulator", () => {
  it("adds a chip (after field errors), tests its connection, syncs templates and previews one", async () => {
    await page.goto(`${baseUrl}/configuracoes/chips`);
    await page.getByRole("button", { name: "Novo chip", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Número", { exact: true }).fill("12");
    await dialog.getByLabel("Phone number ID").fill(SPARE_NUMBER.phoneNumberId);
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await dialog.getByText("Dê um nome ao chip (ex.: Vendas).").waitFor();
    await dialog.getByText("Telefone curto demais: inclua o DDD.").waitFor();

    await dialog.getByLabel("Nome").fill("Novo chip E2E");
    await dialog.getByLabel("Número", { exact: true }).fill(SPARE_NUMBER.displayPhoneNumber);
    await dialog.getByLabel("ID da conta (WABA)").fill(SPARE_NUMBER.wabaId);
    await dialog.getByLabel("Token de acesso").fill(SPARE_NUMBER.accessToken);
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await page.getByRole("cell", { name: "Novo chip E2E", exact: true }).waitFor();
    // The token is never shown again, not even in the page's HTML.
    expect(await page.content()).not.toContain(SPARE_NUMBER.accessToken);

    await page.getByRole("button", { name: "Testar conexão de Novo chip E2E" }).click();
    await page.getByText(/Conexão OK: Loja Exemplo \(\+55 11 4000-3000\)/).waitFor();
    await shot(page, "30-chips");

    await page.goto(`${baseUrl}/configuracoes/templates`);
    await page.getByRole("button", { name: "Sincronizar" }).click();
    await page.getByText(/templates? sincronizados? de 1 conta/).waitFor();
    await page.getByRole("link", { name: "Aprovado" }).click();
    await page.waitForURL(/status=approved/);
    await page.getByRole("button", { name: "Pré-visualizar promo_black_friday" }).click();
    const preview = page.getByTestId("template-preview");
    await page.getByLabel("Variável {{1}}").fill("Joana");
    expect(await preview.innerText()).toContain("Joana");
    await shot(page, "31-template-preview");
  });

  it("refuses a duplicate phone number id with a field error", async () => {
    await page.goto(`${baseUrl}/configuracoes/chips`);
    await page.getByRole("button", { name: "Novo chip", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Nome").fill("Duplicado");
    await dialog.getByLabel("Número", { exact: true }).fill("+55 11 4000-1000");
    await dialog.getByLabel("Phone number ID").fill("100000000000001");
    await dialog.getByLabel("ID da conta (WABA)").fill("200000000000001");
    await dialog.getByLabel("Token de acesso").fill("qualquer");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await dialog.getByText("Já existe um chip com este phone number ID.").waitFor();
  });
});

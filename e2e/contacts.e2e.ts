import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "pt-BR" })).newPage();
  await login(page, demo.gestor);
});
afterAll(async () => {
  await browser?.close();
});

const phone = `(85) 9${String(Date.now()).slice(-8, -4)}-${String(Date.now()).slice(-4)}`;

describe("contatos in the browser", () => {
  it("creates a contact (after fixing a bad phone), edits its opt-in and sees the history", async () => {
    await page.goto(`${baseUrl}/contatos`);
    await page.getByRole("link", { name: "Novo contato" }).click();
    await page.waitForURL((url) => url.pathname === "/contatos/novo");
    await page.getByRole("textbox", { name: /^Nome/ }).fill("Helena Teste E2E");
    await page.getByLabel("Telefone (WhatsApp)").fill("123");
    await page.getByRole("button", { name: "Cadastrar contato" }).click();
    await page.getByText("Telefone curto demais: inclua o DDD.").waitFor();
    await page.getByLabel("Telefone (WhatsApp)").fill(phone);
    await page.getByLabel("Opt-in").selectOption("opted_in");
    // Typed in lower case, Enter adds the demo's "Cliente VIP".
    await page.getByRole("combobox", { name: "Adicionar etiqueta" }).fill("cliente vip");
    await page.getByRole("combobox", { name: "Adicionar etiqueta" }).press("Enter");
    await page.getByRole("button", { name: "Remover etiqueta Cliente VIP" }).waitFor();
    await page.getByRole("button", { name: "Cadastrar contato" }).click();
    await page.waitForURL(/\/contatos\/\d+$/);
    await page.getByRole("heading", { name: "Helena Teste E2E" }).waitFor();
    await page.getByText("Registrado manualmente no cadastro do contato").waitFor();

    await page.getByLabel("Opt-in").selectOption("opted_out");
    await page.getByRole("button", { name: "Salvar" }).click();
    await page.getByText("Alterado manualmente no cadastro do contato").waitFor();
    await shot(page, "10-contato");
  });

  it("filters the list, selects contacts and adds an etiqueta in bulk", async () => {
    await page.goto(`${baseUrl}/contatos?uf=CE`);
    const first = await page.locator("tbody tr").count();
    expect(first).toBeGreaterThan(1);
    await page.getByRole("checkbox", { name: "Selecionar todos desta página" }).check();
    const bulk = page.getByRole("form", { name: "Ações em lote" });
    await bulk.getByLabel("Ação").selectOption("addTag");
    await bulk.getByLabel("Etiqueta").selectOption({ label: "Black Friday 2026" });
    await bulk.getByRole("button", { name: "Aplicar" }).click();
    await page.getByText(`${first} contatos atualizados.`).waitFor();
    await shot(page, "11-contatos-lote");
  });

  it("manages etiquetas: create, refuse a duplicate, delete with the count of affected contacts", async () => {
    await page.goto(`${baseUrl}/contatos/etiquetas`);
    const name = `e2e-${Date.now()}`;
    await page.getByRole("button", { name: "Nova etiqueta" }).click();
    // The same name in other capitals is refused too.
    await page.getByRole("dialog").getByLabel("Nome").fill("cliente vip");
    await page.getByRole("dialog").getByRole("button", { name: "Salvar" }).click();
    await page.getByText("Escolha outro nome: já existe uma etiqueta assim.").waitFor();
    await page.getByRole("dialog").getByLabel("Nome").fill(name);
    await page.getByRole("dialog").getByRole("button", { name: "Salvar" }).click();
    await page.getByRole("cell", { name, exact: true }).waitFor();
    await page.getByRole("button", { name: `Apagar etiqueta ${name}` }).click();
    await page.getByText("Nenhum contato usa esta etiqueta.").waitFor();
    await page.getByRole("button", { name: "Apagar", exact: true }).click();
    await page.getByText("Etiqueta apagada e retirada de 0 contatos.").waitFor();
    await shot(page, "12-etiquetas");
  });

  // Meta's business-scoped user ids: a user who writes by WhatsApp username arrives without a phone number.
  it("shows a contact who wrote in by username only, with its BSUID, and opts it out when it sends SAIR", async () => {
    const sim = process.env.E2E_WHATSAPP_URL!;
    const suffix = String(Date.now()).slice(-6);
    const username = `julia.e2e${suffix}`;
    const profileName = `Júlia Usuária ${suffix}`;
    const from = `55859${String(Date.now()).slice(-8)}`;
    const inbound = (text: string) =>
      fetch(`${sim}/_sim/inbound`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from, username, profileName, text }) });
    expect((await inbound("Oi, vi a promoção")).ok).toBe(true);
    // The webhook is asynchronous: the contact appears once it has been applied.
    for (let i = 0; i < 40; i++) {
      // Typed without accents, as people do.
      await page.goto(`${baseUrl}/contatos?q=${encodeURIComponent(`Julia Usuaria ${suffix}`)}`);
      if (await page.getByRole("link", { name: profileName }).count()) break;
      await page.waitForTimeout(250);
    }
    await page.getByRole("link", { name: profileName }).first().click();
    await page.waitForURL(/\/contatos\/\d+$/);
    await page.getByText("Este contato escreveu por nome de usuário, sem mostrar o telefone.").waitFor();
    expect((await page.getByTestId("contact-bsuid").innerText()).trim()).not.toBe("");
    await page.getByText(`@${username} (sem telefone)`, { exact: false }).first().waitFor();
    await shot(page, "13-contato-usuario-whatsapp");

    expect((await inbound("SAIR")).ok).toBe(true);
    // The page header says the opt-in status beside the username ("@… (sem telefone) · Descadastrado · …").
    const optedOut = page.getByText(new RegExp(`@${username.replaceAll(".", "\\.")} \\(sem telefone\\) · Descadastrado`));
    for (let i = 0; i < 40 && !(await optedOut.count()); i++) {
      await page.waitForTimeout(250);
      await page.reload();
    }
    await optedOut.waitFor();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

// The campaign panel on the demo data: a gestor creates a scheduled campaign with mapped variables, watches the
// preview, sends a test through the simulator, confirms it for "ambos" with the opt-in confirmation and finds it
// scheduled; an operador's campaign waits for a gestor, with no confirm button.

let browser: Browser;
const contexts: BrowserContext[] = [];
const open = async (who: { email: string; password: string }, width = 1366) => {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "pt-BR", timezoneId: "America/Sao_Paulo" });
  contexts.push(context);
  const page = await context.newPage();
  await login(page, who);
  return page;
};

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

/** Selects the option whose text starts with `text` (list options carry their live count). */
const choose = async (page: Page, field: string, text: string) => {
  const select = page.getByLabel(field, { exact: true });
  const value = await select.evaluate((el, n) => [...(el as HTMLSelectElement).options].find((o) => o.text.startsWith(n))?.value ?? "", text);
  expect(value, `${field}: ${text}`).not.toBe("");
  await select.selectOption(value);
};
const chooseList = (page: Page, name: string) => choose(page, "Lista alvo", name);
const chooseTemplate = (page: Page, name: string) => choose(page, "Template", name);
const chooseChip = (page: Page) => choose(page, "Chip", "Loja Exemplo - Vendas");

/** Picks the day after tomorrow at the picker's default 09:00 (São Paulo). */
const scheduleInTwoDays = async (page: Page) => {
  await page.getByText("Agendar envio").click();
  await page.locator("#scheduledAt").click();
  const now = new Date();
  const target = new Date(now.getTime() + 2 * 86_400_000);
  if (target.getMonth() !== now.getMonth()) await page.getByRole("button", { name: "Próximo mês" }).click();
  const label = new Intl.DateTimeFormat("pt-BR", { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(target);
  await page.getByRole("button", { name: label, exact: true }).click();
  await page.getByRole("button", { name: "Concluir" }).click();
};

describe("Campanhas in the browser", () => {
  it("a gestor creates a scheduled campaign with mapped variables, sends a test and confirms it for both scopes", async () => {
    const page = await open(demo.gestor);
    await page.goto(`${baseUrl}/campanhas`);
    // The demo's campaigns: one scheduled, one waiting for a gestor, one draft.
    await page.getByRole("link", { name: "Lembrete de carrinho – sábado" }).waitFor();
    await page.getByText(/aguarda(m)? a sua confirmação/).waitFor();
    await shot(page, "40-campanhas-lista");

    await page.getByRole("link", { name: "Nova campanha" }).first().click();
    await page.waitForURL(/\/campanhas\/nova/);
    // Enviar Campanha with nothing filled: messages that say what to fix.
    await page.getByRole("button", { name: "Enviar Campanha" }).click();
    await page.getByText("Dê um nome à campanha.").first().waitFor();

    await page.getByLabel("Nome da campanha").fill("Black Friday E2E");
    await chooseChip(page);
    await chooseList(page, "Oferta especial maio");
    await chooseTemplate(page, "promo_black_friday");
    await page.getByLabel("Link da imagem do cabeçalho").fill("https://lojaexemplo.com.br/midia/bf-e2e.jpg");
    await page.locator("#value-body-2").fill("BLACK20");
    await scheduleInTwoDays(page);
    // The preview: a real contact of the list, the fixed coupon, and the footer/buttons of the template.
    const preview = page.getByTestId("preview-body");
    await expect.poll(() => preview.textContent()).toMatch(/^Olá, [A-ZÀ-Ú][a-zà-ú]+! .*cupom BLACK20/);
    const first = await preview.textContent();
    await page.getByRole("button", { name: "Próximo contato" }).click();
    await expect.poll(() => preview.textContent()).not.toBe(first);
    await page.getByText("Quero saber mais").first().waitFor();

    // Enviar teste: an invalid phone is refused in Portuguese; a valid one is accepted by the simulator.
    await page.getByLabel("Telefone que recebe o teste").fill("123");
    await page.getByRole("button", { name: "Enviar teste" }).click();
    await expect.poll(() => page.getByTestId("test-result").textContent()).toMatch(/Telefone do teste: Telefone curto demais/);
    await page.getByLabel("Telefone que recebe o teste").fill("(11) 98888-7777");
    await page.getByRole("button", { name: "Enviar teste" }).click();
    await expect.poll(() => page.getByTestId("test-result").textContent(), { timeout: 15_000 }).toMatch(/Teste aceito pelo WhatsApp para \+5511988887777/);

    // Without the package consent the campaign is not sent.
    await page.getByRole("button", { name: "Enviar Campanha" }).click();
    await page.getByText(/Marque a caixa de consentimento do Aumento Automático/).first().waitFor();
    await page.getByLabel(/Aumento Automático do Pacote de Conversas/).check();
    await shot(page, "41-campanha-painel");
    await page.getByRole("button", { name: "Enviar Campanha" }).click();

    await page.waitForURL(/\/campanhas\/\d+\/confirmar/);
    await page.getByText("Quem recebe esta campanha?").waitFor();
    const counts = await Promise.all(
      ["this_chip", "other_chips", "both"].map(async (s) => Number((await page.getByTestId(`recipients-${s}`).textContent())!.replace(/\D/g, ""))),
    );
    expect(counts[2]).toBeGreaterThanOrEqual(counts[0]! + counts[1]!);
    expect(counts[2]).toBeGreaterThan(0);
    await page.getByTestId("scope-both").click();
    const confirm = page.getByRole("button", { name: "Confirmar envio" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(/Confirmo que todos esses contatos já têm opt-in/).check();
    await page.getByTestId("estimate-cost").waitFor();
    await shot(page, "42-campanha-confirmacao");
    await confirm.click();

    await page.waitForURL(/\/campanhas\/\d+\?confirmada=1/);
    await page.getByText(/Envio confirmado: agendado para/).waitFor();
    expect(Number((await page.getByTestId("confirmed-recipients").textContent())!.replace(/\D/g, ""))).toBe(counts[2]);
    await page.getByText("Envio confirmado", { exact: true }).waitFor();
    await shot(page, "43-campanha-pagina");

    await page.goto(`${baseUrl}/campanhas?q=Black+Friday+E2E`);
    const row = page.getByRole("row", { name: /Black Friday E2E/ });
    await row.getByText("Agendada").waitFor();
  });

  it("an operador's campaign waits for a gestor: no confirm button, and the gestor finds it in the list", async () => {
    const page = await open(demo.operador);
    await page.goto(`${baseUrl}/campanhas/nova`);
    await page.getByLabel("Nome da campanha").fill("Campanha do operador E2E");
    await chooseChip(page);
    await chooseList(page, "Clientes ativos de SP");
    await chooseTemplate(page, "lembrete_carrinho");
    await page.getByLabel(/Aumento Automático do Pacote de Conversas/).check();
    await page.getByRole("button", { name: "Enviar Campanha" }).click();
    await page.waitForURL(/\/campanhas\/\d+\/confirmar/);
    await page.getByText("Aguardando confirmação de um gestor.").waitFor();
    expect(await page.getByRole("button", { name: "Confirmar envio" }).count()).toBe(0);
    await shot(page, "44-campanha-operador");

    await page.goto(`${baseUrl}/campanhas?status=awaiting_confirmation`);
    await page.getByRole("row", { name: /Campanha do operador E2E/ }).getByText("Aguardando confirmação").waitFor();
  });

  it("the panel and the confirmation work at phone width", async () => {
    const page = await open(demo.gestor, 390);
    await page.goto(`${baseUrl}/campanhas/nova`);
    await page.getByLabel("Nome da campanha").waitFor();
    await chooseList(page, "Oferta especial maio");
    await chooseTemplate(page, "lembrete_carrinho");
    await page.getByTestId("preview-body").waitFor();
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "45-campanha-painel-celular");
    await page.goto(`${baseUrl}/campanhas`);
    await shot(page, "46-campanhas-celular");
  });
});

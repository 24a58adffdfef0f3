import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "pt-BR" })).newPage();
  await login(page, demo.operador);
});
afterAll(async () => {
  await browser?.close();
});

const count = async () => {
  const el = page.getByTestId("audience-count");
  await page.getByLabel("Atualizando").waitFor({ state: "detached" });
  return Number((await el.innerText()).replace(/\D/g, ""));
};

// Waits until the live count differs from `before` (the builder debounces and aborts stale requests).
const nextCount = async (before: number) => {
  for (let i = 0; i < 50; i++) {
    const now = await count();
    if (now !== before) return now;
    await page.waitForTimeout(100);
  }
  return count();
};

describe("segmentação in the browser", () => {
  it("builds a segment while the count follows every filter, saves it and finds it with the same count", async () => {
    await page.goto(`${baseUrl}/segmentacao/nova`);
    const everyone = await count();
    expect(everyone).toBeGreaterThan(1000);

    // Typing "SP" offers São Paulo first (not Espírito Santo, whose name holds "sp"), and Enter picks it.
    await page.getByRole("button", { name: "Estado (UF)" }).click();
    await page.getByLabel("Buscar em Estado (UF)").fill("SP");
    expect(await page.getByRole("listbox", { name: "Estado (UF)" }).getByRole("option").first().textContent()).toMatch(/^SP — São Paulo/);
    await page.getByLabel("Buscar em Estado (UF)").press("Enter");
    expect(await page.getByRole("option", { name: /^SP — São Paulo/ }).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Escape");
    const sp = await nextCount(everyone);
    expect(sp).toBeLessThan(everyone);
    expect(sp).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Etiquetas: tem alguma de" }).click();
    // The demo's etiquetas read as a marketing team writes them, in Portuguese order; typed without the accent,
    // "calcados" offers Calçados first.
    const tagOptions = page.getByRole("listbox", { name: "Etiquetas: tem alguma de" }).getByRole("option");
    expect(await tagOptions.first().textContent()).toMatch(/^Acessórios/);
    await page.getByLabel("Buscar em Etiquetas: tem alguma de").fill("calcados");
    await expect.poll(() => tagOptions.first().textContent()).toMatch(/^Calçados/);
    await page.getByLabel("Buscar em Etiquetas: tem alguma de").fill("");
    await page.getByRole("option", { name: /^Newsletter/ }).click();
    await page.keyboard.press("Escape");
    const spNewsletter = await nextCount(sp);
    expect(spNewsletter).toBeLessThan(sp);

    await page.getByRole("combobox", { name: "Cidade" }).fill("sao pa");
    await page.getByRole("option", { name: /São Paulo \/ SP/ }).click();
    const city = await nextCount(spNewsletter);
    expect(city).toBeLessThanOrEqual(spNewsletter);
    await page.getByText(/UF: SP/).first().waitFor();
    await shot(page, "20-segmentacao-filtros");

    // A contradictory period is explained, not counted.
    await page.getByLabel("Período: de").fill("2026-05-10");
    await page.getByLabel("Período: até").fill("2026-05-01");
    await page.getByText(/data final \(2026-05-01\) é anterior à inicial/).waitFor();
    await page.getByLabel("Período: até").fill("");
    await page.getByLabel("Período: de").fill("");
    expect(await count()).toBe(city);

    const name = `Oferta especial maio ${Date.now()}`;
    await page.getByLabel("Nome da lista").fill(name);
    await page.getByRole("button", { name: "Cadastrar" }).click();
    await page.waitForURL((url) => url.pathname === "/segmentacao");
    const row = page.getByRole("row", { name: new RegExp(name) });
    await row.waitFor();
    expect(Number((await row.getByTestId("list-count").innerText()).replace(/\D/g, ""))).toBe(city);
    await shot(page, "21-listas-de-publico");

    // The same name again is refused with a clear message.
    await page.goto(`${baseUrl}/segmentacao/nova`);
    await count();
    await page.getByLabel("Nome da lista").fill(name.toUpperCase());
    await page.getByRole("button", { name: "Cadastrar" }).click();
    await page.getByText("Escolha outro nome: já existe uma lista assim.").waitFor();
  });

  it("on a phone the live count stays in view at the bottom while the filters are scrolled", async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "pt-BR", isMobile: true, hasTouch: true })).newPage();
    await login(phone, demo.operador);
    await phone.goto(`${baseUrl}/segmentacao/nova`);
    const bar = phone.getByTestId("audience-count-bar");
    await bar.getByText(/\d/).waitFor();
    await phone.getByRole("button", { name: "Estado (UF)" }).scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    expect(box.y).toBeGreaterThan(0);
    expect(box.y + box.height).toBeLessThanOrEqual(844 + 1);
    expect(Number((await bar.innerText()).replace(/\D/g, ""))).toBeGreaterThan(1000);
    await shot(phone, "22-segmentacao-celular");
    await phone.context().close();
  });
});


import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

// A contact's page: etiquetas as chips with a search box to add more, the breadcrumb back to the list, and the
// Contatos filters readable on a phone. The etiquetas are taken from what the page lists (their names may be slugs
// or readable names with accents), and the test works on a contact it creates, so the demo data stays as it was.

let browser: Browser;
let page: Page;
const contexts: BrowserContext[] = [];

const suffix = String(Date.now()).slice(-6);
const contactName = `Contato Etiquetas ${suffix}`;
const phone = `(31) 9${String(Date.now()).slice(-8, -4)}-${String(Date.now()).slice(-4)}`;
const withoutAccents = (s: string) => s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

type Tag = { id: string; name: string };
let tags: Tag[] = [];
let first: Tag, second: Tag, third: Tag;
let contactPath = "";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The picker's option for an etiqueta: its name, then how many contacts carry it. */
const optionName = (tag: Tag) => new RegExp(`^${escape(tag.name)}\\s*[\\d.]+ contatos?$`);
const chip = (p: Page, name: string) => p.getByRole("button", { name: `Remover etiqueta ${name}`, exact: true });
const picker = (p: Page) => p.getByRole("combobox", { name: "Adicionar etiqueta" });
const options = (p: Page) => p.getByRole("listbox", { name: "Etiquetas" }).getByRole("option");

/** Types an etiqueta's name as people do (no accents, lower case) and adds the best match with Enter. */
const addByTyping = async (p: Page, tag: Tag) => {
  await picker(p).click();
  await picker(p).pressSequentially(withoutAccents(tag.name));
  // The exact name comes first, highlighted, whatever the accents.
  const top = options(p).first();
  expect(await top.getAttribute("aria-selected")).toBe("true");
  expect(await top.getByText(tag.name, { exact: true }).count()).toBe(1);
  // Each etiqueta says how many contacts carry it.
  expect(await top.textContent()).toMatch(optionName(tag));
  await picker(p).press("Enter");
  await chip(p, tag.name).waitFor();
  expect(await picker(p).inputValue()).toBe("");
};

/** Filter selects whose longest option does not fit the select's own box (cut text). */
const cutFilterOptions = (p: Page) =>
  p.evaluate(() => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    const cut: string[] = [];
    for (const select of document.querySelectorAll<HTMLSelectElement>('form[role="search"] select')) {
      const style = getComputedStyle(select);
      ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      for (const option of select.options)
        if (ctx.measureText(option.text).width > room + 0.5) cut.push(`${select.getAttribute("aria-label")}: “${option.text}” (${Math.round(ctx.measureText(option.text).width)} px em ${Math.round(room)} px)`);
      if (select.scrollWidth > select.clientWidth) cut.push(`${select.getAttribute("aria-label")}: rola para o lado`);
    }
    return cut;
  });

const sideways = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

beforeAll(async () => {
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "pt-BR" });
  contexts.push(context);
  page = await context.newPage();
  await login(page, demo.gestor);
  await page.goto(`${baseUrl}/contatos`);
  tags = await page
    .getByRole("search", { name: "Filtrar contatos" })
    .getByLabel("Etiqueta")
    .evaluate((el) => [...(el as HTMLSelectElement).options].filter((o) => o.value).map((o) => ({ id: o.value, name: o.text })));
  expect(tags.length).toBeGreaterThanOrEqual(3);
  // Names with accents when there are (typed without them below); any others otherwise.
  const accented = tags.filter((t) => withoutAccents(t.name) !== t.name.toLowerCase());
  [second, third] = [accented[0] ?? tags[1], accented[1] ?? tags[2]];
  first = tags.find((t) => t !== second && t !== third)!;
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("a contact's etiquetas as chips", () => {
  it("adds etiquetas on Novo contato by typing and Enter, with the keyboard moving the highlight", async () => {
    await page.goto(`${baseUrl}/contatos/novo`);
    await page.getByRole("textbox", { name: /^Nome/ }).fill(contactName);
    await page.getByLabel("Telefone (WhatsApp)").fill(phone);
    await page.getByLabel("Opt-in").selectOption("opted_in");

    await picker(page).click();
    await picker(page).fill("a");
    expect(await options(page).count()).toBeGreaterThan(1);
    await picker(page).press("ArrowDown");
    expect(await options(page).nth(1).getAttribute("aria-selected")).toBe("true");
    expect(await picker(page).getAttribute("aria-activedescendant")).toBe(await options(page).nth(1).getAttribute("id"));
    await picker(page).press("ArrowUp");
    expect(await options(page).first().getAttribute("aria-selected")).toBe("true");
    expect(await page.getByRole("listbox", { name: "Etiquetas" }).isVisible()).toBe(true);
    await picker(page).press("Escape");
    expect(await page.getByRole("listbox", { name: "Etiquetas" }).count()).toBe(0);
    expect(await picker(page).getAttribute("aria-expanded")).toBe("false");
    await picker(page).fill("");

    await addByTyping(page, first);
    await addByTyping(page, second);
    // Enter in the search box added an etiqueta; it did not submit the form.
    expect(new URL(page.url()).pathname).toBe("/contatos/novo");
    // Chosen etiquetas are no longer offered.
    await picker(page).fill(withoutAccents(first.name));
    expect(await options(page).getByText(first.name, { exact: true }).count()).toBe(0);
    await picker(page).press("Escape");
    await picker(page).fill("");

    await page.getByRole("button", { name: "Cadastrar contato" }).click();
    await page.waitForURL(/\/contatos\/\d+$/);
    contactPath = new URL(page.url()).pathname;
    await page.getByRole("heading", { name: contactName }).waitFor();
    await chip(page, first.name).waitFor();
    await chip(page, second.name).waitFor();
  });

  it("on the contact's page removes a chip, adds one typed without accents, saves, and the chips stay after a reload", async () => {
    expect(contactPath).not.toBe("");
    await page.goto(`${baseUrl}${contactPath}`);
    await chip(page, first.name).click();
    expect(await chip(page, first.name).count()).toBe(0);
    await addByTyping(page, third);
    await shot(page, "14-contato-etiquetas-1440");
    await page.getByRole("button", { name: "Salvar" }).click();
    await page.getByText("Contato salvo.").first().waitFor();

    await page.reload();
    await chip(page, second.name).waitFor();
    await chip(page, third.name).waitFor();
    expect(await chip(page, first.name).count()).toBe(0);
    // The list agrees: filtered by the removed etiqueta, the contact is not there; by an added one, it is.
    await page.goto(`${baseUrl}/contatos?q=${encodeURIComponent(contactName)}&tag=${first.id}`);
    expect(await page.getByRole("link", { name: contactName }).count()).toBe(0);
    await page.goto(`${baseUrl}/contatos?q=${encodeURIComponent(contactName)}&tag=${third.id}`);
    expect(await page.getByRole("link", { name: contactName }).count()).toBe(1);
  });
});

describe("breadcrumb", () => {
  it("goes back to Contatos as it was filtered when the contact was opened from the list", async () => {
    const list = `/contatos?q=${encodeURIComponent(contactName)}&sort=since&dir=desc`;
    await page.goto(`${baseUrl}${list}`);
    await page.getByRole("link", { name: contactName }).click();
    await page.waitForURL((url) => url.pathname === contactPath);
    const trail = page.getByRole("navigation", { name: "Você está em" });
    expect((await trail.innerText()).replace(/\s+/g, " ").trim()).toBe(`Contatos ${contactName}`);
    // The link learns the list's address once the page is interactive.
    const link = trail.getByRole("link", { name: "Contatos" });
    await expect.poll(() => link.getAttribute("href")).toContain("sort=since");
    await link.click();
    await page.waitForURL((url) => url.pathname === "/contatos");
    const back = new URL(page.url()).searchParams;
    expect(Object.fromEntries(back)).toEqual({ q: contactName, sort: "since", dir: "desc" });
    await page.getByRole("link", { name: contactName }).waitFor();
  });

  it("links to the plain list when the page was opened directly, and shows on Novo contato", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "pt-BR" });
    contexts.push(context);
    const fresh = await context.newPage();
    await login(fresh, demo.operador);
    await fresh.goto(`${baseUrl}${contactPath}`);
    const trail = fresh.getByRole("navigation", { name: "Você está em" });
    await trail.getByRole("link", { name: "Contatos" }).click();
    await fresh.waitForURL((url) => url.pathname === "/contatos" && url.search === "");
    await fresh.goto(`${baseUrl}/contatos/novo`);
    expect((await trail.innerText()).replace(/\s+/g, " ").trim()).toBe("Contatos Novo contato");
  });
});

describe("on a phone (390 px) and a desktop (1440 px)", () => {
  for (const width of [390, 1440]) {
    it(`at ${width} px nothing scrolls sideways and the Contatos filters are not cut`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 844 }, locale: "pt-BR", isMobile: width < 768, hasTouch: width < 768 });
      contexts.push(context);
      const p = await context.newPage();
      await login(p, demo.gestor);

      await p.goto(`${baseUrl}/contatos`);
      await p.getByRole("search", { name: "Filtrar contatos" }).waitFor();
      expect(await sideways(p), "/contatos").toBeLessThanOrEqual(0);
      expect(await cutFilterOptions(p)).toEqual([]);
      // A chosen value is as readable as the first option.
      await p.getByRole("search", { name: "Filtrar contatos" }).getByLabel("Etiqueta").selectOption(third.id);
      expect(await cutFilterOptions(p)).toEqual([]);
      await shot(p, `14-contatos-filtros-${width}`);

      await p.goto(`${baseUrl}${contactPath}`);
      await chip(p, third.name).waitFor();
      expect(await sideways(p), contactPath).toBeLessThanOrEqual(0);
      await picker(p).click();
      await picker(p).fill(withoutAccents(first.name).slice(0, 3));
      expect(await sideways(p), `${contactPath} com a lista aberta`).toBeLessThanOrEqual(0);
      await shot(p, `14-contato-pagina-${width}`);

      await p.goto(`${baseUrl}/contatos/novo`);
      expect(await sideways(p), "/contatos/novo").toBeLessThanOrEqual(0);
      await shot(p, `14-contato-novo-${width}`);
    });
  }
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { baseUrl, demo, launch, login, shot } from "./support";

let browser: Browser;
const contexts: BrowserContext[] = [];
const newPage = async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: "pt-BR" });
  contexts.push(context);
  return context.newPage();
};

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("foundation in the browser", () => {
  it("sends an anonymous visitor to the login page, remembering where they were going", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/contatos`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/contatos");
    await expect(page.getByRole("heading", { name: "Entrar no Disparo" }).isVisible()).resolves.toBe(true);
    await shot(page, "01-login");
  });

  it("explains a wrong password and empty fields in Portuguese", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByText("Informe seu e-mail.").waitFor();
    await page.getByText("Informe sua senha.").waitFor();
    await page.getByLabel("E-mail").fill(`${"a".repeat(260)}@lojaexemplo.com.br`);
    await page.getByLabel("Senha").fill("x");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByText("Este e-mail é longo demais (máximo de 254 caracteres).").waitFor();
    await page.getByLabel("E-mail").fill("gestor@lojaexemplo.com.br");
    await page.getByLabel("Senha").fill("senha-errada");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByText("E-mail ou senha incorretos. Confira e tente de novo.").waitFor();
    await shot(page, "02-login-erro");
  });

  it("logs the admin in and opens every section with real data", async () => {
    const page = await newPage();
    await login(page, demo.admin);
    expect(new URL(page.url()).pathname).toBe("/");
    await page.getByRole("heading", { name: "Olá, Ana" }).waitFor();
    const contacts = page.locator('[data-slot="stat-card"]', { hasText: "Contatos" }).first();
    // The demo seed has 5,000 contacts; other browser tests may add a few to the same database.
    const shown = Number((await contacts.innerText()).match(/[\d.]+/)![0].replaceAll(".", ""));
    expect(shown).toBeGreaterThanOrEqual(5000);
    expect(shown).toBeLessThan(5100);
    await shot(page, "03-painel");

    const sections: [string, string, string][] = [
      ["Contatos", "/contatos", "Contatos"],
      ["Segmentação", "/segmentacao", "Segmentação"],
      ["Campanhas", "/campanhas", "Campanhas"],
      ["Relatórios", "/relatorios", "Relatórios"],
      ["Configurações", "/configuracoes/organizacao", "Configurações"],
    ];
    for (const [link, path, heading] of sections) {
      await page.getByRole("navigation", { name: "Seções" }).getByRole("link", { name: link }).click();
      await page.waitForURL((url) => url.pathname === path);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await shot(page, `04-${path.split("/").filter(Boolean).join("-")}`);
    }
    const rows = await page.goto(`${baseUrl}/contatos`).then(() => page.locator("tbody tr").count());
    expect(rows).toBe(50);
    for (const sub of ["usuarios", "chips", "templates", "fluxos"]) {
      await page.goto(`${baseUrl}/configuracoes/${sub}`);
      await shot(page, `05-configuracoes-${sub}`);
    }
    await page.goto(`${baseUrl}/configuracoes/chips`);
    await page.getByText("Loja Exemplo - Vendas").waitFor();
  });

  it("an admin creates a user with field errors first, and the new user can log in", async () => {
    const diego = `diego.${Date.now()}@lojaexemplo.com.br`;
    const page = await newPage();
    await login(page, demo.admin);
    await page.goto(`${baseUrl}/configuracoes/usuarios`);
    await page.getByRole("button", { name: "Novo usuário" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Criar usuário" }).click();
    await dialog.getByText("Informe o nome (pelo menos 2 letras).").waitFor();
    await dialog.getByText("A senha precisa ter pelo menos 8 caracteres.").waitFor();
    await shot(page, "06-novo-usuario-erros");
    await dialog.getByLabel("Nome").fill("Diego Ramos");
    await dialog.getByLabel("E-mail").fill(diego);
    await dialog.getByLabel("Perfil").selectOption("gestor");
    await dialog.getByLabel("Senha inicial").fill("senha-do-diego");
    await dialog.getByRole("button", { name: "Criar usuário" }).click();
    await page.getByRole("cell", { name: diego }).waitFor();

    const other = await newPage();
    await login(other, { email: diego, password: "senha-do-diego" });
    await other.getByRole("heading", { name: "Olá, Diego" }).waitFor();

    // Deactivated while signed in: the next request lands on the login page (no redirect loop).
    await page.getByRole("row", { name: new RegExp(diego.replaceAll(".", "\\.")) }).getByRole("button", { name: "Editar Diego Ramos" }).click();
    await page.getByRole("dialog").getByLabel("Situação").selectOption("false");
    await page.getByRole("dialog").getByRole("button", { name: "Salvar" }).click();
    await page.getByRole("row", { name: new RegExp(diego.replaceAll(".", "\\.")) }).getByText("Desativado").waitFor();
    await other.goto(`${baseUrl}/campanhas`);
    expect(new URL(other.url()).pathname).toBe("/login");
    await other.getByRole("heading", { name: "Entrar no Disparo" }).waitFor();
  });

  it("an operador cannot open user management", async () => {
    const page = await newPage();
    await login(page, demo.operador);
    const response = await page.goto(`${baseUrl}/configuracoes/usuarios`);
    expect(response?.status()).toBe(403);
    await page.getByText("Seu perfil não tem acesso a esta página").waitFor();
    await shot(page, "07-operador-sem-acesso");
  });

  it("a tampered session cookie sends the user back to login; logout ends the session", async () => {
    const page = await newPage();
    await login(page, demo.gestor);
    const context = page.context();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.includes("authjs.session-token"))!;
    expect(session).toBeTruthy();
    await context.addCookies([{ ...session, value: session.value.slice(0, -4) + "AAAA" }]);
    await page.goto(`${baseUrl}/campanhas`);
    expect(new URL(page.url()).pathname).toBe("/login");

    await login(page, demo.gestor);
    const signedIn = (await context.cookies()).find((c) => c.name.includes("authjs.session-token"))!;
    await page.getByRole("button", { name: "Menu do usuário" }).click();
    await page.getByRole("menuitem", { name: "Sair" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.goto(`${baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    // The cookie from before "Sair", sent again (copied, or re-set by a request that was in flight), opens nothing.
    await context.addCookies([signedIn]);
    await page.goto(`${baseUrl}/campanhas`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByRole("heading", { name: "Entrar no Disparo" }).waitFor();
  });

  it("on a phone (390 px) the menu opens the same sections in a drawer", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "pt-BR", isMobile: true, hasTouch: true });
    contexts.push(context);
    const page = await context.newPage();
    await login(page, demo.gestor);
    expect(await page.getByRole("navigation", { name: "Seções" }).count()).toBe(0); // the sidebar is hidden
    for (const [link, path] of [["Campanhas", "/campanhas"], ["Relatórios", "/relatorios"], ["Painel", "/"]] as const) {
      await page.getByRole("button", { name: "Abrir menu" }).click();
      const drawer = page.getByRole("dialog");
      await drawer.getByRole("link", { name: link }).click();
      await page.waitForURL((url) => url.pathname === path);
      await drawer.waitFor({ state: "detached" }); // following a link closes it
      if (path === "/relatorios") await shot(page, "07-celular-relatorios");
    }
    await page.getByRole("button", { name: "Abrir menu" }).click();
    await page.getByRole("dialog").getByRole("link", { name: "Relatórios" }).waitFor();
    await page.waitForTimeout(400); // the slide-in
    await shot(page, "07-celular-menu");
    await page.getByRole("button", { name: "Fechar menu" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
  });

  // Every section at a phone's width and a desktop's: nothing scrolls sideways (wide tables scroll inside their
  // own box), and the screenshots of each are looked at.
  it("every section fits a 390 px phone and a 1440 px desktop without scrolling sideways", async () => {
    const sections = ["/", "/contatos", "/contatos/etiquetas", "/contatos/importar", "/contatos/novo", "/segmentacao", "/campanhas", "/relatorios", "/configuracoes/organizacao", "/configuracoes/usuarios", "/configuracoes/chips", "/configuracoes/templates", "/configuracoes/fluxos"];
    for (const width of [390, 1440]) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "pt-BR", isMobile: width < 768, hasTouch: width < 768 });
      contexts.push(context);
      const page = await context.newPage();
      await login(page, demo.admin);
      const wide: string[] = [];
      for (const path of sections) {
        const response = await page.goto(`${baseUrl}${path}`);
        expect(response?.status(), path).toBe(200);
        await page.locator("main h1").first().waitFor();
        const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        if (scroll > client) wide.push(`${path}: ${scroll} px`);
        await shot(page, `08-${width}${path.replaceAll("/", "-") || "-painel"}`);
      }
      expect(wide, `at ${width} px`).toEqual([]);
    }
  });
});

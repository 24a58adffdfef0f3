import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const baseUrl = process.env.E2E_BASE_URL ?? "http://localhost:3000";
export const artifacts = path.join(import.meta.dirname, "artifacts");
mkdirSync(artifacts, { recursive: true });

// Debian's chromium, headless; the network flags keep it from calling home on a closed network.
export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

export const demo = {
  admin: { email: "admin@lojaexemplo.com.br", password: "disparo123" },
  gestor: { email: "gestor@lojaexemplo.com.br", password: "disparo123" },
  operador: { email: "operador@lojaexemplo.com.br", password: "disparo123" },
};

export const login = async (page: Page, who: { email: string; password: string }) => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Senha").fill(who.password);
  await page.getByRole("button", { name: "Entrar" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
};

import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { routeRegistry } from "@/lib/auth/route";

const root = path.resolve(import.meta.dirname, "../..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

// These authenticate by signature (Meta's webhook, Inngest) or are Auth.js's own endpoints.
const PUBLIC = [/^app\/api\/webhooks\//, /^app\/api\/inngest\//, /^app\/api\/auth\//];

const routeFiles = () =>
  readdirSync(path.join(root, "app"), { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|\/)route\.(ts|tsx)$/.test(f))
    .map((f) => path.join("app", f));

describe("route handlers", () => {
  it("finds the app's route handlers", () => {
    expect(routeFiles()).toContain(path.join("app", "api", "segmentacao", "previa", "route.ts"));
  });

  it("every route handler outside the signature-authenticated ones is built with authorizedRoute and refuses an anonymous call", async () => {
    const checked: string[] = [];
    for (const file of routeFiles().filter((f) => !PUBLIC.some((re) => re.test(f)))) {
      const mod = (await import(path.join(root, file))) as Record<string, unknown>;
      for (const method of METHODS) {
        const handler = mod[method];
        if (typeof handler !== "function") continue;
        expect(routeRegistry.get(handler), `${file} ${method}`).toBeDefined();
        const res = (await (handler as (r: Request, c: unknown) => Promise<Response>)(
          new Request("http://localhost/x", { method }),
          { params: Promise.resolve({ id: "1" }) },
        )) as Response;
        expect(res.status, `${file} ${method}`).toBe(401);
        expect(await res.json()).toEqual({ error: "Sua sessão expirou. Entre novamente." });
        checked.push(`${file} ${method}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(4);
  });
});

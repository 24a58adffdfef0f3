import { describe, expect, it } from "vitest";
import { sweepFailureLog } from "./flow-routing";

// Stopping the server often stops the database first: the sweeper's next sweeps find it gone. That is normal
// and logs nothing; an outage that lasts is reported once; any other failure at once.

const gone = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

describe("flow sweeper log", () => {
  it("stays quiet when the database goes away, reports it once if it lasts, and again after a recovery", () => {
    const log = sweepFailureLog(3);
    expect([log.failed(gone), log.failed(gone)]).toEqual([null, null]);
    expect(log.failed(gone)).toMatch(/banco de dados indisponível há 3 varreduras/);
    expect(log.failed(gone)).toBeNull();
    log.succeeded();
    expect(log.failed(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBeNull();
  });

  it("logs any other failure at once, without the query's parameters", () => {
    const log = sweepFailureLog(3);
    const line = log.failed(Object.assign(new Error('duplicate key value violates unique constraint "x" — ana@loja.com.br'), { code: "23505", name: "PostgresError", constraint_name: "x" }));
    expect(line).toMatch(/^\[fluxo\] varredura falhou: /);
    expect(line).not.toContain("ana@loja.com.br");
  });
});

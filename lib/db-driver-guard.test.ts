import { describe, expect, it } from "vitest";
import { isDriverSocketRace } from "./db-driver-guard";

describe("driver socket race", () => {
  it("recognises postgres.js's write on a closed socket, thrown or serialized, and nothing else", () => {
    const err = new TypeError("Cannot read properties of null (reading 'write')");
    err.stack = `TypeError: ${err.message}\n    at Immediate.nextWrite (node_modules/postgres/src/connection.js:255:22)`;
    expect(isDriverSocketRace(err)).toBe(true);
    expect(isDriverSocketRace({ name: err.name, message: err.message, stack: err.stack })).toBe(true);
    expect(isDriverSocketRace(new TypeError("Cannot read properties of null (reading 'write')"))).toBe(false);
    expect(isDriverSocketRace(Object.assign(new Error(err.message), { stack: err.stack }))).toBe(false);
    expect(isDriverSocketRace(null)).toBe(false);
  });
});

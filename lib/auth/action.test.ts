import { describe, expect, it } from "vitest";
import { formDataToObject } from "./action";

describe("formDataToObject", () => {
  it("keeps single values, turns repeated keys into arrays and drops Next's action fields", () => {
    const form = new FormData();
    form.append("name", "Ana");
    form.append("tags", "1");
    form.append("tags", "2");
    form.append("$ACTION_ID_abc", "");
    expect(formDataToObject(form)).toEqual({ name: "Ana", tags: ["1", "2"] });
  });
});

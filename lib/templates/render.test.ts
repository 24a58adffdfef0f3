import { describe, expect, it } from "vitest";
import { renderTemplate, templateExamples } from "./render";

const components = [
  { type: "HEADER", format: "IMAGE" },
  {
    type: "BODY",
    text: "Oi {{1}}! Use o cupom {{2}} até domingo. {{1}}, não perca.",
    example: { body_text: [["Maria", "BF30"]] },
  },
  { type: "FOOTER", text: "Responda SAIR para não receber mais" },
  { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Quero saber mais" }, { type: "QUICK_REPLY", text: "Parar promoções" }] },
];

describe("renderTemplate", () => {
  it("fills every occurrence of each variable and keeps header, footer and buttons", () => {
    expect(renderTemplate(components, { body: ["Ana", "VIP10"] })).toEqual({
      header: { format: "IMAGE", text: undefined },
      body: "Oi Ana! Use o cupom VIP10 até domingo. Ana, não perca.",
      footer: "Responda SAIR para não receber mais",
      buttons: [
        { type: "QUICK_REPLY", text: "Quero saber mais" },
        { type: "QUICK_REPLY", text: "Parar promoções" },
      ],
    });
  });

  it("shows the placeholder for a missing value and reads Meta's examples", () => {
    expect(renderTemplate(components, { body: ["Ana"] }).body).toContain("cupom {{2}}");
    expect(templateExamples(components)).toEqual(["Maria", "BF30"]);
    expect(renderTemplate("garbage").body).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import { compileMessage, renderTemplate, templateExamples } from "./render";

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

describe("compileMessage", () => {
  const viaRender = (components: unknown, values: { header: string[]; body: string[] }) => {
    const p = renderTemplate(components, values);
    return [p.header?.text, p.body, p.footer].filter(Boolean).join("\n");
  };
  const templates = [
    [
      { type: "HEADER", format: "TEXT", text: "Olá {{1}}", example: { header_text: ["Ana"] } },
      { type: "BODY", text: "Oi, {{1}}! Use {{ 2 }} até {{3}}.\nAbraço" },
      { type: "FOOTER", text: "Responda SAIR para não receber" },
      { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Quero" }] },
    ],
    [{ type: "BODY", text: "{{1}}{{1}} sem texto fixo {{2}}" }],
    [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Só corpo" }],
    [],
    "não é uma lista",
  ];
  const values = [
    { header: [], body: [] },
    { header: ["Zé"], body: ["João 😀", "VIP10", "sexta"] },
    { header: [""], body: ["", "x"] },
    { header: [], body: ["$1 $& {{2}}"] },
  ];
  it("gives the text renderTemplate gives, for every template and set of values", () => {
    for (const t of templates) {
      const compiled = compileMessage(t);
      for (const v of values) expect(compiled(v), JSON.stringify([t, v])).toBe(viaRender(t, v));
    }
    expect(compileMessage(templates[0])({ header: ["Zé"], body: ["Ana", "VIP10"] })).toBe("Olá Zé\nOi, Ana! Use VIP10 até {{3}}.\nAbraço\nResponda SAIR para não receber");
    expect(compileMessage(templates[0])(null)).toBe(viaRender(templates[0], { header: [], body: [] }));
  });
});

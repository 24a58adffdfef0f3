import { z } from "zod";
import { UFS } from "@/lib/segments/filter";

// How each {{n}} of a template is filled: a contact field (with an optional fallback for contacts whose field is
// empty) or a fixed text. The same rules render the preview, the test send and (next issue) each recipient's row,
// and decide who is skipped for "variável sem valor" on the confirmation screen. No database code here: the
// panel renders its live preview with it in the browser.

export const CONTACT_FIELDS = ["name", "first_name", "city", "state", "state_name", "wallet"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const contactFieldLabels: Record<ContactField, string> = {
  name: "Nome",
  first_name: "Primeiro nome",
  city: "Cidade",
  state: "Estado (UF)",
  state_name: "Estado (por extenso)",
  wallet: "Carteira",
};

const text = (label: string, max: number) =>
  z.string().trim().max(max, `${label}: no máximo ${max} caracteres.`);

export const variableMappingSchema = z.discriminatedUnion(
  "source",
  [
    z.object({
      component: z.enum(["header", "body"]),
      index: z.int().min(1).max(20),
      source: z.literal("field"),
      field: z.enum(CONTACT_FIELDS, { error: "Escolha o campo do contato para esta variável." }),
      fallback: text("Texto para quem não tem o campo", 200).optional().transform((v) => (v ? v : undefined)),
    }),
    z.object({
      component: z.enum(["header", "body"]),
      index: z.int().min(1).max(20),
      source: z.literal("text"),
      text: text("Texto fixo", 500).min(1, "Escreva o texto fixo desta variável (ou escolha um campo do contato)."),
    }),
  ],
  { error: "Escolha de onde vem cada variável: um campo do contato ou um texto fixo." },
);
export type VariableMapping = z.input<typeof variableMappingSchema>;

export type TemplateVariableRef = { index: number; component: "header" | "body" };

const key = (v: TemplateVariableRef) => `${v.component}:${v.index}`;
export const variableLabel = (v: TemplateVariableRef) => `{{${v.index}}}${v.component === "header" ? " do cabeçalho" : ""}`;

/** Every variable of the template mapped exactly once; messages say which one to fix. */
export const checkMappingCovers = (variables: readonly TemplateVariableRef[], mapping: readonly VariableMapping[]) => {
  const issues: string[] = [];
  const given = new Map(mapping.map((m) => [key(m), m]));
  for (const v of variables) if (!given.has(key(v))) issues.push(`Variável ${variableLabel(v)}: escolha um campo do contato ou escreva um texto fixo.`);
  const expected = new Set(variables.map(key));
  for (const m of mapping) if (!expected.has(key(m))) issues.push(`O template não tem a variável ${variableLabel(m)}.`);
  return issues;
};

export type ContactValues = { name: string; city: string | null; state: string | null; wallet: string | null };

const stateNames = new Map<string, string>(UFS.map((u) => [u.uf, u.name]));

export const contactFieldValue = (field: ContactField, c: ContactValues): string => {
  const v = (() => {
    switch (field) {
      case "name":
        return c.name;
      case "first_name":
        return c.name.trim().split(/\s+/)[0] ?? "";
      case "city":
        return c.city ?? "";
      case "state":
        return c.state ?? "";
      case "state_name":
        return c.state ? (stateNames.get(c.state) ?? c.state) : "";
      case "wallet":
        return c.wallet ?? "";
    }
  })();
  return v.trim();
};

export type RenderedVariables = { header: string[]; body: string[]; missing: TemplateVariableRef[] };

/** The values a contact gets, in {{n}} order per component; `missing` lists variables with no value at all. */
export const renderVariables = (mapping: readonly VariableMapping[], contact: ContactValues): RenderedVariables => {
  const out: RenderedVariables = { header: [], body: [], missing: [] };
  for (const m of [...mapping].sort((a, b) => a.index - b.index)) {
    const value = m.source === "text" ? m.text : contactFieldValue(m.field, contact) || m.fallback || "";
    out[m.component][m.index - 1] = value;
    if (!value) out.missing.push({ component: m.component, index: m.index });
  }
  return out;
};

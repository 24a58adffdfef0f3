// Renders a Meta template's components with values for {{n}}, as the contact will see it.
type Component = {
  type?: string;
  format?: string;
  text?: string;
  buttons?: { type?: string; text?: string; url?: string }[];
  example?: { body_text?: string[][]; header_text?: string[] };
};

export type TemplatePreview = {
  header: { format: string; text?: string } | null;
  body: string;
  footer: string | null;
  buttons: { type: string; text: string }[];
};

const fill = (text: string, values: (string | undefined)[], fallback: (i: number) => string) =>
  text.replace(/\{\{\s*(\d+)\s*\}\}/g, (_m, n: string) => {
    const i = Number(n);
    return values[i - 1] || fallback(i);
  });

/** Examples Meta stored with the template (body first), used when the user gave no value. */
export const templateExamples = (components: unknown): string[] => {
  const list = Array.isArray(components) ? (components as Component[]) : [];
  const body = list.find((c) => c.type?.toUpperCase() === "BODY");
  return body?.example?.body_text?.[0] ?? [];
};

export const renderTemplate = (
  components: unknown,
  values: { header?: (string | undefined)[]; body?: (string | undefined)[] } = {},
): TemplatePreview => {
  const list = Array.isArray(components) ? (components as Component[]) : [];
  const find = (type: string) => list.find((c) => c.type?.toUpperCase() === type);
  const header = find("HEADER");
  const body = find("BODY");
  const footer = find("FOOTER");
  const buttons = find("BUTTONS");
  const placeholder = (i: number) => `{{${i}}}`;
  return {
    header: header
      ? {
          format: (header.format ?? "TEXT").toUpperCase(),
          text: header.text ? fill(header.text, values.header ?? header.example?.header_text ?? [], placeholder) : undefined,
        }
      : null,
    body: body?.text ? fill(body.text, values.body ?? [], placeholder) : "",
    footer: footer?.text ?? null,
    buttons: (buttons?.buttons ?? []).map((b) => ({ type: (b.type ?? "").toUpperCase(), text: b.text ?? "" })),
  };
};

/**
 * The message a contact received as one text (header, body and footer on their own lines), compiled once per
 * template for the exports: the same text as renderTemplate with the values given (a missing value shows its
 * {{n}}), without a regular expression per recipient.
 */
export const compileMessage = (components: unknown) => {
  const list = Array.isArray(components) ? (components as Component[]) : [];
  const find = (type: string) => list.find((c) => c.type?.toUpperCase() === type);
  // "Oi, {{1}}!" → ["Oi, ", 1, "!"]: literal texts and the 1-based numbers of the values between them.
  const split = (text: string | undefined) => {
    if (!text) return null;
    const parts: (string | number)[] = [];
    let last = 0;
    for (const m of text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) {
      parts.push(text.slice(last, m.index), Number(m[1]));
      last = m.index + m[0].length;
    }
    parts.push(text.slice(last));
    return parts;
  };
  const join = (parts: (string | number)[], values: (string | undefined)[]) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : values[p - 1] || `{{${p}}}`;
    return out;
  };
  const header = split(find("HEADER")?.text);
  const body = split(find("BODY")?.text);
  const footer = find("FOOTER")?.text || "";
  return (values: { header?: (string | undefined)[]; body?: (string | undefined)[] } | null) => {
    const h = header ? join(header, values?.header ?? []) : "";
    const b = body ? join(body, values?.body ?? []) : "";
    return [h, b, footer].filter(Boolean).join("\n");
  };
};

import { renderTemplate, type TemplatePreview } from "@/lib/templates/render";
import type { HeaderParameter, TemplateMessage } from "@/lib/whatsapp/client";
import { renderVariables, type ContactValues, type VariableMapping } from "./variables";

// One contact's message: what the Cloud API receives and what the preview shows, from the same values.

export type TemplateLike = { name: string; language: string; components: unknown };

const mediaHeader = (components: unknown) => {
  const list = Array.isArray(components) ? (components as { type?: string; format?: string; text?: string }[]) : [];
  return list.find((c) => c.type?.toUpperCase() === "HEADER") ?? null;
};

export const buildMessage = (
  template: TemplateLike,
  mapping: readonly VariableMapping[],
  contact: ContactValues,
  headerMediaUrl: string | null,
): { message: TemplateMessage; preview: TemplatePreview; missing: ReturnType<typeof renderVariables>["missing"] } => {
  const values = renderVariables(mapping, contact);
  const header = mediaHeader(template.components);
  const format = header?.format?.toUpperCase();
  const headerParameters: HeaderParameter[] = [];
  if ((format === "IMAGE" || format === "VIDEO") && headerMediaUrl) headerParameters.push({ type: format === "IMAGE" ? "image" : "video", link: headerMediaUrl });
  else if (format === "DOCUMENT" && headerMediaUrl) headerParameters.push({ type: "document", link: headerMediaUrl });
  else if (values.header.length) for (const text of values.header) headerParameters.push({ type: "text", text });
  return {
    message: {
      name: template.name,
      language: template.language,
      ...(headerParameters.length ? { headerParameters } : {}),
      ...(values.body.length ? { bodyParameters: values.body } : {}),
    },
    preview: renderTemplate(template.components, { header: values.header, body: values.body }),
    missing: values.missing,
  };
};

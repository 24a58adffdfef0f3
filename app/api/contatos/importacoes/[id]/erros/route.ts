import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { z } from "zod";
import { authorizedRoute } from "@/lib/auth/route";
import { importIdSchema } from "@/lib/imports/schema";
import { errorReportFile, readStatus } from "@/lib/imports/store";

const params = z.object({ id: importIdSchema });

// The rows an import refused, as a CSV safe to open in Excel; only for the organization that imported.
export const GET = authorizedRoute<{ id: string }>({ role: "operador" }, async (_request, { user, params: raw }) => {
  const parsed = params.safeParse(raw);
  if (!parsed.success) return Response.json({ error: "Importação inválida." }, { status: 404 });
  const status = await readStatus(user.organizationId, parsed.data.id);
  const file = status ? await errorReportFile(user.organizationId, parsed.data.id) : null;
  if (!status || !file)
    return Response.json(
      { error: "Relatório não encontrado: ele fica disponível por 1 hora depois da importação. Importe o arquivo de novo para gerar outro." },
      { status: 404 },
    );
  const base = status.fileName.replace(/\.[^.]+$/, "") || "planilha";
  const ascii = base.normalize("NFD").replace(/[^\w.-]+/g, "_").slice(0, 80);
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="erros-${ascii}.csv"; filename*=UTF-8''${encodeURIComponent(`erros-${base}.csv`)}`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});

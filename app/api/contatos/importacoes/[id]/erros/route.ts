import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { z } from "zod";
import { ActionError, authorizedAction, type ActionErrorCode } from "@/lib/auth/action";
import { importIdSchema } from "@/lib/imports/schema";
import { errorReportFile, readStatus } from "@/lib/imports/store";

// Through the same wrapper as the server actions: session, role and organization checked before the file is read.
const findErrorReport = authorizedAction(
  { name: "downloadImportErrors", role: "operador", schema: z.object({ id: importIdSchema }) },
  async ({ id }, { user }) => {
    const status = await readStatus(user.organizationId, id);
    const file = status ? await errorReportFile(user.organizationId, id) : null;
    if (!status || !file)
      throw new ActionError(
        "not_found",
        "Relatório não encontrado: ele fica disponível por 1 hora depois da importação. Importe o arquivo de novo para gerar outro.",
      );
    return { file, fileName: status.fileName };
  },
);

const httpStatus: Record<ActionErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  invalid: 404,
  not_found: 404,
  conflict: 409,
  error: 500,
};

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const result = await findErrorReport(null, { id: (await params).id });
  if (!result.ok) return Response.json({ error: result.message }, { status: httpStatus[result.code] });
  const base = result.data.fileName.replace(/\.[^.]+$/, "") || "planilha";
  const ascii = base.normalize("NFD").replace(/[^\w.-]+/g, "_").slice(0, 80);
  return new Response(Readable.toWeb(createReadStream(result.data.file)) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="erros-${ascii}.csv"; filename*=UTF-8''${encodeURIComponent(`erros-${base}.csv`)}`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

import { PassThrough, Readable } from "node:stream";
import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizedRoute } from "@/lib/auth/route";
import { describeError } from "@/lib/log";
import { exportFileName, loadReportCampaign, writeCampaignCsv, writeCampaignWorkbook } from "@/lib/reports/export";

const params = z.object({ id: z.coerce.number().int().positive() });

// The campaign's send report, streamed: Excel (Resumo, Envios, Falhas, Respostas) or, with ?formato=csv, CSV.
export const GET = authorizedRoute<{ id: string }>({ role: "gestor" }, async (req, { db, user, params: raw }) => {
  const parsed = params.safeParse(raw);
  if (!parsed.success) return NextResponse.json({ error: "Campanha inválida: use o número da campanha." }, { status: 400 });
  const target = { organizationId: user.organizationId, campaignId: parsed.data.id, timeZone: user.timeZone };
  const info = await loadReportCampaign(db, target);
  if (!info) return NextResponse.json({ error: "Campanha não encontrada nesta organização." }, { status: 404 });
  const csv = new URL(req.url).searchParams.get("formato") === "csv";
  const out = new PassThrough();
  // Written while the browser reads; a download cancelled halfway destroys the stream and the writer stops
  // reading (its cursor is closed with the loop).
  (csv ? writeCampaignCsv : writeCampaignWorkbook)(db, target, out).catch((err: unknown) => {
    console.error(`[relatorio] exportação falhou: ${describeError(err)}`);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  const name = exportFileName(info.campaign.name, new Date(), user.timeZone, csv ? "csv" : "xlsx");
  return new Response(Readable.toWeb(out) as ReadableStream, {
    headers: {
      "content-type": csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
});

import { NextResponse } from "next/server";
import { authorizedRoute } from "@/lib/auth/route";
import { exportContactData } from "@/lib/contacts/contacts";
import { audit } from "@/lib/audit";

// LGPD: a data subject's request for everything held about them, as a JSON file.
export const GET = authorizedRoute<{ id: string }>({ role: "gestor" }, async (_req, { db, user, params }) => {
  const id = Number(params.id);
  if (!Number.isSafeInteger(id) || id <= 0) return NextResponse.json({ error: "Contato inválido." }, { status: 400 });
  const data = await exportContactData(db, user.organizationId, id);
  if (!data) return NextResponse.json({ error: "Contato não encontrado." }, { status: 404 });
  await audit(db, { organizationId: user.organizationId, userId: user.id, action: "contact.export", entityType: "contact", entityId: id });
  return new NextResponse(JSON.stringify(data, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="contato-${id}-dados-lgpd.json"`,
      "cache-control": "no-store",
    },
  });
});

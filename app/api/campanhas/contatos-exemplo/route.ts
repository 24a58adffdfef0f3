import { and, eq, inArray } from "drizzle-orm";
import { NextResponse } from "next/server";
import { z } from "zod";
import { getAudience } from "@/db/queries/audiences";
import { previewAudience } from "@/db/queries/segments";
import { contacts, wallets } from "@/db/schema";
import { authorizedRoute } from "@/lib/auth/route";
import { parseFilter } from "@/lib/segments/filter";

const query = z.object({ lista: z.coerce.number().int().positive() });

// A few real contacts of a list, for the campaign panel's live preview and the test send.
export const GET = authorizedRoute({ role: "operador" }, async (req, { db, user }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return NextResponse.json({ error: "Escolha a lista alvo." }, { status: 400 });
  const audience = await getAudience(db, user.organizationId, parsed.data.lista);
  if (!audience) return NextResponse.json({ error: "Lista não encontrada nesta organização." }, { status: 404 });
  const filter = parseFilter(audience.filter);
  if (!filter.ok) return NextResponse.json({ error: `O filtro da lista não é mais válido: ${filter.message}` }, { status: 400 });
  const rows = await previewAudience(db, user.organizationId, filter.filter, { timeZone: user.timeZone, limit: 5 });
  const walletNames = rows.length
    ? await db
        .select({ id: contacts.id, wallet: wallets.name })
        .from(contacts)
        .innerJoin(wallets, eq(wallets.id, contacts.walletId))
        .where(and(eq(contacts.organizationId, user.organizationId), inArray(contacts.id, rows.map((r) => r.id))))
    : [];
  const byId = new Map(walletNames.map((w) => [w.id, w.wallet]));
  return NextResponse.json(
    { contacts: rows.map((r) => ({ id: r.id, name: r.name, phone: r.phone, city: r.city, state: r.state, wallet: byId.get(r.id) ?? null })) },
    { headers: { "cache-control": "no-store" } },
  );
});

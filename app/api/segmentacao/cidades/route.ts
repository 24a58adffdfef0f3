import { NextResponse } from "next/server";
import { z } from "zod";
import { suggestCities } from "@/db/queries/segments";
import { authorizedRoute } from "@/lib/auth/route";

const query = z.object({ q: z.string().max(100).default("") });

// Cities of the organization's contacts for the autocomplete, accent- and case-insensitive.
export const GET = authorizedRoute({ role: "operador" }, async (req, { db, user }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return NextResponse.json({ error: "Busca longa demais." }, { status: 400 });
  const cities = await suggestCities(db, user.organizationId, parsed.data.q, 15);
  return NextResponse.json({ cities }, { headers: { "cache-control": "no-store" } });
});

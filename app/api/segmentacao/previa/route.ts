import { NextResponse } from "next/server";
import { z } from "zod";
import { countAudience, previewAudience } from "@/db/queries/segments";
import { filterOptions } from "@/db/queries/audiences";
import { ActionError } from "@/lib/auth/action";
import { authorizedRoute } from "@/lib/auth/route";
import { validAudienceFilter } from "@/lib/audiences";
import { describeFilter } from "@/lib/segments/filter";

const body = z.object({ filter: z.unknown() });

// The live count and first rows of the filter being edited (the builder calls it debounced, aborting stale calls).
export const POST = authorizedRoute({ role: "operador" }, async (req, { db, user }) => {
  const parsed = body.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return NextResponse.json({ error: "Envie o filtro em JSON." }, { status: 400 });
  try {
    const filter = await validAudienceFilter(db, user.organizationId, parsed.data.filter);
    const options = { timeZone: user.timeZone };
    const [{ count, rows }, { names }] = await Promise.all([
      // The count tells the preview how to read the first rows (lib/segments/queries.ts).
      countAudience(db, user.organizationId, filter, options).then(async (count) => ({
        count,
        rows: await previewAudience(db, user.organizationId, filter, { ...options, limit: 10, count }),
      })),
      filterOptions(db, user.organizationId),
    ]);
    return NextResponse.json({ count, rows, summary: describeFilter(filter, names) }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof ActionError) return NextResponse.json({ error: err.message, issues: err.fieldErrors?.filter ?? [] }, { status: 400 });
    throw err;
  }
});

"use server";

import { revalidatePath } from "next/cache";
import { after } from "next/server";
import { z } from "zod";
import { ActionError, authorizedAction, ok } from "@/lib/auth/action";
import { LIMITS, tooLargeMessage } from "@/lib/imports/fields";
import { acceptUpload, jobMessages, prepareImport } from "@/lib/imports/job";
import { importIdSchema, importSettingsSchema, undoImportSchema } from "@/lib/imports/schema";
import { readStatus, removeUpload, toView } from "@/lib/imports/store";
import { UNDO_IMPORT_ROLE, undoImport } from "@/lib/imports/undo";

const uploadSchema = z.object({
  file: z
    .instanceof(File, { error: "Escolha um arquivo CSV ou XLSX." })
    .refine((f) => f.size > 0, "O arquivo está vazio. Exporte a planilha de novo.")
    .superRefine((f, ctx) => {
      if (f.size > LIMITS.maxBytes) ctx.addIssue({ code: "custom", message: tooLargeMessage(f.size) });
    }),
});

const byId = z.object({ id: importIdSchema });

// Receives the spreadsheet, reads its header and first rows for the mapping screen, and keeps it on the server.
export const uploadContactsFile = authorizedAction(
  { name: "uploadContactsFile", role: "operador", schema: uploadSchema },
  async ({ file }, { user }) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const status = await acceptUpload({ organizationId: user.organizationId, userId: user.id, fileName: file.name, bytes });
    return ok(toView(status));
  },
);

// Checks the column mapping and the options, then starts the import; the page polls its progress.
export const startContactsImport = authorizedAction(
  { name: "startContactsImport", role: "operador", schema: importSettingsSchema },
  async ({ id, ...settings }, { db, user }) => {
    const run = await prepareImport(db, {
      organizationId: user.organizationId,
      userId: user.id,
      timeZone: user.timeZone,
      id,
      settings,
    });
    // The browser runs one server action at a time, so the import must not keep this one open (the polls
    // would wait behind it): it goes on in this server process after the answer.
    after(run);
    return ok({ id });
  },
);

// The progress or the result of an import of the user's organization.
export const getContactsImportStatus = authorizedAction(
  { name: "getContactsImportStatus", role: "operador", schema: byId },
  async ({ id }, { user }) => {
    const status = await readStatus(user.organizationId, id);
    if (!status) throw new ActionError("not_found", jobMessages.notFound);
    return ok(toView(status));
  },
);

// Drops an upload the user chose not to import (the file holds personal data: it should not wait an hour).
export const discardContactsUpload = authorizedAction(
  { name: "discardContactsUpload", role: "operador", schema: byId },
  async ({ id }, { user }) => {
    const status = await readStatus(user.organizationId, id);
    if (status && status.state !== "running") await removeUpload(user.organizationId, id);
    return ok(undefined);
  },
);

// Undoes an import of the user's organization: deletes the contacts it created, puts back those it updated, and
// keeps (and counts) whatever changed since; never takes anyone out of an opt-out (lib/imports/undo.ts).
export const undoContactsImport = authorizedAction(
  { name: "undoContactsImport", role: UNDO_IMPORT_ROLE, schema: undoImportSchema },
  async ({ id }, { db, user }) => {
    const result = await undoImport(db, { organizationId: user.organizationId, userId: user.id, timeZone: user.timeZone }, id);
    revalidatePath("/contatos");
    return ok(result, "Importação desfeita.");
  },
);

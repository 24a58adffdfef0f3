import { asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { chips, consentEvents, contacts, type Contact, type Role } from "@/db/schema";
import { createContact, getContact, updateContact } from "@/lib/contacts/contacts";
import { contactInputSchema, contactUpdateSchema } from "@/lib/contacts/schemas";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { clearChipCache } from "@/lib/whatsapp/process-webhook";
import { signPayload } from "@/lib/whatsapp/signature";
import { handleWebhookPost } from "@/lib/whatsapp/webhook-handler";
import { createOrganization, createUser } from "./support/fixtures";

// Consent is never reversed by accident (issue 10, item 1): the contact form posts the opt-in it showed beside
// the chosen one, and the server writes the opt-in only when the user changed it.

const SECRET = "segredo-do-app-de-teste";
const PNID = "109000000000777";
let seq = 0;

type Editor = { organizationId: string; userId: string; role: Role };
let operador: Editor, gestor: Editor, admin: Editor;

/** What the contact page's form posts: everything it loaded, with `over` as what the user changed. */
const posted = (loaded: Contact, over: Record<string, unknown> = {}) => ({
  name: loaded.name,
  phone: loaded.phone,
  city: loaded.city ?? "",
  state: loaded.state ?? "",
  walletId: loaded.walletId ?? "",
  tagIds: loaded.tagIds.map(String),
  optInStatus: loaded.optInStatus,
  loadedOptInStatus: loaded.optInStatus,
  ...over,
});
const formPost = (loaded: Contact, over: Record<string, unknown> = {}) => contactUpdateSchema.parse(posted(loaded, over));

const newContact = (name: string, phone: string, optInStatus: "opted_in" | "opted_out" | "none") =>
  createContact(getDb(), gestor, contactInputSchema.parse({ name, phone, optInStatus }));

const row = async (id: number) => (await getContact(getDb(), gestor.organizationId, id))!;
const events = (id: number) =>
  getDb().select().from(consentEvents).where(eq(consentEvents.contactId, id)).orderBy(asc(consentEvents.id));

/** The contact answers "SAIR" on WhatsApp: the real webhook path, signed as Meta signs it. */
const saysSair = async (e164: string) => {
  const from = e164.slice(1);
  const body = {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "200000000000777",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "551140007777", phone_number_id: PNID },
              contacts: [{ profile: { name: "Fulana" }, wa_id: from }],
              messages: [{ from, id: `wamid.sair.${++seq}.${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "SAIR" } }],
            },
          },
        ],
      },
    ],
  };
  const raw = Buffer.from(JSON.stringify(body));
  const res = await handleWebhookPost(getDb(), raw, signPayload(raw, SECRET), SECRET);
  expect(res.status).toBe(200);
};

beforeAll(async () => {
  clearChipCache();
  const org = await createOrganization();
  const as = async (role: Role): Promise<Editor> => ({ organizationId: org.id, userId: (await createUser(org.id, role)).id, role });
  [operador, gestor, admin] = [await as("operador"), await as("gestor"), await as("admin")];
  await getDb()
    .insert(chips)
    .values({ organizationId: org.id, name: "Vendas", displayNumber: "+551140007777", phoneNumberId: PNID, wabaId: "waba-777", accessTokenEncrypted: encryptSecret("token", generateKey()) });
});

describe("contact form: the opt-in is written only when the user changed it", () => {
  it("a SAIR that arrives while the form is open survives saving a name fix; the name is saved", async () => {
    const c = await newContact("Marta Sousa", "(11) 98765-0101", "opted_in");
    const loaded = await row(c.id); // the page renders the form: opt-in shown as "Opt-in"
    await saysSair(c.phone!);
    expect((await row(c.id)).optInStatus).toBe("opted_out");

    const saved = await updateContact(getDb(), operador, c.id, formPost(loaded, { name: "Marta de Sousa" }));

    const after = await row(c.id);
    expect(after).toMatchObject({ name: "Marta de Sousa", optInStatus: "opted_out", optInSource: "keyword" });
    expect(after.optedOutAt).toBeInstanceOf(Date);
    expect(saved).toMatchObject({ optInStatus: "opted_out", optedOutMeanwhile: true });
    expect((await events(c.id)).map((e) => [e.status, e.source])).toEqual([
      ["opted_in", "manual"],
      ["opted_out", "keyword"],
    ]);
  });

  it("an unchanged opt-in keeps whatever the row says now, not what the form showed", async () => {
    const c = await newContact("Rui Prado", "(11) 98765-0102", "none");
    const loaded = await row(c.id);
    await getDb().update(contacts).set({ optInStatus: "opted_in", optInSource: "optin_template", optInAt: new Date() }).where(eq(contacts.id, c.id));
    await updateContact(getDb(), operador, c.id, formPost(loaded, { city: "Campinas" }));
    expect(await row(c.id)).toMatchObject({ city: "Campinas", optInStatus: "opted_in", optInSource: "optin_template" });
  });

  it("changing the opt-in after an opt-out arrived is refused and saves nothing; choosing the opt-out saves the rest", async () => {
    const c = await newContact("Lia Reis", "(11) 98765-0103", "opted_in");
    const loaded = await row(c.id);
    await saysSair(c.phone!);
    await expect(
      updateContact(getDb(), gestor, c.id, formPost(loaded, { name: "Lia dos Reis", optInStatus: "pending", optInReason: "Pediu para voltar" })),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/pediu para sair.*depois que você abriu esta página.*Nada foi salvo/) });
    expect(await row(c.id)).toMatchObject({ name: "Lia Reis", optInStatus: "opted_out" });

    await updateContact(getDb(), gestor, c.id, formPost(loaded, { name: "Lia dos Reis", optInStatus: "opted_out" }));
    expect(await row(c.id)).toMatchObject({ name: "Lia dos Reis", optInStatus: "opted_out", optInSource: "keyword" });
    expect((await events(c.id)).map((e) => e.source)).toEqual(["manual", "keyword"]);
  });
});

describe("contact form: leaving the opt-out", () => {
  it("an operador cannot take a contact out of the opt-out, with or without a reason; nothing is saved", async () => {
    const c = await newContact("Caio Luz", "(11) 98765-0104", "opted_out");
    const loaded = await row(c.id);
    for (const optInStatus of ["opted_in", "pending", "none"])
      await expect(
        updateContact(getDb(), operador, c.id, formPost(loaded, { name: "Caio da Luz", optInStatus, optInReason: "Ligou pedindo para voltar" })),
      ).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/Operador.*não pode tirar um contato do descadastro.*gestor ou administrador/) });
    expect(await row(c.id)).toMatchObject({ name: "Caio Luz", optInStatus: "opted_out" });
    expect(await events(c.id)).toHaveLength(1);
    // The rest of the contact is still theirs to edit.
    await updateContact(getDb(), operador, c.id, formPost(loaded, { name: "Caio da Luz" }));
    expect(await row(c.id)).toMatchObject({ name: "Caio da Luz", optInStatus: "opted_out" });
  });

  it("a gestor without a reason (or with blanks only) is refused with a message on the reason field", async () => {
    const c = await newContact("Bia Mota", "(11) 98765-0105", "opted_out");
    const loaded = await row(c.id);
    for (const optInReason of [undefined, "", "   "])
      await expect(updateContact(getDb(), gestor, c.id, formPost(loaded, { optInStatus: "opted_in", optInReason }))).rejects.toMatchObject({
        code: "invalid",
        fieldErrors: { optInReason: [expect.stringMatching(/^Informe o motivo/)] },
      });
    expect((await row(c.id)).optInStatus).toBe("opted_out");
    expect(await events(c.id)).toHaveLength(1);
    const tooLong = contactUpdateSchema.safeParse(posted(loaded, { optInStatus: "opted_in", optInReason: "x".repeat(501) }));
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues).toMatchObject([{ path: ["optInReason"], message: "Motivo: no máximo 500 caracteres." }]);
  });

  it.each([["gestor"], ["admin"]] as const)("%s: may, with a reason; the consent event records who and why", async (role) => {
    const editor = role === "gestor" ? gestor : admin;
    const c = await newContact(`Davi ${role}`, role === "gestor" ? "(11) 98765-0106" : "(11) 98765-0107", "opted_out");
    const loaded = await row(c.id);
    await updateContact(getDb(), editor, c.id, formPost(loaded, { optInStatus: "opted_in", optInReason: "  Pediu por e-mail em 02/03 para voltar a receber ofertas  " }));
    const after = await row(c.id);
    expect(after).toMatchObject({ optInStatus: "opted_in", optInSource: "manual", optedOutAt: null });
    const last = (await events(c.id)).at(-1)!;
    expect(last).toMatchObject({ status: "opted_in", source: "manual", userId: editor.userId });
    expect(last.textShown).toContain("Motivo: Pediu por e-mail em 02/03 para voltar a receber ofertas");
  });

  it("a form that does not say which opt-in it showed is refused before anything is read", () => {
    const parsed = contactUpdateSchema.safeParse({ name: "X", phone: "(11) 98765-0108", optInStatus: "opted_in" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["loadedOptInStatus"]);
  });

  it("a contact who wrote in by username only is saved without a phone; any other contact still needs one", async () => {
    const [bsuidOnly] = await getDb()
      .insert(contacts)
      .values({ organizationId: gestor.organizationId, name: "maria.compras", phone: null, bsuid: `BR.${Date.now()}`, username: "maria.compras" })
      .returning();
    await updateContact(getDb(), operador, bsuidOnly!.id, formPost(bsuidOnly!, { phone: "", name: "Maria Compras", city: "Recife" }));
    expect(await row(bsuidOnly!.id)).toMatchObject({ name: "Maria Compras", city: "Recife", phone: null });

    const withPhone = await newContact("Com Telefone", "(11) 98765-0777", "none");
    await expect(updateContact(getDb(), operador, withPhone.id, formPost(withPhone, { phone: "" }))).rejects.toMatchObject({
      fieldErrors: { phone: ["Informe o telefone com DDD."] },
    });
    expect((await row(withPhone.id)).phone).toBe("+5511987650777");
  });
});


import type { Metadata } from "next";
import { ContactForm } from "@/components/contacts/contact-form";
import { PageHeader } from "@/components/shell/page-header";
import { getDb } from "@/db/client";
import { listTags, listWallets } from "@/db/queries/contacts";
import { requireUser } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Novo contato" };

export default async function NewContactPage() {
  const user = await requireUser();
  const db = getDb();
  const [tags, wallets] = await Promise.all([listTags(db, user.organizationId), listWallets(db, user.organizationId)]);
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="Novo contato" description="Cadastre um contato que já se relacionou com a sua empresa." />
      <ContactForm tags={tags} wallets={wallets} />
    </div>
  );
}

import type { Metadata } from "next";
import { ContactForm } from "@/components/contacts/contact-form";
import { PageHeader } from "@/components/shell/page-header";
import { Breadcrumbs } from "@/components/ui/breadcrumb";
import { getDb } from "@/db/client";
import { tagContactCounts } from "@/db/queries/audiences";
import { listTags, listWallets } from "@/db/queries/contacts";
import { requireUser } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Novo contato" };

export default async function NewContactPage() {
  const user = await requireUser();
  const db = getDb();
  const [tags, wallets, tagCounts] = await Promise.all([
    listTags(db, user.organizationId),
    listWallets(db, user.organizationId),
    tagContactCounts(db, user.organizationId),
  ]);
  return (
    <div className="mx-auto max-w-3xl">
      <Breadcrumbs trail={[{ label: "Contatos", href: "/contatos", remembered: true }]} current="Novo contato" />
      <PageHeader title="Novo contato" description="Cadastre um contato que já se relacionou com a sua empresa." />
      <ContactForm tags={tags.map((t) => ({ id: t.id, name: t.name, color: t.color, contacts: tagCounts.get(t.id) ?? 0 }))} wallets={wallets} />
    </div>
  );
}

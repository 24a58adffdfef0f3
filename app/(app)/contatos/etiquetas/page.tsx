import type { Metadata } from "next";
import { DeleteLabel, TagDialog, WalletDialog } from "@/components/contacts/label-manager";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listTagsWithCounts, listWallets } from "@/db/queries/contacts";
import { listUsers } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "Etiquetas e carteiras" };

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

export default async function LabelsPage() {
  const user = await requireUser();
  const db = getDb();
  const [tags, wallets, users] = await Promise.all([
    listTagsWithCounts(db, user.organizationId),
    listWallets(db, user.organizationId),
    listUsers(db, user.organizationId),
  ]);
  const canDelete = hasRole(user.role, "gestor");
  const activeUsers = users.filter((u) => u.active).map((u) => ({ id: u.id, name: u.name }));
  return (
    <>
      <PageHeader title="Etiquetas e carteiras" description="Organize seus contatos para filtrar na segmentação." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="gap-0 pb-0">
          <CardHeader className="pb-4">
            <CardTitle>Etiquetas</CardTitle>
            <CardDescription>{tags.length} etiquetas</CardDescription>
            <CardAction>
              <TagDialog />
            </CardAction>
          </CardHeader>
          <CardContent className="px-0">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead className="pl-6">Etiqueta</TableHead>
                  <TableHead className="text-right">Contatos</TableHead>
                  <TableHead className="w-24" />
                </TableRow>
              </TableHeader>
              <TableBody>
                {tags.map((t) => (
                  <TableRow key={t.id}>
                    <TableCell className="pl-6">
                      <span className="mr-2 inline-block size-2.5 rounded-full" style={{ backgroundColor: t.color }} aria-hidden="true" />
                      {t.name}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{fmt(t.contacts)}</TableCell>
                    <TableCell className="pr-4 text-right whitespace-nowrap">
                      <TagDialog tag={t} />
                      {canDelete ? <DeleteLabel kind="tag" id={t.id} name={t.name} contacts={t.contacts} /> : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
        <Card className="gap-0 self-start pb-0">
          <CardHeader className="pb-4">
            <CardTitle>Carteiras</CardTitle>
            <CardDescription>Grupos de clientes com um responsável.</CardDescription>
            <CardAction>
              <WalletDialog users={activeUsers} />
            </CardAction>
          </CardHeader>
          <CardContent className="px-0">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead className="pl-6">Carteira</TableHead>
                  <TableHead>Responsável</TableHead>
                  <TableHead className="text-right">Contatos</TableHead>
                  <TableHead className="w-24" />
                </TableRow>
              </TableHeader>
              <TableBody>
                {wallets.map((w) => (
                  <TableRow key={w.id}>
                    <TableCell className="pl-6 font-medium">{w.name}</TableCell>
                    <TableCell>{w.owner ?? "—"}</TableCell>
                    <TableCell className="text-right tabular-nums">{fmt(w.contacts)}</TableCell>
                    <TableCell className="pr-4 text-right whitespace-nowrap">
                      <WalletDialog wallet={w} users={activeUsers} />
                      {canDelete ? <DeleteLabel kind="wallet" id={w.id} name={w.name} contacts={w.contacts} /> : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

import type { Metadata } from "next";
import { EditUserDialog, NewUserDialog, ResetPasswordDialog } from "@/components/settings/user-dialogs";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listUsers } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { roleDescriptions, roleLabels } from "@/lib/auth/roles";
import { formatDateTime } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Usuários" };

export default async function UsersPage() {
  const user = await requireUser("admin");
  const rows = await listUsers(getDb(), user.organizationId);
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <p className="max-w-2xl text-sm text-muted-foreground">
          <strong className="text-foreground">Administrador</strong>: {roleDescriptions.admin}{" "}
          <strong className="text-foreground">Gestor</strong>: {roleDescriptions.gestor}{" "}
          <strong className="text-foreground">Operador</strong>: {roleDescriptions.operador}
        </p>
        <NewUserDialog />
      </div>
      <Card className="py-0">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Nome</TableHead>
              <TableHead>E-mail</TableHead>
              <TableHead>Perfil</TableHead>
              <TableHead>Situação</TableHead>
              <TableHead>Último acesso</TableHead>
              <TableHead className="text-right">Ações</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((u) => (
              <TableRow key={u.id}>
                <TableCell className="font-medium">
                  {u.name}
                  {u.id === user.id ? <span className="ml-2 text-xs text-muted-foreground">(você)</span> : null}
                </TableCell>
                <TableCell>{u.email}</TableCell>
                <TableCell>{roleLabels[u.role]}</TableCell>
                <TableCell>
                  <Badge variant={u.active ? "success" : "secondary"}>{u.active ? "Ativo" : "Desativado"}</Badge>
                </TableCell>
                <TableCell className="text-muted-foreground">{formatDateTime(u.lastLoginAt, user.timeZone)}</TableCell>
                <TableCell className="text-right">
                  <EditUserDialog user={u} />
                  <ResetPasswordDialog user={u} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}

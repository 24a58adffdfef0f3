import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DownloadIcon } from "lucide-react";
import { ContactForm } from "@/components/contacts/contact-form";
import { EraseContact } from "@/components/contacts/erase-contact";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Breadcrumbs } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { tagContactCounts } from "@/db/queries/audiences";
import { getContactDetail, listTags, listWallets } from "@/db/queries/contacts";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { campaignStatuses, receivedCampaignLinks } from "@/lib/contacts/campaign-links";
import { canLeaveOptOut } from "@/lib/contacts/consent";
import { formatDateTime, formatPhone, optInLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Contato" };

const sourceLabels: Record<string, string> = {
  import: "Importação",
  manual: "Cadastro manual",
  form: "Formulário",
  whatsapp_reply: "Resposta no WhatsApp",
  optin_template: "Template de opt-in",
  keyword: "Palavra-chave (ex.: SAIR)",
  api_error: "Aviso da API do WhatsApp",
};

const recipientLabels: Record<string, string> = {
  pending: "Na fila",
  skipped: "Não enviado",
  sending: "Enviando",
  sent: "Enviado",
  delivered: "Entregue",
  read: "Lido",
  failed: "Falhou",
  indeterminate: "Indeterminado",
};

export default async function ContactPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  if (!Number.isSafeInteger(id) || id <= 0) notFound();
  const db = getDb();
  const [detail, tags, wallets, tagCounts] = await Promise.all([
    getContactDetail(db, user.organizationId, id),
    listTags(db, user.organizationId),
    listWallets(db, user.organizationId),
    tagContactCounts(db, user.organizationId),
  ]);
  if (!detail) notFound();
  const { contact } = detail;
  const canManageData = hasRole(user.role, "gestor");
  const statuses = await campaignStatuses(db, user.organizationId, detail.received.map((r) => r.campaignId));
  return (
    <>
      <Breadcrumbs trail={[{ label: "Contatos", href: "/contatos", remembered: true }]} current={contact.name} />
      <PageHeader
        title={contact.name}
        description={`${contact.phone ? formatPhone(contact.phone) : contact.username ? `@${contact.username} (sem telefone)` : "sem telefone"} · ${optInLabels[contact.optInStatus]} · cadastrado em ${formatDateTime(contact.createdAt, user.timeZone)}`}
        actions={
          canManageData ? (
            <>
              <Button asChild variant="outline">
                <a href={`/api/contatos/${contact.id}/exportar`} download>
                  <DownloadIcon aria-hidden="true" />
                  Exportar dados (LGPD)
                </a>
              </Button>
              <EraseContact id={contact.id} name={contact.name} />
            </>
          ) : null
        }
      />
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <ContactForm
          values={{ ...contact, phone: contact.phone ?? "" }}
          phoneOptional={!contact.phone && Boolean(contact.bsuid)}
          tags={tags.map((t) => ({ id: t.id, name: t.name, color: t.color, contacts: tagCounts.get(t.id) ?? 0 }))}
          wallets={wallets}
          canLeaveOptOut={canLeaveOptOut(user.role)}
        />
        <div className="grid content-start gap-6">
          {contact.bsuid || contact.username ? (
            <Card>
              <CardHeader>
                <CardTitle>Identidade no WhatsApp</CardTitle>
              </CardHeader>
              <CardContent className="grid gap-2 text-sm">
                {!contact.phone ? <p className="text-muted-foreground">Este contato escreveu por nome de usuário, sem mostrar o telefone.</p> : null}
                {contact.username ? (
                  <p>
                    <span className="block text-xs text-muted-foreground">Usuário do WhatsApp</span>@{contact.username}
                  </p>
                ) : null}
                {contact.bsuid ? (
                  <p>
                    <span className="block text-xs text-muted-foreground">ID do usuário na Meta (BSUID)</span>
                    <span className="font-mono text-xs break-all select-all" data-testid="contact-bsuid">
                      {contact.bsuid}
                    </span>
                  </p>
                ) : null}
              </CardContent>
            </Card>
          ) : null}
          <Card>
            <CardHeader>
              <CardTitle>Chips</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-2 text-sm">
              {detail.chips.length === 0 ? <p className="text-muted-foreground">Não cadastrado em nenhum chip.</p> : null}
              {detail.chips.map((c) => (
                <div key={c.chip} className="flex items-center justify-between gap-2">
                  <span>
                    <span className="font-medium">{c.chip}</span>
                    <span className="block text-xs text-muted-foreground">
                      desde {formatDateTime(c.firstSeenAt, user.timeZone)} · última conversa {formatDateTime(c.lastSeenAt, user.timeZone)}
                    </span>
                  </span>
                  <Badge variant={c.registered ? "success" : "secondary"}>{c.registered ? "Cadastrado" : "Só conversou"}</Badge>
                </div>
              ))}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Histórico de opt-in</CardTitle>
            </CardHeader>
            <CardContent>
              {detail.consent.length === 0 ? <p className="text-sm text-muted-foreground">Nenhum registro.</p> : null}
              <ol className="grid gap-3 text-sm">
                {detail.consent.map((ev) => (
                  <li key={ev.id} className="border-l-2 border-primary/40 pl-3">
                    <span className="font-medium">{optInLabels[ev.status]}</span> · {sourceLabels[ev.source] ?? ev.source}
                    <span className="block text-xs text-muted-foreground">
                      {formatDateTime(ev.occurredAt, user.timeZone)}
                      {ev.user ? ` · por ${ev.user}` : ""}
                      {ev.chip ? ` · chip ${ev.chip}` : ""}
                      {ev.campaign ? ` · campanha ${ev.campaign}` : ""}
                    </span>
                    {ev.textShown ? <span className="block text-xs italic text-muted-foreground">“{ev.textShown}”</span> : null}
                  </li>
                ))}
              </ol>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Campanhas recebidas</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-2 text-sm">
              {detail.received.length === 0 ? <p className="text-muted-foreground">Nenhuma campanha ainda.</p> : null}
              {detail.received.map((r) => {
                const status = statuses.get(r.campaignId);
                const links = status ? receivedCampaignLinks({ id: r.campaignId, status }, user.role) : null;
                return (
                  <div key={r.id} className="flex items-center justify-between gap-2">
                    <span>
                      {links ? (
                        <Link href={links.campaign} className="font-medium hover:underline">
                          {r.campaign}
                        </Link>
                      ) : (
                        <span className="font-medium">{r.campaign}</span>
                      )}
                      <span className="block text-xs text-muted-foreground">
                        {r.chip} · {formatDateTime(r.sentAt, user.timeZone)}
                        {links?.report ? (
                          <>
                            {" · "}
                            <Link href={links.report} className="hover:underline" aria-label={`Relatório de ${r.campaign}`}>
                              Relatório
                            </Link>
                          </>
                        ) : null}
                      </span>
                    </span>
                    <Badge variant="outline">{recipientLabels[r.status]}</Badge>
                  </div>
                );
              })}
            </CardContent>
          </Card>
        </div>
      </div>
    </>
  );
}

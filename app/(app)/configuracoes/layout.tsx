import { PageHeader } from "@/components/shell/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";
import { requireUser } from "@/lib/auth/page";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <>
      <PageHeader title="Configurações" description="Organização, usuários, chips, templates e fluxos de chatbot." />
      <SettingsNav role={user.role} />
      {children}
    </>
  );
}

import { PageHeader } from "@/components/shell/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <PageHeader title="Configurações" description="Organização, usuários, chips, templates e fluxos de chatbot." />
      <SettingsNav />
      {children}
    </>
  );
}

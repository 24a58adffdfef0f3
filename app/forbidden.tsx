import Link from "next/link";
import { ShieldAlertIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-10">
      <EmptyState
        icon={ShieldAlertIcon}
        title="Seu perfil não tem acesso a esta página"
        description="Peça a um administrador da sua organização para mudar seu perfil, se precisar."
        action={
          <Button asChild variant="outline">
            <Link href="/">Voltar ao painel</Link>
          </Button>
        }
      />
    </main>
  );
}

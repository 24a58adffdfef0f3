import Link from "next/link";
import { SearchXIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl p-10">
      <EmptyState
        icon={SearchXIcon}
        title="Página não encontrada"
        description="O endereço pode ter mudado ou o item foi removido."
        action={
          <Button asChild variant="outline">
            <Link href="/">Voltar ao painel</Link>
          </Button>
        }
      />
    </main>
  );
}

"use client";

import { TriangleAlertIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function AppError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState
      icon={TriangleAlertIcon}
      title="Não foi possível carregar esta página"
      description="Algo deu errado do nosso lado. Tente de novo em instantes."
      action={<Button onClick={() => reset()}>Tentar de novo</Button>}
    />
  );
}

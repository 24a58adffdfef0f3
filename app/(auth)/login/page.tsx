import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SendIcon, ShieldCheckIcon } from "lucide-react";
import { getCurrentUser } from "@/lib/auth/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Entrar" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await getCurrentUser()) redirect("/");
  const { next } = await searchParams;
  return (
    <main className="grid min-h-screen lg:grid-cols-2">
      <section className="hidden flex-col justify-between bg-sidebar p-10 text-sidebar-foreground lg:flex">
        <div className="flex items-center gap-2 text-lg font-semibold">
          <span className="flex size-9 items-center justify-center rounded-lg bg-primary text-primary-foreground">
            <SendIcon className="size-5" aria-hidden="true" />
          </span>
          Disparo
        </div>
        <div className="max-w-md space-y-4">
          <h2 className="text-3xl font-semibold leading-tight tracking-tight">
            Campanhas de WhatsApp que chegam a quem quer receber.
          </h2>
          <p className="text-sidebar-foreground/70">
            Segmente seus contatos, escolha o chip e o template aprovado, agende o disparo e acompanhe cada entrega no
            relatório.
          </p>
        </div>
        <p className="flex items-center gap-2 text-sm text-sidebar-foreground/70">
          <ShieldCheckIcon className="size-4" aria-hidden="true" />
          Só contatos com opt-in recebem mensagens (LGPD).
        </p>
      </section>
      <section className="flex items-center justify-center p-6">
        <div className="w-full max-w-sm space-y-8">
          <div className="space-y-2">
            <h1 className="text-2xl font-semibold tracking-tight">Entrar no Disparo</h1>
            <p className="text-sm text-muted-foreground">Use o e-mail e a senha da sua conta.</p>
          </div>
          <LoginForm next={next} />
        </div>
      </section>
    </main>
  );
}

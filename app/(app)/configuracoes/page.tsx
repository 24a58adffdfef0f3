import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/page";

export default async function SettingsIndex() {
  await requireUser();
  redirect("/configuracoes/organizacao");
}

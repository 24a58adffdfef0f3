import { desc } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { chips } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto";

export const KEY_MISMATCH =
  "ENCRYPTION_KEY não abre os tokens dos chips já salvos neste banco: use a chave com que eles foram cifrados " +
  "(a de quem os cadastrou; em desenvolvimento, a de .data/dev/secrets.json) ou cadastre os tokens de novo.";

/**
 * At startup: the key must open the chip tokens already stored (the newest chip's), or every send and every
 * "Testar conexão" would fail later with a decryption error. A database without chips passes.
 */
export const assertEncryptionKeyOpensChips = async (db: DbOrTx, base64Key: string) => {
  const [chip] = await db.select({ token: chips.accessTokenEncrypted }).from(chips).orderBy(desc(chips.id)).limit(1);
  if (!chip) return;
  try {
    decryptSecret(chip.token, base64Key);
  } catch {
    throw new Error(KEY_MISMATCH);
  }
};

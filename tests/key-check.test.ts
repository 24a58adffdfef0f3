import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { chips } from "@/db/schema";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { assertEncryptionKeyOpensChips, KEY_MISMATCH } from "@/lib/key-check";
import { createOrganization } from "./support/fixtures";

// A server started with another ENCRYPTION_KEY than the one that encrypted the chip tokens refuses to start
// with a message that says which key, instead of failing every send with a decryption error later.

describe("encryption key at startup", () => {
  it("passes with the key that encrypted the tokens and refuses another one, saying what to do", async () => {
    const key = generateKey();
    const org = await createOrganization("Chaves Ltda");
    await getDb()
      .insert(chips)
      .values({ organizationId: org.id, name: "Vendas", displayNumber: "+551140001000", phoneNumberId: "940000000000001", wabaId: "w", accessTokenEncrypted: encryptSecret("EAAG-token", key), status: "active", messagesPerSecond: 80 });
    await expect(assertEncryptionKeyOpensChips(getDb(), key)).resolves.toBeUndefined();
    await expect(assertEncryptionKeyOpensChips(getDb(), generateKey())).rejects.toThrow(KEY_MISMATCH);
  });
});

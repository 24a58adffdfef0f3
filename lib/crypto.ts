import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
// Without it, GCM decryption accepts a tag cut down to 4 bytes: a forger would need 2^32 tries, not 2^128.
const GCM = { authTagLength: 16 } as const;

const keyFrom = (base64Key: string) => {
  const key = Buffer.from(base64Key, "base64");
  if (key.length !== 32) throw new Error("A chave de criptografia deve ter 32 bytes");
  return key;
};

// AES-256-GCM; output "v1.<iv>.<tag>.<ciphertext>" in base64url so it fits a text column.
export const encryptSecret = (plaintext: string, base64Key: string) => {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(base64Key), iv, GCM);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, data].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
};

export const decryptSecret = (payload: string, base64Key: string) => {
  const [version, iv, tag, data] = payload.split(".");
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("Segredo criptografado inválido");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(base64Key), Buffer.from(iv, "base64url"), GCM);
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
};

export const generateKey = () => randomBytes(32).toString("base64");

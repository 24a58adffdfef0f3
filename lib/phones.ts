import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { formatPhone } from "@/lib/i18n/labels";

export type PhoneResult =
  | { ok: true; e164: string; original: string }
  | { ok: false; reason: string; original: string };

const BR_MOBILE_WITHOUT_NINTH = /^\+55([1-9][1-9])([6-9]\d{7})$/;
const BR_MOBILE = /^\+55([1-9][1-9])9(\d{8})$/;

// Brazilian mobiles gained a ninth digit (a leading 9) between 2012 and 2016; WhatsApp's wa_id for many
// accounts still omits it. Old 8-digit mobiles began with 6–9 (landlines with 2–5), so a 55+DDD+8-digit number
// starting with 6–9 is a mobile written without it.
const addNinthDigit = (e164: string) => {
  const m = BR_MOBILE_WITHOUT_NINTH.exec(e164);
  return m ? `+55${m[1]}9${m[2]}` : e164;
};

/** The one normaliser: imports, webhooks and matching all store and compare E.164 from here. */
export const normalizePhone = (input: string, defaultRegion: CountryCode = "BR"): PhoneResult => {
  const original = input;
  const raw = String(input ?? "").trim();
  if (!raw) return { ok: false, reason: "Telefone vazio.", original };
  if (raw.length > 40) return { ok: false, reason: "Telefone longo demais.", original };
  const digits = raw.replace(/\D/g, "");
  if (digits.length < 8) return { ok: false, reason: "Telefone curto demais: inclua o DDD.", original };
  // "5511987654321" (as wa_id and many spreadsheets write it) is international without the plus sign.
  const candidate = raw.startsWith("+") ? raw : digits.startsWith("55") && digits.length >= 12 ? `+${digits}` : raw;
  const parsed = parsePhoneNumberFromString(candidate, defaultRegion);
  if (!parsed) return { ok: false, reason: "Não parece um telefone. Use DDD + número, por exemplo (11) 98765-4321.", original };
  const e164 = addNinthDigit(parsed.number);
  const reparsed = e164 === parsed.number ? parsed : parsePhoneNumberFromString(e164);
  if (!reparsed?.isValid())
    return { ok: false, reason: "Telefone inválido: confira o DDD e a quantidade de dígitos.", original };
  return { ok: true, e164, original };
};

/** Every form a stored number can arrive in from WhatsApp (with and without the ninth digit). */
export const phoneVariants = (e164: string): string[] => {
  const m = BR_MOBILE.exec(e164);
  return m ? [e164, `+55${m[1]}${m[2]}`] : [e164];
};

/** WhatsApp's wa_id ("5511987654321" or "551187654321") → our canonical E.164, or null. */
export const fromWaId = (waId: string): string | null => {
  const result = normalizePhone(`+${String(waId).replace(/\D/g, "")}`);
  return result.ok ? result.e164 : null;
};

/** For the Cloud API `to` field: digits only, no plus sign. */
export const toWaRecipient = (e164: string) => e164.replace(/^\+/, "");

/** A number as people read it in the app and the reports, "+55 (11) 98765-4321"; what cannot be parsed, as written. */
export const displayPhone = (input: string) => {
  const r = normalizePhone(input);
  return r.ok ? formatPhone(r.e164) : input;
};

// Opt-out and opt-in words, compared after removing case, accents and punctuation ("Sáir!" = "SAIR").
export const normalizeKeyword = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();

const OPT_OUT = new Set([
  "SAIR",
  "PARAR",
  "STOP",
  "CANCELAR",
  "DESCADASTRAR",
  "DESCADASTRE",
  "PARAR PROMOCOES",
  "NAO QUERO MAIS",
  "NAO QUERO RECEBER",
]);

const OPT_IN = new Set(["SIM", "ACEITO", "EU ACEITO", "QUERO", "QUERO RECEBER", "SIM QUERO", "SIM QUERO RECEBER", "ACEITAR"]);

/** A whole message that only asks to stop (not a sentence that merely contains the word). */
export const isOptOut = (text: string) => OPT_OUT.has(normalizeKeyword(text));

export const isOptInAnswer = (text: string) => OPT_IN.has(normalizeKeyword(text));

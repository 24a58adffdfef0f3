// How pickers order what matches a typed query (browser-safe, no dependencies): accents and case ignored;
// an exact code or name first ("SP" → São Paulo, not Espírito Santo), then labels that begin with it, then labels
// with a word that begins with it, then the rest that contain it. Ties keep the options' own order.

export const fold = (s: string) => s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase().trim();

type Rankable = { value: string | number; label: string };

const scoreOf = (o: Rankable, q: string) => {
  const label = fold(o.label);
  const value = fold(String(o.value));
  // A label such as "SP — São Paulo": its parts are whole names too.
  const parts = label.split(/\s+[—–-]\s+/);
  if (value === q || label === q || parts.includes(q)) return 0;
  if (label.startsWith(q) || parts.some((p) => p.startsWith(q))) return 1;
  if (label.split(/[^\p{L}\p{N}]+/u).some((w) => w.startsWith(q))) return 2;
  if (label.includes(q)) return 3;
  return -1;
};

/** The options matching `query`, best first; all of them, in their order, for an empty query. */
export const rankOptions = <T extends Rankable>(options: T[], query: string): T[] => {
  const q = fold(query);
  if (!q) return options;
  return options
    .map((o, i) => ({ o, i, s: scoreOf(o, q) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.o);
};

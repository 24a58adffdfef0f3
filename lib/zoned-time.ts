// Wall-clock times in an IANA time zone, from Intl alone (no library): imports and campaigns use the same.

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterOf = (timeZone: string) => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
};

// Offset (ms) of a time zone at an instant, from Intl: local wall clock minus UTC. One formatter per zone (building
// one costs ~70 µs: the report export calls this four times a row).
export const zoneOffset = (instant: number, timeZone: string) => {
  const parts = formatterOf(timeZone).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - instant;
};

/** zoneOffset, remembered per zone and quarter hour (offsets change on quarter hours at most): for many instants. */
export const zoneOffsetCache = (timeZone: string) => {
  const seen = new Map<number, number>();
  return (instant: number) => {
    const q = Math.floor(instant / 900_000);
    let o = seen.get(q);
    if (o === undefined) {
      o = zoneOffset(q * 900_000, timeZone);
      if (seen.size > 100_000) seen.clear();
      seen.set(q, o);
    }
    return o;
  };
};

/** A wall-clock time in the organization's time zone → the instant. */
export const zonedTime = (y: number, mo: number, d: number, h: number, mi: number, timeZone: string) => {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - zoneOffset(guess, timeZone);
  return new Date(guess - zoneOffset(first, timeZone));
};

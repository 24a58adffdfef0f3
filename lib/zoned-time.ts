// Wall-clock times in an IANA time zone, from Intl alone (no library): imports and campaigns use the same.

// Offset (ms) of a time zone at an instant, from Intl: local wall clock minus UTC.
export const zoneOffset = (instant: number, timeZone: string) => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - instant;
};

/** A wall-clock time in the organization's time zone → the instant. */
export const zonedTime = (y: number, mo: number, d: number, h: number, mi: number, timeZone: string) => {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - zoneOffset(guess, timeZone);
  return new Date(guess - zoneOffset(first, timeZone));
};

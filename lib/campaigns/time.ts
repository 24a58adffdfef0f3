import { zonedTime } from "@/lib/zoned-time";

// Wall-clock moments in the organization's time zone, whatever the browser's or the server's zone is.

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** "2026-12-05T09:30" read in `timeZone` → the instant; null when the text is no such moment. */
export const zonedLocalToDate = (local: string, timeZone: string): Date | null => {
  const m = LOCAL.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
  return zonedTime(y, mo, d, h, mi, timeZone);
};

/** The instant as "YYYY-MM-DDTHH:mm" on the organization's wall clock (the date-time picker's format). */
export const dateToZonedLocal = (date: Date, timeZone: string): string => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
};

/** "Horário de Brasília (UTC−3)", "Horário de Manaus (UTC−4)": how the panel names the organization's zone. */
export const timeZoneLabel = (timeZone: string, at = new Date()) => {
  const offset =
    new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "shortOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? "";
  const city = timeZone === "America/Sao_Paulo" ? "Brasília" : (timeZone.split("/").pop() ?? timeZone).replace(/_/g, " ");
  return `Horário de ${city} (${offset.replace("GMT", "UTC").replace("-", "−") || "UTC"})`;
};

/** The earliest moment the pickers offer: a few minutes from now, on the organization's clock. */
export const earliestSchedule = (timeZone: string, minutes = 2) => dateToZonedLocal(new Date(Date.now() + minutes * 60_000), timeZone);

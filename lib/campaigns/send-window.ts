import { z } from "zod";
import { dateToZonedLocal, zonedLocalToDate } from "./time";

// An optional window per campaign (ours alone among the peers): e.g. 08:00–20:00 on weekdays, on the
// organization's clock. Outside it the campaign waits and resumes by itself at the next opening.

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
export const WEEKDAYS = ["dom", "seg", "ter", "qua", "qui", "sex", "sáb"] as const;

export const sendWindowSchema = z
  .object({
    start: z.string().regex(HHMM, "Início da janela: use o formato 08:00."),
    end: z.string().regex(HHMM, "Fim da janela: use o formato 20:00."),
    /** 0 = domingo … 6 = sábado. */
    days: z.array(z.int().min(0).max(6)).min(1, "Escolha ao menos um dia da semana para a janela de envio.").max(7),
  })
  .refine((w) => w.start < w.end, { message: "O fim da janela precisa ser depois do início (ex.: 08:00 às 20:00).", path: ["end"] })
  .transform((w) => ({ ...w, days: [...new Set(w.days)].sort() }));
export type SendWindow = z.output<typeof sendWindowSchema>;

const weekdayOf = (local: string) => new Date(`${local.slice(0, 10)}T12:00:00Z`).getUTCDay();

/** Whether `at` falls inside the window on the organization's clock. */
export const isWindowOpen = (w: SendWindow, at: Date, timeZone: string) => {
  const local = dateToZonedLocal(at, timeZone);
  const time = local.slice(11, 16);
  return w.days.includes(weekdayOf(local)) && time >= w.start && time < w.end;
};

/** The next moment the window opens after `at` (at itself when open). */
export const nextWindowOpening = (w: SendWindow, at: Date, timeZone: string): Date => {
  if (isWindowOpen(w, at, timeZone)) return at;
  const local = dateToZonedLocal(at, timeZone);
  for (let i = 0; i <= 7; i++) {
    const day = new Date(`${local.slice(0, 10)}T12:00:00Z`);
    day.setUTCDate(day.getUTCDate() + i);
    if (!w.days.includes(day.getUTCDay())) continue;
    const opening = zonedLocalToDate(`${day.toISOString().slice(0, 10)}T${w.start}`, timeZone);
    if (opening && opening.getTime() > at.getTime()) return opening;
  }
  return new Date(at.getTime() + 86_400_000);
};

export const describeWindow = (w: SendWindow) =>
  `${w.start}–${w.end}, ${w.days.length === 7 ? "todos os dias" : w.days.map((d) => WEEKDAYS[d]).join(", ")}`;

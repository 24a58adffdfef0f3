"use client";

import * as React from "react";
import { CalendarIcon, ChevronLeftIcon, ChevronRightIcon } from "lucide-react";

import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";

type DateTimePickerProps = {
  /** Nome do campo enviado no FormData (valor "YYYY-MM-DDTHH:mm", horário local). */
  name: string;
  /** Valor inicial no formato "YYYY-MM-DDTHH:mm" (horário local). */
  defaultValue?: string;
  /** Data/hora mínima no formato "YYYY-MM-DDTHH:mm" (ou "YYYY-MM-DD"). */
  min?: string;
  /** Rótulo do fuso horário exibido junto ao campo de horário, ex.: "Horário de Brasília". */
  timeZoneLabel?: string;
  /** Aplicado ao botão que abre o seletor (use com <Label htmlFor>). */
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
  disabled?: boolean;
  className?: string;
  onChange?: (value: string) => void;
};

type YMD = { y: number; m: number; d: number }; // m: 0-11

const WEEKDAYS = [
  { short: "D", long: "domingo" },
  { short: "S", long: "segunda-feira" },
  { short: "T", long: "terça-feira" },
  { short: "Q", long: "quarta-feira" },
  { short: "Q", long: "quinta-feira" },
  { short: "S", long: "sexta-feira" },
  { short: "S", long: "sábado" },
];

const DEFAULT_TIME = "09:00";

const monthFormatter = new Intl.DateTimeFormat("pt-BR", { month: "long", year: "numeric" });
const dayLabelFormatter = new Intl.DateTimeFormat("pt-BR", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});

const pad = (n: number) => String(n).padStart(2, "0");

const toDateKey = ({ y, m, d }: YMD) => `${y}-${pad(m + 1)}-${pad(d)}`;

function parseDateKey(value: string | undefined): YMD | null {
  const match = value?.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (!match) return null;
  const y = Number(match[1]);
  const m = Number(match[2]) - 1;
  const d = Number(match[3]);
  if (m < 0 || m > 11 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

function parseTime(value: string | undefined): string | null {
  const match = value?.match(/T(\d{2}):(\d{2})/);
  if (!match) return null;
  const h = Number(match[1]);
  const min = Number(match[2]);
  if (h > 23 || min > 59) return null;
  return `${match[1]}:${match[2]}`;
}

function daysInMonth(y: number, m: number) {
  return new Date(y, m + 1, 0).getDate();
}

function addDays({ y, m, d }: YMD, delta: number): YMD {
  const date = new Date(y, m, d + delta);
  return { y: date.getFullYear(), m: date.getMonth(), d: date.getDate() };
}

function addMonths({ y, m, d }: YMD, delta: number): YMD {
  const first = new Date(y, m + delta, 1);
  const ny = first.getFullYear();
  const nm = first.getMonth();
  return { y: ny, m: nm, d: Math.min(d, daysInMonth(ny, nm)) };
}

function todayYMD(): YMD {
  const now = new Date();
  return { y: now.getFullYear(), m: now.getMonth(), d: now.getDate() };
}

function capitalize(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatDisplay(value: string) {
  const date = parseDateKey(value);
  const time = parseTime(value);
  if (!date || !time) return null;
  return `${pad(date.d)}/${pad(date.m + 1)}/${date.y} ${time}`;
}

function DateTimePicker({
  name,
  defaultValue,
  min,
  timeZoneLabel,
  id,
  "aria-invalid": ariaInvalid,
  "aria-describedby": ariaDescribedBy,
  disabled,
  className,
  onChange,
}: DateTimePickerProps) {
  const initialDate = parseDateKey(defaultValue);
  const [date, setDate] = React.useState<YMD | null>(initialDate);
  const [time, setTime] = React.useState<string>(parseTime(defaultValue) ?? DEFAULT_TIME);
  const [timeDraft, setTimeDraft] = React.useState<string>(time);
  const [open, setOpen] = React.useState(false);

  const minDate = parseDateKey(min);
  const minDateKey = minDate ? toDateKey(minDate) : null;
  const minTime = parseTime(min);

  const [focused, setFocused] = React.useState<YMD>(() => initialDate ?? minDate ?? todayYMD());
  const gridRef = React.useRef<HTMLDivElement>(null);
  const shouldFocusDay = React.useRef(false);

  const value = date ? `${toDateKey(date)}T${time}` : "";
  const display = formatDisplay(value);

  const timeInputId = React.useId();
  const timeHintId = React.useId();
  const headingId = React.useId();

  const isDisabledDay = (day: YMD) => minDateKey !== null && toDateKey(day) < minDateKey;
  const isMinDay = date !== null && minDateKey !== null && toDateKey(date) === minDateKey;
  const timeTooEarly = isMinDay && minTime !== null && time < minTime;

  const emit = (nextDate: YMD | null, nextTime: string) => {
    onChange?.(nextDate ? `${toDateKey(nextDate)}T${nextTime}` : "");
  };

  const selectDay = (day: YMD) => {
    if (isDisabledDay(day)) return;
    let nextTime = time;
    if (minDateKey !== null && minTime !== null && toDateKey(day) === minDateKey && time < minTime) {
      nextTime = minTime;
      setTime(nextTime);
      setTimeDraft(nextTime);
    }
    setDate(day);
    setFocused(day);
    emit(day, nextTime);
  };

  const changeTime = (next: string) => {
    setTimeDraft(next);
    if (!/^\d{2}:\d{2}/.test(next)) return;
    const normalized = next.slice(0, 5);
    setTime(normalized);
    if (date) emit(date, normalized);
  };

  const handleOpenChange = (next: boolean) => {
    if (next) {
      setFocused(date ?? minDate ?? todayYMD());
      shouldFocusDay.current = true;
    }
    setOpen(next);
  };

  React.useEffect(() => {
    if (!open || !shouldFocusDay.current) return;
    shouldFocusDay.current = false;
    const key = toDateKey(focused);
    const frame = requestAnimationFrame(() => {
      gridRef.current?.querySelector<HTMLButtonElement>(`[data-date="${key}"]`)?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [focused, open]);

  const clampToMin = (target: YMD) => (minDate && isDisabledDay(target) ? minDate : target);

  const moveFocus = (target: YMD) => {
    const next = clampToMin(target);
    shouldFocusDay.current = true;
    setFocused(next);
  };

  const handleDayKeyDown = (event: React.KeyboardEvent<HTMLButtonElement>, day: YMD) => {
    const weekday = new Date(day.y, day.m, day.d).getDay();
    let next: YMD | null = null;
    switch (event.key) {
      case "ArrowLeft":
        next = addDays(day, -1);
        break;
      case "ArrowRight":
        next = addDays(day, 1);
        break;
      case "ArrowUp":
        next = addDays(day, -7);
        break;
      case "ArrowDown":
        next = addDays(day, 7);
        break;
      case "Home":
        next = addDays(day, -weekday);
        break;
      case "End":
        next = addDays(day, 6 - weekday);
        break;
      case "PageUp":
        next = addMonths(day, event.shiftKey ? -12 : -1);
        break;
      case "PageDown":
        next = addMonths(day, event.shiftKey ? 12 : 1);
        break;
      default:
        return;
    }
    event.preventDefault();
    moveFocus(next);
  };

  const viewY = focused.y;
  const viewM = focused.m;
  const firstWeekday = new Date(viewY, viewM, 1).getDay();
  const totalDays = daysInMonth(viewY, viewM);
  const cells: Array<YMD | null> = [
    ...Array.from({ length: firstWeekday }, () => null),
    ...Array.from({ length: totalDays }, (_, i) => ({ y: viewY, m: viewM, d: i + 1 })),
  ];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: Array<Array<YMD | null>> = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));

  const prevMonthDisabled =
    minDate !== null && (viewY < minDate.y || (viewY === minDate.y && viewM <= minDate.m));

  const selectedKey = date ? toDateKey(date) : null;
  const focusedKey = toDateKey(focused);
  const todayKey = open ? toDateKey(todayYMD()) : null;

  return (
    <div data-slot="date-time-picker" className={cn("w-full", className)}>
      <input type="hidden" name={name} value={value} />
      <Popover open={open} onOpenChange={handleOpenChange}>
        <PopoverTrigger asChild>
          <Button
            id={id}
            type="button"
            variant="outline"
            disabled={disabled}
            aria-invalid={ariaInvalid}
            aria-describedby={ariaDescribedBy}
            aria-haspopup="dialog"
            className={cn(
              "w-full justify-start px-3 text-left font-normal",
              !display && "text-muted-foreground",
            )}
          >
            <CalendarIcon aria-hidden="true" className="text-muted-foreground" />
            <span className="truncate">{display ?? "Escolha data e hora"}</span>
            {display && timeZoneLabel ? (
              <span className="ml-auto truncate pl-2 text-xs text-muted-foreground">
                {timeZoneLabel}
              </span>
            ) : null}
          </Button>
        </PopoverTrigger>
        <PopoverContent
          align="start"
          className="w-auto p-3"
          role="dialog"
          aria-label="Escolher data e hora"
          onOpenAutoFocus={(event) => event.preventDefault()}
        >
          <div className="flex items-center justify-between gap-2 pb-2">
            <Button
              type="button"
              variant="ghost"
              size="icon"
              className="size-8"
              aria-label="Mês anterior"
              disabled={prevMonthDisabled}
              onClick={() => setFocused((f) => clampToMin(addMonths(f, -1)))}
            >
              <ChevronLeftIcon aria-hidden="true" />
            </Button>
            <div id={headingId} aria-live="polite" className="text-sm font-medium">
              {capitalize(monthFormatter.format(new Date(viewY, viewM, 1)))}
            </div>
            <Button
              type="button"
              variant="ghost"
              size="icon"
              className="size-8"
              aria-label="Próximo mês"
              onClick={() => setFocused((f) => clampToMin(addMonths(f, 1)))}
            >
              <ChevronRightIcon aria-hidden="true" />
            </Button>
          </div>

          <div ref={gridRef} role="grid" aria-labelledby={headingId} className="w-full">
            <div role="row" className="grid grid-cols-7">
              {WEEKDAYS.map((weekday, i) => (
                <div
                  key={i}
                  role="columnheader"
                  aria-label={weekday.long}
                  className="flex h-8 w-9 items-center justify-center text-xs font-normal text-muted-foreground"
                >
                  <abbr title={weekday.long} className="no-underline">
                    {weekday.short}
                  </abbr>
                </div>
              ))}
            </div>
            {weeks.map((week, wi) => (
              <div role="row" key={wi} className="grid grid-cols-7">
                {week.map((day, di) => {
                  if (!day) return <div role="gridcell" key={di} className="h-9 w-9" />;
                  const key = toDateKey(day);
                  const dayDisabled = isDisabledDay(day);
                  const selected = key === selectedKey;
                  const isToday = key === todayKey;
                  return (
                    <div role="gridcell" key={di}>
                      <button
                        type="button"
                        data-date={key}
                        tabIndex={key === focusedKey ? 0 : -1}
                        disabled={dayDisabled}
                        aria-label={dayLabelFormatter.format(new Date(day.y, day.m, day.d))}
                        aria-pressed={selected}
                        aria-current={isToday ? "date" : undefined}
                        onClick={() => selectDay(day)}
                        onKeyDown={(event) => handleDayKeyDown(event, day)}
                        onFocus={() => {
                          if (key !== focusedKey) setFocused(day);
                        }}
                        className={cn(
                          "inline-flex h-9 w-9 items-center justify-center rounded-md text-sm tabular-nums transition-colors outline-none",
                          "hover:bg-accent hover:text-accent-foreground",
                          "focus-visible:ring-[3px] focus-visible:ring-ring/50",
                          "disabled:pointer-events-none disabled:text-muted-foreground disabled:opacity-40",
                          isToday && !selected && "font-semibold text-primary",
                          selected &&
                            "bg-primary text-primary-foreground hover:bg-primary/90 hover:text-primary-foreground",
                        )}
                      >
                        {day.d}
                      </button>
                    </div>
                  );
                })}
              </div>
            ))}
          </div>

          <div className="mt-3 grid gap-1.5 border-t pt-3">
            <label htmlFor={timeInputId} className="text-sm font-medium">
              Horário
            </label>
            <div className="flex items-center gap-2">
              <input
                id={timeInputId}
                type="time"
                step={60}
                value={timeDraft}
                min={isMinDay && minTime ? minTime : undefined}
                onChange={(event) => changeTime(event.target.value)}
                aria-invalid={timeTooEarly || undefined}
                aria-describedby={timeZoneLabel || timeTooEarly ? timeHintId : undefined}
                className={cn(
                  "h-9 rounded-md border border-input bg-transparent px-3 text-sm tabular-nums shadow-xs outline-none dark:bg-input/30",
                  "focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  "aria-invalid:border-destructive aria-invalid:ring-destructive/20",
                )}
              />
              <Button type="button" size="sm" className="ml-auto" onClick={() => setOpen(false)}>
                Concluir
              </Button>
            </div>
            {timeZoneLabel || timeTooEarly ? (
              <div id={timeHintId} className="grid gap-0.5 text-xs">
                {timeZoneLabel ? (
                  <span className="text-muted-foreground">Fuso horário: {timeZoneLabel}</span>
                ) : null}
                {timeTooEarly ? (
                  <span role="alert" className="text-destructive">
                    Escolha um horário a partir de {minTime}.
                  </span>
                ) : null}
              </div>
            ) : null}
          </div>
        </PopoverContent>
      </Popover>
    </div>
  );
}

export { DateTimePicker };
export type { DateTimePickerProps };

import type { Division, Jurisdiction } from './api/types';
import { currentLocale, i18n } from './i18n';

/** A division's name in the UI language (the English name when there is one). */
export function divisionLabel(d: Pick<Division, 'name' | 'name_en'>): string {
  return currentLocale.value === 'en' && d.name_en ? d.name_en : d.name;
}

/** An API time (ISO 8601 UTC) in the browser's time zone, e.g. 2026-11-29 19:17. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(currentLocale.value, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
}

/** A Date as the API's time format: ISO 8601 UTC without milliseconds. */
export function toApiTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Where a user works: their venue, else their division, else the whole system. */
export function jurisdictionName(j: Jurisdiction): string {
  return j.venue_name ?? j.division_name ?? i18n.global.t('home.wholeSystem');
}

/** A reason (code colour, checkpoint decision) in the UI language. */
export function reasonText(r: { message: string; message_en: string }): string {
  const text = currentLocale.value === 'en' && r.message_en ? r.message_en : r.message;
  // ℃ (U+2103) is an empty box in some CJK fonts (WenQuanYi); °C reads the same everywhere.
  return text.replace(/℃/g, '°C');
}

/** A local calendar day as YYYY-MM-DD (the API's `date`). */
let cityOffsetMinutes = 480; // Asia/Shanghai until the server says otherwise

/** The city's offset from UTC (the server's EPINET_UTC_OFFSET_MINUTES, from /api/v1/version). */
export function setCityOffset(minutes: number): void {
  cityOffsetMinutes = minutes;
}

/**
 * The city's calendar date of a moment, YYYY-MM-DD: the day the server's views mean,
 * whatever time zone the browser's clock is set to.
 */
export function localDate(d: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const c = new Date(d.getTime() + cityOffsetMinutes * 60000);
  return `${c.getUTCFullYear()}-${pad(c.getUTCMonth() + 1)}-${pad(c.getUTCDate())}`;
}

/** Only the time of day, e.g. 19:17:05. */
export function formatClock(iso: string | Date, seconds = true): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString(currentLocale.value, {
    hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hour12: false,
  });
}

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

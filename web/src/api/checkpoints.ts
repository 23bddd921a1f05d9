// Checkpoint scans, a venue's day, fever handovers, venue policy and the public board.
import { download, getPage, request, type Query } from './http';
import type {
  Board,
  Checkin,
  CheckinQuery,
  Handover,
  Id,
  PageQuery,
  ScanInput,
  ScanResult,
  VenuePolicy,
  VenueToday,
} from './types';

/**
 * Verify a code (or an ID number at the special channel), decide, record the
 * check-in. Throws NetworkError when no response arrived, ApiError on 4xx/5xx.
 */
export const scan = (body: ScanInput, signal?: AbortSignal) =>
  request<ScanResult>('POST', '/checkpoints/scan', { body, signal });

export const venueToday = (venueId: Id, date?: string) => request<VenueToday>('GET', `/venues/${venueId}/today`, { query: { date } });
export const venueCheckins = (venueId: Id, query: CheckinQuery & PageQuery) => getPage<Checkin>(`/venues/${venueId}/checkins`, query);

/** The day's check-ins as a CSV or XLSX file (same filters as the list). */
export function downloadCheckins(venueId: Id, query: CheckinQuery, format: 'csv' | 'xlsx') {
  return download(`/venues/${venueId}/checkins`, { ...query, format } as Query, `checkins-${venueId}.${format}`);
}

export const listHandovers = async (query: { venue_id?: Id; status?: 'open' | 'closed' }) =>
  (await request<{ items: Handover[] }>('GET', '/handovers', { query })).items;
export const closeHandover = (venueId: Id, handoverId: string, outcome: string) =>
  request<Handover>('POST', `/venues/${venueId}/handovers/${handoverId}/close`, { body: { outcome } });

/** Sends only the fields given: what stops at the doors, the board's notices. */
export const setVenuePolicy = (venueId: Id, body: VenuePolicy) => request<void>('PATCH', `/venues/${venueId}/policy`, { body });

/** No session needed: the LED board at an entrance. */
export const venueBoard = (venueId: Id) => request<Board>('GET', `/public/venues/${venueId}/board`, { redirectOn401: false });

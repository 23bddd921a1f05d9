// Early warning: the overview, series with their thresholds, count imports,
// alerts and their lifecycle, the bell. See docs/early-warning.md.
import { ApiError, NetworkError, apiUrl, request } from './http';
import type { Id, IsoTime } from './types';

export const CHANNELS = ['fever_clinic', 'pharmacy', 'checkpoint_fever', 'positive_tests', 'monitoring_fever', 'absence'] as const;
export type Channel = (typeof CHANNELS)[number];
export type AlertLevel = 'red' | 'orange' | 'yellow' | 'green';
export type AlertStatus = 'new' | 'verifying' | 'confirmed' | 'dismissed';
export type AlertKind = 'positive_test' | 'hospital_fever' | 'multi_point';

export interface Signal {
  id: Id;
  division_code: string;
  channel: Channel;
  date: string;
  method: string;
  methods: string;
  observed: number;
  upperbound: number | null;
  alert_id?: Id | null;
  created_at: IsoTime;
}

/** An evidence item: a signal (multi-point) or a trigger with its signal. */
export type Evidence = Partial<Signal> & {
  type?: 'positive_test' | 'hospital_fever';
  person?: string;
  division_name?: string;
  venue_name?: string;
  temperature_c?: number;
  signal?: Signal;
};

export interface Alert {
  id: Id;
  kind: AlertKind;
  level: AlertLevel;
  division_code: string;
  status: AlertStatus;
  title: string;
  evidence: Evidence[];
  first_signal_at: IsoTime;
  created_at: IsoTime;
  verifying_at: IsoTime | null;
  verifying_by: string | null;
  closed_at: IsoTime | null;
  closed_by: string | null;
  response_owner: string | null;
  response_note: string | null;
  dismiss_reason: string | null;
  time_to_verify_s: number | null;
}

export interface AlertDetail extends Alert {
  district_name: string;
  events: { at: IsoTime; actor: string; action: string; from_status: string | null; to_status: string | null; note: string | null }[];
  deliveries: { event: string; attempts: number; delivered_at: IsoTime | null; next_attempt_at: IsoTime | null; last_error: string | null }[];
}

export interface DistrictState {
  code: string;
  name: string;
  name_en: string;
  level: AlertLevel;
  open_alerts: number;
  signals: number;
}

export interface Overview {
  districts: DistrictState[];
  channels: Channel[];
  alerts: Alert[];
  verification: { verified_30d: number; mean_s: number | null; median_s: number | null };
}

export interface SeriesPoint {
  date: string;
  observed: number;
  upperbound: Record<string, number | null>;
  alarm: Record<string, boolean>;
}

export interface SeriesView {
  division_code: string;
  district_name: string;
  channel: Channel;
  methods: string[];
  points: SeriesPoint[];
  signals: Signal[];
}

export interface ImportResult {
  import_id: Id;
  rows: number;
  inserted: number;
  corrected: number;
  unchanged: number;
  signals: Signal[];
  alerts: Id[];
}

export interface RowError {
  line: number;
  message: string;
}

/** A refused import: every bad row with what is wrong. */
export class ImportRefused extends Error {
  constructor(readonly rows: RowError[], message: string) {
    super(message);
  }
}

export const getOverview = () => request<Overview>('GET', '/warning/overview');
export const getSeries = (division_code: string, channel: Channel, days = 90) =>
  request<SeriesView>('GET', '/warning/series', { query: { division_code, channel, days } });
export const listAlerts = (status = '', page = 1, page_size = 50) =>
  request<{ items: Alert[]; total: number }>('GET', '/warning/alerts', { query: { status, page, page_size } });
export const getAlert = (id: Id) => request<AlertDetail>('GET', `/warning/alerts/${id}`);
export const actOnAlert = (id: Id, body: { action: 'verify' | 'confirm' | 'dismiss'; owner?: string; note?: string; reason?: string }) =>
  request<AlertDetail>('POST', `/warning/alerts/${id}/actions`, { body });
export const getUnread = () => request<{ unread: number; latest: Alert[] }>('GET', '/warning/unread');
export const markSeen = () => request<{ unread: number }>('POST', '/warning/seen', { body: {} });
export const evaluateNow = () => request<{ series: number; signals: Signal[]; alerts: Id[] }>('POST', '/warning/evaluate', { body: {} });
export const countHistory = (division_code: string, channel: Channel, date?: string) =>
  request<{ items: { date: string; source: string; old_count: number | null; new_count: number; changed_at: IsoTime; changed_by: string }[] }>(
    'GET', '/warning/history', { query: { division_code, channel, date } });

/** Uploads a CSV or XLSX file as it is; a file with bad rows throws ImportRefused. */
export async function importCounts(file: File): Promise<ImportResult> {
  const xlsx = /\.xlsx$/i.test(file.name);
  let res: Response;
  try {
    res = await fetch(apiUrl('/warning/import', { filename: file.name }), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'content-type': xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
      },
      body: file,
    });
  } catch (e) {
    throw new NetworkError(e);
  }
  const body = await res.json().catch(() => null);
  if (res.status === 422 && body?.error?.rows) throw new ImportRefused(body.error.rows as RowError[], body.error.message);
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? res.statusText);
  return body as ImportResult;
}

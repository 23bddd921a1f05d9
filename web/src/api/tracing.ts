// Contact tracing: trace jobs, their contacts with evidence, export, the index's state.
// See docs/tracing.md.
import { download, getPage, request, saveBlob } from './http';
import type { Id, IsoTime, Page, PageQuery } from './types';

export const CONTACT_KINDS = ['close', 'secondary', 'companion'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export type Setting = 'venue' | 'trip' | 'household';
export type JobStatus = 'queued' | 'running' | 'review' | 'done' | 'failed';

export interface Evidence {
  via: Id;
  setting: Setting;
  place_id: Id;
  place: string;
  from: IsoTime;
  to: IsoTime;
  overlap_s: number;
  seat_row?: number;
  seat_col?: number;
}

export interface Contact {
  person_id: Id;
  name: string;
  id_masked: string;
  district: string;
  division_path: string;
  manage_status: string;
  kind: ContactKind;
  first_exposure: IsoTime;
  last_exposure: IsoTime;
  via_person_id: Id;
  setting: Setting;
  place_id: Id;
  evidence: Evidence[];
}

export interface IndexCase {
  person_id: Id;
  from: IsoTime;
  to: IsoTime;
  window_source: 'onset' | 'first_positive';
}

export interface TraceJob {
  job_id: Id;
  status: JobStatus;
  progress: number;
  index_cases: IndexCase[];
  rules_version: string;
  rules: Record<string, unknown>;
  counts: { close: number; secondary: number; companion: number; enrolled: number };
  error: string | null;
  created_by: string;
  created_at: IsoTime;
  started_at: IsoTime | null;
  finished_at: IsoTime | null;
  elapsed_ms: number | null;
  reported_at: IsoTime | null;
  // Set when the job listed more contacts than this: it waits (status review) for a decision.
  review_above: number | null;
  decision: Decision | null;
  // One page of the contacts (close, then secondary, then companion) and how many pass the filter.
  contacts?: Contact[];
  contacts_total?: number;
  // The index cases and every person a contact was met through, those within the caller's jurisdiction.
  people?: NamedPerson[];
  page?: number;
  page_size?: number;
}

export interface NamedPerson {
  person_id: Id;
  name: string;
  id_masked: string;
}

export interface Decision {
  decision: 'handover' | 'decline';
  kinds: ContactKind[];
  note: string;
  decided_by: string;
  decided_at: IsoTime | null;
}

export interface CaseInput {
  person_id: Id;
  onset?: IsoTime;
  first_positive?: IsoTime;
  isolated_at?: IsoTime;
}

export interface ContactFilter {
  kind?: ContactKind | '';
  via?: Id | null;
  division_path?: string;
  name?: string;
}

export interface IndexStats {
  ready: boolean;
  stays: number;
  persons: number;
  trips: number;
  bytes_per_stay: number;
  build_ms: number;
  rules_version: string;
}

const clean = (f: ContactFilter) => ({
  kind: f.kind || undefined,
  via: f.via ?? undefined,
  division_path: f.division_path || undefined,
  name: f.name?.trim() || undefined,
});

export const startTrace = (cases: CaseInput[]) => request<{ job_id: Id }>('POST', '/tracing/jobs', { body: { cases } });
// With the index cases they name (within the caller's jurisdiction).
export const listTraceJobs = (query: PageQuery) =>
  getPage<TraceJob>('/tracing/jobs', query) as Promise<Page<TraceJob> & { people: NamedPerson[] }>;
export const getTraceJob = (id: Id, filter: ContactFilter = {}, page: PageQuery = { page: 1, page_size: 50 }) =>
  request<TraceJob>('GET', `/tracing/jobs/${id}`, { query: { ...clean(filter), ...page } });
// The status alone, for following a job: no contacts read (nor audited).
export const getTraceJobStatus = (id: Id) => request<TraceJob>('GET', `/tracing/jobs/${id}`, { query: { contacts: false } });
// The decision on a job in review: hand over these tiers, or none (with the reason).
export const handOver = (id: Id, kinds: ContactKind[]) =>
  request<TraceJob>('POST', `/tracing/jobs/${id}/handover`, { body: { kinds } });
export const declineHandOver = (id: Id, note: string) =>
  request<TraceJob>('POST', `/tracing/jobs/${id}/decline`, { body: { note } });
export const traceIndexStats = () => request<IndexStats>('GET', '/tracing/index');

export async function exportContacts(id: Id, format: 'csv' | 'xlsx', filter: ContactFilter = {}): Promise<void> {
  const { blob, name } = await download(`/tracing/jobs/${id}/contacts`, { format, ...clean(filter) }, `tracing-job-${id}.${format}`);
  saveBlob(blob, name);
}

// The communities API: roster, returnees, pushed lists, disinfection log.
import { ApiError, apiUrl, download, getPage, request, saveBlob, type Query } from './http';
import type { Id, IsoTime, Page, PageQuery } from './types';

export interface RosterNode {
  key: string;
  label: string;
  level: 'community' | 'compound' | 'building' | 'unit' | 'room';
  division_id: Id | null;
  unit: string;
  room: string;
  residents: number;
  children: RosterNode[];
}
export interface RosterEntry {
  person_id: Id;
  name: string;
  phone: string | null;
  id_masked: string;
  division_id: Id;
  division_name: string;
  compound_name: string;
  building_name: string | null;
  unit: string;
  room: string;
  moved_in_at: IsoTime | null;
  moved_out_at: IsoTime | null;
  manage_status: string;
}
export interface Residence {
  id: Id;
  compound_id: Id;
  building_id: Id | null;
  unit: string;
  room: string;
  moved_in_at: IsoTime;
  moved_out_at: IsoTime | null;
  note: string | null;
}
export interface RowError { line: number; message: string }
/** A file refused row by row (HTTP 422). */
export class RowsRefused extends Error {
  constructor(readonly rows: RowError[], message: string) { super(message); }
}
export interface RosterImport { created: number; moved: number; unchanged: number; encoding: string }

export interface OriginArea { id: Id; division_code: string; division_name: string; area_name: string; level: string }
export interface ArrivalMeasure {
  origin_level: 'high' | 'medium' | 'low' | 'none';
  measure: string;
  place: string | null;
  quarantine_end: IsoTime | null;
  planned_end: IsoTime | null;
  tests: { phase: string; day: number; due_from: IsoTime; due_to: IsoTime }[];
  origin_areas: OriginArea[];
}
export interface ReturneeInput {
  person_id?: Id;
  origin_code: string;
  origin_name?: string;
  risk_area_id?: Id | null;
  transport: string;
  transport_no: string;
  departed_at?: IsoTime | null;
  arrived_at: IsoTime;
  phone: string;
  tests: { sampled_at: IsoTime; result: string }[];
}
export interface Returnee {
  id: Id;
  person_id: Id;
  person_name: string;
  origin_code: string;
  origin_name: string;
  transport: string;
  transport_no: string;
  arrived_at: IsoTime;
  phone: string;
  travel_flag: boolean;
  managed_case_id: Id | null;
  channel: 'self' | 'worker';
  closed_list_items: number;
  created_at: IsoTime;
  measure: ArrivalMeasure;
}

export interface PushCounts {
  total: number;
  buckets: { registered: number; unregistered: number; unmatched: number; duplicate: number };
  open: number;
  overdue: number;
  outcomes: { registered: number; not_here: number; moved_away: number; duplicate: number };
}
export interface PushList extends PushCounts {
  id: Id;
  list_id: Id;
  name: string;
  community_id: Id;
  community_name: string;
  deadline: IsoTime;
  file_name: string;
  created_at: IsoTime;
}
export interface PushItem {
  list_id: Id;
  list_name: string;
  line: number;
  name: string;
  id_masked: string | null;
  phone: string | null;
  origin: string;
  arrival_date: string | null;
  bucket: 'registered' | 'unregistered' | 'unmatched' | 'duplicate';
  matched_by: string | null;
  match_note: string | null;
  person_id: Id | null;
  compound_name: string | null;
  assignee_id: Id | null;
  assignee_name: string | null;
  status: 'open' | 'closed';
  outcome: string | null;
  outcome_reason: string | null;
  outcome_at: IsoTime | null;
  deadline: IsoTime;
  overdue: boolean;
}
export interface PushBoard extends PushCounts {
  compounds: (PushCounts & { compound_id: Id; compound_name: string })[];
}
export interface Worker { id: Id; display_name: string; username: string; division_name: string }

export interface Disinfection {
  id: Id;
  compound_id: Id;
  compound_name: string;
  area: string;
  done_at: IsoTime;
  method: string;
  team: string;
  note: string;
  photo_url: string | null;
}

/**
 * Sends a file as the request body (as the server reads it: CSV or XLSX),
 * reporting upload progress (0..1). A 422 becomes RowsRefused with every bad row.
 */
export function uploadFile<T>(path: string, query: Query, file: File, onProgress?: (x: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path, query));
    const xlsx = /\.xlsx$/i.test(file.name);
    xhr.setRequestHeader('content-type', xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new Error('network error'));
    xhr.onload = () => {
      let body: { error?: { code: string; message: string; rows?: RowError[] } } | null = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      if (xhr.status === 422 && body?.error?.rows) return reject(new RowsRefused(body.error.rows, body.error.message));
      reject(new ApiError(xhr.status, body?.error?.code ?? `http_${xhr.status}`, body?.error?.message ?? xhr.statusText));
    };
    xhr.send(file);
  });
}

export async function saveTable(path: string, query: Query, name: string): Promise<void> {
  const { blob, name: suggested } = await download(path, query, name);
  saveBlob(blob, suggested);
}

// ---- roster
export const rosterTree = (communityId: Id) => request<RosterNode>('GET', `/communities/${communityId}/roster-tree`);
export const listRoster = (q: { division_id: Id; unit?: string; room?: string; q?: string; moved_out?: boolean; page: number; page_size: number }) =>
  getPage<RosterEntry>('/roster', q);
export const importRoster = (communityId: Id, file: File, onProgress?: (x: number) => void) =>
  uploadFile<RosterImport>(`/communities/${communityId}/roster/import`, {}, file, onProgress);
export const moveOut = (personId: Id, note: string) => request<void>('POST', `/persons/${personId}/move-out`, { body: { note } });
export const moveIn = (personId: Id, body: { division_id: Id; unit: string; room: string }) =>
  request<Residence>('POST', `/persons/${personId}/move-in`, { body });
export const residences = async (personId: Id) => (await request<{ items: Residence[] }>('GET', `/persons/${personId}/residences`)).items;
export const workers = async (communityId: Id) => (await request<{ items: Worker[] }>('GET', `/communities/${communityId}/workers`)).items;

// ---- returnees
export const previewMeasure = (q: { origin_code: string; arrived_at: IsoTime; risk_area_id?: Id | null }) =>
  request<ArrivalMeasure>('GET', '/returnee-measure', { query: q });
export const registerReturnee = (body: ReturneeInput) => request<Returnee>('POST', '/returnees', { body });
export const registerMyReturn = (body: ReturneeInput) => request<Returnee>('POST', '/me/returnee', { body });
export const myReturns = async () => (await request<Page<Returnee>>('GET', '/me/returnees')).items;

// ---- pushed lists
export const uploadPushList = (q: { community_id: Id; deadline: IsoTime; name: string }, file: File, onProgress?: (x: number) => void) =>
  uploadFile<PushCounts & { list_id: Id }>('/push-lists', q, file, onProgress);
export const pushLists = async (communityId?: Id | null) =>
  (await request<{ items: PushList[] }>('GET', '/push-lists', { query: { community_id: communityId ?? undefined } })).items;
export const pushList = (id: Id) => request<PushList>('GET', `/push-lists/${id}`);
export const pushItems = (id: Id, q: { bucket?: string; status?: string; overdue?: boolean; q?: string; page: number; page_size: number }) =>
  getPage<PushItem>(`/push-lists/${id}/items`, { ...q, overdue: q.overdue ? true : undefined } as object & PageQuery);
export const pushBoard = (communityId: Id, listId?: Id) =>
  request<PushBoard>('GET', `/communities/${communityId}/push-board`, { query: { list_id: listId } });
export const recordOutcome = (id: Id, line: number, body: { outcome: string; reason: string }) =>
  request<PushItem>('POST', `/push-lists/${id}/items/${line}/outcome`, { body });
export const assignItem = (id: Id, line: number, userId: Id) =>
  request<PushItem>('POST', `/push-lists/${id}/items/${line}/assign`, { body: { user_id: userId } });
export const pushTodo = (q: { page: number; page_size: number }) => getPage<PushItem>('/push-todo', q);

// ---- disinfection log
export const recordDisinfection = (body: { compound_id: Id; area: string; done_at: IsoTime; method: string; team: string; note: string; photo?: string }) =>
  request<Disinfection>('POST', '/disinfections', { body });
export const listDisinfections = (q: { division_id?: Id | null; team?: string; area?: string; from?: string; to?: string; page: number; page_size: number }) =>
  getPage<Disinfection>('/disinfections', q);

/** Shrinks a camera photo to at most `max` pixels on its long side, as JPEG: well under the server's limit. */
export async function shrinkPhoto(file: File, max = 1280): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.8);
}

/** The communities a user may pick (their own first when they have one). */
export async function communities(): Promise<{ id: Id; name: string }[]> {
  const page = await getPage<{ id: Id; name: string; level: string }>('/divisions', { level: 'community', page: 1, page_size: 500 } as object & PageQuery);
  return page.items.map((d) => ({ id: d.id, name: d.name }));
}

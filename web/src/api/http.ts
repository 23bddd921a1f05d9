// The one place that talks HTTP to the epinet server: same origin, the
// session travels in the HttpOnly `epinet_session` cookie.
import type { ErrorBody, Page, PageQuery } from './types';

const BASE = '/api/v1';

/** A non-2xx answer, carrying the server's `{"error":{"code","message"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from `Retry-After` on a 429, else null. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * fetch() itself failed: no HTTP response arrived (offline, DNS, connection
 * refused or reset). Whether the request reached the server is not known.
 */
export class NetworkError extends Error {
  constructor(readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

let unauthorizedHandler: () => void = () => {};

/** Called on any 401 except from the login call itself (wrong password is not a lost session). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function toApiError(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('Retry-After'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (body.error) return new ApiError(res.status, body.error.code, body.error.message, retryAfter);
  } catch {
    // not JSON: a proxy or a crash answered; fall through to the status line
  }
  return new ApiError(res.status, `http_${res.status}`, res.statusText || `HTTP ${res.status}`, retryAfter);
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** false for the login call: its 401 means a wrong password, not an expired session. */
  redirectOn401?: boolean;
  signal?: AbortSignal;
}

/** The URL of an API path with its query, as the browser fetches it. */
export function apiUrl(path: string, query?: Query): string {
  return `${BASE}${path}${queryString(query)}`;
}

async function send(method: string, path: string, opts: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    // An abort is the caller's own decision, not a lost network.
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new NetworkError(e);
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && opts.redirectOn401 !== false) unauthorizedHandler();
    throw err;
  }
  return res;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts, 'application/json');
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A file the server makes (CSV, XLSX): the body and the name it suggests. */
export async function download(path: string, query: Query, fallbackName: string): Promise<{ blob: Blob; name: string }> {
  const res = await send('GET', path, { query }, '*/*');
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = star?.[1] ? decodeURIComponent(star[1]) : (plain?.[1] ?? fallbackName);
  return { blob: await res.blob(), name };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** GET of a paginated list with filters. */
export function getPage<T>(path: string, query: object & PageQuery): Promise<Page<T>> {
  return request<Page<T>>('GET', path, { query: query as Query });
}

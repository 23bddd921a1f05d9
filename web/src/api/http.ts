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
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${BASE}${path}${queryString(opts.query)}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && opts.redirectOn401 !== false) unauthorizedHandler();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** GET of a paginated list with filters. */
export function getPage<T>(path: string, query: object & PageQuery): Promise<Page<T>> {
  return request<Page<T>>('GET', path, { query: query as Query });
}

// The objects of the epinet HTTP API v1, as described in docs/api.md and
// checked against the server's GET /api/v1/openapi.json.
// Times are ISO 8601 UTC strings; ids are the server's integer keys.

export type Id = number;
export type IsoTime = string;

export const ROLES = ['admin', 'commander', 'venue_staff', 'community_worker', 'clinician', 'lab', 'resident'] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose jurisdiction is a venue rather than a division. */
export const VENUE_BOUND_ROLES: readonly Role[] = ['venue_staff', 'clinician', 'lab'];

export const PERMISSIONS = [
  'divisions:read',
  'divisions:write',
  'venues:read',
  'venues:write',
  'users:read',
  'users:write',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const DIVISION_LEVELS = ['province', 'city', 'district', 'subdistrict', 'community', 'compound', 'building'] as const;
export type DivisionLevel = (typeof DIVISION_LEVELS)[number];

export const VENUE_TYPES = [
  'hospital',
  'service_hall',
  'transport_hub',
  'compound_gate',
  'school',
  'market',
  'supermarket',
  'restaurant',
  'gym',
  'shop',
  'office',
  'other',
] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

export const ENTRANCE_DIRECTIONS = ['in', 'out', 'both'] as const;
export type EntranceDirection = (typeof ENTRANCE_DIRECTIONS)[number];

/** Body of every 4xx/5xx response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** A paginated list: `?page=1&page_size=50` (page_size at most 500). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface PageQuery {
  page: number;
  page_size: number;
}

export interface Version {
  version: string;
  schema_version: number;
  database: string;
}

export interface User {
  id: Id;
  username: string;
  display_name: string;
  role: Role;
  division_id: Id | null;
  venue_id: Id | null;
  disabled: boolean;
  created_at: IsoTime;
  /** Names of the jurisdiction (in the OpenAPI document; docs/api.md's overview omits them). */
  division_name: string | null;
  venue_name: string | null;
}

export interface Jurisdiction {
  division_id: Id | null;
  division_name: string | null;
  venue_id: Id | null;
  venue_name: string | null;
}

export interface Me extends User {
  permissions: Permission[];
  jurisdiction: Jurisdiction;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expires_at: IsoTime;
  user: User;
}

export interface Division {
  id: Id;
  /** GB/T 2260 code (6 digits down to districts, 9 for sub-districts, 12 or more below); optional. */
  code: string | null;
  name: string;
  name_en: string | null;
  level: DivisionLevel;
  parent_id: Id | null;
  path: string;
}

export interface DivisionQuery {
  parent_id?: Id;
  level?: DivisionLevel;
  q?: string;
}

export interface DivisionCreate {
  code?: string;
  name: string;
  name_en?: string;
  level: DivisionLevel;
  parent_id: Id;
}

export interface DivisionRename {
  name: string;
  name_en?: string;
}

export interface Entrance {
  name: string;
  direction: EntranceDirection;
}

export interface Venue {
  id: Id;
  name: string;
  type: VenueType;
  address: string;
  division_id: Id;
  division_name: string;
  capacity: number | null;
  entrances: Entrance[];
  created_at: IsoTime;
}

export interface VenueQuery {
  division_id?: Id;
  type?: VenueType;
  q?: string;
}

export interface VenueInput {
  name: string;
  type: VenueType;
  address: string;
  division_id: Id;
  capacity: number | null;
  entrances: Entrance[];
}

export interface UserQuery {
  role?: Role;
  q?: string;
}

export interface UserCreate {
  username: string;
  display_name: string;
  password: string;
  role: Role;
  division_id: Id | null;
  venue_id: Id | null;
}

export interface UserPatch {
  display_name?: string;
  role?: Role;
  division_id?: Id | null;
  venue_id?: Id | null;
  disabled?: boolean;
  password?: string;
}

export interface AuditEntry {
  id: Id;
  at: IsoTime;
  actor_id: Id | null;
  actor_username: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  client_addr: string | null;
  detail: unknown;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  record_type?: string;
  since?: IsoTime;
  until?: IsoTime;
}

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
  'venues:policy',
  'persons:read',
  'persons:lookup',
  'persons:write',
  'persons:reveal',
  'persons:state',
  'travel:write',
  'tests:write',
  'riskareas:read',
  'riskareas:write',
  'handovers:write',
  'checkpoints:scan',
  'self:health',
  'warning:read',
  'warning:write',
  'warning:import',
  'management:read',
  'management:write',
  'management:enroll',
  'community:read',
  'community:write',
  'pushlists:write',
  'tracing:run',
  'tracing:read',
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
  /**
   * The venue's checkpoint policy. Not in the server's Venue yet (there is no
   * way to read it back after PATCH /venues/{id}/policy): absent means unknown.
   */
  stop_on_yellow?: boolean;
  stop_on_travel_flag?: boolean;
  notices?: string;
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

// --- Persons, health codes, travel and tests -------------------------------

export const CASE_STATUSES = ['none', 'suspected', 'confirmed', 'asymptomatic'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const MANAGE_STATUSES = [
  'none',
  'close_contact',
  'secondary_contact',
  'companion',
  'centralized_quarantine',
  'home_quarantine',
  'home_monitoring',
] as const;
export type ManageStatus = (typeof MANAGE_STATUSES)[number];

export interface Person {
  id: Id;
  /** e.g. 140702********1234: the birth date is never shown. */
  id_masked: string;
  name: string;
  phone: string | null;
  division_id: Id;
  division_name: string;
  household_id: Id;
  case_status: CaseStatus;
  manage_status: ManageStatus;
  manage_until: IsoTime | null;
  created_at: IsoTime;
}

export interface PersonQuery {
  /** Name or phone prefix (persons:read). */
  q?: string;
  /** The exact 18-character number (persons:read or persons:lookup; audited). */
  id_number?: string;
}

export interface PersonInput {
  id_number: string;
  name: string;
  phone?: string;
  /** Home: a community, compound or building. */
  division_id: Id;
  /** Join this person's household. */
  household_of?: Id;
}

export interface MePerson extends Person {
  household: Person[];
}

export const CODE_COLORS = ['green', 'yellow', 'red'] as const;
export type CodeColor = (typeof CODE_COLORS)[number];

/** Why a code has its colour, or why a checkpoint decided as it did. */
export interface Reason {
  code: string;
  message: string;
  message_en: string;
}

export interface HealthCode {
  color: CodeColor;
  reasons: Reason[];
  valid_until: IsoTime;
  rule_set_version: string;
  /** Signed, short-lived (docs/health-code-token.md): what a checkpoint scans. */
  token: string;
  token_expires_at: IsoTime;
  /** Server-generated SVG of the token's QR code. */
  qr_svg: string;
  travel: { flagged: boolean; division_codes: string[] };
}

export interface Stay {
  id: Id;
  /** GB/T 2260 six-digit code of the city or county stayed in. */
  division_code: string;
  from: IsoTime;
  to: IsoTime;
  source: 'declared' | 'imported';
}

export interface StayInput {
  division_code: string;
  from: IsoTime;
  to: IsoTime;
  /** POST /me/travel only: a household member instead of oneself. */
  member?: Id;
}

export const TEST_RESULTS = ['pending', 'negative', 'positive'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

export interface NucleicTestInput {
  sampled_at: IsoTime;
  result: TestResult;
}

export interface NucleicTest {
  id: Id;
  person_id: Id;
  sampled_at: IsoTime;
  result: TestResult;
}

export interface StateInput {
  case_status: CaseStatus;
  manage_status: ManageStatus;
  /** Required unless manage_status is none. */
  manage_until?: IsoTime;
}

export interface OverrideInput {
  color: CodeColor;
  reason: string;
  until: IsoTime;
}

export interface CodeOverride {
  id: Id;
  color: CodeColor;
  reason: string;
  until: IsoTime;
}

// --- Risk areas -------------------------------------------------------------

export const RISK_LEVELS = ['high', 'medium', 'low'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskArea {
  id: Id;
  division_code: string;
  division_name: string;
  area_name: string;
  /** low: lifted. */
  level: RiskLevel;
  level_since: IsoTime;
  effective_from: IsoTime;
  effective_until: IsoTime | null;
  last_infection_at: IsoTime;
  screen_negative_at: IsoTime | null;
  decided_by: string;
}

export const RISK_ACTIONS = ['new_infection', 'negative_screen', 'lift'] as const;
export type RiskAction = (typeof RISK_ACTIONS)[number];

export interface RiskEvent {
  at: IsoTime;
  /** declare, one of RISK_ACTIONS, or a change the lifting rules made. */
  action: string;
  level_from: string;
  level_to: string;
  actor: string;
  note: string;
}

export interface RiskAreaDetail extends RiskArea {
  history: RiskEvent[];
}

export interface RiskAreaInput {
  division_code: string;
  /** Needed only for a division outside this city. */
  division_name?: string;
  area_name: string;
  level: Exclude<RiskLevel, 'low'>;
  effective_from?: IsoTime;
}

export interface RiskEventInput {
  action: RiskAction;
  at?: IsoTime;
  note?: string;
}

/** An area as the public list and the display boards show it. */
export interface PublicRiskArea {
  division_code?: string;
  division_name: string;
  area_name: string;
  level: Exclude<RiskLevel, 'low'>;
  effective_from?: IsoTime;
}

// --- Checkpoints, venue days, handovers, boards ------------------------------

export type ScanDirection = Exclude<EntranceDirection, 'both'>;

/** Either `token` (a scanned code) or `id_number` (the special channel). */
export interface ScanInput {
  venue_id: Id;
  entrance: string;
  direction: ScanDirection;
  token?: string;
  id_number?: string;
  temperature_c?: number;
  mask?: boolean;
  /**
   * The client's id for this scan (A-Z a-z 0-9 - _, at most 64): sent again,
   * it is recorded once and answered with the first result.
   */
  client_scan_id?: string;
  /** When a queued scan happened (ISO 8601, within 24 h): judged and recorded at that time. */
  scanned_at?: string;
}

export interface ScanResult {
  decision: 'pass' | 'stop';
  /** null when no code could be read. */
  color: CodeColor | null;
  reasons: Reason[];
  /** 64-bit ids travel as strings. */
  checkin_id: string;
  person_id: Id | null;
  /** Set when a fever stop opened a handover to the fever clinic. */
  handover_id?: string;
  /** The answer to an earlier send of the same client_scan_id. */
  replayed?: boolean;
}

export interface HourCount {
  /** Start of the hour (UTC). */
  hour: IsoTime;
  entrance: string;
  direction: ScanDirection;
  decision: 'pass' | 'stop';
  count: number;
  fevers: number;
}

export interface VenueToday {
  from: IsoTime;
  to: IsoTime;
  entries: number;
  exits: number;
  stops: number;
  fevers: number;
  occupancy: number;
  open_handovers: number;
  by_hour: HourCount[];
}

export interface Checkin {
  id: string;
  at: IsoTime;
  entrance: string;
  direction: ScanDirection;
  decision: 'pass' | 'stop';
  color: CodeColor | null;
  person_id: Id | null;
  temperature_c: number | null;
  mask: boolean;
  /** code or id_card (the special channel). */
  channel: string;
  reasons: Reason[];
  t_out: IsoTime | null;
}

export interface CheckinQuery {
  /** YYYY-MM-DD, a local day (default today). */
  date?: string;
  /** '' or absent: both. */
  decision?: 'pass' | 'stop' | '';
}

export interface Handover {
  id: string;
  venue_id: Id;
  venue_name: string;
  checkin_id: string;
  person_id: Id | null;
  temperature_c: number;
  opened_at: IsoTime;
  status: 'open' | 'closed';
  closed_at: IsoTime | null;
  outcome: string | null;
}

export interface VenuePolicy {
  stop_on_yellow?: boolean;
  stop_on_travel_flag?: boolean;
  notices?: string;
}

export interface Board {
  venue: { id: Id; name: string; type: VenueType };
  notices: string;
  today_entries: number;
  risk_areas: PublicRiskArea[];
  updated_at: IsoTime;
}

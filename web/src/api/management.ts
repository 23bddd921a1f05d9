// Closed-loop management: managed cases, the command-center board, the
// worker's to-dos, and residents' daily health reports.
import { getPage, request } from './http';
import type { Id, IsoTime, Page, PageQuery } from './types';

export const MANAGE_STATES = ['identified', 'notified', 'transferred', 'quarantined', 'monitoring', 'released', 'became_case'] as const;
export type ManageState = (typeof MANAGE_STATES)[number];
export const MEASURES = ['close_contact', 'secondary_contact', 'companion', 'high_risk_arrival', 'medium_risk_arrival', 'low_risk_arrival'] as const;
export type Measure = (typeof MEASURES)[number];
export const SYMPTOMS = ['fever', 'cough', 'sore_throat', 'fatigue', 'loss_of_smell', 'diarrhea', 'short_breath', 'muscle_ache', 'runny_nose'] as const;

export interface Deadline {
  step: string;
  due_at: IsoTime;
  detail: string;
}
export interface ManagedCase {
  id: Id;
  person_id: Id;
  person_name: string;
  person_phone: string;
  measure: Measure;
  place: 'centralized' | 'home' | 'none';
  state: ManageState;
  state_since: IsoTime;
  exposure_at: IsoTime;
  case_reported_at: IsoTime | null;
  enrolled_at: IsoTime;
  quarantine_end: IsoTime;
  planned_end: IsoTime;
  source: string;
  note: string;
  site: string;
  district_id: Id | null;
  district_name: string;
  overdue: Deadline[];
  next_deadline: Deadline | null;
}
export interface ScheduledTest {
  phase: 'quarantine' | 'monitoring';
  day: number;
  due_from: IsoTime;
  due_to: IsoTime;
  result: 'pending' | 'negative' | 'positive' | null;
  sampled_at: IsoTime | null;
}
export interface CaseEvent {
  at: IsoTime;
  recorded_at: IsoTime;
  kind: string;
  from: string | null;
  to: string | null;
  actor: string;
  note: string;
}
export interface HealthReport {
  id: Id;
  person_id: Id;
  person_name: string;
  reported_at: IsoTime;
  temperature_c: number;
  symptoms: string[];
  fever: boolean;
  by_worker: boolean;
  handover_id: string | null;
  alert_id?: Id | null;
}
export interface Todo {
  id: Id;
  case_id: Id;
  person_id: Id;
  person_name: string;
  measure: Measure;
  state: ManageState;
  kind: 'missing_report' | 'fever' | 'overdue_step' | 'overdue_test';
  key: string;
  opened_at: IsoTime;
  due_at: IsoTime | null;
  status: 'open' | 'closed';
  closed_at: IsoTime | null;
  note: string;
  detail: unknown;
}
export interface CaseDetail extends ManagedCase {
  tests: ScheduledTest[];
  events: CaseEvent[];
  alerts: Todo[];
  reports: HealthReport[];
  next_states: ManageState[];
  release: { allowed: boolean; code: string; reason: string };
  reports_due: boolean;
}
export interface ManagementBoard {
  by_state: Record<ManageState, number>;
  districts: { district_id: Id | null; district_name: string; counts: Record<ManageState, number> }[];
  // The most overdue first (at most 100); overdue_total counts every one.
  overdue: ManagedCase[];
  overdue_total: number;
  active: number;
  open_alerts: number;
  // Trace jobs whose hand-over waits for a commander's decision, and the contacts they list.
  trace_jobs_in_review: { jobs: number; contacts: number };
  updated_at: IsoTime;
}
export interface CaseQuery {
  state?: string;
  measure?: string;
  district_id?: Id;
  overdue?: 1;
  q?: string;
}
export interface ReportInput {
  temperature_c: number;
  symptoms: string[];
}
export interface MyReports {
  items: {
    person_id: Id;
    name: string;
    must_report: boolean;
    measure: Measure | null;
    state: ManageState | null;
    planned_end: IsoTime | null;
    reports_today: number;
    reports: HealthReport[];
  }[];
  reports_per_day: number;
  fever_threshold_c: number;
  symptoms: string[];
}

export const listCases = (query: CaseQuery & PageQuery) => getPage<ManagedCase>('/management/cases', query);
export const getCase = (id: Id) => request<CaseDetail>('GET', `/management/cases/${id}`);
export const enrollCase = (body: { person_id: Id; measure: Measure; exposure_at: IsoTime; case_reported_at?: IsoTime; note?: string }) =>
  request<CaseDetail>('POST', '/management/cases', { body });
export const recordStep = (id: Id, body: { to: ManageState; note?: string; site?: string; at?: IsoTime }) =>
  request<CaseDetail>('POST', `/management/cases/${id}/transitions`, { body });
export const extendCase = (id: Id, days: number, reason: string) =>
  request<CaseDetail>('POST', `/management/cases/${id}/extend`, { body: { days, reason } });
export const recordCaseTest = (id: Id, sampled_at: IsoTime, result: 'negative' | 'positive' | 'pending') =>
  request<CaseDetail>('POST', `/management/cases/${id}/tests`, { body: { sampled_at, result } });
export const reportForCase = (id: Id, body: ReportInput) => request<HealthReport>('POST', `/management/cases/${id}/reports`, { body });
export const managementBoard = () => request<ManagementBoard>('GET', '/management/board');
export type TodoKind = Todo['kind'];
export const TODO_KINDS: TodoKind[] = ['fever', 'missing_report', 'overdue_step', 'overdue_test'];
export interface TodoQuery {
  status?: 'open' | 'closed' | 'all';
  kind?: TodoKind | '';  // '' every kind
}
// One page of them, newest first, and how many there are.
export const listTodos = (query: TodoQuery & PageQuery) => getPage<Todo>('/management/todos', query);
export const closeTodo = (id: Id, note: string) => request<Todo>('POST', `/management/todos/${id}/close`, { body: { note } });
export const myReports = () => request<MyReports>('GET', '/me/health-reports');
export const submitMyReport = (body: ReportInput & { member?: Id }) => request<HealthReport>('POST', '/me/health-reports', { body });

export type { Page };

type Translate = (key: string, params?: Record<string, unknown>) => string;
/** A deadline in the UI language: the step, or for a test its phase and day ("隔离第 3 天核酸检测"). */
export function deadlineLabel(d: Deadline, t: Translate): string {
  if (d.step !== 'test') return t(`management.steps.${d.step}`);
  const m = /^(quarantine|monitoring) day (\d+)$/.exec(d.detail);
  return m ? t('management.drawer.testDay', { phase: t(`management.phases.${m[1]}`), day: m[2] }) : `${t('management.steps.test')} ${d.detail}`;
}

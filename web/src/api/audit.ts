import { getPage } from './http';
import type { AuditEntry, AuditQuery, PageQuery } from './types';

export const listAudit = (query: AuditQuery & PageQuery) => getPage<AuditEntry>('/audit', query);

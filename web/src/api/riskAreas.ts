import { request } from './http';
import type { Id, PublicRiskArea, RiskArea, RiskAreaDetail, RiskAreaInput, RiskEventInput } from './types';

/** In force, or with `all` also the lifted ones. */
export const listRiskAreas = async (all: boolean) =>
  (await request<{ items: RiskArea[] }>('GET', '/risk-areas', { query: { all: all ? 1 : undefined } })).items;
export const getRiskArea = (id: Id) => request<RiskAreaDetail>('GET', `/risk-areas/${id}`);
export const declareRiskArea = (body: RiskAreaInput) => request<RiskArea>('POST', '/risk-areas', { body });
export const recordRiskEvent = (id: Id, body: RiskEventInput) => request<RiskArea>('POST', `/risk-areas/${id}/events`, { body });
export const publicRiskAreas = () => request<{ updated_at: string; areas: PublicRiskArea[] }>('GET', '/public/risk-areas');

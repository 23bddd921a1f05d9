// A resident's own health: record and household, codes, trip declarations.
import { request } from './http';
import type { HealthCode, Id, MePerson, Stay, StayInput } from './types';

/** 404 `no_person` while the account is not linked to a registered person. */
export const myPerson = () => request<MePerson>('GET', '/me/person');
/** One's own code, or a household member's. */
export const myHealthCode = (member?: Id) => request<HealthCode>('GET', '/me/health-code', { query: { member } });
/** Trip declaration (GB/T 38962) for oneself or a household member. */
export const declareTrip = (body: StayInput) => request<Stay>('POST', '/me/travel', { body });

import { getPage, request } from './http';
import type {
  CodeOverride,
  HealthCode,
  Id,
  NucleicTest,
  NucleicTestInput,
  OverrideInput,
  PageQuery,
  Person,
  PersonInput,
  PersonQuery,
  StateInput,
  Stay,
  StayInput,
} from './types';

export const findPersons = (query: PersonQuery & PageQuery) => getPage<Person>('/persons', query);
export const getPerson = (id: Id) => request<Person>('GET', `/persons/${id}`);
export const registerPerson = (body: PersonInput) => request<Person>('POST', '/persons', { body });
export const updatePerson = (id: Id, body: Partial<PersonInput>) => request<Person>('PATCH', `/persons/${id}`, { body });
/** The full identity number: persons:reveal, audited. */
export const revealIdNumber = (id: Id) => request<{ id_number: string }>('GET', `/persons/${id}/id-number`);
export const householdOf = async (id: Id) => (await request<{ items: Person[] }>('GET', `/persons/${id}/household`)).items;
export const listStays = async (id: Id) => (await request<{ items: Stay[] }>('GET', `/persons/${id}/travel`)).items;
export const addStay = (id: Id, body: StayInput) => request<Stay>('POST', `/persons/${id}/travel`, { body });
export const recordTest = (id: Id, body: NucleicTestInput) => request<NucleicTest>('POST', `/persons/${id}/tests`, { body });
export const setPersonState = (id: Id, body: StateInput) => request<Person>('PUT', `/persons/${id}/state`, { body });
export const overrideCode = (id: Id, body: OverrideInput) => request<CodeOverride>('POST', `/persons/${id}/code-override`, { body });
/** Make code (GB/T 38962): colour, reasons and a fresh signed token. */
export const personHealthCode = (id: Id) => request<HealthCode>('GET', `/persons/${id}/health-code`);
/** Links a resident account to its person (users:write). */
export const linkAccount = (userId: Id, personId: Id) => request<void>('POST', `/users/${userId}/person`, { body: { person_id: personId } });

import { getPage, request } from './http';
import type { Division, DivisionCreate, DivisionQuery, DivisionRename, Id, PageQuery } from './types';

/** The API's largest page: used where a whole level is shown at once (tree children). */
export const MAX_PAGE_SIZE = 500;

export const listDivisions = (query: DivisionQuery & PageQuery) => getPage<Division>('/divisions', query);
export const getDivision = (id: Id) => request<Division>('GET', `/divisions/${id}`);
export const createDivision = (body: DivisionCreate) => request<Division>('POST', '/divisions', { body });
export const renameDivision = (id: Id, body: DivisionRename) => request<Division>('PATCH', `/divisions/${id}`, { body });

export async function childDivisions(parentId: Id): Promise<Division[]> {
  return (await listDivisions({ parent_id: parentId, page: 1, page_size: MAX_PAGE_SIZE })).items;
}
export const deleteDivision = (id: Id) => request<void>('DELETE', `/divisions/${id}`);

/**
 * The top of the division tree a user may browse: their jurisdiction's
 * division when they have one, else the roots (a list without filters).
 */
export async function rootDivisions(jurisdictionDivisionId: Id | null): Promise<Division[]> {
  if (jurisdictionDivisionId !== null) return [await getDivision(jurisdictionDivisionId)];
  return (await listDivisions({ page: 1, page_size: MAX_PAGE_SIZE })).items;
}

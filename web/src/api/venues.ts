import { getPage, request } from './http';
import type { Id, PageQuery, Venue, VenueInput, VenueQuery } from './types';

export const listVenues = (query: VenueQuery & PageQuery) => getPage<Venue>('/venues', query);
export const getVenue = (id: Id) => request<Venue>('GET', `/venues/${id}`);
export const createVenue = (body: VenueInput) => request<Venue>('POST', '/venues', { body });
export const updateVenue = (id: Id, body: Partial<VenueInput>) => request<Venue>('PATCH', `/venues/${id}`, { body });
export const deleteVenue = (id: Id) => request<void>('DELETE', `/venues/${id}`);

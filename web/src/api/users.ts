import { getPage, request } from './http';
import type { Id, PageQuery, User, UserCreate, UserPatch, UserQuery } from './types';

export const listUsers = (query: UserQuery & PageQuery) => getPage<User>('/users', query);
export const getUser = (id: Id) => request<User>('GET', `/users/${id}`);
export const createUser = (body: UserCreate) => request<User>('POST', '/users', { body });
export const updateUser = (id: Id, body: UserPatch) => request<User>('PATCH', `/users/${id}`, { body });

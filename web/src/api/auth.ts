import { request } from './http';
import type { LoginRequest, LoginResponse, Me, Version } from './types';

export const login = (body: LoginRequest) =>
  request<LoginResponse>('POST', '/auth/login', { body, redirectOn401: false });
export const logout = () => request<void>('POST', '/auth/logout');
// The session probe: a 401 here means "not signed in", which the router guard handles.
export const fetchMe = () => request<Me>('GET', '/me', { redirectOn401: false });
export const fetchVersion = () => request<Version>('GET', '/version');

// Who is signed in. Loaded from GET /me on the first navigation and after login.
import { computed, readonly, shallowRef } from 'vue';
import { fetchMe } from './api/auth';
import { ApiError } from './api/http';
import type { Me, Permission } from './api/types';

const me = shallowRef<Me | null>(null);

export const currentUser = readonly(me);
const permissions = computed<ReadonlySet<Permission>>(() => new Set(me.value?.permissions ?? []));

export function can(permission: Permission): boolean {
  return permissions.value.has(permission);
}

/** Holds at least one of these permissions. */
export function canAny(list: readonly Permission[]): boolean {
  return list.some(can);
}

/** Fetches the session's user; null when there is no valid session. */
export async function loadSession(): Promise<Me | null> {
  try {
    me.value = await fetchMe();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    me.value = null;
  }
  return me.value;
}

export async function ensureSession(): Promise<Me | null> {
  return me.value ?? loadSession();
}

export function clearSession(): void {
  me.value = null;
}

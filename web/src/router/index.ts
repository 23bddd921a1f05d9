import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Component } from 'vue';
import { ElMessage } from 'element-plus';
import { House, Location, OfficeBuilding, User, Document } from '@element-plus/icons-vue';
import { onUnauthorized } from '../api/http';
import type { Permission } from '../api/types';
import { i18n } from '../i18n';
import { can, clearSession, ensureSession } from '../session';
import { showError } from '../errors';
import AppLayout from '../layouts/AppLayout.vue';
import LoginView from '../views/LoginView.vue';

export const NAV_KEYS = ['home', 'divisions', 'venues', 'users', 'audit'] as const;
export type NavKey = (typeof NAV_KEYS)[number];

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean;
    /** Needed to open the page (and to see it in the menu). */
    permission?: Permission;
    /** Shown in the side menu under this key (nav.<key>, data-testid menu-<key>). */
    nav?: { key: NavKey; icon: Component };
  }
}

const pages: RouteRecordRaw[] = [
  { path: '', name: 'home', component: () => import('../views/HomeView.vue'), meta: { nav: { key: 'home', icon: House } } },
  {
    path: 'divisions', name: 'divisions', component: () => import('../views/DivisionsView.vue'),
    meta: { permission: 'divisions:read', nav: { key: 'divisions', icon: Location } },
  },
  {
    path: 'venues', name: 'venues', component: () => import('../views/VenuesView.vue'),
    meta: { permission: 'venues:read', nav: { key: 'venues', icon: OfficeBuilding } },
  },
  {
    path: 'users', name: 'users', component: () => import('../views/UsersView.vue'),
    meta: { permission: 'users:read', nav: { key: 'users', icon: User } },
  },
  {
    path: 'audit', name: 'audit', component: () => import('../views/AuditView.vue'),
    meta: { permission: 'audit:read', nav: { key: 'audit', icon: Document } },
  },
  { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue') },
];

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    { path: '/', component: AppLayout, children: pages },
  ],
});

/** The pages of the side menu this user may open, in menu order. */
export function navPages(): { key: NavKey; icon: Component; path: string }[] {
  return pages.flatMap((p) => {
    const nav = p.meta?.nav;
    if (!nav || (p.meta?.permission && !can(p.meta.permission))) return [];
    return [{ ...nav, path: `/${p.path}` }];
  });
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  let me = null;
  try {
    me = await ensureSession();
  } catch (e) {
    showError(e);
  }
  if (!me) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  if (to.meta.permission && !can(to.meta.permission)) {
    ElMessage.warning(i18n.global.t('errors.forbidden'));
    return { name: 'home' };
  }
  return true;
});

// A session that ends (expired, logged out elsewhere) sends the user to the login page.
onUnauthorized(() => {
  clearSession();
  const current = router.currentRoute.value;
  if (current.name !== 'login') void router.push({ name: 'login', query: { redirect: current.fullPath } });
});

import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Component } from 'vue';
import { ElMessage } from 'element-plus';
import {
  Aim, DataAnalysis, Document, House, Location, OfficeBuilding, Postcard, User, UserFilled, Warning,
} from '@element-plus/icons-vue';
import { Bell, DataBoard, FirstAidKit, Tickets } from '@element-plus/icons-vue';
import { AlarmClock, Monitor, Upload } from '@element-plus/icons-vue';
import { Brush, Checked, List, Notebook, Van } from '@element-plus/icons-vue';
import { Share } from '@element-plus/icons-vue';
import { onUnauthorized } from '../api/http';
import type { Permission } from '../api/types';
import { i18n } from '../i18n';
import { can, canAny, clearSession, currentUser, ensureSession } from '../session';
import { showError } from '../errors';
import AppLayout from '../layouts/AppLayout.vue';
import LoginView from '../views/LoginView.vue';

export const NAV_KEYS = [
  'home', 'checkpoint', 'myCode', 'venueToday', 'persons', 'riskAreas', 'divisions', 'venues', 'users', 'audit',
  'managementBoard', 'managementCases', 'todos', 'healthReport',
  'warning', 'alerts', 'warningImport',
  'roster', 'returnee', 'pushLists', 'pushTodo', 'disinfection',
  'tracing',
] as const;
export type NavKey = (typeof NAV_KEYS)[number];

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean;
    /** Needed to open the page (and to see it in the menu); a list means any one of them. */
    permission?: Permission | readonly Permission[];
    /**
     * Shown in the side menu under this key (nav.<key>, data-testid menu-<key>).
     * `to` gives the menu's link for a page with parameters (null: no entry for this user).
     */
    nav?: { key: NavKey; icon: Component; to?: () => string | null };
    /** Drawn without the app's header and menu (full-screen pages). */
    bare?: boolean;
  }
}

const pages: RouteRecordRaw[] = [
  { path: '', name: 'home', component: () => import('../views/HomeView.vue'), meta: { nav: { key: 'home', icon: House } } },
  {
    path: 'checkpoint', name: 'checkpoint', component: () => import('../views/CheckpointView.vue'),
    meta: { permission: 'checkpoints:scan', nav: { key: 'checkpoint', icon: Aim } },
  },
  {
    path: 'my-code', name: 'my-code', component: () => import('../views/MyCodeView.vue'),
    meta: { permission: 'self:health', nav: { key: 'myCode', icon: Postcard } },
  },
  {
    path: 'venues/:id(\\d+)/today', name: 'venue-today', component: () => import('../views/VenueTodayView.vue'),
    meta: {
      permission: 'venues:read',
      // Venue-bound users (staff, clinicians, lab) get their own venue's day in the menu.
      nav: { key: 'venueToday', icon: DataAnalysis, to: () => {
        const venue = currentUser.value?.jurisdiction.venue_id;
        return venue ? `/venues/${venue}/today` : null;
      } },
    },
  },
  {
    path: 'persons', name: 'persons', component: () => import('../views/PersonsView.vue'),
    meta: { permission: ['persons:read', 'persons:lookup'], nav: { key: 'persons', icon: UserFilled } },
  },
  {
    path: 'risk-areas', name: 'risk-areas', component: () => import('../views/RiskAreasView.vue'),
    meta: { permission: 'riskareas:read', nav: { key: 'riskAreas', icon: Warning } },
  },
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
  {
    path: 'management/board', name: 'management-board', component: () => import('../views/ManagementBoardView.vue'),
    meta: { permission: 'management:read', nav: { key: 'managementBoard', icon: DataBoard } },
  },
  {
    path: 'management/cases', name: 'management-cases', component: () => import('../views/ManagementCasesView.vue'),
    meta: { permission: 'management:read', nav: { key: 'managementCases', icon: Tickets } },
  },
  {
    path: 'todos', name: 'todos', component: () => import('../views/TodoView.vue'),
    meta: { permission: 'management:read', nav: { key: 'todos', icon: Bell } },
  },
  {
    path: 'health-report', name: 'health-report', component: () => import('../views/HealthReportView.vue'),
    meta: { permission: 'self:health', nav: { key: 'healthReport', icon: FirstAidKit } },
  },
  {
    path: 'warning', name: 'warning', component: () => import('../views/WarningView.vue'),
    meta: { permission: 'warning:read', nav: { key: 'warning', icon: Monitor } },
  },
  {
    path: 'alerts', name: 'alerts', component: () => import('../views/AlertsView.vue'),
    meta: { permission: 'warning:read', nav: { key: 'alerts', icon: AlarmClock } },
  },
  {
    path: 'warning/import', name: 'warning-import', component: () => import('../views/WarningImportView.vue'),
    meta: { permission: 'warning:import', nav: { key: 'warningImport', icon: Upload } },
  },
  {
    path: 'roster', name: 'roster', component: () => import('../views/RosterView.vue'),
    meta: { permission: 'community:read', nav: { key: 'roster', icon: Notebook } },
  },
  {
    path: 'returnee', name: 'returnee', component: () => import('../views/ReturneeView.vue'),
    meta: { permission: ['community:write', 'self:health'], nav: { key: 'returnee', icon: Van } },
  },
  {
    path: 'push-lists', name: 'push-lists', component: () => import('../views/PushListsView.vue'),
    meta: { permission: ['pushlists:write', 'community:read'], nav: { key: 'pushLists', icon: List } },
  },
  {
    path: 'push-lists/:id(\\d+)', name: 'push-list', component: () => import('../views/PushListView.vue'),
    meta: { permission: ['pushlists:write', 'community:read'] },
  },
  {
    path: 'push-todo', name: 'push-todo', component: () => import('../views/PushListTodoView.vue'),
    meta: { permission: 'community:write', nav: { key: 'pushTodo', icon: Checked } },
  },
  {
    path: 'disinfection', name: 'disinfection', component: () => import('../views/DisinfectionView.vue'),
    meta: { permission: 'community:read', nav: { key: 'disinfection', icon: Brush } },
  },
  {
    path: 'tracing', name: 'tracing', component: () => import('../views/TracingView.vue'),
    meta: { permission: 'tracing:read', nav: { key: 'tracing', icon: Share } },
  },
  { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue') },
];

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    // The LED board at a venue's entrance: no session, no app shell.
    {
      path: '/board/:venueId(\\d+)', name: 'board', component: () => import('../views/BoardView.vue'),
      meta: { public: true, bare: true },
    },
    // The command center's wall screen (1920×1080): the warning dashboard, full screen.
    {
      path: '/warning/wall', name: 'warning-wall', component: () => import('../views/WarningView.vue'),
      props: { wall: true }, meta: { permission: 'warning:read', bare: true },
    },
    { path: '/', component: AppLayout, children: pages },
  ],
});

/** The pages of the side menu this user may open, in menu order. */
export function navPages(): { key: NavKey; icon: Component; path: string }[] {
  return pages.flatMap((p) => {
    const nav = p.meta?.nav;
    if (!nav || !allowed(p.meta?.permission)) return [];
    const path = nav.to ? nav.to() : `/${p.path}`;
    return path === null ? [] : [{ key: nav.key, icon: nav.icon, path }];
  });
}

function allowed(permission: Permission | readonly Permission[] | undefined): boolean {
  if (!permission) return true;
  return typeof permission === 'string' ? can(permission) : canAny(permission);
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
  if (!allowed(to.meta.permission)) {
    ElMessage.warning(i18n.global.t('errors.forbidden'));
    return { name: 'home' };
  }
  return true;
});

// A session that ends (expired, logged out elsewhere) sends the user to the login page.
onUnauthorized(() => {
  clearSession();
  const current = router.currentRoute.value;
  if (current.name !== 'login' && !current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath } });
});

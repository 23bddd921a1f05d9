// Each role sees exactly the menu its permissions allow (docs/api.md, roles and permissions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../lib/harness.mjs';
import { useServerAndBrowser, menuItems, signIn, withPage } from './browser.mjs';

const EXPECTED = {
  admin: ['menu-home', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues', 'menu-users', 'menu-audit', 'menu-managementBoard', 'menu-managementCases', 'menu-todos', 'menu-warning', 'menu-alerts', 'menu-warningImport', 'menu-roster', 'menu-returnee', 'menu-pushLists', 'menu-pushTodo', 'menu-disinfection', 'menu-tracing'],
  commander: ['menu-home', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues', 'menu-managementBoard', 'menu-managementCases', 'menu-todos', 'menu-warning', 'menu-alerts', 'menu-warningImport', 'menu-roster', 'menu-pushLists', 'menu-disinfection', 'menu-tracing'],
  venue_staff: ['menu-home', 'menu-checkpoint', 'menu-venueToday', 'menu-riskAreas', 'menu-divisions', 'menu-venues'],
  community_worker: ['menu-home', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues', 'menu-managementBoard', 'menu-managementCases', 'menu-todos', 'menu-roster', 'menu-returnee', 'menu-pushLists', 'menu-pushTodo', 'menu-disinfection'],
  clinician: ['menu-home', 'menu-checkpoint', 'menu-venueToday', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues', 'menu-warningImport'],
  lab: ['menu-home', 'menu-venueToday', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues'],
  resident: ['menu-home', 'menu-myCode', 'menu-healthReport', 'menu-returnee'],
};

// How the header names each role, in the default language.
const ROLE_ZH = {
  admin: '系统管理员', commander: '指挥部人员', venue_staff: '场所工作人员', community_worker: '社区工作者',
  clinician: '医护人员', lab: '检测机构人员', resident: '居民',
};

const ctx = useServerAndBrowser();

for (const [role, expected] of Object.entries(EXPECTED)) {
  test(`${role} signs in and sees exactly their menu`, async (t) => {
    await withPage(ctx.browser, t, async (page) => {
      await signIn(page, role);
      assert.deepEqual(await menuItems(page), expected);
      assert.equal((await page.getByTestId('header-role').innerText()).trim(), ROLE_ZH[role]);
      // A page outside the menu is refused and lands on the home page.
      if (!expected.includes('menu-audit')) {
        await page.goto('/audit');
        await page.getByTestId('welcome-card').waitFor();
        assert.equal(new URL(page.url()).pathname, '/');
      }
    }, { baseURL: ctx.server.url });
  });
}

test('signing out returns to the login page and the session is gone', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('logout').click();
    await page.waitForURL('**/login');
    await page.goto('/venues');
    await page.waitForURL((url) => url.pathname === '/login');
    // After signing in again the user lands where they wanted to go.
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/venues');
    await page.getByTestId('login-username').fill('commander');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('venue-table').waitFor();
  }, { baseURL: ctx.server.url });
});

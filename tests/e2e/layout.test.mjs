// Every page fits a desktop and a phone: no sideways scrolling, and on a phone
// the side menu folds into a drawer. Screenshots of each page are kept in
// tests/.tmp/screens/ for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../lib/harness.mjs';
import { DESKTOP, PHONE, SHOTS, launchBrowser, menuItems, signIn, withPage } from './browser.mjs';

const SCREENS = path.join(SHOTS, 'screens');
const PAGES = [
  { path: '/', ready: 'welcome-card' },
  { path: '/divisions', ready: 'division-table' },
  { path: '/venues', ready: 'venue-table' },
  { path: '/users', ready: 'user-table' },
  { path: '/audit', ready: 'audit-table' },
  { path: '/persons', ready: 'person-table' },
  { path: '/risk-areas', ready: 'risk-table' },
  { path: '/venues/:hall/today', ready: 'checkin-table', name: 'venue-today' },
  { path: '/management/board', ready: 'board-districts', name: 'management-board' },
  { path: '/management/cases', ready: 'cases-table', name: 'management-cases' },
  { path: '/todos', ready: 'todo-table', name: 'todos' },
];

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fs.mkdirSync(SCREENS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function settle(page, ready) {
  await page.getByTestId(ready).waitFor();
  await page.locator('.el-loading-mask').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  await page.waitForLoadState('networkidle');
}

async function assertNoSidewaysScroll(page, where) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${where}: page is ${scroll}px wide in a ${width}px window`);
}

for (const [device, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
  test(`every page fits a ${device} (${viewport.width}×${viewport.height})`, async (t) => {
    await withPage(browser, t, async (page) => {
      await page.goto('/login');
      await page.getByTestId('login-submit').waitFor();
      await assertNoSidewaysScroll(page, `${device} /login`);
      await page.screenshot({ path: path.join(SCREENS, `${device}-login.png`) });
      await signIn(page, 'admin');
      const hall = (await (await page.request.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json()).items[0];
      for (const { path: p, ready } of PAGES) {
        await page.goto(p.replace(':hall', hall.id));
        await settle(page, ready);
        await assertNoSidewaysScroll(page, `${device} ${p}`);
        const name = PAGES.find((x) => x.path === p).name ?? (p === '/' ? 'home' : p.slice(1));
        await page.screenshot({ path: path.join(SCREENS, `${device}-${name}.png`), fullPage: true });
      }
    }, { viewport, baseURL: server.url });
  });
}

test('on a phone the menu is a drawer that closes after choosing a page', async (t) => {
  await withPage(browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('menu-toggle').waitFor();
    assert.deepEqual(await menuItems(page), []);
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('menu-venues').waitFor();
    assert.deepEqual(await menuItems(page), ['menu-home', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues',
      'menu-managementBoard', 'menu-managementCases', 'menu-todos', 'menu-warning', 'menu-alerts', 'menu-warningImport',
      'menu-roster', 'menu-pushLists', 'menu-disinfection', 'menu-tracing']);
    // Who is signed in moves from the header into the drawer.
    assert.equal((await page.getByTestId('header-role').innerText()).trim(), '指挥部人员');
    await page.locator('.el-drawer').evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    await page.screenshot({ path: path.join(SCREENS, 'phone-drawer.png') });
    await page.getByTestId('menu-venues').click();
    await page.getByTestId('venue-table').waitFor();
    await page.getByTestId('menu-venues').waitFor({ state: 'hidden' });
    assert.equal(new URL(page.url()).pathname, '/venues');
  }, { viewport: PHONE, baseURL: server.url });
});

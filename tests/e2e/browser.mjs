// Shared by the browser tests: Debian's Chromium driven by playwright-core,
// a page per test, a screenshot in tests/.tmp/ when a test fails, and
// signing in through the login page.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import { ROOT, DEMO_PASSWORD, startServer, login } from '../lib/harness.mjs';

export const SHOTS = path.join(ROOT, 'tests/.tmp');
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Debian's Chromium, headless; `extraArgs` add switches (e.g. a fake camera). */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

function fileName(name) {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 120);
}

/**
 * A time zone whose calendar date differs from the city's (UTC+8) right now:
 * UTC−12 until 20:00 in the city, UTC+14 after. A page that took "today" from
 * the browser's clock instead of the city's shows the wrong day there.
 */
export function zoneOnAnotherDay(now = Date.now()) {
  const cityHour = new Date(now + 8 * 3600_000).getUTCHours();
  return cityHour < 20 ? 'Etc/GMT+12' : 'Etc/GMT-14';
}

/**
 * Runs fn(page) in a fresh browser context (own cookies and localStorage).
 * On failure, saves a full-page screenshot named after the test.
 */
export async function withPage(browser, t, fn, { viewport = DESKTOP, baseURL, timezoneId } = {}) {
  const context = await browser.newContext({ viewport, baseURL, locale: 'zh-CN', timezoneId });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await fn(page);
    if (errors.length) throw new Error(`JavaScript errors on the page: ${errors.join('; ')}`);
  } catch (e) {
    fs.mkdirSync(SHOTS, { recursive: true });
    const shot = path.join(SHOTS, `failed-${fileName(t.fullName ?? t.name)}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    e.message += `\n(screenshot: ${shot})`;
    throw e;
  } finally {
    await context.close();
  }
}

/** Signs in through the login page and waits for the app shell's header (menus may sit in a closed drawer). */
export async function signIn(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('logout').waitFor();
}

/** The data-testid of every side-menu item that is shown, in order. */
export async function menuItems(page) {
  return page.locator('[data-testid^="menu-"]:visible').evaluateAll((els) =>
    els.map((el) => el.getAttribute('data-testid')).filter((id) => id !== 'menu-toggle'));
}

/**
 * Types into a table's search box and presses Enter; resolves once that list
 * call answered and the table has redrawn (its loading mask is gone).
 */
export async function search(page, inputTestId, value, tableTestId) {
  await page.getByTestId(inputTestId).fill(value);
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/') && r.request().method() === 'GET'),
    page.getByTestId(inputTestId).press('Enter'),
  ]);
  await page.getByTestId(tableTestId).locator('.el-loading-mask').first().waitFor({ state: 'detached' });
}

/**
 * Starts a seeded server and a browser before the file's tests and stops
 * both after them. Read `.server` and `.browser` inside tests.
 */
export function useServerAndBrowser(serverOptions = {}) {
  const ctx = { server: null, browser: null };
  before(async () => {
    ctx.server = await startServer(serverOptions);
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

/** On the tracing page (流调溯源), signed in as a commander: chooses the index person named `name`. */
export async function chooseIndexPerson(page, name) {
  await signIn(page, 'commander');
  await page.getByTestId('menu-tracing').click();
  await page.getByTestId('tracing-page').waitFor();
  await page.getByTestId('tracing-persons').click();
  await page.keyboard.type(name);
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: name }).first().click();
  await page.getByRole('heading', { name: '流调溯源' }).click(); // closes the dropdown
}

/**
 * For a trace of persons who met at the door of 晋中市民之家: residents registered by a community worker in
 * a compound of 银海心悦社区 (`register(idNumber, name)` → the person) and scanned in there by the venue's
 * staff (`scanIn(idNumber)`).
 */
export async function hallScenario(srv) {
  const cw = await login(srv.url, 'community_worker');
  const admin = await login(srv.url, 'admin');
  const staff = await login(srv.url, 'venue_staff');
  const yinhai = (await admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
  const compound = (await admin.get(`/api/v1/divisions?parent_id=${yinhai.id}`)).json.items[0];
  const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  return {
    async register(idNumber, name) {
      const p = await cw.post('/api/v1/persons', { id_number: idNumber, name, division_id: compound.id });
      if (p.status !== 201) throw new Error(`registering ${name}: ${p.text}`);
      return p.json;
    },
    async scanIn(idNumber) {
      const s = await staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', id_number: idNumber, temperature_c: 36.5, mask: true });
      if (s.json?.decision !== 'pass') throw new Error(`scan: ${s.text}`);
      return s.json;
    },
  };
}

/** As chooseIndexPerson, then an onset an hour ago, and the trace started. */
export async function startTraceOf(page, name) {
  await chooseIndexPerson(page, name);
  const hourAgo = new Date(Date.now() - 3600_000);
  const local = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60000).toISOString().slice(0, 19).replace('T', ' ');
  const onset = page.locator('.el-date-editor input').first();
  await onset.fill(local);
  await onset.press('Enter');
  await page.getByRole('heading', { name: '流调溯源' }).click();
  await page.getByTestId('tracing-start').click();
}

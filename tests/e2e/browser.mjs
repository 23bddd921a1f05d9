// Shared by the browser tests: Debian's Chromium driven by playwright-core,
// a page per test, a screenshot in tests/.tmp/ when a test fails, and
// signing in through the login page.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import { ROOT, DEMO_PASSWORD, startServer } from '../lib/harness.mjs';

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

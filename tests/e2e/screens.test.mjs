// Screenshots of the pages that face the public or the door, at the sizes
// they are used at: the checkpoint and "my code" on a phone (390×844), the
// entrance board and the venue's day on a 1080p screen. Kept in
// tests/.tmp/screens/ for a person to look at; each must fit without
// sideways scrolling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { PHONE, SHOTS, useServerAndBrowser, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();
const SCREENS = path.join(SHOTS, 'screens');
const FULL_HD = { width: 1920, height: 1080 };

async function noSidewaysScroll(page, where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${where}: ${scroll}px wide in a ${width}px window`);
}

/** A day with some traffic at the hall, and a few risk areas on the boards. */
async function busyDay() {
  const url = ctx.server.url;
  const admin = await login(url, 'admin');
  const staff = await login(url, 'venue_staff');
  const commander = await login(url, 'commander');
  const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  for (const [i, temperature] of [36.4, 36.6, 36.8, 38.1, 36.5, 36.7].entries()) {
    const p = (await admin.post('/api/v1/persons', { id_number: newIdNumber(), name: `访客${i}`, division_id: compound.id })).json;
    const { token } = (await admin.get(`/api/v1/persons/${p.id}/health-code`)).json;
    await staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: i % 2 ? '专用通道' : '东门入口', direction: 'in', token, temperature_c: temperature, mask: i !== 4 });
  }
  for (const [code, name, level] of [['140722', '辽阳镇东关社区', 'high'], ['140703', '明星镇幸福家园小区', 'medium'], ['140781', '北坛街道绵山路 12 号院', 'medium']])
    await commander.post('/api/v1/risk-areas', { division_code: code, area_name: name, level });
  return { hall };
}

test('screenshots of the door pages, the board and the venue view', async (t) => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const { hall } = await busyDay();

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'venue_staff');
    await page.goto('/checkpoint');
    await page.getByTestId('station-setup').waitFor();
    await page.screenshot({ path: path.join(SCREENS, 'phone-checkpoint-setup.png') });
    await page.getByTestId('station-setup').getByText('东门入口').click();
    await page.getByTestId('wedge-input').waitFor();
    await noSidewaysScroll(page, 'checkpoint');
    await page.screenshot({ path: path.join(SCREENS, 'phone-checkpoint.png') });
    await page.getByTestId('temp-input').fill('38.2');
    await page.getByTestId('temp-input').press('Enter');
    await page.getByTestId('wedge-input').fill('not-a-code');
    await page.getByTestId('wedge-input').press('Enter');
    const result = page.getByTestId('scan-result');
    await result.waitFor();
    await result.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    await page.screenshot({ path: path.join(SCREENS, 'phone-checkpoint-stop.png') });
    await result.click();
    await page.getByTestId('scan-mode').getByText('专用通道').click();
    await page.getByTestId('special-id').waitFor();
    await page.screenshot({ path: path.join(SCREENS, 'phone-checkpoint-special.png') });
  }, { viewport: PHONE, baseURL: ctx.server.url });

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'resident');
    await page.goto('/my-code');
    await page.locator('[data-testid="code-card"], [data-testid="my-code-not-linked"]').first().waitFor();
    await noSidewaysScroll(page, 'my-code');
    await page.screenshot({ path: path.join(SCREENS, 'phone-my-code.png'), fullPage: true });
  }, { viewport: PHONE, baseURL: ctx.server.url });

  await withPage(ctx.browser, t, async (page) => {
    await page.goto(`/board/${hall.id}`);
    await page.getByTestId('board-area').first().waitFor();
    await noSidewaysScroll(page, 'board');
    await page.screenshot({ path: path.join(SCREENS, 'fullhd-board.png') });
  }, { viewport: FULL_HD, baseURL: ctx.server.url });

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'venue_staff');
    await page.goto(`/venues/${hall.id}/today`);
    await page.getByTestId('hourly-chart').locator('canvas').first().waitFor();
    await page.getByTestId('checkin-table').locator('.el-table__body tr').first().waitFor();
    await page.getByTestId('handover-row').first().waitFor();
    await page.waitForTimeout(500); // the chart's entry animation
    await noSidewaysScroll(page, 'venue today');
    await page.screenshot({ path: path.join(SCREENS, 'fullhd-venue-today.png'), fullPage: true });
  }, { viewport: FULL_HD, baseURL: ctx.server.url });
});

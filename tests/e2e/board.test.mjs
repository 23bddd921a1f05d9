// The LED board at a venue's entrance (public) and the risk-area pages: a
// newly declared area appears on the board, in red for high and orange for
// medium; the command center declares, records events and reads the history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { login } from '../lib/harness.mjs';
import { DESKTOP, useServerAndBrowser, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();
const BOARD = { width: 1920, height: 1080 };

async function hall() {
  const admin = await login(ctx.server.url, 'admin');
  return (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
}

test('the board, without signing in, lists a risk area declared after it opened', async (t) => {
  const venue = await hall();
  const commander = await login(ctx.server.url, 'commander');
  await withPage(ctx.browser, t, async (page) => {
    await page.goto(`/board/${venue.id}`);
    await page.getByTestId('board-venue').filter({ hasText: '晋中市民之家' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/board/${venue.id}`, 'no sign-in needed');
    assert.equal(await page.getByTestId('logout').count(), 0, 'no app header or menu');
    assert.match(await page.getByTestId('board-clock').innerText(), /^\d\d:\d\d:\d\d$/);
    const area = `左权县测试小区${Date.now()}`;
    assert.equal(await page.getByTestId('board-area').filter({ hasText: area }).count(), 0);

    const high = await commander.post('/api/v1/risk-areas', { division_code: '140722', area_name: area, level: 'high' });
    assert.equal(high.status, 201, high.text);
    const medium = await commander.post('/api/v1/risk-areas', { division_code: '140703', area_name: `${area}-中`, level: 'medium' });
    assert.equal(medium.status, 201, medium.text);

    // The board refreshes itself every 30 s; a reload shows the same thing at once.
    await page.reload();
    const row = page.getByTestId('board-area').filter({ hasText: area }).first();
    await row.waitFor();
    assert.match(await row.innerText(), /高风险\s*左权县/);
    assert.equal(await row.locator('.level').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(220, 38, 38)');
    const mid = page.getByTestId('board-area').filter({ hasText: `${area}-中` });
    assert.equal(await mid.locator('.level').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(249, 115, 22)');
    // Huge type, and nothing scrolls on a 1080p screen.
    const size = await row.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 40, `area rows are ${size}px`);
    const { sw, sh } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight }));
    assert.ok(sw <= BOARD.width && sh <= BOARD.height, `no scrolling (${sw}×${sh})`);
  }, { viewport: BOARD, baseURL: ctx.server.url });
});

test('a long list of areas is paged on the board, never scrolled', async (t) => {
  const venue = await hall();
  const commander = await login(ctx.server.url, 'commander');
  for (let i = 0; i < 14; i++) {
    const r = await commander.post('/api/v1/risk-areas', { division_code: '140781', area_name: `介休市翻页测试 ${i + 1} 号院`, level: 'medium' });
    assert.equal(r.status, 201, r.text);
  }
  await withPage(ctx.browser, t, async (page) => {
    await page.goto(`/board/${venue.id}`);
    await page.getByTestId('board-pager').waitFor();
    const shown = await page.getByTestId('board-area').count();
    assert.ok(shown > 0 && shown < 16, `${shown} rows on one page`);
    const list = page.getByTestId('board-areas');
    const { scrollHeight, clientHeight } = await list.evaluate((el) => ({ scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }));
    assert.ok(scrollHeight <= clientHeight + 1, 'the page of rows fits its box');
  }, { viewport: BOARD, baseURL: ctx.server.url });
});

test('a commander declares an area in the UI, records a new infection, and reads its history', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('menu-riskAreas').click();
    await page.getByTestId('risk-table').waitFor();
    await page.getByTestId('risk-declare').click();
    const dialog = page.getByTestId('risk-declare-dialog');
    await dialog.waitFor();
    const name = `榆社县界面测试小区 ${Date.now()}`;
    await page.getByTestId('risk-division-code').fill('140721');
    await page.getByTestId('risk-area-name').fill(name);
    await page.getByTestId('risk-level-input').getByText('高风险').click();
    await page.getByTestId('risk-declare-save').click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByTestId('risk-table').locator('.el-table__body tr').filter({ hasText: name });
    await row.waitFor();
    assert.match(await row.innerText(), /高风险/);
    assert.match(await row.innerText(), /榆社县/);

    await row.getByTestId('risk-infection').click();
    await page.getByTestId('risk-event-note').fill('新增 1 例');
    await page.getByTestId('risk-event-save').click();
    await page.getByTestId('risk-event-dialog').waitFor({ state: 'hidden' });

    await row.getByTestId('risk-history').click();
    const drawer = page.getByTestId('risk-history-drawer');
    const timeline = drawer.getByTestId('risk-timeline');
    await timeline.waitFor();
    const text = await timeline.innerText();
    assert.match(text, /新增感染/);
    assert.match(text, /新增 1 例/);
    assert.match(text, /划定/);
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

test('risk areas are read-only for venue staff', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'venue_staff');
    await page.goto('/risk-areas');
    await page.getByTestId('risk-table').locator('.el-table__body tr').first().waitFor();
    assert.equal(await page.getByTestId('risk-declare').count(), 0);
    assert.equal(await page.getByTestId('risk-infection').count(), 0);
    assert.ok(await page.getByTestId('risk-history').count() > 0);
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

test("venue staff set the board's notices in the venue view, and export the day's check-ins", async (t) => {
  const venue = await hall();
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'venue_staff');
    await page.goto(`/venues/${venue.id}/today`);
    await page.getByTestId('policy-card').waitFor();
    const notice = `今日西门维修，请走东门 ${Date.now()}`;
    await page.getByTestId('policy-notices').fill(`${notice}\n口罩必戴、体温必测`);
    await page.getByTestId('policy-yellow').getByText('拦截').click();
    const saved = page.waitForResponse((r) => r.url().endsWith(`/venues/${venue.id}/policy`) && r.request().method() === 'PATCH');
    await page.getByTestId('policy-save').click();
    const res = await saved;
    assert.equal(res.status(), 204);
    assert.deepEqual(res.request().postDataJSON(), { stop_on_yellow: true, stop_on_travel_flag: true, notices: `${notice}\n口罩必戴、体温必测` },
      'the policy as shown: read from the venue, with the changes');

    for (const format of ['csv', 'xlsx']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${format}`).click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^checkins-${venue.id}-\\d{4}-\\d{2}-\\d{2}\\.${format}$`));
      const file = await download.path();
      const head = fs.readFileSync(file);
      if (format === 'csv') assert.match(head.toString('utf8'), /checkin_id/);
      else assert.equal(head.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX is a zip');
    }

    await page.goto(`/board/${venue.id}`);
    const notices = page.getByTestId('board-notices');
    await notices.getByText(notice).waitFor();
    assert.match(await notices.innerText(), /口罩必戴、体温必测/);
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

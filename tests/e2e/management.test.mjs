// Closed-loop management in the browser: a resident under home quarantine
// reports a fever on the phone page and the community worker sees the alert
// among the to-dos; a worker marks a managed close contact transferred in the
// case drawer and the command center's board counts move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { PHONE, DESKTOP, useServerAndBrowser, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();
const iso = (ms) => new Date(ms).toISOString();

async function city() {
  const url = ctx.server.url;
  const commander = await login(url, 'commander');
  const worker = await login(url, 'community_worker');
  const compound = (await commander.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  const enroll = async (personId, measure) => {
    const r = await commander.post('/api/v1/management/cases', { person_id: personId, measure, exposure_at: iso(Date.now() - 3600_000) });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const step = async (id, to) => {
    const r = await worker.post(`/api/v1/management/cases/${id}/transitions`, { to });
    assert.equal(r.status, 200, r.text);
  };
  return { commander, worker, compound, enroll, step };
}

test('a resident reports a fever on the phone and the community worker sees the alert', async (t) => {
  const c = await city();
  const resident = await login(ctx.server.url, 'resident');
  const me = (await resident.get('/api/v1/me/person')).json;
  const mc = await c.enroll(me.id, 'secondary_contact');
  await c.step(mc.id, 'notified');
  await c.step(mc.id, 'quarantined');

  await withPage(ctx.browser, t, async (phone) => {
    await signIn(phone, 'resident');
    await phone.goto('/health-report');
    await phone.getByTestId('report-submit').waitFor();
    assert.match(await phone.getByTestId(`report-member-${me.id}`).innerText(), /需每日上报/);
    const input = phone.getByTestId('report-temperature').locator('input');
    await input.fill('38.4');
    await input.press('Tab');
    await phone.getByTestId('symptom-cough').click();
    await phone.getByTestId('report-submit').click();
    await phone.getByTestId('report-fever').waitFor();
    assert.match(await phone.getByTestId('report-row').first().innerText(), /38\.4 °C · 咳嗽/);
  }, { viewport: PHONE, baseURL: ctx.server.url });

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'community_worker');
    await page.getByTestId('menu-todos').click();
    const row = page.getByTestId('todo-table').locator('tr', { hasText: me.name }).filter({ hasText: '发热/症状提醒' });
    await row.first().waitFor();
    assert.match(await row.first().getByTestId('todo-detail').innerText(), /体温 38\.4 °C · 咳嗽/);
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

test('a worker marks a managed close contact transferred and the board counts move', async (t) => {
  const c = await city();
  const r = await c.worker.post('/api/v1/persons', { id_number: newIdNumber(), name: '转运测试', phone: '13900000002', division_id: c.compound.id });
  assert.equal(r.status, 201, r.text);
  const mc = await c.enroll(r.json.id, 'close_contact');
  await c.step(mc.id, 'notified');

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.goto('/management/board');
    const count = async (state) => Number((await page.getByTestId(`board-state-${state}`).innerText()).trim());
    await page.getByTestId('board-active').filter({ hasText: /\d/ }).waitFor();
    const notified = await count('notified');
    const transferred = await count('transferred');
    assert.ok(notified >= 1);

    // The worker, in another browser, records the step in the case drawer.
    await withPage(ctx.browser, t, async (w) => {
      await signIn(w, 'community_worker');
      await w.goto('/management/cases');
      await w.getByTestId('cases-table').locator('tr', { hasText: '转运测试' }).first().click();
      const drawer = w.getByTestId('case-drawer');
      await drawer.getByTestId('drawer-state').filter({ hasText: '已告知' }).waitFor();
      await drawer.getByTestId('step-transferred').click();
      await drawer.getByTestId('step-note').fill('专车转运至隔离酒店');
      await drawer.getByTestId('step-save').click();
      await drawer.getByTestId('drawer-state').filter({ hasText: '已转运' }).waitFor();
      assert.match(await drawer.getByTestId('drawer-events').innerText(), /已告知 → 已转运/);
    }, { viewport: DESKTOP, baseURL: ctx.server.url });

    await page.getByTestId('board-refresh').click();
    await page.getByTestId('board-state-transferred').filter({ hasText: String(transferred + 1) }).waitFor();
    assert.equal(await count('notified'), notified - 1);
  }, { viewport: { width: 1920, height: 1080 }, baseURL: ctx.server.url });
});

test('the board lists the 100 most overdue and leads to every one of them; the to-dos come a page at a time', async (t) => {
  const c = await city();
  // 101 close contacts of a case reported 30 hours ago, none under control yet: each is overdue.
  const reported = Date.now() - 30 * 3600_000;
  for (let i = 0; i < 101; i++) {
    const p = await c.worker.post('/api/v1/persons', { id_number: newIdNumber(), name: `超时看板${i}`, phone: '13900000003', division_id: c.compound.id });
    assert.equal(p.status, 201, p.text);
    const r = await c.commander.post('/api/v1/management/cases', { person_id: p.json.id, measure: 'close_contact', exposure_at: iso(reported - 3600_000), case_reported_at: iso(reported) });
    assert.equal(r.status, 201, r.text);
  }
  // And one whose first test days (quarantine days 1 and 2) have passed with no test.
  const late = await c.worker.post('/api/v1/persons', { id_number: newIdNumber(), name: '超时核酸', phone: '13900000004', division_id: c.compound.id });
  assert.equal(late.status, 201, late.text);
  const threeDays = Date.now() - 3 * 86400_000;
  assert.equal((await c.commander.post('/api/v1/management/cases', { person_id: late.json.id, measure: 'close_contact', exposure_at: iso(threeDays), case_reported_at: iso(threeDays) })).status, 201);
  const total = (await c.commander.get('/api/v1/management/board')).json.overdue_total;
  assert.ok(total >= 101, `${total} overdue`);

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.goto('/management/board');
    const badge = page.getByTestId('board-overdue-total');
    await badge.filter({ hasText: String(total) }).waitFor();
    assert.equal(await page.getByTestId('board-overdue').locator('tr.el-table__row').count(), 100, 'the 100 most overdue');
    // Each row names the earliest deadline missed and how many there are; every one of them on hover.
    const items = page.getByTestId('board-overdue-items').first();
    const [shown, every] = [await items.innerText(), await items.getAttribute('title')];
    assert.doesNotMatch(shown, /、/, shown);
    const n = every.split('、').length;
    if (n > 1) assert.match(shown, new RegExp(`等 ${n} 项$`), `${shown} / ${every}`);
    else assert.equal(shown, every);
    const { sh } = await page.evaluate(() => ({ sh: document.documentElement.scrollHeight }));
    assert.ok(sh < 2200, `the board stays a screen or two high (${sh} px)`);
    const all = page.getByTestId('board-overdue-all');
    assert.match(await all.innerText(), new RegExp(`前 100 人[\\s\\S]*全部 ${total} 人`));
    await all.click();
    await page.waitForURL(/\/management\/cases\?overdue=1$/);
    await page.getByTestId('cases-table').locator('tr.el-table__row').first().waitFor();
    assert.ok(await page.getByTestId('cases-overdue').evaluate((el) => el.classList.contains('is-checked')), 'the overdue filter is on');
    await page.locator('.list-pagination .el-pagination__total').filter({ hasText: String(total) }).waitFor();

    // The to-dos, a page at a time: each of them is an overdue step, and the kind filter keeps those.
    const todos = (await c.commander.get('/api/v1/management/todos?kind=overdue_step&page_size=1')).json.total;
    assert.ok(todos >= 101, `${todos} overdue steps to do`);
    await page.goto('/todos');
    const rows = page.getByTestId('todo-table').locator('tr.el-table__row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20, 'one page');
    await page.getByTestId('todo-kind-filter').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '环节超时' }).click();
    await page.getByTestId('todo-pager').locator('.el-pagination__total').filter({ hasText: new RegExp(`\\b${todos}\\b`) }).waitFor();
    const kinds = await page.getByTestId('todo-kind').allInnerTexts();
    assert.ok(kinds.length === 20 && kinds.every((k) => k === '环节超时'), kinds.join());
    // A missed test day reads as one, in the page's language.
    await page.getByTestId('todo-kind-filter').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '核酸超时' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=todo-kind]')].every((e) => e.innerText === '核酸超时'));
    const details = await page.getByTestId('todo-detail').allInnerTexts();
    assert.ok(details.length > 0 && details.every((d) => /^隔离第 \d+ 天核酸$/.test(d)), details.join());
  }, { viewport: { width: 1920, height: 1080 }, baseURL: ctx.server.url });
});

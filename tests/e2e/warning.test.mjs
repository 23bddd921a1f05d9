// The early-warning bar in Chromium: a pharmacy CSV with a rise in one
// district is imported, the alarm shows on the chart, a positive test in the
// same district escalates it into a multi-point alert, and the duty officer
// (commander) verifies and confirms it. Then the wall screen at 1920×1080.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, signIn, withPage } from './browser.mjs';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';

const ctx = useServerAndBrowser();
const DAY = 24 * 3600 * 1000;
const localDay = (back = 0) => new Date(Date.now() + 8 * 3600 * 1000 - back * DAY).toISOString().slice(0, 10);

function pharmacyCsv() {
  const rows = ['date,division_code,channel,count,source'];
  for (let back = 27; back >= 1; back--) rows.push(`${localDay(back)},140702,pharmacy,${18 + ((back * 3) % 5)},大药房连锁`);
  rows.push(`${localDay(0)},140702,pharmacy,64,大药房连锁`);
  return rows.join('\n') + '\n';
}

test('import a pharmacy rise, see the alarm, a positive test escalates it, the commander confirms', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('menu-warningImport').click();
    await page.getByTestId('import-file').setInputFiles({ name: '药店销售.csv', mimeType: 'text/csv', buffer: Buffer.from(pharmacyCsv()) });
    await page.getByTestId('import-result').waitFor();
    assert.match(await page.getByTestId('import-result').innerText(), /新增 28 条/);
    const signals = await page.getByTestId('import-signals').innerText();
    assert.match(signals, new RegExp(`140702[\\s\\S]*药店[\\s\\S]*${localDay(0)}[\\s\\S]*64`));

    // The signal's link opens the dashboard on that district's pharmacy series.
    await page.getByTestId('import-signals').getByRole('link').first().click();
    await page.getByTestId(`alarm-${localDay(0)}`).waitFor();
    assert.match(await page.getByTestId(`alarm-${localDay(0)}`).innerText(), /64 > \d+\.\d/);
    assert.equal(await page.getByTestId('series-chart').getAttribute('data-alarms'), '1');
    assert.equal(await page.getByTestId('district-140702').getAttribute('data-level'), 'yellow');
    assert.equal(await page.getByTestId('district-140703').getAttribute('data-level'), 'green');

    // A positive nucleic acid test for a resident of the same district (Yuci).
    const cw = await login(ctx.server.url, 'community_worker');
    const lab = await login(ctx.server.url, 'lab');
    const yinhai = (await cw.get('/api/v1/divisions?q=140702002001')).json.items[0];
    const compound = (await cw.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items[0];
    const person = (await cw.post('/api/v1/persons', { id_number: newIdNumber(), name: '阳性病例', division_id: compound.id })).json;
    const r = await lab.post(`/api/v1/persons/${person.id}/tests`, { sampled_at: new Date(Date.now() - 2 * 3600 * 1000).toISOString(), result: 'positive' });
    assert.equal(r.status, 201, r.text);

    await page.reload();
    const multi = page.locator('[data-testid^="dash-alert-"][data-kind="multi_point"]');
    await multi.waitFor();
    assert.equal(await page.getByTestId('district-140702').getAttribute('data-level'), 'red');
    assert.match(await multi.innerText(), /多点触发[\s\S]*榆次区[\s\S]*新预警/);
    // The bell in the header counts the new alerts.
    assert.match(await page.getByTestId('alert-bell').innerText(), /[1-9]/);

    // The duty officer works it: verify, then confirm with the response's owner.
    await multi.click();
    const drawer = page.getByTestId('alert-drawer');
    await drawer.waitFor();
    const evidence = await page.getByTestId('alert-evidence').innerText();
    assert.match(evidence, /药店退热止咳药[\s\S]*64/);
    assert.match(evidence, /核酸阳性/);
    await page.getByTestId('action-verify').click();
    await page.locator('[data-testid="alert-status"][data-status="verifying"]').waitFor();
    assert.notEqual(await page.getByTestId('alert-verify-time').innerText(), '—');
    await page.getByTestId('confirm-owner').fill('榆次区疾控中心 王主任');
    await page.getByTestId('action-confirm').click();
    await page.locator('[data-testid="alert-status"][data-status="confirmed"]').waitFor();
    assert.match(await drawer.innerText(), /榆次区疾控中心 王主任/);
    assert.match(await drawer.innerText(), /确认 · commander/);

    // What the page showed is what the server stored.
    const id = Number(new URL(page.url()).searchParams.get('id'));
    const stored = await (await page.request.get(`/api/v1/warning/alerts/${id}`)).json();
    assert.equal(stored.kind, 'multi_point');
    assert.equal(stored.status, 'confirmed');
    assert.equal(stored.response_owner, '榆次区疾控中心 王主任');
  }, { baseURL: ctx.server.url });
});

test('the wall screen fits the 11 districts and the chart on one 1920×1080 screen, without the menu', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.goto('/warning/wall?district=140702&channel=pharmacy');
    await page.getByTestId('district-140781').waitFor();
    await page.getByTestId('series-chart').waitFor();
    assert.equal(await page.getByTestId('logout').count(), 0, 'no app header on the wall');
    const tiles = page.locator('[data-testid^="district-"]');
    assert.equal(await tiles.count(), 11);
    for (const box of await tiles.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
      assert.ok(box.bottom <= 1080 && box.right <= 1920, JSON.stringify(box));
    }
    const chart = await page.getByTestId('series-chart').boundingBox();
    assert.ok(chart.y + chart.height <= 1080, `chart ends at ${chart.y + chart.height}`);
    const size = await page.locator('.tile-name').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(size >= 24, `district names in ${size}px type`);
  }, { baseURL: ctx.server.url, viewport: { width: 1920, height: 1080 } });
});

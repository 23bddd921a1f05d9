// Pushed lists end to end in Chromium: the district uploads a list, sees the
// unmatched people assigned to a worker; the worker registers one of the
// unregistered people from the list and the board moves. A resident sees
// only the self-registration form and registers from a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { DESKTOP, PHONE, useServerAndBrowser, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

test('upload a pushed list, see who is assigned, register one and watch the board move', async (t) => {
  const worker = await login(ctx.server.url, 'community_worker');
  const yinhai = (await worker.get('/api/v1/divisions?q=140702002001')).json.items.find((d) => d.code === '140702002001');
  const compound = (await worker.get(`/api/v1/divisions?parent_id=${yinhai.id}`)).json.items[0];
  const known = newIdNumber('19810203');
  const p = await worker.post('/api/v1/persons', { id_number: known, name: '孙已知', phone: '13512345678', division_id: compound.id });
  assert.equal(p.status, 201, p.text);
  const stranger = newIdNumber('19790101');
  const csv = `姓名,身份证号,联系电话,来源地,抵达日期\r\n孙已知,${known},,北京市朝阳区,2021-08-03\r\n陌生人,${stranger},,西安市,2021-08-03\r\n`;

  let listUrl = '';
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('menu-pushLists').click();
    await page.getByTestId('push-file').setInputFiles({ name: '核查名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('push-upload').click();
    await page.waitForURL(/\/push-lists\/\d+$/);
    listUrl = new URL(page.url()).pathname;
    await page.getByTestId('push-board').waitFor();
    assert.equal((await page.getByTestId('stat-total').locator('.value').innerText()).trim(), '2');
    assert.equal((await page.getByTestId('stat-open').locator('.value').innerText()).trim(), '2');
    assert.equal((await page.getByTestId('stat-unmatched').locator('.value').innerText()).trim(), '1');
    // The stranger is unmatched and with the community's worker.
    await page.getByTestId('bucket-3').waitFor();
    assert.equal((await page.getByTestId('bucket-3').innerText()).trim(), '未匹配');
    assert.equal((await page.getByTestId('assignee-3').innerText()).trim(), '银海心悦社区网格员');
  }, { viewport: DESKTOP, baseURL: ctx.server.url });

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'community_worker');
    await page.getByTestId('menu-pushTodo').click();
    await page.getByTestId('register-2').click();
    await page.waitForURL(/\/returnee\?person_id=/);
    await page.getByTestId('returnee-person').waitFor();
    assert.match(await page.getByTestId('returnee-person').innerText(), /孙已知/);
    await page.getByTestId('returnee-origin').fill('140781');
    await page.getByTestId('returnee-transport').getByText('自驾').click();
    await page.getByTestId('returnee-phone').fill('13512345678');
    await page.getByTestId('returnee-submit').click();
    await page.getByTestId('returnee-measure').getByText('无需管控').waitFor();
    await page.goto(listUrl);
    await page.getByTestId('push-board').waitFor();
    await page.getByTestId('outcome-2').getByText('已找到并登记').waitFor();
    assert.equal((await page.getByTestId('stat-open').locator('.value').innerText()).trim(), '1');
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

test('a resident sees only the self-registration form and registers from a phone', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'resident');
    await page.goto('/returnee');
    await page.getByTestId('returnee-origin').fill('110105');
    // The origin's risk areas in force are offered; the demo has a medium-risk one in Chaoyang.
    await page.getByTestId('returnee-areas').waitFor();
    await page.getByTestId('returnee-areas').getByText('中风险').click();
    await page.getByTestId('returnee-measure').getByText('7天居家隔离').waitFor();
    await page.getByTestId('returnee-transport-no').fill('G603');
    await page.getByTestId('returnee-phone').fill('13700001111');
    await page.getByTestId('returnee-submit').click();
    await page.getByText('登记成功').waitFor();
    assert.equal(await page.getByTestId('returnee-person').count(), 0, 'no picking of other people');
  }, { viewport: PHONE, baseURL: ctx.server.url });
});

test('a worker imports a roster: a bad file is reported row by row, a good one fills the tree', async (t) => {
  const ok = newIdNumber('19650505');
  const bad = ok.slice(0, 17) + (ok[17] === '5' ? '6' : '5');
  const head = '姓名,身份证号,联系电话,小区,楼栋,单元,房号\r\n';
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'community_worker');
    await page.getByTestId('menu-roster').click();
    await page.getByTestId('roster-tree').getByText('银海心悦社区').waitFor();
    await page.getByTestId('roster-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`${head}周好,${ok},,鑫发小区,1号楼,1单元,101\r\n周坏,${bad},,鑫发小区,1号楼,1单元,102\r\n`) });
    const report = page.getByTestId('error-report');
    await report.getByText(/check digit/).waitFor();
    assert.match(await report.innerText(), /\b3\b/);
    await page.keyboard.press('Escape');
    await report.waitFor({ state: 'hidden' });
    await page.getByTestId('roster-file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`${head}周好,${ok},,鑫发小区,1号楼,9单元,909\r\n`) });
    await page.getByText('新增 1 人').waitFor();
    await page.getByTestId('roster-tree').getByText('909').waitFor();
    await page.getByTestId('roster-tree').getByText('909').click();
    await page.getByTestId('roster-table').getByText('周好').waitFor();
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

// Contact tracing in the browser: a commander picks an index person, gives an
// onset, starts a trace; the person scanned in right after at the same door
// appears as a close contact with the venue as evidence, met through the index
// case by name (a click on it filters by it); the graph is drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newIdNumber } from '../lib/codes.mjs';
import { useServerAndBrowser, withPage, startTraceOf, hallScenario, signIn } from './browser.mjs';
import { login } from '../lib/harness.mjs';

const ctx = useServerAndBrowser();

test('a commander traces a case: the contact, its evidence, the network graph', async (t) => {
  const srv = ctx.server;
  const hall = await hallScenario(srv);
  const ids = [newIdNumber('19800101'), newIdNumber('19810202')];
  const names = ['甲流调', '乙密接'];
  for (let i = 0; i < 2; i++) {
    await hall.register(ids[i], names[i]);
    await hall.scanIn(ids[i]);
  }

  await withPage(ctx.browser, t, async (page) => {
    await startTraceOf(page, names[0]);
    const contacts = page.getByTestId('tracing-contacts');
    const row = contacts.locator('tr').filter({ hasText: names[1] }).first();
    await row.waitFor({ timeout: 20000 });
    assert.match(await row.innerText(), /密切接触者/);
    assert.match(await row.innerText(), /晋中市民之家/);
    assert.match(await row.innerText(), /密切接触者[\s\S]*密切接触者/, 'the management column in words, not its code');
    assert.doesNotMatch(await row.innerText(), /close_contact/);
    assert.ok(!(await page.content()).includes(ids[1]), 'no identity number in clear');
    // The index case by name: in the job's title, the job list, and as the contact's "via".
    assert.equal((await row.getByTestId('tracing-via').innerText()).trim(), names[0]);
    assert.match(await page.getByTestId('tracing-job-cases').innerText(), new RegExp(names[0]));
    assert.match(await page.getByTestId('tracing-jobs').locator('tr.el-table__row').first().innerText(), new RegExp(names[0]));
    await page.getByTestId('tracing-graph').locator('canvas').waitFor();
    // Clicking the via lists the contacts met through that person alone, and the filter names them.
    const viaFilter = page.getByTestId('tracing-filter-via');
    await row.getByTestId('tracing-via').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=tracing-filter-via]')?.innerText.includes(n), names[0]);
    const vias = await contacts.getByTestId('tracing-via').allInnerTexts();
    assert.ok(vias.length > 0 && vias.every((v) => v.trim() === names[0]), vias.join());
    await viaFilter.hover();
    await viaFilter.locator('.el-select__clear, .el-input__clear').first().click();
    await page.waitForFunction((n) => !document.querySelector('[data-testid=tracing-filter-via]')?.innerText.includes(n), names[0]);
    // The list comes a page at a time; the name filter finds one contact among them.
    const pager = page.getByTestId('tracing-contacts-pager');
    const byName = page.getByTestId('tracing-filter-name');  // el-input puts it on the input itself
    await byName.fill(names[1]);
    await byName.press('Enter');
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('[data-testid=tracing-contacts] tr.el-table__row')];
      return rows.length > 0 && rows.every((r) => r.innerText.includes(n));
    }, names[1]);
    assert.match(await pager.innerText(), /(共|Total)\s*1\b/);
  }, { baseURL: srv.url });
});

test('a job of many index cases names the first five and says how many there are', async (t) => {
  const srv = ctx.server;
  const hall = await hallScenario(srv);
  const names = ['子一', '子二', '子三', '子四', '子五', '子六', '子七'].map((n) => `多例${n}`);
  const cases = [];
  for (const [i, name] of names.entries()) {
    const p = await hall.register(newIdNumber(`1979010${i + 1}`), name);
    cases.push({ person_id: p.id, onset: new Date(Date.now() - 3600_000).toISOString() });
  }
  const commander = await login(srv.url, 'commander');
  const started = await commander.post('/api/v1/tracing/jobs', { cases });
  assert.equal(started.status, 202, started.text);

  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.goto('/tracing');
    const row = page.getByTestId('tracing-jobs').locator('tr.el-table__row').filter({ hasText: names[0] }).first();
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, new RegExp(`${names.slice(0, 5).join('、')}等 7 人`));
    assert.doesNotMatch(text, new RegExp(names[5]), 'the sixth is left to the tooltip');
    assert.match(await row.locator('[title]').first().getAttribute('title'), new RegExp(names.join('、')));
    await row.click();
    await page.getByTestId('tracing-job-cases').filter({ hasText: '等 7 人' }).waitFor({ timeout: 20000 });
  }, { baseURL: srv.url });
});

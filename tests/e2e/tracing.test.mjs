// Contact tracing in the browser: a commander picks an index person, gives an
// onset, starts a trace; the person scanned in right after at the same door
// appears as a close contact with the venue as evidence; the graph is drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { useServerAndBrowser, withPage, chooseIndexPerson } from './browser.mjs';

const ctx = useServerAndBrowser();

test('a commander traces a case: the contact, its evidence, the network graph', async (t) => {
  const srv = ctx.server;
  const cw = await login(srv.url, 'community_worker');
  const admin = await login(srv.url, 'admin');
  const staff = await login(srv.url, 'venue_staff');
  const yinhai = (await admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
  const compound = (await admin.get(`/api/v1/divisions?parent_id=${yinhai.id}`)).json.items[0];
  const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  const ids = [newIdNumber('19800101'), newIdNumber('19810202')];
  const names = ['甲流调', '乙密接'];
  for (let i = 0; i < 2; i++) {
    const p = await cw.post('/api/v1/persons', { id_number: ids[i], name: names[i], division_id: compound.id });
    assert.equal(p.status, 201, p.text);
    const s = await staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', id_number: ids[i], temperature_c: 36.5, mask: true });
    assert.equal(s.json.decision, 'pass', s.text);
  }

  await withPage(ctx.browser, t, async (page) => {
    await chooseIndexPerson(page, names[0]);
    const hourAgo = new Date(Date.now() - 3600_000);
    const local = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60000).toISOString().slice(0, 19).replace('T', ' ');
    const onset = page.locator('.el-date-editor input').first();
    await onset.fill(local);
    await onset.press('Enter');
    await page.getByRole('heading', { name: '流调溯源' }).click();
    await page.getByTestId('tracing-start').click();
    const contacts = page.getByTestId('tracing-contacts');
    const row = contacts.locator('tr').filter({ hasText: names[1] }).first();
    await row.waitFor({ timeout: 20000 });
    assert.match(await row.innerText(), /密切接触者/);
    assert.match(await row.innerText(), /晋中市民之家/);
    assert.match(await row.innerText(), /密切接触者[\s\S]*密切接触者/, 'the management column in words, not its code');
    assert.doesNotMatch(await row.innerText(), /close_contact/);
    assert.ok(!(await page.content()).includes(ids[1]), 'no identity number in clear');
    await page.getByTestId('tracing-graph').locator('canvas').waitFor();
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

// The whole loop of issue 5 in the browser: a person is reported positive by
// the lab, the command center traces them, the contact appears with its
// evidence, the contact's health code turns red, a community worker marks the
// contact transferred, and the command center's board moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { DESKTOP, useServerAndBrowser, signIn, withPage, chooseIndexPerson } from './browser.mjs';

const ctx = useServerAndBrowser();

test('reported positive → traced → the contact is red, transferred, and counted on the board', async (t) => {
  const url = ctx.server.url;
  const [worker, admin, staff, lab, commander] = await Promise.all(
    ['community_worker', 'admin', 'venue_staff', 'lab', 'commander'].map((r) => login(url, r)));
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  const ids = [newIdNumber('19750505'), newIdNumber('19760606')];
  const names = ['闭环阳性', '闭环密接'];
  const persons = [];
  for (let i = 0; i < 2; i++) {
    const p = await worker.post('/api/v1/persons', { id_number: ids[i], name: names[i], division_id: compound.id });
    assert.equal(p.status, 201, p.text);
    persons.push(p.json);
    const s = await staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', id_number: ids[i], temperature_c: 36.6, mask: true });
    assert.equal(s.json.decision, 'pass', s.text);
  }
  // The lab reports the first one positive (sampled an hour ago): the window starts 4 days before the sample.
  const positive = await lab.post(`/api/v1/persons/${persons[0].id}/tests`, { sampled_at: new Date(Date.now() - 3600_000).toISOString(), result: 'positive' });
  assert.equal(positive.status, 201, positive.text);
  assert.equal((await commander.get(`/api/v1/persons/${persons[1].id}/health-code`)).json.color, 'green', 'not yet traced');

  await withPage(ctx.browser, t, async (page) => {
    await chooseIndexPerson(page, names[0]); // no onset: the positive sample decides
    await page.getByTestId('tracing-start').click();
    const row = page.getByTestId('tracing-contacts').locator('tr').filter({ hasText: names[1] }).first();
    await row.waitFor({ timeout: 20000 });
    assert.match(await row.innerText(), /密切接触者/);
    assert.match(await row.innerText(), /晋中市民之家/);
  }, { viewport: DESKTOP, baseURL: url });

  // The contact is under management, and its code follows: red for a close contact.
  const code = (await commander.get(`/api/v1/persons/${persons[1].id}/health-code`)).json;
  assert.equal(code.color, 'red', JSON.stringify(code.reasons));
  const cases = (await worker.get(`/api/v1/management/cases?q=${encodeURIComponent(names[1])}`)).json.items
    .filter((x) => x.person_id === persons[1].id);
  assert.equal(cases.length, 1, 'one managed case for the contact');
  assert.equal(cases[0].measure, 'close_contact');
  const notified = await worker.post(`/api/v1/management/cases/${cases[0].id}/transitions`, { to: 'notified', note: '电话告知' });
  assert.equal(notified.status, 200, notified.text);

  await withPage(ctx.browser, t, async (board) => {
    await signIn(board, 'commander');
    await board.goto('/management/board');
    const count = async (state) => Number((await board.getByTestId(`board-state-${state}`).innerText()).trim());
    await board.getByTestId('board-active').filter({ hasText: /\d/ }).waitFor();
    const transferred = await count('transferred');

    await withPage(ctx.browser, t, async (w) => {
      await signIn(w, 'community_worker');
      await w.goto('/management/cases');
      await w.getByTestId('cases-table').locator('tr', { hasText: names[1] }).first().click();
      const drawer = w.getByTestId('case-drawer');
      await drawer.getByTestId('drawer-state').filter({ hasText: '已告知' }).waitFor();
      await drawer.getByTestId('step-transferred').click();
      await drawer.getByTestId('step-note').fill('专车转运至集中隔离点');
      await drawer.getByTestId('step-save').click();
      await drawer.getByTestId('drawer-state').filter({ hasText: '已转运' }).waitFor();
    }, { viewport: DESKTOP, baseURL: url });

    await board.getByTestId('board-refresh').click();
    await board.getByTestId('board-state-transferred').filter({ hasText: String(transferred + 1) }).waitFor();
  }, { viewport: { width: 1920, height: 1080 }, baseURL: url });
});

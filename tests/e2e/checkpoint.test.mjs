// The door of a venue, end to end in the browser: a resident's code shown on
// one phone is scanned on another, a fever stops and opens a handover that the
// venue's day lists, and scans made while the network is down are queued and
// sent once, in order, when it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { PHONE, DESKTOP, useServerAndBrowser, signIn, withPage, zoneOnAnotherDay } from './browser.mjs';

const ctx = useServerAndBrowser();

/** API clients and places of the demo city. */
async function city() {
  const url = ctx.server.url;
  const admin = await login(url, 'admin');
  const staff = await login(url, 'venue_staff');
  const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  const register = async (name) => {
    const r = await admin.post('/api/v1/persons', { id_number: newIdNumber(), name, phone: '13900000001', division_id: compound.id });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const checkins = async () => (await staff.get(`/api/v1/venues/${hall.id}/checkins?page_size=500`)).json;
  const token = async (personId) => (await admin.get(`/api/v1/persons/${personId}/health-code`)).json.token;
  return { admin, staff, hall, register, checkins, token };
}

/** Opens the checkpoint on a phone at the hall's east entrance (东门入口, in). */
async function openCheckpoint(page) {
  await signIn(page, 'venue_staff');
  await page.goto('/checkpoint');
  await page.getByTestId('station-setup').getByText('东门入口').click();
  await page.getByTestId('wedge-input').waitFor();
  assert.match(await page.getByTestId('station-door').innerText(), /东门入口 · 进场/);
}

/** What a keyboard-wedge scanner does: types the code, then Enter. */
async function wedgeScan(page, token) {
  await page.getByTestId('wedge-input').fill(token);
  await page.getByTestId('wedge-input').press('Enter');
  const result = page.getByTestId('scan-result');
  await result.waitFor();
  return result;
}

test("a resident's code on /my-code is scanned at the venue's door and passes", async (t) => {
  const c = await city();
  const person = await c.register('张卫东');
  const { json: users } = await c.admin.get('/api/v1/users?q=resident&role=resident');
  const resident = users.items.find((u) => u.username === 'resident');
  assert.equal((await c.admin.post(`/api/v1/users/${resident.id}/person`, { person_id: person.id })).status, 204);

  await withPage(ctx.browser, t, async (phone) => {
    await phone.clock.install(); // time runs as usual, and can be fast-forwarded
    await signIn(phone, 'resident');
    await phone.goto('/my-code');
    const card = phone.getByTestId('code-card');
    await card.waitFor();
    assert.equal(await card.getAttribute('data-color'), 'green');
    assert.equal((await phone.getByTestId('code-color').innerText()).trim(), '绿码');
    assert.equal((await phone.getByTestId('code-name').innerText()).trim(), '张卫东');
    assert.equal(await phone.getByTestId('code-qr').locator('svg').count(), 1, 'the QR is drawn inline');
    assert.match(await phone.getByTestId('code-countdown').innerText(), /\d:\d\d/);
    const first = await phone.getByTestId('code-qr').getAttribute('data-token');
    assert.match(first, /^[A-Za-z0-9_-]{132}$/);
    // Tokens live 3 minutes: the page fetches a fresh one before the shown one expires.
    const renewed = phone.waitForResponse((r) => r.url().includes('/api/v1/me/health-code'));
    await phone.clock.fastForward('02:45');
    await renewed;
    await phone.waitForFunction((old) => document.querySelector('[data-testid="code-qr"]')?.dataset.token !== old, first);
    const token = await phone.getByTestId('code-qr').getAttribute('data-token');
    assert.match(token, /^[A-Za-z0-9_-]{132}$/);

    await withPage(ctx.browser, t, async (door) => {
      await openCheckpoint(door);
      const before = (await c.checkins()).total;
      const result = await wedgeScan(door, token);
      assert.equal(await result.getAttribute('data-decision'), 'pass');
      assert.equal((await door.getByTestId('scan-result-title').innerText()).trim(), '通行');
      assert.equal((await door.getByTestId('scan-result-color').innerText()).trim(), '绿码');
      const bg = await result.evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, 'rgb(20, 137, 60)', 'a green screen');
      await result.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
      const box = await result.boundingBox();
      assert.deepEqual([box.width, box.height], [PHONE.width, PHONE.height], 'the answer fills the screen');
      // A pass gives way by itself, ready for the next person.
      await result.waitFor({ state: 'detached', timeout: 5000 });
      const after = await c.checkins();
      assert.equal(after.total, before + 1);
      assert.equal(after.items[0].person_id, person.id);
      assert.equal(after.items[0].decision, 'pass');
      assert.equal(after.items[0].temperature_c, 36.5);
      assert.equal(after.items[0].mask, true);
    }, { viewport: PHONE, baseURL: ctx.server.url });
  }, { viewport: PHONE, baseURL: ctx.server.url });
});

test('a fever stops at the door with its reason, and the handover waits in the venue view', async (t) => {
  const c = await city();
  const person = await c.register('李发热');
  const token = await c.token(person.id);
  let handoverId;
  await withPage(ctx.browser, t, async (door) => {
    await openCheckpoint(door);
    await door.getByTestId('temp-input').fill('38.5');
    await door.getByTestId('temp-input').press('Enter');
    assert.equal(await door.getByTestId('temp-input').inputValue(), '38.5');
    const answer = door.waitForResponse((r) => r.url().endsWith('/api/v1/checkpoints/scan'));
    const result = await wedgeScan(door, token);
    handoverId = (await (await answer).json()).handover_id;
    assert.ok(handoverId, 'the scan opened a handover');
    assert.equal(await result.getAttribute('data-decision'), 'stop');
    assert.equal((await door.getByTestId('scan-result-title').innerText()).trim(), '禁止通行');
    assert.match(await door.getByTestId('scan-result-reasons').innerText(), /体温38\.5°C，请到发热门诊就诊/);
    await door.getByTestId('scan-result-handover').waitFor();
    const bg = await result.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(200, 30, 30)', 'a red screen');
    // A stop stays until someone taps it; the next reading starts at 36.5 again.
    await door.waitForTimeout(3500);
    assert.equal(await result.isVisible(), true);
    await result.click();
    await result.waitFor({ state: 'detached' });
    assert.equal(await door.getByTestId('temp-input').inputValue(), '36.5');
    assert.match(await door.getByTestId('recent').innerText(), /禁止通行/);
  }, { viewport: PHONE, baseURL: ctx.server.url });

  // The venue's day is the city's day, also on a computer whose clock is set to a zone on another date.
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'venue_staff');
    // Venue staff reach their venue's day from the menu.
    await page.getByTestId('menu-venueToday').click();
    await page.waitForURL(`**/venues/${c.hall.id}/today`);
    const row = page.locator(`[data-testid="handover-row"][data-handover="${handoverId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /38\.5°C/);
    assert.match(await row.innerText(), new RegExp(`人员编号 ${person.id}`));
    assert.notEqual((await page.getByTestId('stat-fevers').innerText()).match(/\d+/)[0], '0');
    await page.getByTestId('hourly-chart').locator('canvas').first().waitFor();
    // The check-in is in the day's table, its temperature marked.
    await page.getByTestId('checkin-table').locator('.fever', { hasText: '38.5' }).first().waitFor();

    // Closing it with an outcome.
    await row.getByTestId('handover-close').click();
    await page.getByTestId('outcome-toClinic').click();
    await page.getByTestId('handover-close-save').click();
    await row.waitFor({ state: 'detached' });
    const open = (await c.staff.get(`/api/v1/handovers?venue_id=${c.hall.id}&status=open`)).json.items;
    assert.equal(open.some((h) => h.id === handoverId), false);
    const closed = (await c.staff.get(`/api/v1/handovers?venue_id=${c.hall.id}&status=closed`)).json.items.find((h) => h.id === handoverId);
    assert.equal(closed.outcome, '已送至发热门诊');
  }, { viewport: DESKTOP, baseURL: ctx.server.url, timezoneId: zoneOnAnotherDay() });
});

test('offline: a scan is queued, sent once when the network is back, and none is lost or doubled', async (t) => {
  const c = await city();
  const person = await c.register('王离线');
  const token = await c.token(person.id);
  await withPage(ctx.browser, t, async (door) => {
    await openCheckpoint(door);
    const count = door.getByTestId('queue-count');
    assert.equal(await count.textContent(), '0');
    const before = (await c.checkins()).total;

    await door.context().setOffline(true);
    await door.getByTestId('net-status').filter({ hasText: '离线' }).waitFor();
    const result = await wedgeScan(door, token);
    // No decision yet: neither pass nor stop.
    assert.equal(await result.getAttribute('data-decision'), 'queued');
    assert.equal((await door.getByTestId('scan-result-title').innerText()).trim(), '已离线排队');
    assert.equal(await door.getByTestId('scan-result-reasons').count(), 0);
    await result.click();
    assert.equal(await count.textContent(), '1');
    assert.match(await door.getByTestId('queue-banner').innerText(), /已离线排队 1 条/);
    assert.equal((await c.checkins()).total, before, 'nothing reached the server');
    const stored = await door.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('epinet.checkpoint.queue.')));
    assert.equal(stored.length, 1, 'the queue is kept in localStorage');
    const [queued] = JSON.parse(stored[0][1]);
    assert.ok(queued.id, 'with a client-generated id');
    assert.equal(queued.body.token, token);

    await door.context().setOffline(false);
    await door.waitForFunction(() => document.querySelector('[data-testid="queue-count"]')?.textContent === '0');
    await door.getByTestId('queue-banner').waitFor({ state: 'detached' });
    const replayed = door.getByTestId('replayed-row');
    await replayed.first().waitFor();
    assert.match(await replayed.first().innerText(), /通行/);

    // Exactly one check-in for it, even after the next retry round.
    await door.waitForTimeout(1500);
    const after = await c.checkins();
    assert.equal(after.total, before + 1);
    assert.equal(after.items.filter((k) => k.person_id === person.id).length, 1);
    assert.equal(after.items[0].decision, 'pass');
    assert.equal(await door.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('epinet.checkpoint.queue.')).length), 0);
  }, { viewport: PHONE, baseURL: ctx.server.url });
});

test('a scan whose request fails before any answer is queued and sent on the next retry', async (t) => {
  const c = await city();
  const person = await c.register('赵断网');
  const token = await c.token(person.id);
  await withPage(ctx.browser, t, async (door) => {
    await openCheckpoint(door);
    const before = (await c.checkins()).total;
    // The browser still believes it is online; the connection fails.
    await door.route('**/api/v1/checkpoints/scan', (route) => route.abort('connectionrefused'));
    const result = await wedgeScan(door, token);
    assert.equal(await result.getAttribute('data-decision'), 'queued');
    await result.click();
    assert.equal(await door.getByTestId('queue-count').textContent(), '1');
    await door.unroute('**/api/v1/checkpoints/scan');
    await door.waitForFunction(() => document.querySelector('[data-testid="queue-count"]')?.textContent === '0', null, { timeout: 20000 });
    const after = await c.checkins();
    assert.equal(after.total, before + 1);
    assert.equal(after.items.filter((k) => k.person_id === person.id).length, 1);
  }, { viewport: PHONE, baseURL: ctx.server.url });
});

test('the special channel checks the ID number client-side, then records the person', async (t) => {
  const c = await city();
  const person = await c.register('老人甲');
  const { json: full } = await c.admin.get(`/api/v1/persons/${person.id}/id-number`);
  const id = full.id_number;
  await withPage(ctx.browser, t, async (door) => {
    await openCheckpoint(door);
    await door.getByTestId('scan-mode').getByText('专用通道').click();
    const before = (await c.checkins()).total;
    const wrong = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
    await door.getByTestId('special-id').fill(wrong);
    await door.getByTestId('special-submit').click();
    assert.match(await door.getByTestId('special-id-error').innerText(), /校验位不正确/);
    assert.equal((await c.checkins()).total, before, 'a mistyped number is not sent');
    await door.getByTestId('special-id').fill(id.toLowerCase());
    assert.equal(await door.getByTestId('special-id').inputValue(), id.toUpperCase(), 'x is shown as X');
    await door.getByTestId('special-submit').click();
    const result = door.getByTestId('scan-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-decision'), 'pass');
    const after = await c.checkins();
    assert.equal(after.total, before + 1);
    assert.equal(after.items[0].channel, 'id_card');
    assert.equal(after.items[0].person_id, person.id);
  }, { viewport: PHONE, baseURL: ctx.server.url });
});

test('an answer lost after the server recorded the scan is sent again and recorded once (client_scan_id)', async (t) => {
  const c = await city();
  const spec = (await c.admin.get('/api/v1/openapi.json')).json;
  if (!spec.components.schemas.ScanInput.properties.client_scan_id) {
    t.skip('this server does not deduplicate scans (no client_scan_id in ScanInput)');
    return;
  }
  const person = await c.register('钱重发');
  const token = await c.token(person.id);
  await withPage(ctx.browser, t, async (door) => {
    await openCheckpoint(door);
    const before = (await c.checkins()).total;
    const sent = [];
    // The request reaches the server and is recorded; the connection dies before the answer.
    await door.route('**/api/v1/checkpoints/scan', async (route) => {
      sent.push(route.request().postDataJSON());
      await route.fetch();
      await route.abort('connectionreset');
    });
    const result = await wedgeScan(door, token);
    assert.equal(await result.getAttribute('data-decision'), 'queued');
    await result.click();
    assert.equal((await c.checkins()).total, before + 1, 'the server has it already');
    await door.unroute('**/api/v1/checkpoints/scan');
    await door.waitForFunction(() => document.querySelector('[data-testid="queue-count"]')?.textContent === '0', null, { timeout: 20000 });
    assert.match(sent[0].client_scan_id, /^[A-Za-z0-9_-]{1,64}$/);
    const after = await c.checkins();
    assert.equal(after.total, before + 1, 'recorded once');
    assert.match(await door.getByTestId('replayed-row').first().innerText(), /通行/);
  }, { viewport: PHONE, baseURL: ctx.server.url });
});

// Closed-loop management and daily health reports as the command center, the
// community worker and a resident use them: enroll → codes follow, legal steps
// only, extensions never shorten, scheduled tests, release, the board, to-dos
// for missing reports, and fever reports that raise an alert and a handover.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, sql } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';

const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();

async function city(db) {
  const srv = await startServer({ db });
  const c = {};
  for (const r of ['admin', 'commander', 'community_worker', 'clinician', 'resident']) c[r] = await login(srv.url, r);
  const yinhai = (await c.admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
  const compounds = (await c.admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items;
  const register = async (name = '测试密接') => {
    const r = await c.community_worker.post('/api/v1/persons', { id_number: newIdNumber(), name, phone: '13900000001', division_id: compounds[0].id });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const code = async (personId) => {
    const r = await c.community_worker.get(`/api/v1/persons/${personId}/health-code`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const enroll = async (personId, measure, exposureAt, extra = {}) => {
    const r = await c.commander.post('/api/v1/management/cases', { person_id: personId, measure, exposure_at: iso(exposureAt), ...extra });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const step = (id, to, extra = {}, who = c.community_worker) => who.post(`/api/v1/management/cases/${id}/transitions`, { to, ...extra });
  const board = async () => (await c.commander.get('/api/v1/management/board')).json;
  return { srv, c, compounds, register, code, enroll, step, board };
}

for (const db of ['sqlite', 'postgres']) {
  describe(`closed-loop management on ${db}`, () => {
    let t;
    before(async () => { t = await city(db); });
    after(async () => { await t.srv.stop(); });

    test('enrolling a close contact turns the code red, a companion yellow; enrolling again keeps the stronger measure', async () => {
      const p = await t.register('密接甲');
      assert.equal((await t.code(p.id)).color, 'green');
      const now = Date.now();
      const mc = await t.enroll(p.id, 'close_contact', now - 3600_000, { case_reported_at: iso(now - 7200_000), note: '同一餐馆 40 分钟' });
      assert.equal(mc.state, 'identified');
      assert.equal(mc.measure, 'close_contact');
      assert.equal(mc.tests.length, 6, 'quarantine days 1, 2, 3, 5, 7 and monitoring day 3');
      assert.deepEqual(mc.tests.map((x) => `${x.phase}:${x.day}`), ['quarantine:1', 'quarantine:2', 'quarantine:3', 'quarantine:5', 'quarantine:7', 'monitoring:3']);
      assert.equal(mc.next_deadline.step, 'notify');
      const red = await t.code(p.id);
      assert.equal(red.color, 'red');
      assert.ok(red.reasons.some((r) => r.code === 'centralized_quarantine'), JSON.stringify(red.reasons));

      const again = await t.enroll(p.id, 'companion', now - 1800_000);
      assert.equal(again.id, mc.id, 'the same managed case');
      assert.equal(again.measure, 'close_contact', 'a weaker measure does not replace a stronger one');
      assert.ok(Date.parse(again.planned_end) >= Date.parse(mc.planned_end), 'never shortened');
      assert.equal((await t.code(p.id)).color, 'red');

      const q = await t.register('时空伴随者乙');
      await t.enroll(q.id, 'companion', now - 3600_000);
      const yellow = await t.code(q.id);
      assert.equal(yellow.color, 'yellow');
      assert.ok(yellow.reasons.some((r) => r.code === 'companion'));

      const audit = (await t.c.admin.get('/api/v1/audit?action=management.enroll')).json.items;
      assert.ok(audit.some((e) => e.record_id === String(mc.id) && e.actor_username === 'commander'));
    });

    test('bad enrollments are refused and change nothing', async () => {
      const p = await t.register('无效登记');
      const before = sql(t.srv, 'SELECT COUNT(*) FROM managed_cases');
      const bad = await t.c.commander.post('/api/v1/management/cases', { person_id: p.id, measure: 'friend', exposure_at: iso(Date.now()) });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'invalid_field');
      const future = await t.c.commander.post('/api/v1/management/cases', { person_id: p.id, measure: 'close_contact', exposure_at: iso(Date.now() + DAY) });
      assert.equal(future.status, 400);
      assert.equal((await t.c.commander.post('/api/v1/management/cases', { person_id: 999999, measure: 'close_contact', exposure_at: iso(Date.now()) })).status, 404);
      assert.equal((await t.c.community_worker.post('/api/v1/management/cases', { person_id: p.id, measure: 'close_contact', exposure_at: iso(Date.now()) })).status, 403,
        'a community worker records steps but does not enroll');
      assert.equal(sql(t.srv, 'SELECT COUNT(*) FROM managed_cases'), before);
      assert.equal((await t.code(p.id)).color, 'green');
    });

    test('steps move in order only; an illegal step is a 400 and changes nothing; the board counts move', async () => {
      const p = await t.register('密接丙');
      const mc = await t.enroll(p.id, 'close_contact', Date.now() - 3600_000);
      const b0 = await t.board();
      const skip = await t.step(mc.id, 'transferred');
      assert.equal(skip.status, 400);
      assert.equal(skip.json.error.code, 'illegal_transition');
      const unknown = await t.step(mc.id, 'vanished');
      assert.equal(unknown.status, 400);
      let d = (await t.c.community_worker.get(`/api/v1/management/cases/${mc.id}`)).json;
      assert.equal(d.state, 'identified');
      assert.equal(d.events.length, 1, 'only the enrollment');
      const n = await t.step(mc.id, 'notified', { note: '电话告知' });
      assert.equal(n.status, 200, n.text);
      assert.deepEqual(n.json.next_states, ['transferred', 'became_case']);
      const tr = await t.step(mc.id, 'transferred', { note: '专车转运', site: '榆次区隔离酒店 A' });
      assert.equal(tr.status, 200, tr.text);
      assert.equal(tr.json.site, '榆次区隔离酒店 A');
      const b1 = await t.board();
      assert.equal(b1.by_state.identified, b0.by_state.identified - 1);
      assert.equal(b1.by_state.transferred, b0.by_state.transferred + 1);
      const district = b1.districts.find((x) => x.district_name === '榆次区');
      assert.ok(district, JSON.stringify(b1.districts));
      assert.ok(district.counts.transferred >= 1);
      const early = await t.step(mc.id, 'quarantined');
      assert.equal(early.status, 200);
      const mon = await t.step(mc.id, 'monitoring');
      assert.equal(mon.status, 400, 'home monitoring only after the 7 days of quarantine');
      assert.equal(mon.json.error.code, 'not_yet');
      const rel = await t.step(mc.id, 'released');
      assert.equal(rel.status, 400);
      d = (await t.c.commander.get(`/api/v1/management/cases/${mc.id}`)).json;
      assert.equal(d.state, 'quarantined');
      assert.deepEqual(d.events.map((e) => e.to), ['identified', 'notified', 'transferred', 'quarantined']);
      assert.equal(d.events[1].actor, 'community_worker');
      const code = await t.code(p.id);
      assert.equal(code.color, 'red');
      assert.ok(code.reasons.some((r) => r.code === 'centralized_quarantine'));
      // Out of the caller's role: a clinician has no management permission.
      assert.equal((await t.c.clinician.get(`/api/v1/management/cases/${mc.id}`)).status, 403);
      const reads = (await t.c.admin.get('/api/v1/audit?action=managed_case.read')).json.items;
      assert.ok(reads.some((e) => e.record_id === String(p.id)), 'reading a case is audited against its person');
    });

    test('an extension lengthens the period; a shortening is refused and changes nothing', async () => {
      const p = await t.register('次密接丁');
      const mc = await t.enroll(p.id, 'secondary_contact', Date.now() - 3600_000);
      assert.equal(mc.place, 'home');
      for (const days of [0, -2]) {
        const r = await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/extend`, { days, reason: '缩短' });
        assert.equal(r.status, 400);
        assert.equal(r.json.error.code, 'shortening_refused');
      }
      const noReason = await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/extend`, { days: 2 });
      assert.equal(noReason.status, 400);
      let d = (await t.c.commander.get(`/api/v1/management/cases/${mc.id}`)).json;
      assert.equal(d.planned_end, mc.planned_end);
      const ok = await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/extend`, { days: 2, reason: '同住人发热，延长观察' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(Date.parse(ok.json.planned_end) - Date.parse(mc.planned_end), 2 * DAY);
      assert.ok(ok.json.events.some((e) => e.kind === 'extend' && e.note.includes('延长')));
      const person = (await t.c.community_worker.get(`/api/v1/persons/${p.id}`)).json;
      assert.equal(person.manage_until, ok.json.planned_end, 'the code holds until the new end');
    });

    test('a negative test on a scheduled day completes it; release needs all days and tests; the code turns green', async () => {
      const p = await t.register('次密接戊');
      const exposure = Date.now() - 9 * DAY;
      const mc = await t.enroll(p.id, 'secondary_contact', exposure);
      assert.ok(Date.parse(mc.planned_end) < Date.now(), 'all 7 days passed');
      assert.equal((await t.step(mc.id, 'notified')).status, 200);
      assert.equal((await t.step(mc.id, 'quarantined')).status, 200);
      const early = await t.step(mc.id, 'released');
      assert.equal(early.status, 400);
      assert.equal(early.json.error.code, 'tests_missing');
      for (const x of mc.tests.slice(0, 2)) {
        const r = await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/tests`, { sampled_at: iso(Date.parse(x.due_from) + 3 * 3600_000), result: 'negative' });
        assert.equal(r.status, 200, r.text);
      }
      // The lab records the last one through the ordinary test endpoint.
      const last = mc.tests[2];
      const lab = await t.c.admin.post(`/api/v1/persons/${p.id}/tests`, { sampled_at: iso(Date.parse(last.due_from) + 3600_000), result: 'negative' });
      assert.equal(lab.status, 201, lab.text);
      const d = (await t.c.commander.get(`/api/v1/management/cases/${mc.id}`)).json;
      assert.deepEqual(d.tests.map((x) => x.result), ['negative', 'negative', 'negative']);
      assert.equal(d.release.allowed, true);
      const rel = await t.step(mc.id, 'released', { note: '期满解除' });
      assert.equal(rel.status, 200, rel.text);
      assert.equal((await t.code(p.id)).color, 'green');
    });

    test('a positive test makes the managed person a case', async () => {
      const p = await t.register('密接己');
      const mc = await t.enroll(p.id, 'close_contact', Date.now() - 2 * DAY);
      const r = await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/tests`, { sampled_at: iso(Date.now() - 3600_000), result: 'positive' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.state, 'became_case');
      const code = await t.code(p.id);
      assert.equal(code.color, 'red');
      assert.ok(code.reasons.some((x) => x.code === 'case' || x.code === 'test_positive'));
      assert.equal((await t.step(mc.id, 'released')).status, 400, 'a case is not released from management');
    });

    test('a missing daily report becomes a to-do for the community worker', async () => {
      const p = await t.register('居家隔离庚');
      const mc = await t.enroll(p.id, 'medium_risk_arrival', Date.now() - 2 * DAY);
      assert.equal((await t.step(mc.id, 'notified')).status, 200);
      assert.equal((await t.step(mc.id, 'quarantined')).status, 200);
      let todos = (await t.c.community_worker.get('/api/v1/management/todos')).json.items;
      assert.equal(todos.filter((x) => x.case_id === mc.id && x.kind === 'missing_report').length, 0, 'nothing owed yet');
      // A day passes (the quarantine began a day earlier than recorded).
      sql(t.srv, `UPDATE managed_cases SET state_since = state_since - ${DAY} WHERE id = ${mc.id}`);
      todos = (await t.c.community_worker.get('/api/v1/management/todos')).json.items;
      const missing = todos.filter((x) => x.case_id === mc.id && x.kind === 'missing_report');
      assert.ok(missing.length >= 1, JSON.stringify(todos));
      assert.equal(missing[0].person_name, '居家隔离庚');
      // A page at a time, newest first, filtered by kind; every page together is the whole list.
      const whole = (await t.c.community_worker.get('/api/v1/management/todos?page_size=500')).json;
      assert.equal(whole.total, whole.items.length);
      const paged = [];
      for (let page = 1; page <= whole.total; page++) {
        const r = (await t.c.community_worker.get(`/api/v1/management/todos?page_size=1&page=${page}`)).json;
        assert.equal(r.total, whole.total);
        paged.push(...r.items);
      }
      assert.deepEqual(paged.map((x) => x.id), whole.items.map((x) => x.id));
      const byKind = (await t.c.community_worker.get('/api/v1/management/todos?kind=missing_report&page_size=500')).json;
      assert.ok(byKind.items.length >= 1 && byKind.items.every((x) => x.kind === 'missing_report'));
      assert.equal(byKind.total, whole.items.filter((x) => x.kind === 'missing_report').length);
      const badKind = await t.c.community_worker.get('/api/v1/management/todos?kind=bogus');
      assert.equal(badKind.status, 400);
      assert.equal(badKind.json.error.code, 'invalid_query');
      // Seen again: no duplicate.
      const again = (await t.c.community_worker.get('/api/v1/management/todos')).json.items;
      assert.equal(again.filter((x) => x.case_id === mc.id && x.kind === 'missing_report').length, missing.length);
      // The worker reports for the person (an elderly resident) and closes the to-do.
      const rep = await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/reports`, { temperature_c: 36.6, symptoms: [] });
      assert.equal(rep.status, 201, rep.text);
      assert.equal(rep.json.fever, false);
      assert.equal(rep.json.by_worker, true);
      const noNote = await t.c.community_worker.post(`/api/v1/management/todos/${missing[0].id}/close`, {});
      assert.equal(noNote.status, 400);
      const closed = await t.c.community_worker.post(`/api/v1/management/todos/${missing[0].id}/close`, { note: '已电话联系，补报' });
      assert.equal(closed.status, 200, closed.text);
      assert.equal(closed.json.status, 'closed');
      assert.equal((await t.c.community_worker.post(`/api/v1/management/todos/${missing[0].id}/close`, { note: '再关' })).status, 409);
    });

    test('a resident reports for its household; a fever raises an alert and a fever handover', async () => {
      const me = (await t.c.resident.get('/api/v1/me/person')).json;
      const none = await t.c.resident.post('/api/v1/me/health-reports', { temperature_c: 36.5 });
      assert.equal(none.status, 409, 'not under management: nothing to report');
      const mc = await t.enroll(me.id, 'secondary_contact', Date.now() - DAY);
      assert.equal((await t.step(mc.id, 'notified')).status, 200);
      assert.equal((await t.step(mc.id, 'quarantined')).status, 200);
      const view = (await t.c.resident.get('/api/v1/me/health-reports')).json;
      const mine = view.items.find((x) => x.person_id === me.id);
      assert.equal(mine.must_report, true);
      assert.equal(view.reports_per_day, 2);
      assert.ok(view.items.length >= 2, 'the household is listed');

      const count = () => sql(t.srv, `SELECT COUNT(*) FROM health_reports WHERE person_id = ${me.id}`);
      const before = count();
      for (const bad of [{ temperature_c: 50 }, { temperature_c: '37' }, { temperature_c: 36.5, symptoms: ['hiccups'] }, {}]) {
        const r = await t.c.resident.post('/api/v1/me/health-reports', bad);
        assert.equal(r.status, 400, JSON.stringify(bad));
      }
      const stranger = await t.register('陌生人');
      assert.equal((await t.c.resident.post('/api/v1/me/health-reports', { member: stranger.id, temperature_c: 36.5 })).status, 403);
      assert.equal(count(), before, 'nothing stored');

      const ok = await t.c.resident.post('/api/v1/me/health-reports', { temperature_c: 36.4, symptoms: [] });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.fever, false);
      assert.equal(ok.json.alert_id, null);

      const fever = await t.c.resident.post('/api/v1/me/health-reports', { temperature_c: 38.2, symptoms: ['cough'] });
      assert.equal(fever.status, 201, fever.text);
      assert.equal(fever.json.fever, true);
      assert.ok(fever.json.alert_id);
      assert.ok(fever.json.handover_id, 'a fever handover was opened');
      const todos = (await t.c.community_worker.get('/api/v1/management/todos')).json.items;
      const alert = todos.find((x) => x.kind === 'fever' && x.person_id === me.id);
      assert.ok(alert, JSON.stringify(todos));
      assert.equal(alert.detail.temperature_c, 38.2);
      const handovers = (await t.c.commander.get('/api/v1/handovers?status=open')).json.items;
      assert.ok(handovers.some((h) => h.id === fever.json.handover_id && h.person_id === me.id), JSON.stringify(handovers));
      const counts = (await t.c.commander.get(`/api/v1/management/fever-reports?from=${iso(Date.now() - DAY)}`)).json.items;
      const yuci = counts.find((x) => x.district_name === '榆次区');
      assert.ok(yuci && yuci.count >= 1, JSON.stringify(counts));
      const audit = (await t.c.admin.get('/api/v1/audit?action=health_report.create')).json.items;
      assert.ok(audit.some((e) => e.record_id === String(me.id) && e.actor_username === 'resident'));
    });

    test('a community worker sees and acts on cases in its community only', async () => {
      const taiguStreet = (await t.c.admin.get('/api/v1/divisions?q=140703001')).json.items.find((d) => d.code === '140703001');
      const community = await t.c.admin.post('/api/v1/divisions', { name: `太谷测试社区${Date.now() % 100000}`, level: 'community', parent_id: taiguStreet.id });
      assert.equal(community.status, 201, community.text);
      const r = await t.c.admin.post('/api/v1/persons', { id_number: newIdNumber(), name: '太谷密接', division_id: community.json.id });
      assert.equal(r.status, 201, r.text);
      const mc = await t.enroll(r.json.id, 'close_contact', Date.now() - 3600_000);
      assert.equal(mc.district_name, '太谷区');
      const get = await t.c.community_worker.get(`/api/v1/management/cases/${mc.id}`);
      assert.equal(get.status, 403);
      assert.equal((await t.step(mc.id, 'notified')).status, 403);
      assert.equal((await t.c.community_worker.post(`/api/v1/management/cases/${mc.id}/extend`, { days: 1, reason: '越权' })).status, 403);
      const list = (await t.c.community_worker.get('/api/v1/management/cases?page_size=500')).json;
      assert.equal(list.items.some((x) => x.id === mc.id), false);
      const board = (await t.c.community_worker.get('/api/v1/management/board')).json;
      assert.equal(board.districts.some((d) => d.district_name === '太谷区'), false);
      assert.equal((await t.c.commander.get(`/api/v1/management/cases/${mc.id}`)).json.state, 'identified', 'nothing changed');
    });

    test('the overdue list shows a contact not under control 24 h after the case report', async () => {
      const p = await t.register('超时密接');
      const reported = Date.now() - 30 * 3600_000;
      const mc = await t.enroll(p.id, 'close_contact', reported - 3600_000, { case_reported_at: iso(reported) });
      assert.equal((await t.step(mc.id, 'notified')).status, 200);
      const b = await t.board();
      const row = b.overdue.find((x) => x.id === mc.id);
      assert.ok(row, 'on the board');
      assert.equal(row.overdue[0].step, 'control');
      const list = (await t.c.community_worker.get('/api/v1/management/cases?overdue=1')).json;
      assert.ok(list.items.some((x) => x.id === mc.id));
      const filtered = (await t.c.community_worker.get('/api/v1/management/cases?state=notified&measure=close_contact')).json;
      assert.ok(filtered.items.every((x) => x.state === 'notified' && x.measure === 'close_contact'));
      assert.equal((await t.c.community_worker.get('/api/v1/management/cases?state=bogus')).status, 400);
      // Transferred: the step is done and the to-do closes.
      assert.equal((await t.step(mc.id, 'transferred')).status, 200);
      const after = await t.board();
      assert.equal(after.overdue.some((x) => x.id === mc.id && x.overdue.some((o) => o.step === 'control')), false);
    });
  });
}

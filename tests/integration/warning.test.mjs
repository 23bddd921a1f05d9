// Multi-point triggered early warning as the command center uses it: counts
// imported from pharmacies (and corrected), the daily series with its
// threshold, signals, a positive test as an immediate trigger, escalation into
// one multi-point alert with its evidence, the alert's lifecycle, and the
// webhook with its retries.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, login, freePort } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { makeXlsx } from '../lib/xlsx.mjs';

const DAY = 24 * 3600 * 1000;
// Local (UTC+8) calendar day `back` days before today, as YYYY-MM-DD.
const localDay = (back = 0) => new Date(Date.now() + 8 * 3600 * 1000 - back * DAY).toISOString().slice(0, 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A pharmacy's 28 days for one district: a steady baseline, then a rise today.
function pharmacyCsv(code, today, source = '同仁堂连锁') {
  const rows = ['date,division_code,channel,count,source'];
  for (let back = 27; back >= 1; back--) rows.push(`${localDay(back)},${code},pharmacy,${20 + ((back * 7) % 5)},${source}`);
  rows.push(`${localDay(0)},${code},pharmacy,${today},${source}`);
  return rows.join('\n') + '\n';
}

// A webhook receiver that can be taken down and brought back on its port.
class Receiver {
  constructor() { this.got = []; this.server = null; this.port = 0; }
  async start(port = 0) {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { this.got.push(JSON.parse(body)); res.writeHead(204); res.end(); });
    });
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = this.server.address().port;
  }
  async stop() { await new Promise((r) => this.server.close(r)); this.server.closeAllConnections?.(); }
}

async function until(fn, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

for (const db of ['sqlite', 'postgres']) {
  describe(`early warning on ${db}`, () => {
    let srv, c = {}, hook = new Receiver(), person, idNumber;
    const upload = (who, body, filename = 'pharmacy.csv', type = 'text/csv') => fetch(`${srv.url}/api/v1/warning/import?filename=${encodeURIComponent(filename)}`, {
      method: 'POST', headers: { authorization: `Bearer ${who.token}`, 'content-type': type }, body,
    }).then(async (r) => ({ status: r.status, json: await r.json() }));

    before(async () => {
      await hook.start(await freePort());
      srv = await startServer({ db, env: { EPINET_WARNING_WEBHOOK_URL: `http://127.0.0.1:${hook.port}/hook`, EPINET_WARNING_WEBHOOK_RETRY_S: '1', EPINET_WARNING_WEBHOOK_RETRY_MAX_S: '2' } });
      for (const r of ['admin', 'commander', 'community_worker', 'clinician', 'lab']) c[r] = await login(srv.url, r);
      const yinhai = (await c.admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
      const compound = (await c.admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items[0];
      idNumber = newIdNumber();
      person = (await c.community_worker.post('/api/v1/persons', { id_number: idNumber, name: '预警测试', division_id: compound.id })).json;
    });
    after(async () => { await srv?.stop(); await hook.stop().catch(() => {}); });

    test('a pharmacy import with a rise raises a signal on the series, above its threshold', async () => {
      const r = await upload(c.commander, pharmacyCsv('140702', 60));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.inserted, 28);
      const sig = r.json.signals.find((s) => s.division_code === '140702' && s.channel === 'pharmacy' && s.date === localDay(0));
      assert.ok(sig, JSON.stringify(r.json.signals));
      assert.equal(sig.observed, 60);
      assert.ok(sig.upperbound > 20 && sig.upperbound < 60, `bound ${sig.upperbound}`);
      assert.deepEqual(r.json.alerts, [], 'one channel alone is a signal, not an alert');
      const s = (await c.commander.get('/api/v1/warning/series?division_code=140702&channel=pharmacy&days=28')).json;
      const last = s.points.at(-1);
      assert.equal(last.date, localDay(0));
      assert.equal(last.observed, 60);
      assert.equal(last.alarm['ears-c2'], true);
      assert.ok(s.points.slice(-10, -1).every((p) => p.alarm['ears-c2'] === false), 'the steady days do not alarm');
      assert.equal(s.signals.length, 1);
      // The other districts stay quiet.
      const ov = (await c.commander.get('/api/v1/warning/overview')).json;
      assert.equal(ov.districts.length, 11);
      assert.equal(ov.districts.find((d) => d.code === '140702').level, 'yellow');
      assert.equal(ov.districts.find((d) => d.code === '140703').level, 'green');
    });

    test('a correction to a past day is recorded with the old value, who and when', async () => {
      const day = localDay(5);
      const r = await upload(c.clinician, `date,division_code,channel,count,source\n${day},140702,pharmacy,31,同仁堂连锁\n`, 'fix.csv');
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.corrected, 1);
      assert.equal(r.json.inserted, 0);
      const h = (await c.commander.get(`/api/v1/warning/history?division_code=140702&channel=pharmacy&date=${day}`)).json.items;
      assert.equal(h.length, 2);
      assert.equal(h[0].new_count, 31);
      assert.equal(h[0].old_count, 20 + ((5 * 7) % 5));
      assert.equal(h[0].changed_by, 'clinician');
      assert.equal(h[1].old_count, null);
      const s = (await c.commander.get('/api/v1/warning/series?division_code=140702&channel=pharmacy&days=28')).json;
      assert.equal(s.points.find((p) => p.date === day).observed, 31);
    });

    test('a file with bad rows is refused whole, every bad row named, nothing changed', async () => {
      const before = (await c.commander.get('/api/v1/warning/history?division_code=140703&channel=absence')).json.items.length;
      const csv = ['date,division_code,channel,count', `${localDay(1)},140703,absence,12`, `2026-13-01,140703,absence,3`,
        `${localDay(1)},999999,absence,3`, `${localDay(1)},140703,cough,3`, `${localDay(1)},140703,absence,-2`, `${localDay(-2)},140703,absence,3`].join('\n');
      const r = await upload(c.commander, csv, 'school.csv');
      assert.equal(r.status, 422);
      assert.deepEqual(r.json.error.rows.map((x) => x.line), [3, 4, 5, 6, 7]);
      assert.match(r.json.error.rows[1].message, /division_code/);
      const after = (await c.commander.get('/api/v1/warning/history?division_code=140703&channel=absence')).json.items.length;
      assert.equal(after, before, 'the good row was not imported either');
      const hdr = await upload(c.commander, 'day,district,n\n2026-01-01,140703,1\n');
      assert.equal(hdr.status, 422);
      assert.match(hdr.json.error.rows[0].message, /date/);
    });

    test('an XLSX from a school (Chinese headers, date cells); signals 3 days apart do not escalate, a third between them does', async () => {
      // 介休市 140781: a school's absences rise 3 days ago, a pharmacy's sales today.
      const rows = [['日期', '区划代码', '渠道', '数量', '报告单位']];
      for (let back = 30; back >= 0; back--) {
        rows.push([{ date: localDay(back) }, '140781', '缺勤', back === 3 ? 90 : 30 + (back % 4), '介休一中']);
        rows.push([{ date: localDay(back) }, '140781', '药店', back === 0 ? 70 : 20 + (back % 3), '介休药房']);
      }
      const x = await upload(c.commander, makeXlsx(rows), '介休.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(x.status, 200, JSON.stringify(x.json));
      assert.equal(x.json.inserted, 62);
      assert.deepEqual(x.json.signals.map((g) => `${g.channel} ${g.date}`).sort(), [`absence ${localDay(3)}`, `pharmacy ${localDay(0)}`]);
      assert.deepEqual(x.json.alerts, [], 'days 3 apart lie outside the 3-day window');
      // Hospital fever-clinic counts rising 2 days ago: within 3 days of both, one multi-point alert with all three.
      const csv = ['date,division_code,channel,count,source'];
      for (let back = 30; back >= 2; back--) csv.push(`${localDay(back)},140781,fever_clinic,${back === 2 ? 25 : 5 + (back % 2)},介休市人民医院`);
      const r = await upload(c.commander, csv.join('\n'), 'fever.csv');
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.alerts.length, 1);
      const a = (await c.commander.get(`/api/v1/warning/alerts/${r.json.alerts[0]}`)).json;
      assert.equal(a.kind, 'multi_point');
      assert.equal(a.division_code, '140781');
      assert.deepEqual(a.evidence.map((e) => `${e.channel} ${e.date}`), [`absence ${localDay(3)}`, `fever_clinic ${localDay(2)}`, `pharmacy ${localDay(0)}`]);
      assert.equal(a.evidence[1].observed, 25);
      assert.ok(a.evidence[1].upperbound > 5 && a.evidence[1].upperbound < 25);
    });

    test('a positive test is an immediate alert and, with the pharmacy signal, one multi-point alert with its evidence', async () => {
      const t = await c.lab.post(`/api/v1/persons/${person.id}/tests`, { sampled_at: new Date(Date.now() - 3600000).toISOString(), result: 'positive' });
      assert.equal(t.status, 201, t.text);
      const list = (await c.commander.get('/api/v1/warning/alerts?status=open')).json.items;
      const immediate = list.filter((a) => a.kind === 'positive_test');
      assert.equal(immediate.length, 1);
      assert.equal(immediate[0].division_code, '140702');
      assert.equal(immediate[0].level, 'red');
      assert.ok(!JSON.stringify(immediate[0]).includes(idNumber), 'no identity number in the alert');
      assert.ok(JSON.stringify(immediate[0]).includes(person.id_masked), 'the masked number tells the officer who it is');
      const multi = list.filter((a) => a.kind === 'multi_point' && a.division_code === '140702');
      assert.equal(multi.length, 1, JSON.stringify(list));
      const ev = multi[0].evidence;
      assert.deepEqual([...new Set(ev.map((e) => e.channel))].sort(), ['pharmacy', 'positive_tests']);
      const ph = ev.find((e) => e.channel === 'pharmacy');
      assert.equal(ph.observed, 60);
      assert.ok(ph.upperbound > 0);
      assert.equal(ph.method, 'ears-c2');
      // A second positive the same day adds no second multi-point alert.
      await c.lab.post(`/api/v1/persons/${person.id}/tests`, { sampled_at: new Date().toISOString(), result: 'positive' });
      const again = (await c.commander.get('/api/v1/warning/alerts?status=open')).json.items.filter((a) => a.kind === 'multi_point' && a.division_code === '140702');
      assert.equal(again.length, 1);
      const ov = (await c.commander.get('/api/v1/warning/overview')).json;
      assert.equal(ov.districts.find((d) => d.code === '140702').level, 'red');
      assert.equal(ov.alerts[0].status, 'new');
    });

    test('lifecycle: illegal moves are 4xx and change nothing; verify, confirm with an owner; who and when', async () => {
      const multi = (await c.commander.get('/api/v1/warning/alerts?status=open')).json.items.find((a) => a.kind === 'multi_point' && a.division_code === '140702');
      const act = (body, who = c.commander) => who.post(`/api/v1/warning/alerts/${multi.id}/actions`, body);
      let r = await act({ action: 'confirm', owner: '榆次区疾控' });
      assert.equal(r.status, 409);
      assert.equal(r.json.error.code, 'invalid_transition');
      assert.equal((await c.commander.get(`/api/v1/warning/alerts/${multi.id}`)).json.status, 'new');
      assert.equal((await act({ action: 'escalate' })).status, 400);
      assert.equal((await act({ action: 'verify' }, c.clinician)).status, 403);
      r = await act({ action: 'verify', note: '区疾控已电话核实' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'verifying');
      assert.equal(r.json.verifying_by, 'commander');
      assert.equal(typeof r.json.time_to_verify_s, 'number');
      assert.ok(r.json.time_to_verify_s >= 0);
      assert.equal((await act({ action: 'verify' })).status, 409);
      assert.equal((await act({ action: 'confirm' })).status, 400, 'a response needs an owner');
      assert.equal((await act({ action: 'dismiss', reason: '' })).status, 400, 'a dismissal needs a reason');
      assert.equal((await c.commander.get(`/api/v1/warning/alerts/${multi.id}`)).json.status, 'verifying');
      r = await act({ action: 'confirm', owner: '榆次区疾控 王主任', note: '启动流调' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'confirmed');
      assert.equal(r.json.response_owner, '榆次区疾控 王主任');
      assert.deepEqual(r.json.events.map((e) => [e.action, e.actor]), [['create', 'epinet warning'], ['verify', 'commander'], ['confirm', 'commander']]);
      assert.equal((await act({ action: 'dismiss', reason: '误报误报' })).status, 409);
      const audit = (await c.admin.get('/api/v1/audit?action=warning.alert&page_size=50')).json.items;
      assert.ok(audit.some((e) => e.action === 'warning.alert.confirm' && e.actor_username === 'commander' && e.record_id === String(multi.id)));
      const ov = (await c.commander.get('/api/v1/warning/overview')).json;
      assert.ok(ov.verification.verified_30d >= 1);
      assert.equal(typeof ov.verification.mean_s, 'number');
    });

    test('a fever handover at the hospital entrance is an immediate alert; one at another venue is not', async () => {
      const hospital = (await c.admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市第一人民医院')}`)).json.items[0];
      const hall = (await c.admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
      const staff = await login(srv.url, 'venue_staff');
      const h = await staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', id_number: idNumber, temperature_c: 38.1, mask: true });
      assert.ok(h.json.handover_id, h.text);
      const r = await c.clinician.post('/api/v1/checkpoints/scan', { venue_id: hospital.id, entrance: '门诊入口', direction: 'in', id_number: idNumber, temperature_c: 38.4, mask: true });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.handover_id);
      const alert = await until(async () => (await c.commander.get('/api/v1/warning/alerts?status=open')).json.items.find((a) => a.kind === 'hospital_fever'), 'the hospital fever alert');
      assert.equal(alert.division_code, '140702');
      assert.equal(alert.level, 'orange');
      assert.equal(alert.evidence[0].temperature_c, 38.4);
      assert.equal(alert.evidence[0].handover_id, r.json.handover_id);
      const all = (await c.commander.get('/api/v1/warning/alerts')).json.items.filter((a) => a.kind === 'hospital_fever');
      assert.equal(all.length, 1, 'the fever at the service hall is a checkpoint count, not an alert');
    });

    test('a fever in the daily health report of someone under management is counted on the monitoring channel', async () => {
      const yinhai = (await c.admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
      const compound = (await c.admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items[1];
      const p = (await c.community_worker.post('/api/v1/persons', { id_number: newIdNumber(), name: '居家监测', division_id: compound.id })).json;
      const mc = await c.commander.post('/api/v1/management/cases', { person_id: p.id, measure: 'medium_risk_arrival', exposure_at: new Date(Date.now() - DAY).toISOString() });
      assert.equal(mc.status, 201, mc.text);
      for (const to of ['notified', 'quarantined']) assert.equal((await c.commander.post(`/api/v1/management/cases/${mc.json.id}/transitions`, { to })).status, 200);
      const rep = await c.community_worker.post(`/api/v1/management/cases/${mc.json.id}/reports`, { temperature_c: 38.3, symptoms: [] });
      assert.equal(rep.status, 201, rep.text);
      assert.equal((await c.commander.post('/api/v1/warning/evaluate', {})).status, 200);
      const h = (await c.commander.get(`/api/v1/warning/history?division_code=140702&channel=monitoring_fever&date=${localDay(0)}`)).json.items;
      assert.equal(h.length, 1, JSON.stringify(h));
      assert.equal(h[0].source, 'epinet');
      assert.equal(h[0].new_count, 1);
    });

    test('a district commander sees and imports only its district', async () => {
      const taigu = (await c.admin.get('/api/v1/divisions?q=140703')).json.items.find((d) => d.code === '140703');
      const u = await c.admin.post('/api/v1/users', { username: `taigu_cmd_${db}`, display_name: '太谷区值班员', password: 'demo-Passw0rd', role: 'commander', division_id: taigu.id });
      assert.equal(u.status, 201, u.text);
      const tg = await login(srv.url, `taigu_cmd_${db}`);
      const ov = (await tg.get('/api/v1/warning/overview')).json;
      assert.deepEqual(ov.districts.map((d) => d.code), ['140703']);
      assert.ok(ov.alerts.every((a) => a.division_code === '140703'));
      const yuciAlert = (await c.commander.get('/api/v1/warning/alerts')).json.items.find((a) => a.division_code === '140702');
      assert.equal((await tg.get(`/api/v1/warning/alerts/${yuciAlert.id}`)).status, 404);
      assert.equal((await tg.post(`/api/v1/warning/alerts/${yuciAlert.id}/actions`, { action: 'verify' })).status, 404);
      assert.equal((await tg.get('/api/v1/warning/series?division_code=140702&channel=pharmacy')).status, 404);
      const r = await upload(tg, `date,division_code,channel,count\n${localDay(1)},140702,pharmacy,5\n`);
      assert.equal(r.status, 422);
      assert.match(r.json.error.rows[0].message, /140702/);
    });

    test('the bell counts alerts raised since the user last looked', async () => {
      const u = (await c.commander.get('/api/v1/warning/unread')).json;
      assert.ok(u.unread >= 2, JSON.stringify(u));
      assert.equal((await c.commander.post('/api/v1/warning/seen', {})).status, 200);
      assert.equal((await c.commander.get('/api/v1/warning/unread')).json.unread, 0);
      assert.ok((await c.admin.get('/api/v1/warning/unread')).json.unread >= 2, 'each account has its own bell');
      assert.equal((await c.lab.get('/api/v1/warning/unread')).status, 403);
    });

    test('the webhook gets every alert, and a delivery missed while the receiver was down is retried', async () => {
      const yuci = (p) => p.event === 'alert.created' && p.alert.kind === 'multi_point' && p.alert.division_code === '140702';
      await until(() => hook.got.some(yuci), 'the multi-point alert at the webhook');
      const created = hook.got.find(yuci);
      assert.equal(created.alert.division_code, '140702');
      assert.equal(created.alert.district_name, '榆次区');
      assert.ok(created.alert.evidence.length >= 2);
      await until(() => hook.got.some((p) => p.event === 'alert.confirm'), 'the confirmation at the webhook');
      await hook.stop();
      const pos = (await c.commander.get('/api/v1/warning/alerts?status=open')).json.items.find((a) => a.kind === 'positive_test');
      assert.equal((await c.commander.post(`/api/v1/warning/alerts/${pos.id}/actions`, { action: 'verify' })).status, 200);
      const failed = await until(async () => {
        const d = (await c.commander.get(`/api/v1/warning/alerts/${pos.id}`)).json.deliveries.find((x) => x.event === 'alert.verify');
        return d && d.attempts >= 1 && d.last_error ? d : null;
      }, 'a failed attempt');
      assert.equal(failed.delivered_at, null);
      await hook.start(hook.port);
      const delivered = await until(async () => {
        const d = (await c.commander.get(`/api/v1/warning/alerts/${pos.id}`)).json.deliveries.find((x) => x.event === 'alert.verify');
        return d.delivered_at ? d : null;
      }, 'the retried delivery');
      assert.ok(delivered.attempts >= 2);
      assert.ok(hook.got.some((p) => p.event === 'alert.verify' && p.alert.id === pos.id && p.alert.status === 'verifying'));
    });
  });
}

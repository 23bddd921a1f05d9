// Health codes, risk areas and venue checkpoints as the people at the door,
// the residents and the command center use them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, login, client, tmpDir, sql } from '../lib/harness.mjs';
import { newIdNumber, makeToken, serverKey, foreignKey, pseudonym } from '../lib/codes.mjs';
import { makeXlsx } from '../lib/xlsx.mjs';

const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();

async function city(db, env = {}) {
  const srv = await startServer({ db, env });
  const c = {};
  for (const r of ['admin', 'commander', 'community_worker', 'venue_staff', 'clinician', 'lab', 'resident']) c[r] = await login(srv.url, r);
  const hall = (await c.admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  const yinhai = (await c.admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
  const compounds = (await c.admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items;
  const register = async (extra = {}) => {
    const r = await c.community_worker.post('/api/v1/persons', { id_number: newIdNumber(), name: '测试居民', phone: '13900000000', division_id: compounds[0].id, ...extra });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const code = async (personId) => {
    const r = await c.community_worker.get(`/api/v1/persons/${personId}/health-code`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const scan = (body, who = c.venue_staff) => who.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', temperature_c: 36.5, mask: true, ...body });
  return { srv, c, hall, compounds, register, code, scan };
}

for (const db of ['sqlite', 'postgres']) {
  describe(`checkpoints on ${db}`, () => {
    let t;
    before(async () => { t = await city(db); });
    after(async () => { await t.srv.stop(); });

    test('a person is registered with a validated identity number that is never stored in clear', async () => {
      const id = newIdNumber('19781224');
      const lower = id.endsWith('X') ? id.slice(0, 17) + 'x' : id;
      const r = await t.c.community_worker.post('/api/v1/persons', { id_number: lower, name: '李雷', division_id: t.compounds[1].id });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.id_masked, `${id.slice(0, 6)}********${id.slice(14)}`);
      assert.equal(JSON.stringify(r.json).includes(id.slice(6, 14)), false, 'the birth date part is never shown');
      const again = await t.c.community_worker.post('/api/v1/persons', { id_number: id, name: '李雷', division_id: t.compounds[1].id });
      assert.equal(again.status, 409, 'one person per number');
      const badDigit = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
      const bad = await t.c.community_worker.post('/api/v1/persons', { id_number: badDigit, name: '错', division_id: t.compounds[1].id });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'invalid_id_number');
      assert.match(bad.json.error.message, /check digit/);
      assert.equal(sql(t.srv, `SELECT COUNT(*) FROM persons WHERE name = '错'`), '0');
      // The number is nowhere in the database or the log.
      const dump = sql(t.srv, 'SELECT id_hash, id_enc, id_masked, name FROM persons');
      assert.equal(dump.includes(id), false);
      assert.equal(t.srv.output().includes(id), false);
      if (db === 'sqlite') assert.equal(fs.readFileSync(t.srv.databaseUrl.slice(7)).includes(Buffer.from(id)), false);
      // Found by the exact number, shown in full only to roles that may, and audited.
      const found = (await t.c.community_worker.get(`/api/v1/persons?id_number=${id}`)).json;
      assert.equal(found.total, 1);
      assert.equal((await t.c.community_worker.get(`/api/v1/persons/${r.json.id}/id-number`)).status, 403);
      const full = await t.c.commander.get(`/api/v1/persons/${r.json.id}/id-number`);
      assert.equal(full.json.id_number, id);
      const audit = (await t.c.admin.get('/api/v1/audit?action=person.reveal_id_number')).json.items;
      assert.ok(audit.some((e) => e.record_id === String(r.json.id) && e.actor_username === 'commander'));
      // Lab staff look up only by the full number.
      assert.equal((await t.c.lab.get('/api/v1/persons?q=李')).status, 403);
      assert.equal((await t.c.lab.get(`/api/v1/persons?id_number=${id}`)).json.total, 1);
    });

    test('a green code passes; the scan answers after the check-in is durable', async () => {
      const p = await t.register();
      const code = await t.code(p.id);
      assert.equal(code.color, 'green');
      assert.match(code.token, /^[A-Za-z0-9_-]{132}$/);
      assert.ok(Date.parse(code.token_expires_at) - Date.now() <= 180000);
      const r = await t.scan({ token: code.token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.decision, 'pass');
      assert.equal(r.json.color, 'green');
      assert.equal(r.json.person_id, p.id);
      assert.equal(sql(t.srv, `SELECT decision || ':' || person_id FROM checkins WHERE id = ${r.json.checkin_id}`), `pass:${p.id}`);
      // leaving closes the stay
      const out = await t.scan({ token: code.token, entrance: '西门出口', direction: 'out', temperature_c: undefined, mask: undefined });
      assert.equal(out.json.decision, 'pass');
      assert.notEqual(sql(t.srv, `SELECT t_out FROM checkins WHERE id = ${r.json.checkin_id}`), '');
      const metrics = (await client(t.srv.url).get('/metrics')).text;
      assert.ok(Number(metrics.match(/^epinet_checkins_committed_total (\d+)$/m)[1]) >= 2);
      assert.ok(Number(metrics.match(/^epinet_checkin_batches_total (\d+)$/m)[1]) >= 1);
      // The write-ahead log's size, for SQLite: what an operator watches to see checkpoints keep it bounded.
      const wal = metrics.match(/^epinet_sqlite_wal_bytes (\d+)$/m);
      if (db === 'sqlite') assert.ok(wal && Number(wal[1]) > 0, 'no epinet_sqlite_wal_bytes after writes');
      else assert.equal(wal, null);
    });

    test('fever stops, opens a handover tracked until closed, and turns the code yellow meanwhile', async () => {
      const p = await t.register();
      const code = await t.code(p.id);
      const r = await t.scan({ token: code.token, temperature_c: 38.2 });
      assert.equal(r.json.decision, 'stop');
      assert.ok(r.json.reasons.some((x) => x.code === 'fever' && /38\.2/.test(x.message)));
      assert.ok(r.json.handover_id);
      const open = (await t.c.venue_staff.get('/api/v1/handovers?status=open')).json.items;
      const h = open.find((x) => x.id === r.json.handover_id);
      assert.ok(h, 'the handover is listed at the venue');
      assert.equal(h.temperature_c, 38.2);
      const yellow = await t.code(p.id);
      assert.equal(yellow.color, 'yellow');
      assert.ok(yellow.reasons.some((x) => x.code === 'fever_pending'));
      // the earlier token was issued before the handover: a new scan re-evaluates it
      const again = await t.scan({ token: code.token });
      assert.equal(again.json.color, 'yellow');
      assert.equal(again.json.decision, 'stop');
      const today = (await t.c.venue_staff.get(`/api/v1/venues/${t.hall.id}/today`)).json;
      assert.ok(today.fevers >= 1 && today.open_handovers >= 1 && today.stops >= 2);
      const closed = await t.c.venue_staff.post(`/api/v1/venues/${t.hall.id}/handovers/${r.json.handover_id}/close`, { outcome: '已送发热门诊' });
      assert.equal(closed.status, 200, closed.text);
      assert.equal(closed.json.status, 'closed');
      assert.equal((await t.c.venue_staff.post(`/api/v1/venues/${t.hall.id}/handovers/${r.json.handover_id}/close`, { outcome: 'x' })).status, 409);
      assert.equal((await t.code(p.id)).color, 'green');
    });

    test('a new entrance works at once; a venue with check-ins cannot be deleted', async () => {
      const p = await t.register();
      const entrances = [...t.hall.entrances, { name: '北门临时入口', direction: 'in' }];
      assert.equal((await t.c.commander.patch(`/api/v1/venues/${t.hall.id}`, { entrances })).status, 200);
      const r = await t.scan({ token: (await t.code(p.id)).token, entrance: '北门临时入口' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.decision, 'pass');
      const del = await t.c.commander.del(`/api/v1/venues/${t.hall.id}`);
      assert.equal(del.status, 409);
      assert.match(del.json.error.message, /check-ins/);
    });

    test('a scan sent again with its client id is recorded once and answered as the first time', async () => {
      const p = await t.register();
      const { token } = await t.code(p.id);
      const id = `offline-${Date.now()}`;
      const first = await t.scan({ token, temperature_c: 38.0, client_scan_id: id });
      assert.equal(first.json.decision, 'stop');
      const again = await t.scan({ token, temperature_c: 36.5, client_scan_id: id });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.replayed, true);
      assert.equal(again.json.checkin_id, first.json.checkin_id);
      assert.equal(again.json.decision, 'stop');
      assert.deepEqual(again.json.reasons.map((r) => r.code), first.json.reasons.map((r) => r.code));
      assert.equal(sql(t.srv, `SELECT COUNT(*) FROM checkins WHERE client_scan_id = '${id}'`), '1');
      assert.equal((await t.scan({ token, client_scan_id: 'bad id!' })).status, 400);
      // concurrent duplicates: one is recorded, the other is answered or asked to retry
      const twin = `twin-${Date.now()}`;
      const both = await Promise.all([t.scan({ token, client_scan_id: twin }), t.scan({ token, client_scan_id: twin })]);
      assert.ok(both.every((r) => r.status === 200 || (r.status === 409 && r.json.error.code === 'scan_in_progress')), both.map((r) => r.text).join());
      assert.equal(sql(t.srv, `SELECT COUNT(*) FROM checkins WHERE client_scan_id = '${twin}'`), '1');
    });

    test('the special channel records a person by identity number', async () => {
      const id = newIdNumber('19400202');
      const p = (await t.c.community_worker.post('/api/v1/persons', { id_number: id, name: '老人', division_id: t.compounds[2].id })).json;
      const r = await t.scan({ id_number: id, entrance: '专用通道' });
      assert.equal(r.json.decision, 'pass');
      assert.equal(r.json.person_id, p.id);
      assert.equal(sql(t.srv, `SELECT channel FROM checkins WHERE id = ${r.json.checkin_id}`), 'id_card');
      const unknown = await t.scan({ id_number: newIdNumber('19500505'), entrance: '专用通道' });
      assert.equal(unknown.json.decision, 'stop');
      assert.equal(unknown.json.reasons[0].code, 'person_unknown');
      const bad = await t.scan({ id_number: id.slice(0, 17) + (id[17] === '1' ? '2' : '1'), entrance: '专用通道' });
      assert.equal(bad.status, 400);
    });

    test('bad scans are refused with 400 and record nothing', async () => {
      const p = await t.register();
      const { token } = await t.code(p.id);
      const before = sql(t.srv, 'SELECT COUNT(*) FROM checkins');
      for (const [body, code] of [
        [{ token, temperature_c: 33.9 }, 'invalid_temperature'],
        [{ token, temperature_c: 43.1 }, 'invalid_temperature'],
        [{ token, temperature_c: undefined }, 'missing_field'],
        [{ token, temperature_c: '36.5' }, 'invalid_field'],
        [{ token, entrance: '不存在的门' }, 'invalid_field'],
        [{ token, direction: 'sideways' }, 'invalid_field'],
        [{ token, id_number: newIdNumber() }, 'invalid_field'],
        [{}, 'invalid_field'],
      ]) {
        const r = await t.scan(body);
        assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.text}`);
        assert.equal(r.json.error.code, code);
      }
      assert.equal((await t.scan({ token, venue_id: 999999 })).status, 404);
      const other = (await t.c.admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市第一人民医院')}`)).json.items[0];
      assert.equal((await t.scan({ token, venue_id: other.id, entrance: '门诊入口' })).status, 403, 'staff scan only at their venue');
      assert.equal(sql(t.srv, 'SELECT COUNT(*) FROM checkins'), before);
    });

    test('a travel flag from a medium-risk area stops per venue policy until a negative test', async () => {
      const area = await t.c.commander.post('/api/v1/risk-areas', { division_code: '140722', area_name: '左权县某某小区', level: 'medium', effective_from: iso(Date.now() - 3 * DAY) });
      assert.equal(area.status, 201, area.text);
      assert.equal(area.json.division_name, '左权县');
      const pub = (await client(t.srv.url).get('/api/v1/public/risk-areas')).json;
      assert.ok(pub.areas.some((a) => a.area_name === '左权县某某小区' && a.level === 'medium'));
      const board = (await client(t.srv.url).get(`/api/v1/public/venues/${t.hall.id}/board`)).json;
      assert.ok(board.risk_areas.some((a) => a.area_name === '左权县某某小区'));
      const p = await t.register();
      const trip = await t.c.community_worker.post(`/api/v1/persons/${p.id}/travel`, { division_code: '140722', from: iso(Date.now() - 2 * DAY), to: iso(Date.now() - DAY) });
      assert.equal(trip.status, 201, trip.text);
      const code = await t.code(p.id);
      assert.equal(code.color, 'yellow');
      assert.deepEqual(code.travel, { flagged: true, division_codes: ['140722'] });
      assert.ok(code.reasons.some((r) => r.code === 'travel_risk_area'));
      const stopped = await t.scan({ token: code.token });
      assert.equal(stopped.json.decision, 'stop');
      assert.ok(stopped.json.reasons.some((r) => r.code === 'travel_flag'));
      // a venue that admits yellow codes and travellers
      assert.equal((await t.c.venue_staff.patch(`/api/v1/venues/${t.hall.id}/policy`, { stop_on_yellow: false, stop_on_travel_flag: false, notices: '请出示健康码' })).status, 204);
      const policy = (await t.c.venue_staff.get(`/api/v1/venues/${t.hall.id}`)).json;
      assert.deepEqual([policy.stop_on_yellow, policy.stop_on_travel_flag, policy.notices], [false, false, '请出示健康码']);
      const admitted = await t.scan({ token: code.token });
      assert.equal(admitted.json.decision, 'pass');
      await t.c.venue_staff.patch(`/api/v1/venues/${t.hall.id}/policy`, { stop_on_yellow: true, stop_on_travel_flag: true });
      // a negative test clears it
      const test = await t.c.lab.post(`/api/v1/persons/${p.id}/tests`, { sampled_at: iso(Date.now() - 3600000), result: 'negative' });
      assert.equal(test.status, 201, test.text);
      const tests = (await t.c.community_worker.get(`/api/v1/persons/${p.id}/tests`)).json.items;
      assert.deepEqual(tests.map((x) => x.result), ['negative']);
      const after = await t.code(p.id);
      assert.equal(after.color, 'green');
      assert.equal((await t.scan({ token: after.token })).json.decision, 'pass');
      const lifted = await t.c.commander.post(`/api/v1/risk-areas/${area.json.id}/events`, { action: 'lift', note: '解除' });
      assert.equal(lifted.json.level, 'low');
      assert.ok(!(await client(t.srv.url).get('/api/v1/public/risk-areas')).json.areas.some((a) => a.id === area.json.id));
    });

    test('kill -9 under scan load loses no acknowledged check-in', async () => {
      const srv = await startServer({ db });
      const staff = await login(srv.url, 'venue_staff');
      const cw = await login(srv.url, 'community_worker');
      const admin = await login(srv.url, 'admin');
      const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
      const yinhai = (await admin.get('/api/v1/divisions?q=140702002001')).json.items[0];
      const compound = (await admin.get(`/api/v1/divisions?parent_id=${yinhai.id}`)).json.items[0];
      const tokens = [];
      for (let i = 0; i < 8; i++) {
        const p = (await cw.post('/api/v1/persons', { id_number: newIdNumber('20000101'), name: `压测${i}`, division_id: compound.id })).json;
        tokens.push((await cw.get(`/api/v1/persons/${p.id}/health-code`)).json.token);
      }
      const acked = [];
      let stop = false;
      const loop = async (w) => {
        while (!stop) {
          try {
            const r = await staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', token: tokens[w], temperature_c: 36.4, mask: true });
            if (r.status === 200) acked.push(r.json.checkin_id);
          } catch { return; }
        }
      };
      const loops = Array.from({ length: 16 }, (_, w) => loop(w % 8));
      while (acked.length < 400) await new Promise((r) => setTimeout(r, 10));
      srv.stop('SIGKILL');
      stop = true;
      await Promise.all(loops);
      await srv.exited;
      const stored = new Set(sql(srv, 'SELECT id FROM checkins').split('\n'));
      const lost = acked.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged check-ins lost`);
      if (db === 'sqlite') assert.equal(sql(srv, 'PRAGMA integrity_check'), 'ok');
    });
  });
}

describe('signed codes (SQLite)', () => {
  let t;
  before(async () => { t = await city('sqlite'); });
  after(async () => { await t.srv.stop(); });

  test('the QR decodes with zbarimg to exactly the token, which verifies with PyNaCl against the published key', async () => {
    const p = await t.register();
    const code = await t.code(p.id);
    const dir = tmpDir('qr-');
    fs.writeFileSync(path.join(dir, 'code.svg'), code.qr_svg);
    const quiet = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    execFileSync('rsvg-convert', ['-w', '400', '-o', path.join(dir, 'code.png'), path.join(dir, 'code.svg')], quiet);
    const decoded = execFileSync('zbarimg', ['--raw', '-q', path.join(dir, 'code.png')], quiet).trim();
    assert.equal(decoded, code.token);
    const keys = (await client(t.srv.url).get('/api/v1/public/keys')).json.keys;
    assert.equal(keys[0].alg, 'Ed25519');
    const py = `
import base64, json, sys
from nacl.signing import VerifyKey
keys = {k["kid"]: k["public_key"] for k in json.loads(sys.argv[1])}
tok = sys.argv[2]
raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
payload, sig = raw[:35], raw[35:]
assert payload[0] == 1, "version"
pk = keys[payload[1]]
VerifyKey(base64.urlsafe_b64decode(pk + "=" * (-len(pk) % 4))).verify(payload, sig)
print(["green", "yellow", "red"][payload[18]], int.from_bytes(payload[27:35], "big") - int.from_bytes(payload[19:27], "big"))
`;
    const out = execFileSync('/usr/bin/python3', ['-c', py, JSON.stringify(keys), code.token], { encoding: 'utf8' }).trim();
    assert.equal(out, 'green 180');
    const forged = code.token.slice(0, 60) + (code.token[60] === 'A' ? 'B' : 'A') + code.token.slice(61);
    assert.throws(() => execFileSync('/usr/bin/python3', ['-c', py, JSON.stringify(keys), forged], { stdio: 'pipe' }));
  });

  test('forged, expired, wrong-key, unknown-key and truncated tokens stop with a clear reason and are recorded', async () => {
    const p = await t.register();
    const now = Math.floor(Date.now() / 1000);
    const dataDir = t.srv.dataDir;
    const own = serverKey(dataDir);
    const cases = {
      token_expired: makeToken({ pseudo: pseudonym(dataDir, p.id), issuedAt: now - 600, expiresAt: now - 420 }, own),
      token_forged: makeToken({ pseudo: pseudonym(dataDir, p.id), issuedAt: now, expiresAt: now + 180 }, foreignKey()),
      token_unknown_key: makeToken({ kid: 9, pseudo: pseudonym(dataDir, p.id), issuedAt: now, expiresAt: now + 180 }, own),
      token_not_yet_valid: makeToken({ pseudo: pseudonym(dataDir, p.id), issuedAt: now + 3600, expiresAt: now + 3780 }, own),
      token_unknown_version: makeToken({ version: 2, pseudo: pseudonym(dataDir, p.id), issuedAt: now, expiresAt: now + 180 }, own),
    };
    const good = (await t.code(p.id)).token;
    cases.token_malformed = good.slice(0, 131);
    for (const [codeName, token] of Object.entries(cases)) {
      const r = await t.scan({ token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.decision, 'stop', codeName);
      assert.equal(r.json.reasons[0].code, codeName);
      assert.ok(r.json.reasons[0].message.length > 0);
      assert.equal(sql(t.srv, `SELECT decision FROM checkins WHERE id = ${r.json.checkin_id}`), 'stop', 'recorded');
    }
    // A valid code signed by this server's key but not issued by this process (another node, or before a restart) passes.
    const elsewhere = makeToken({ pseudo: pseudonym(dataDir, p.id), issuedAt: now, expiresAt: now + 180 }, own);
    const r = await t.scan({ token: elsewhere });
    assert.equal(r.json.decision, 'pass');
    assert.equal(r.json.person_id, p.id);
  });

  test('a scan queued offline is judged and recorded at the time it happened', async () => {
    const p = await t.register();
    const now = Math.floor(Date.now() / 1000);
    // shown at the door 8 minutes ago, valid then, expired now
    const token = makeToken({ pseudo: pseudonym(t.srv.dataDir, p.id), issuedAt: now - 600, expiresAt: now - 420 }, serverKey(t.srv.dataDir));
    const at = iso((now - 480) * 1000);
    const r = await t.scan({ token, scanned_at: at, client_scan_id: `late-${now}` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.decision, 'pass');
    assert.equal(sql(t.srv, `SELECT at FROM checkins WHERE id = ${r.json.checkin_id}`), String(Date.parse(at)));
    assert.equal((await t.scan({ token })).json.reasons[0].code, 'token_expired', 'the same code now is expired');
    assert.equal((await t.scan({ token, scanned_at: iso(Date.now() - 2 * DAY) })).status, 400);
    assert.equal((await t.scan({ token, scanned_at: 'yesterday' })).status, 400);
  });

  test('a resident sees its own code and its household’s, and declares a trip', async () => {
    const head = await t.register();
    const child = await t.register({ household_of: head.id, name: '孩子' });
    const stranger = await t.register();
    assert.equal(child.household_id, head.household_id);
    assert.equal((await t.c.resident.get('/api/v1/me/person')).json.name, '张明', 'the demo resident is linked to a demo person');
    const u = await t.c.admin.post('/api/v1/users', { username: 'new_resident', password: 'resident-Passw0rd', role: 'resident', division_id: t.compounds[0].id });
    assert.equal(u.status, 201, u.text);
    const fresh = await login(t.srv.url, 'new_resident', 'resident-Passw0rd');
    const unlinked = await fresh.get('/api/v1/me/health-code');
    assert.equal(unlinked.status, 404, 'not linked yet');
    assert.equal(unlinked.json.error.code, 'no_person');
    assert.equal((await t.c.admin.post('/api/v1/users/7/person', { person_id: head.id })).status, 204);
    const me = (await t.c.resident.get('/api/v1/me/person')).json;
    assert.equal(me.id, head.id);
    assert.deepEqual(me.household.map((x) => x.id).sort(), [head.id, child.id].sort());
    assert.equal((await t.c.resident.get('/api/v1/me/health-code')).json.color, 'green');
    assert.equal((await t.c.resident.get(`/api/v1/me/health-code?member=${child.id}`)).status, 200);
    assert.equal((await t.c.resident.get(`/api/v1/me/health-code?member=${stranger.id}`)).status, 403);
    const trip = await t.c.resident.post('/api/v1/me/travel', { member: child.id, division_code: '110105', from: iso(Date.now() - DAY), to: iso(Date.now()) });
    assert.equal(trip.status, 201, trip.text);
    assert.deepEqual((await t.c.resident.get(`/api/v1/me/travel?member=${child.id}`)).json.items.map((x) => x.division_code), ['110105']);
    assert.deepEqual((await t.c.resident.get('/api/v1/me/travel')).json.items, []);
    assert.equal((await t.c.resident.get('/api/v1/persons')).status, 403, 'residents do not browse persons');
  });

  test('a manual override and a case status change the colour, audited; the rule-set version is recorded', async () => {
    const p = await t.register();
    const red = await t.c.commander.put(`/api/v1/persons/${p.id}/state`, { case_status: 'none', manage_status: 'close_contact', manage_until: iso(Date.now() + 7 * DAY) });
    assert.equal(red.status, 200, red.text);
    const code = await t.code(p.id);
    assert.equal(code.color, 'red');
    assert.equal(code.reasons[0].code, 'centralized_quarantine');
    assert.equal(Date.parse(code.valid_until), Date.parse(red.json.manage_until));
    const scan = await t.scan({ token: code.token });
    assert.equal(scan.json.decision, 'stop');
    assert.equal(scan.json.reasons[0].code, 'code_red');
    assert.match(sql(t.srv, `SELECT rule_set_version FROM checkins WHERE id = ${scan.json.checkin_id}`), /^2026\./);
    const o = await t.c.commander.post(`/api/v1/persons/${p.id}/code-override`, { color: 'green', reason: '核实为误判', until: iso(Date.now() + DAY) });
    assert.equal(o.status, 201, o.text);
    const green = await t.code(p.id);
    assert.equal(green.color, 'green');
    assert.equal(green.reasons[0].code, 'manual_override');
    const audit = (await t.c.admin.get('/api/v1/audit?action=health_code.override')).json.items;
    assert.ok(audit.some((e) => e.record_id === String(p.id) && e.detail.reason === '核实为误判'));
  });

  test('stays are imported in bulk: a bad file changes nothing and names its bad rows', async () => {
    const known = newIdNumber('19880808');
    const p = (await t.c.community_worker.post('/api/v1/persons', { id_number: known, name: '返乡人员', division_id: t.compounds[3].id })).json;
    const post = (body, type = 'text/csv') => fetch(`${t.srv.url}/api/v1/travel/import`, {
      method: 'POST', headers: { authorization: `Bearer ${t.c.community_worker.token}`, 'content-type': type }, body,
    }).then(async (r) => ({ status: r.status, json: await r.json() }));
    const from = iso(Date.now() - 3 * DAY), to = iso(Date.now() - 2 * DAY);
    const bad = await post(`id_number,division_code,from,to\n${known},140722,${from},${to}\n${known.slice(0, 17)}${known[17] === '1' ? '2' : '1'},140722,${from},${to}\n${known},14072,${from},${to}\n`);
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.error.rows.map((r) => r.line), [3, 4]);
    assert.equal((await t.c.community_worker.get(`/api/v1/persons/${p.id}/travel`)).json.items.length, 0, 'nothing half-imported');
    const good = await post(`\uFEFFid_number,division_code,from,to\r\n${known.toLowerCase()},140722,${from},${to}\r\n${newIdNumber('19770707')},110105,${from},${to}\r\n`);
    assert.equal(good.status, 200, JSON.stringify(good.json));
    assert.equal(good.json.imported, 1);
    assert.deepEqual(good.json.skipped.map((r) => r.line), [3]);
    const stays = (await t.c.community_worker.get(`/api/v1/persons/${p.id}/travel`)).json.items;
    assert.deepEqual(stays.map((x) => [x.division_code, x.source]), [['140722', 'imported']]);
    assert.equal((await post('name,phone\nx,y\n')).status, 400);
    assert.equal((await post('{}', 'application/json')).json.error.code, 'unsupported_media_type');
    // The same import from an Excel sheet with the Chinese headers.
    const sheet = makeXlsx([['身份证号', '地区代码', '开始时间', '结束时间'], [known, '140781', from, to]]);
    const x = await post(sheet, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(x.status, 200, JSON.stringify(x.json));
    assert.equal(x.json.imported, 1);
    const after = (await t.c.community_worker.get(`/api/v1/persons/${p.id}/travel`)).json.items;
    assert.deepEqual(after.map((s) => s.division_code).sort(), ['140722', '140781']);
  });

  test('check-ins export as CSV and XLSX', async () => {
    const csv = await fetch(`${t.srv.url}/api/v1/venues/${t.hall.id}/checkins?format=csv`, { headers: { authorization: `Bearer ${t.c.venue_staff.token}` } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition'), /checkins-\d+-\d{4}-\d{2}-\d{2}\.csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so that Excel reads UTF-8');
    const text = bytes.subarray(3).toString('utf8');
    assert.match(text, /^checkin_id,time,entrance,direction,decision/);
    assert.ok(text.split('\r\n').length > 3);
    const x = await fetch(`${t.srv.url}/api/v1/venues/${t.hall.id}/checkins?format=xlsx`, { headers: { authorization: `Bearer ${t.c.venue_staff.token}` } });
    const file = path.join(tmpDir('xlsx-'), 'c.xlsx');
    fs.writeFileSync(file, Buffer.from(await x.arrayBuffer()));
    execFileSync('unzip', ['-tq', file]);
    const sheet = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
    assert.match(sheet, /东门入口/);
    assert.equal((await t.c.venue_staff.get(`/api/v1/venues/${t.hall.id}/checkins?format=pdf`)).status, 400);
  });

  test('risk areas step down by themselves: high → medium after 7 quiet days and a negative screen, then low 3 days later', async () => {
    const a = await t.c.commander.post('/api/v1/risk-areas', { division_code: '140781', area_name: '介休市某街道', level: 'high', effective_from: iso(Date.now() - 10 * DAY) });
    assert.equal(a.status, 201);
    const screened = await t.c.commander.post(`/api/v1/risk-areas/${a.json.id}/events`, { action: 'negative_screen', at: iso(Date.now() - 3.5 * DAY) });
    assert.equal(screened.status, 200, screened.text);
    assert.equal(screened.json.level, 'low');
    const history = (await t.c.commander.get(`/api/v1/risk-areas/${a.json.id}`)).json.history;
    assert.deepEqual(history.map((e) => `${e.action}:${e.level_to}`), ['declare:high', 'negative_screen:high', 'step_down:medium', 'step_down:low']);
    const stepped = history.find((e) => e.level_to === 'medium');
    assert.ok(Math.abs(Date.parse(stepped.at) - (Date.now() - 3 * DAY)) < 60000, 'stepped down when the rule was met');
    const other = await t.c.commander.post('/api/v1/risk-areas', { division_code: '140781', area_name: '介休市另一处', level: 'high' });
    const early = await t.c.commander.post(`/api/v1/risk-areas/${other.json.id}/events`, { action: 'negative_screen' });
    assert.equal(early.json.level, 'high', 'no step before 7 quiet days');
    assert.equal((await t.c.community_worker.post('/api/v1/risk-areas', { division_code: '140781', area_name: 'x', level: 'high' })).status, 403);
  });
});

describe('retention', () => {
  test('check-ins older than the retention period are purged at start and the purge is logged', async () => {
    const srv = await startServer({ env: { EPINET_RETENTION_DAYS: '28' } });
    const old = Date.now() - 30 * DAY;
    sql(srv, `INSERT INTO checkins (id, venue_id, entrance, direction, at, decision, reasons, mask, channel, rule_set_version) VALUES (1, 14, '东门入口', 'in', ${old}, 'pass', '[]', 1, 'code', 'x'), (2, 14, '东门入口', 'in', ${Date.now() - 27 * DAY}, 'pass', '[]', 1, 'code', 'x')`);
    await srv.stop();
    const again = await startServer({ dataDir: srv.dataDir, databaseUrl: srv.databaseUrl });
    try {
      let left = '';
      for (let i = 0; i < 50 && left !== '2'; i++) {
        left = sql(again, 'SELECT group_concat(id) FROM checkins');
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(left, '2');
      const admin = await login(again.url, 'admin');
      const purge = (await admin.get('/api/v1/audit?action=retention.purge')).json.items[0];
      assert.equal(purge.detail.rows, 1);
      assert.equal(purge.detail.retention_days, 28);
    } finally {
      await again.stop();
    }
  });
});

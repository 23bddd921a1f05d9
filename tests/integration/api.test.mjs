// The API as a client uses it, against the real binary, on SQLite and on
// PostgreSQL: the same tests for both.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, login, client, DEMO_PASSWORD, sql } from '../lib/harness.mjs';

for (const db of ['sqlite', 'postgres']) {
  describe(`API on ${db}`, () => {
    let srv, admin, commander;
    before(async () => {
      srv = await startServer({ db, env: { EPINET_LOGIN_MAX_FAILURES: '3', EPINET_MAX_BODY_BYTES: '4096' } });
      admin = await login(srv.url, 'admin');
      commander = await login(srv.url, 'commander');
    });
    after(async () => { await srv?.stop(); });

    test('healthz, version and the OpenAPI document', async () => {
      const anon = client(srv.url);
      assert.deepEqual((await anon.get('/healthz')).json, { status: 'ok' });
      const v = (await anon.get('/api/v1/version')).json;
      assert.equal(v.database, db === 'sqlite' ? 'sqlite' : 'postgresql');
      assert.ok(v.schema_version >= 1);
      assert.equal(v.utc_offset_minutes, 480, 'the city\'s clock, for the UI\'s "today"');
      const doc = (await anon.get('/api/v1/openapi.json')).json;
      assert.match(doc.openapi, /^3\./);
      for (const p of ['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/me', '/api/v1/divisions', '/api/v1/divisions/{id}',
        '/api/v1/venues', '/api/v1/venues/{id}', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/audit', '/healthz', '/metrics']) {
        assert.ok(doc.paths[p], `openapi lists ${p}`);
      }
      assert.ok(doc.paths['/api/v1/venues'].post.requestBody);
      assert.ok(doc.paths['/api/v1/venues'].get.responses['401']);
    });

    test('metrics count requests per route in Prometheus form', async () => {
      await client(srv.url).get('/healthz');
      const m = await client(srv.url).get('/metrics');
      assert.equal(m.status, 200);
      assert.match(m.text, /epinet_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
      assert.match(m.text, /epinet_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} \d+/);
    });

    test('login sets an HttpOnly SameSite=Strict cookie that works like the token; logout ends it', async () => {
      const r = await fetch(`${srv.url}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'venue_staff', password: DEMO_PASSWORD }),
      });
      assert.equal(r.status, 200);
      const cookie = r.headers.get('set-cookie');
      assert.match(cookie, /epinet_session=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      const { token } = await r.json();
      const me = await fetch(`${srv.url}/api/v1/me`, { headers: { cookie: cookie.split(';')[0] } });
      assert.equal(me.status, 200);
      const body = await me.json();
      assert.equal(body.role, 'venue_staff');
      assert.equal(body.jurisdiction.venue_name, '晋中市民之家');
      assert.deepEqual(body.permissions.sort(), ['checkpoints:scan', 'divisions:read', 'handovers:write', 'riskareas:read', 'venues:policy', 'venues:read']);
      const c = client(srv.url, token);
      assert.equal((await c.post('/api/v1/auth/logout')).status, 204);
      assert.equal((await c.get('/api/v1/me')).status, 401);
    });

    test('wrong passwords are refused, then throttled with Retry-After; the right one waits too', async () => {
      const anon = client(srv.url);
      const bad = await anon.post('/api/v1/auth/login', { username: 'lab', password: 'wrong-password' });
      assert.equal(bad.status, 401);
      assert.equal(bad.json.error.code, 'invalid_credentials');
      const unknown = await anon.post('/api/v1/auth/login', { username: 'nobody', password: 'wrong-password' });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.json.error.message, bad.json.error.message, 'no hint which usernames exist');
      await anon.post('/api/v1/auth/login', { username: 'lab', password: 'wrong-password' });
      await anon.post('/api/v1/auth/login', { username: 'lab', password: 'wrong-password' });
      const locked = await anon.post('/api/v1/auth/login', { username: 'lab', password: DEMO_PASSWORD });
      assert.equal(locked.status, 429);
      assert.equal(locked.json.error.code, 'too_many_attempts');
      assert.ok(Number(locked.headers.get('retry-after')) > 0);
      const audit = await admin.get('/api/v1/audit?action=auth.login_failed&actor=lab');
      assert.ok(audit.json.total >= 3);
    });

    test('files may be larger than other bodies, up to their own limit', async () => {
      // EPINET_MAX_BODY_BYTES is 4096 here; uploads get EPINET_MAX_UPLOAD_BYTES (64 MiB by default).
      const header = 'id_number,division_code,from,to\n';
      const rows = Array.from({ length: 400 }, () => '11010519491231002X,140722,2021-08-01T00:00:00Z,2021-08-02T00:00:00Z').join('\n');
      const send = (type, body) => fetch(`${srv.url}/api/v1/travel/import`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': type }, body })
        .then(async (r) => ({ status: r.status, json: await r.json() }));
      const csv = await send('text/csv', header + rows);
      assert.ok((header + rows).length > 4096);
      assert.equal(csv.status, 200, JSON.stringify(csv.json));
      assert.equal(csv.json.skipped.length, 400, 'read whole: every row named (nobody with that number lives here)');
      // 3 MB refused: the answer arrives whole although the client is still sending (a lingering close, no reset).
      const json = await send('application/json', JSON.stringify({ rows: rows.repeat(80) }));
      assert.equal(json.status, 413);
      assert.equal(json.json.error.code, 'body_too_large');
      assert.match(json.json.error.message, /4096 bytes/);
    });

    test('bad input gets a clear 4xx and changes nothing', async () => {
      const before = (await admin.get('/api/v1/venues?page_size=1')).json.total;
      const cases = [
        [await admin.call('POST', '/api/v1/venues', '{"name": "x", '), 400, 'invalid_json'],
        [await admin.call('POST', '/api/v1/venues', '[1,2]'), 400, 'invalid_json'],
        [await admin.post('/api/v1/venues', { name: 5, type: 'shop', division_id: 3 }), 400, 'invalid_field'],
        [await admin.post('/api/v1/venues', { name: 'x', type: 'shop', division_id: '3' }), 400, 'invalid_field'],
        [await admin.post('/api/v1/venues', { type: 'shop', division_id: 3 }), 400, 'missing_field'],
        [await admin.post('/api/v1/venues', { name: 'x', type: 'castle', division_id: 3 }), 400, 'invalid_field'],
        [await admin.post('/api/v1/venues', { name: 'x', type: 'shop', division_id: 3, colour: 'red' }), 400, 'invalid_field'],
        [await admin.post('/api/v1/venues', { name: 'x', type: 'shop', division_id: 999999 }), 400, 'invalid_field'],
        [await admin.post('/api/v1/venues', { name: 'x', type: 'shop', division_id: 3, entrances: [{ name: 'A', direction: 'up' }] }), 400, 'invalid_field'],
        [await admin.post('/api/v1/venues', { name: 'x'.repeat(5000), type: 'shop', division_id: 3 }), 413, 'body_too_large'],
        [await admin.get('/api/v1/venues?page=0'), 400, 'invalid_query'],
        [await admin.get('/api/v1/venues?page_size=abc'), 400, 'invalid_query'],
        [await admin.get('/api/v1/venues/abc'), 404, 'not_found'],
        [await admin.get('/api/v1/venues/999999'), 404, 'not_found'],
        [await admin.get('/api/v1/no-such-thing'), 404, 'not_found'],
        [await admin.call('PUT', '/api/v1/venues'), 405, 'method_not_allowed'],
      ];
      for (const [r, status, code] of cases) {
        assert.equal(r.status, status, r.text);
        assert.equal(r.json.error.code, code, r.text);
        assert.ok(r.json.error.message.length > 0);
      }
      assert.equal((await admin.get('/api/v1/venues?page_size=1')).json.total, before);
    });

    test('venues: create, find with filters and pages, change, delete, all audited', async () => {
      const yuci = (await admin.get('/api/v1/divisions?q=140702001&level=subdistrict')).json.items[0];
      assert.equal(yuci.name, '榆次区城区街道');
      const created = await commander.post('/api/v1/venues', {
        name: '集成测试便利店', type: 'shop', address: '测试路1号', division_id: yuci.id, capacity: 20,
        entrances: [{ name: '前门', direction: 'in' }, { name: '后门', direction: 'out' }],
      });
      assert.equal(created.status, 201, created.text);
      const v = created.json;
      assert.equal(v.division_name, '榆次区城区街道');
      assert.deepEqual(v.entrances, [{ name: '前门', direction: 'in' }, { name: '后门', direction: 'out' }]);
      const found = (await commander.get(`/api/v1/venues?q=${encodeURIComponent('集成测试')}`)).json;
      assert.equal(found.total, 1);
      assert.equal(found.items[0].id, v.id);
      const shops = (await commander.get(`/api/v1/venues?type=shop&division_id=${yuci.id}&page_size=2`)).json;
      assert.ok(shops.total >= 1 && shops.items.length <= 2);
      assert.ok(shops.items.every((x) => x.type === 'shop'));
      const p1 = (await commander.get('/api/v1/venues?page=1&page_size=10')).json;
      const p2 = (await commander.get('/api/v1/venues?page=2&page_size=10')).json;
      assert.equal(p1.items.length, 10);
      assert.ok(p1.total > 300);
      assert.equal(new Set([...p1.items, ...p2.items].map((x) => x.id)).size, 20);
      const patched = await commander.patch(`/api/v1/venues/${v.id}`, { capacity: null, name: '集成测试超市', type: 'supermarket' });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.capacity, null);
      assert.equal(patched.json.name, '集成测试超市');
      assert.equal(patched.json.entrances.length, 2);
      assert.equal((await commander.del(`/api/v1/venues/${v.id}`)).status, 204);
      assert.equal((await commander.get(`/api/v1/venues/${v.id}`)).status, 404);
      const audit = (await admin.get(`/api/v1/audit?record_type=venue&actor=commander`)).json.items;
      const actions = audit.filter((e) => e.record_id === String(v.id)).map((e) => e.action).sort();
      assert.deepEqual(actions, ['venue.create', 'venue.delete', 'venue.update']);
      assert.ok(audit.every((e) => e.client_addr === '127.0.0.1'));
    });

    test('divisions: tree by parent, create a child, rename, refuse to delete what is in use', async () => {
      const roots = (await admin.get('/api/v1/divisions')).json;
      assert.equal(roots.total, 1);
      assert.equal(roots.items[0].code, '140700');
      const districts = (await admin.get(`/api/v1/divisions?parent_id=${roots.items[0].id}&page_size=100`)).json;
      assert.equal(districts.total, 11);
      assert.deepEqual(districts.items.map((d) => d.code).sort(), ['140702', '140703', '140721', '140722', '140723', '140724', '140725', '140727', '140728', '140729', '140781']);
      const yinhai = (await admin.get(`/api/v1/divisions?q=${encodeURIComponent('银海心悦社区')}`)).json.items[0];
      const compounds = (await admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=100`)).json;
      assert.equal(compounds.total, 12);
      const child = await admin.post('/api/v1/divisions', { name: '测试楼', level: 'building', parent_id: compounds.items[0].id });
      assert.equal(child.status, 201, child.text);
      assert.equal(child.json.path, `${compounds.items[0].path}${child.json.id}/`);
      const wrongLevel = await admin.post('/api/v1/divisions', { name: '错', level: 'district', parent_id: compounds.items[0].id });
      assert.equal(wrongLevel.status, 400);
      const renamed = await admin.patch(`/api/v1/divisions/${child.json.id}`, { name: '测试楼A', name_en: 'Test A' });
      assert.equal(renamed.json.name, '测试楼A');
      assert.equal((await admin.del(`/api/v1/divisions/${yinhai.id}`)).status, 409);
      assert.equal((await admin.del(`/api/v1/divisions/${child.json.id}`)).status, 204);
      const dup = await admin.post('/api/v1/divisions', { code: '140702', name: 'dup', level: 'district', parent_id: roots.items[0].id });
      assert.equal(dup.status, 409);
    });

    test('users: create, sign in, change role, disable ends the session; reads are audited', async () => {
      const hall = (await admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
      const u = await admin.post('/api/v1/users', { username: 'door2', display_name: '二号门检查员', password: 'door2-Passw0rd', role: 'venue_staff', venue_id: hall.id });
      assert.equal(u.status, 201, u.text);
      assert.equal(u.json.venue_name, '晋中市民之家');
      assert.equal(u.json.password_hash, undefined, 'never returned');
      const dup = await admin.post('/api/v1/users', { username: 'door2', password: 'door2-Passw0rd', role: 'venue_staff', venue_id: hall.id });
      assert.equal(dup.status, 409);
      const noVenue = await admin.post('/api/v1/users', { username: 'door3', password: 'door3-Passw0rd', role: 'venue_staff', division_id: 1 });
      assert.equal(noVenue.status, 400);
      const weak = await admin.post('/api/v1/users', { username: 'door4', password: 'short', role: 'venue_staff', venue_id: hall.id });
      assert.equal(weak.status, 400);
      const door2 = await login(srv.url, 'door2', 'door2-Passw0rd');
      assert.equal((await door2.get('/api/v1/me')).json.username, 'door2');
      const read = await admin.get(`/api/v1/users/${u.json.id}`);
      assert.equal(read.status, 200);
      const reads = (await admin.get('/api/v1/audit?action=user.read')).json.items;
      assert.ok(reads.some((e) => e.record_id === String(u.json.id) && e.actor_username === 'admin'));
      const disabled = await admin.patch(`/api/v1/users/${u.json.id}`, { disabled: true });
      assert.equal(disabled.json.disabled, true);
      assert.equal((await door2.get('/api/v1/me')).status, 401);
      const again = await client(srv.url).post('/api/v1/auth/login', { username: 'door2', password: 'door2-Passw0rd' });
      assert.equal(again.status, 401);
      const self = await admin.patch('/api/v1/users/1', { disabled: true });
      assert.equal(self.status, 409);
      const list = (await admin.get('/api/v1/users?role=venue_staff')).json;
      assert.ok(list.items.every((x) => x.role === 'venue_staff'));
      assert.ok(list.total >= 2);
    });

    test('the audit log cannot be changed: no API for it, and the database refuses', async () => {
      assert.equal((await admin.call('DELETE', '/api/v1/audit')).status, 405);
      assert.equal((await admin.call('PATCH', '/api/v1/audit')).status, 405);
      const total = (await admin.get('/api/v1/audit?page_size=1')).json.total;
      assert.ok(total > 0);
      assert.throws(() => sql(srv, "UPDATE audit_log SET action = 'forged'"), /append-only/);
      assert.throws(() => sql(srv, 'DELETE FROM audit_log'), /append-only/);
      assert.ok((await admin.get('/api/v1/audit?page_size=1')).json.total >= total);
    });
  });
}

describe('static web UI', () => {
  test('the built UI is served, with client-side routes falling back to index.html', async () => {
    const srv = await startServer({ env: { EPINET_WEB_DIR: path.resolve('../web/dist') } });
    try {
      const home = await fetch(`${srv.url}/`);
      assert.equal(home.status, 200);
      assert.match(home.headers.get('content-type'), /text\/html/);
      assert.match(await home.text(), /<div id="app">/);
      const deep = await fetch(`${srv.url}/venues`);
      assert.equal(deep.status, 200);
      assert.match(await deep.text(), /<div id="app">/);
      assert.equal((await fetch(`${srv.url}/assets/missing-file.js`)).status, 404);
    } finally {
      await srv.stop();
    }
  });
});

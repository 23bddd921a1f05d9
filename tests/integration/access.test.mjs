// Role × endpoint matrix and jurisdiction: nobody reads or writes outside
// their role or jurisdiction. The expected table is written here, not read
// from the server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, ROLES } from '../lib/harness.mjs';

const EXPECTED = {
  admin: ['management:read', 'management:write', 'management:enroll', 'divisions:read', 'divisions:write', 'venues:read', 'venues:write', 'venues:policy', 'users:read', 'users:write',
    'audit:read', 'persons:read', 'persons:write', 'persons:reveal', 'persons:state', 'travel:write', 'tests:write',
    'riskareas:read', 'riskareas:write', 'handovers:write', 'warning:read', 'warning:write', 'warning:import', 'tracing:run', 'tracing:read',
    'community:read', 'community:write', 'pushlists:write'],
  commander: ['management:read', 'management:write', 'management:enroll', 'divisions:read', 'venues:read', 'venues:write', 'venues:policy', 'persons:read', 'persons:reveal',
    'persons:state', 'riskareas:read', 'riskareas:write', 'handovers:write', 'warning:read', 'warning:write', 'warning:import', 'tracing:run', 'tracing:read',
    'community:read', 'pushlists:write'],
  venue_staff: ['divisions:read', 'venues:read', 'venues:policy', 'checkpoints:scan', 'handovers:write', 'riskareas:read'],
  community_worker: ['management:read', 'management:write', 'divisions:read', 'venues:read', 'persons:read', 'persons:write', 'travel:write', 'riskareas:read',
    'community:read', 'community:write'],
  clinician: ['divisions:read', 'venues:read', 'checkpoints:scan', 'handovers:write', 'persons:lookup', 'tests:write', 'riskareas:read', 'warning:import'],
  lab: ['divisions:read', 'venues:read', 'persons:lookup', 'tests:write', 'riskareas:read'],
  resident: ['self:health'],
};
// Who may call each endpoint, written out here (one of the permissions suffices).
const ROUTE_PERMISSION = {
  'GET /api/v1/communities/{id}/roster-tree': 'community:read', 'GET /api/v1/roster': 'community:read',
  'GET /api/v1/roster/template': 'community:read', 'POST /api/v1/communities/{id}/roster/import': 'community:write',
  'POST /api/v1/persons/{id}/move-in': 'community:write', 'POST /api/v1/persons/{id}/move-out': 'community:write',
  'GET /api/v1/persons/{id}/residences': 'community:read', 'GET /api/v1/communities/{id}/workers': 'community:read',
  'GET /api/v1/returnee-measure': 'community:read|self:health', 'POST /api/v1/returnees': 'community:write',
  'POST /api/v1/me/returnee': 'self:health', 'GET /api/v1/me/returnees': 'self:health',
  'GET /api/v1/returnees': 'community:read', 'GET /api/v1/returnees/{id}': 'community:read',
  'POST /api/v1/push-lists': 'pushlists:write', 'GET /api/v1/push-list-template': 'pushlists:write|community:read',
  'GET /api/v1/push-lists': 'pushlists:write|community:read', 'GET /api/v1/push-lists/{id}': 'pushlists:write|community:read',
  'GET /api/v1/push-lists/{id}/items': 'pushlists:write|community:read', 'GET /api/v1/push-lists/{id}/export': 'pushlists:write|community:read',
  'POST /api/v1/push-lists/{id}/items/{line}/outcome': 'community:write', 'POST /api/v1/push-lists/{id}/items/{line}/assign': 'community:write',
  'GET /api/v1/communities/{id}/push-board': 'pushlists:write|community:read', 'GET /api/v1/push-todo': 'community:read',
  'POST /api/v1/disinfections': 'community:write', 'GET /api/v1/disinfections': 'community:read',
  'GET /api/v1/disinfections/{id}/photo': 'community:read',
  'GET /api/v1/management/cases': 'management:read', 'POST /api/v1/management/cases': 'management:enroll',
  'GET /api/v1/management/cases/{id}': 'management:read', 'POST /api/v1/management/cases/{id}/transitions': 'management:write',
  'POST /api/v1/management/cases/{id}/extend': 'management:write', 'POST /api/v1/management/cases/{id}/tests': 'management:write',
  'POST /api/v1/management/cases/{id}/reports': 'management:write', 'GET /api/v1/management/board': 'management:read',
  'GET /api/v1/management/todos': 'management:read', 'POST /api/v1/management/todos/{id}/close': 'management:write',
  'GET /api/v1/management/fever-reports': 'management:read',
  'GET /api/v1/me/health-reports': 'self:health', 'POST /api/v1/me/health-reports': 'self:health',
  'GET /api/v1/warning/overview': 'warning:read', 'GET /api/v1/warning/series': 'warning:read',
  'POST /api/v1/warning/import': 'warning:import', 'GET /api/v1/warning/history': 'warning:read',
  'POST /api/v1/warning/evaluate': 'warning:write', 'GET /api/v1/warning/alerts': 'warning:read',
  'GET /api/v1/warning/alerts/{id}': 'warning:read', 'POST /api/v1/warning/alerts/{id}/actions': 'warning:write',
  'GET /api/v1/warning/unread': 'warning:read', 'POST /api/v1/warning/seen': 'warning:read',
  'GET /api/v1/divisions': 'divisions:read', 'GET /api/v1/divisions/{id}': 'divisions:read',
  'POST /api/v1/divisions': 'divisions:write', 'PATCH /api/v1/divisions/{id}': 'divisions:write', 'DELETE /api/v1/divisions/{id}': 'divisions:write',
  'GET /api/v1/venues': 'venues:read', 'GET /api/v1/venues/{id}': 'venues:read',
  'POST /api/v1/venues': 'venues:write', 'PATCH /api/v1/venues/{id}': 'venues:write', 'DELETE /api/v1/venues/{id}': 'venues:write',
  'GET /api/v1/users': 'users:read', 'GET /api/v1/users/{id}': 'users:read', 'POST /api/v1/users': 'users:write',
  'PATCH /api/v1/users/{id}': 'users:write', 'POST /api/v1/users/{id}/person': 'users:write',
  'GET /api/v1/audit': 'audit:read',
  'POST /api/v1/persons': 'persons:write', 'GET /api/v1/persons': 'persons:read|persons:lookup',
  'GET /api/v1/persons/{id}': 'persons:read|persons:lookup', 'PATCH /api/v1/persons/{id}': 'persons:write',
  'GET /api/v1/persons/{id}/id-number': 'persons:reveal', 'GET /api/v1/persons/{id}/household': 'persons:read',
  'GET /api/v1/persons/{id}/travel': 'persons:read', 'POST /api/v1/persons/{id}/travel': 'travel:write',
  'POST /api/v1/travel/import': 'travel:write',
  'POST /api/v1/persons/{id}/tests': 'tests:write', 'GET /api/v1/persons/{id}/tests': 'persons:read|persons:lookup|tests:write',
  'GET /api/v1/me/travel': 'self:health', 'POST /api/v1/persons/{id}/code-override': 'persons:state',
  'PUT /api/v1/persons/{id}/state': 'persons:state', 'GET /api/v1/persons/{id}/health-code': 'persons:read',
  'GET /api/v1/me/person': 'self:health', 'GET /api/v1/me/health-code': 'self:health', 'POST /api/v1/me/travel': 'self:health',
  'GET /api/v1/risk-areas': 'riskareas:read', 'GET /api/v1/risk-areas/{id}': 'riskareas:read',
  'POST /api/v1/risk-areas': 'riskareas:write', 'POST /api/v1/risk-areas/{id}/events': 'riskareas:write',
  'POST /api/v1/checkpoints/scan': 'checkpoints:scan', 'GET /api/v1/venues/{id}/today': 'venues:read',
  'GET /api/v1/venues/{id}/checkins': 'venues:read', 'GET /api/v1/handovers': 'venues:read',
  'POST /api/v1/venues/{id}/handovers/{handover}/close': 'handovers:write', 'PATCH /api/v1/venues/{id}/policy': 'venues:policy',
  'POST /api/v1/tracing/jobs': 'tracing:run', 'GET /api/v1/tracing/jobs': 'tracing:read',
  'GET /api/v1/tracing/jobs/{id}': 'tracing:read', 'GET /api/v1/tracing/jobs/{id}/contacts': 'tracing:read',
  'GET /api/v1/tracing/index': 'tracing:read', 'POST /api/v1/tracing/imports/venue-scans': 'tracing:run',
  'POST /api/v1/tracing/imports/trips': 'tracing:run',
  'POST /api/v1/tracing/jobs/{id}/handover': 'tracing:run', 'POST /api/v1/tracing/jobs/{id}/decline': 'tracing:run',
};
const PUBLIC = new Set(['GET /healthz', 'GET /metrics', 'GET /api/v1/version', 'GET /api/v1/openapi.json', 'POST /api/v1/auth/login',
  'GET /api/v1/public/risk-areas', 'GET /api/v1/public/keys', 'GET /api/v1/public/venues/{id}/board']);
const SIGNED_IN = new Set(['GET /api/v1/me', 'POST /api/v1/auth/logout']);

for (const db of ['sqlite', 'postgres']) {
  describe(`access on ${db}`, () => {
    let srv, clients = {}, ids = {};
    before(async () => {
      srv = await startServer({ db });
      for (const r of ROLES) clients[r] = await login(srv.url, r);
      const a = clients.admin;
      const find = async (q) => (await a.get(`/api/v1/venues?q=${encodeURIComponent(q)}`)).json.items[0];
      ids.hall = (await find('晋中市民之家')).id;
      ids.hospital = (await find('晋中市第一人民医院')).id;
      ids.gate = (await find('银海心悦小区大门')).id;
      ids.taiguVenue = (await a.get(`/api/v1/venues?q=${encodeURIComponent('太谷区第1')}`)).json.items[0].id;
      const div = async (code) => (await a.get(`/api/v1/divisions?q=${code}`)).json.items.find((d) => d.code === code);
      ids.city = (await div('140700')).id;
      ids.yuci = (await div('140702')).id;
      ids.taigu = (await div('140703')).id;
      ids.taiguStreet = (await div('140703001')).id;
      ids.yuciStreet = (await div('140702001')).id;
      ids.yinhai = (await div('140702002001')).id;
      const compound = (await a.get(`/api/v1/divisions?parent_id=${ids.yinhai}`)).json.items[0].id;
      const p = await clients.community_worker.post('/api/v1/persons', { id_number: '140702198506120025', name: '矩阵测试', division_id: compound });
      assert.equal(p.status, 201, p.text);
      ids.person = p.json.id;
    });
    after(async () => { await srv?.stop(); });

    test('every endpoint × every role: 401 without a session, 403 without the permission', async () => {
      const doc = (await client(srv.url).get('/api/v1/openapi.json')).json;
      const routes = [];
      for (const [p, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) routes.push([m.toUpperCase(), p, ops[m]['x-permission']]);
      assert.ok(routes.length >= 20, `${routes.length} routes`);
      let checked = 0;
      const listed = new Set(routes.map(([m, p]) => `${m} ${p}`));
      for (const key of [...Object.keys(ROUTE_PERMISSION), ...PUBLIC]) assert.ok(listed.has(key), `the server lists ${key}`);
      for (const [method, pattern, declared] of routes) {
        const key = `${method} ${pattern}`;
        if (key === 'POST /api/v1/auth/logout') continue; // ends the session: tested in the API suite
        // Ids that exist but would not be changed: writes send a body that fails validation.
        const url = pattern.replace('{id}', pattern.includes('venues') ? String(ids.hall) : pattern.includes('users') ? '1'
          : pattern.includes('persons') ? String(ids.person) : pattern.includes('risk-areas') ? '1' : String(ids.yinhai)).replace('{handover}', '1');
        const body = method === 'GET' || method === 'DELETE' ? undefined : { no_such_field: 1 };
        const anon = await client(srv.url).call(method, url, body);
        if (PUBLIC.has(key)) {
          assert.notEqual(anon.status, 401, key);
          continue;
        }
        assert.equal(anon.status, 401, `${key} anonymous`);
        assert.equal(anon.json.error.code, 'unauthenticated');
        if (SIGNED_IN.has(key)) {
          for (const r of ROLES) assert.equal((await clients[r].call(method, url, body)).status, 200, `${key} ${r}`);
          continue;
        }
        const perm = ROUTE_PERMISSION[key];
        assert.ok(perm, `${key} is in the expected table`);
        assert.equal(declared, perm, `${key} declares ${declared}`);
        const allowed = (r) => perm.split('|').some((p) => EXPECTED[r].includes(p));
        for (const r of ROLES) {
          if (method === 'DELETE' && allowed(r)) continue; // allowed deletes are tested below
          const res = await clients[r].call(method, url, body);
          if (allowed(r)) assert.ok(![401, 403].includes(res.status) || /jurisdiction|full identity number/.test(res.json?.error?.message ?? ''), `${key} ${r}: ${res.status} ${res.text}`);
          else {
            assert.equal(res.status, 403, `${key} ${r}: ${res.text}`);
            assert.equal(res.json.error.code, 'forbidden');
          }
          checked++;
        }
      }
      assert.ok(checked > 100, `${checked} checks`);
    });

    test('venue-bound staff see their own venue and nothing else', async () => {
      const staff = (await clients.venue_staff.get('/api/v1/venues')).json;
      assert.deepEqual(staff.items.map((v) => v.id), [ids.hall]);
      assert.equal((await clients.venue_staff.get(`/api/v1/venues/${ids.hospital}`)).status, 403);
      const clin = (await clients.clinician.get('/api/v1/venues')).json;
      assert.deepEqual(clin.items.map((v) => v.id), [ids.hospital]);
      assert.equal((await clients.lab.get(`/api/v1/venues/${ids.hall}`)).status, 403);
    });

    test('a community worker sees only venues in its community', async () => {
      const cw = (await clients.community_worker.get('/api/v1/venues?page_size=500')).json;
      assert.equal(cw.total, 12, 'the 12 compound gates');
      assert.ok(cw.items.every((v) => v.type === 'compound_gate'));
      assert.equal((await clients.community_worker.get(`/api/v1/venues/${ids.gate}`)).status, 200);
      assert.equal((await clients.community_worker.get(`/api/v1/venues/${ids.hall}`)).status, 403);
    });

    test('district accounts stay inside their district', async () => {
      const a = clients.admin;
      const mk = await a.post('/api/v1/users', { username: 'yuci_admin', password: 'yuci-Passw0rd', role: 'admin', division_id: ids.yuci });
      assert.equal(mk.status, 201, mk.text);
      await a.post('/api/v1/users', { username: 'yuci_cmd', password: 'yuci-Passw0rd', role: 'commander', division_id: ids.yuci });
      const ya = await login(srv.url, 'yuci_admin', 'yuci-Passw0rd');
      const yc = await login(srv.url, 'yuci_cmd', 'yuci-Passw0rd');
      // users: only those whose jurisdiction lies in Yuci
      const users = (await ya.get('/api/v1/users?page_size=500')).json.items.map((u) => u.username).sort();
      assert.ok(!users.includes('admin') && !users.includes('commander'), users.join());
      assert.ok(users.includes('venue_staff') && users.includes('community_worker') && users.includes('yuci_cmd'));
      assert.equal((await ya.get('/api/v1/users/2')).status, 403, 'the city commander');
      assert.equal((await ya.patch('/api/v1/users/2', { display_name: 'x' })).status, 403);
      assert.equal((await ya.post('/api/v1/users', { username: 'taigu_x', password: 'taigu-Passw0rd', role: 'commander', division_id: ids.taigu })).status, 403);
      assert.equal((await ya.post('/api/v1/divisions', { name: '外区', level: 'subdistrict', parent_id: ids.taigu })).status, 403);
      assert.equal((await ya.patch(`/api/v1/divisions/${ids.city}`, { name: '改名' })).status, 403);
      // venues: Yuci's only
      const vs = (await yc.get('/api/v1/venues?page_size=500')).json.items;
      assert.ok(vs.length > 0 && !vs.some((v) => v.id === ids.taiguVenue));
      assert.equal((await yc.get(`/api/v1/venues/${ids.taiguVenue}`)).status, 403);
      assert.equal((await yc.patch(`/api/v1/venues/${ids.taiguVenue}`, { name: '改名' })).status, 403);
      assert.equal((await yc.del(`/api/v1/venues/${ids.taiguVenue}`)).status, 403);
      assert.equal((await yc.post('/api/v1/venues', { name: '越界', type: 'shop', division_id: ids.taiguStreet })).status, 403);
      assert.equal((await yc.patch(`/api/v1/venues/${ids.hall}`, { division_id: ids.taiguStreet })).status, 403, 'cannot move a venue out');
      const ok = await yc.post('/api/v1/venues', { name: '区内', type: 'shop', division_id: ids.yuciStreet });
      assert.equal(ok.status, 201);
      assert.equal((await yc.del(`/api/v1/venues/${ok.json.id}`)).status, 204);
      // the audit log is admin-only and nothing leaked into a 403 changed anything
      assert.equal((await a.get(`/api/v1/venues/${ids.taiguVenue}`)).json.name.startsWith('太谷区第1'), true);
    });
  });
}

// Contact tracing end to end on both databases: a simulated city loaded into
// the store, coach manifests imported, the in-memory engine against the SQL
// reference query, trace jobs through the API (live check-ins, evidence,
// export, audit, hand-over to management), bad input, and a restart.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, login, runCli, sql, tmpDir, postgresDatabase, DEMO_PASSWORD } from '../lib/harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function csvRows(text) {
  return text.replace(/^\uFEFF/, '').trim().split('\n').map((l) => l.split(','));
}

// RFC 4180 rows (the evidence column is quoted JSON).
function parseCsv(text) {
  const rows = [];
  let row = [], cur = '', q = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      if (ch === '"' && s[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = false; else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cur); cur = ''; } else if (ch === '\n') { row.push(cur); rows.push(row); row = []; cur = ''; } else if (ch !== '\r') cur += ch;
  }
  if (cur || row.length) { row.push(cur); rows.push(row); }
  return rows;
}

async function upload(srv, who, p, body) {
  const r = await fetch(`${srv.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${who.token}`, 'content-type': 'text/csv' }, body });
  const text = await r.text();
  return { status: r.status, json: JSON.parse(text) };
}

// After a long idle spell (the command-line runs) the server has closed the
// pooled keep-alive sockets: let the client notice before the real requests.
async function wake(srv) {
  for (let i = 0; i < 3; i++) {
    try { await fetch(`${srv.url}/healthz`); } catch { /* a socket the server closed */ }
  }
}

async function waitDone(c, id) {
  for (let i = 0; i < 400; i++) {
    const r = await c.get(`/api/v1/tracing/jobs/${id}`);
    assert.equal(r.status, 200, r.text);
    if (r.json.status === 'done' || r.json.status === 'failed' || r.json.status === 'review') return r.json;
    await sleep(50);
  }
  throw new Error(`job ${id} did not finish`);
}

for (const db of ['sqlite', 'postgres']) {
  describe(`tracing on ${db}`, () => {
    let srv, c = {}, env, simDir, dataDir, databaseUrl;
    const persons = new Map(); // sim person id → identity number
    const homes = new Map(), households = new Map(); // sim person → household; household → members

    before(async () => {
      dataDir = tmpDir();
      simDir = path.join(dataDir, 'sim');
      databaseUrl = db === 'postgres' ? await postgresDatabase() : `sqlite:${path.join(dataDir, 'epinet.db')}`;
      env = { EPINET_DATA_DIR: dataDir, EPINET_DATABASE_URL: databaseUrl, EPINET_DEMO_PASSWORD: DEMO_PASSWORD, EPINET_LOG_LEVEL: 'warn' };
      let r = runCli(['seed-demo'], env);
      assert.equal(r.code, 0, r.stderr);
      // Four whole days that ended at the city's last midnight: what is loaded does not depend on the hour the test runs.
      const start = new Date(Date.now() + 8 * 3600_000 - 4 * 86400_000).toISOString().slice(0, 10);
      r = runCli(['sim', '--persons', '2000', '--days', '4', '--seed', '7', '--start', start, '--load', '--out', simDir], env);
      assert.equal(r.code, 0, r.stderr);
      for (const row of csvRows(fs.readFileSync(path.join(simDir, 'persons.csv'), 'utf8')).slice(1)) {
        persons.set(row[0], row[1]);
        homes.set(row[0], row[3]);
        households.set(row[3], (households.get(row[3]) ?? 0) + 1);
      }
      srv = await startServer({ dataDir, databaseUrl });
      for (const u of ['commander', 'admin', 'venue_staff', 'resident']) c[u] = await login(srv.url, u);
    });
    after(async () => { if (process.env.TRACE_DEBUG) console.log(srv?.output()); await srv?.stop(); });

    test('the simulated city loads its coach trips; manifests import; a file with a bad row is refused whole', async () => {
      const trips = csvRows(fs.readFileSync(path.join(simDir, 'trips.csv'), 'utf8'));
      const loaded = new Set(trips.slice(1).map((t) => t[0]));
      const before = (await c.commander.get('/api/v1/tracing/index')).json;
      assert.equal(before.trips, loaded.size, 'sim --load wrote every trip of trips.csv');
      // The same manifests as another station's export (its own trip numbers): new trips.
      const head = 'trip_id,vehicle,route,departure,arrival,id_number,seat_row,seat_col,crew';
      const lines = trips.slice(1).map((t) => [`S${t[0]}`, t[1], t[2], t[3], t[7], t[4] ? persons.get(t[4]) : '', t[5], t[6], t[5] === '0' ? 1 : 0].join(','));
      const bad = await upload(srv, c.commander, '/api/v1/tracing/imports/trips', [head, lines[0], '9,晋K0,x,1,2,110101199001011237,3,1,0'].join('\n'));
      assert.equal(bad.status, 422);
      assert.equal(bad.json.error.rows[0].line, 3);
      assert.equal((await c.commander.get('/api/v1/tracing/index')).json.trips, before.trips, 'nothing imported');
      const ok = await upload(srv, c.commander, '/api/v1/tracing/imports/trips', [head, ...lines].join('\n'));
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.ok(ok.json.imported > 100, `${ok.json.imported} seats`);
      const after = (await c.commander.get('/api/v1/tracing/index')).json;
      assert.equal(after.trips, before.trips + loaded.size, 'the index follows the import');
      assert.ok(after.stays > 20000, `${after.stays} stays in the index`);
    });

    test('the engine equals the SQL reference query for 1,000 random index persons, each traced alone', () => {
      const onset = new Date(Date.now() - 2 * 86400000).toISOString();
      const asOf = new Date().toISOString();
      const run = (engine, out) => {
        const r = runCli(['trace', '--sample', '1000', '--seed', '5', '--each', '--onset', onset, '--as-of', asOf, '--engine', engine, '--out', out],
          { ...env, EPINET_TRACE_SECONDARY: '0' });
        assert.equal(r.code, 0, r.stderr);
        return fs.readFileSync(out, 'utf8');
      };
      const a = run('index', path.join(dataDir, 'index.csv'));
      const b = run('sql', path.join(dataDir, 'sql.csv'));
      const rows = parseCsv(a);
      assert.ok(rows.length > 5000, `${rows.length} contact rows`);
      assert.deepEqual(rows[0].slice(0, 7), ['index_person_id', 'person_id', 'name', 'id_masked', 'district', 'kind', 'first_exposure']);
      const evidence = rows[0].indexOf('evidence');
      const settings = new Set(rows.slice(1).flatMap((r) => JSON.parse(r[evidence]).map((e) => e.setting)));
      const via = rows[0].indexOf('via_person_id');
      assert.equal(rows[0][via + 1], 'via_name');
      assert.ok(rows.slice(1).every((r) => r[via + 1] !== ''), 'the command line names every via');
      assert.deepEqual([...settings].sort(), ['household', 'trip', 'venue'], 'every rule is exercised');
      assert.equal(new Set(rows.slice(1).map((r) => r[0])).size > 900, true, 'most index persons have contacts');
      assert.ok(a === b, 'byte-identical contact lists, evidence included');
    });

    test('with secondary contacts and the companion tier, the engine still equals the SQL reference', () => {
      const onset = new Date(Date.now() - 2 * 86400000).toISOString();
      const asOf = new Date().toISOString();
      const tier = { ...env, EPINET_TRACE_CLOSE_VENUE_TYPES: 'restaurant,office,school,gym', EPINET_TRACE_MIN_OVERLAP_MIN: '15' };
      const run = (engine) => {
        const out = path.join(dataDir, `tier-${engine}.csv`);
        const r = runCli(['trace', '--sample', '15', '--seed', '9', '--onset', onset, '--as-of', asOf, '--engine', engine, '--out', out], tier);
        assert.equal(r.code, 0, r.stderr);
        return fs.readFileSync(out, 'utf8');
      };
      const a = run('index');
      const kinds = new Set(parseCsv(a).slice(1).map((r) => r[4]));
      assert.deepEqual([...kinds].sort(), ['close', 'companion', 'secondary']);
      assert.ok(a === run('sql'), 'identical');
    });

    test('a job through the API: a live check-in becomes evidence, export, audit, hand-over to management', async () => {
      await wake(srv);
      const hall = (await c.admin.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
      const scan = (id) => c.venue_staff.post('/api/v1/checkpoints/scan', { venue_id: hall.id, entrance: '东门入口', direction: 'in', id_number: id, temperature_c: 36.5, mask: true });
      // Two residents with a green code, the first from a household of several.
      const passed = [];
      for (const [simId, id] of persons) {
        if (passed.length === 0 && (households.get(homes.get(simId)) ?? 0) < 2) continue;
        const r = await scan(id);
        if (r.json?.decision === 'pass') passed.push({ id, person: r.json.person_id });
        if (passed.length === 2) break;
      }
      assert.equal(passed.length, 2);
      const ids = passed.map((p) => p.id);
      const index = passed[0].person, contact = passed[1].person;
      const jobsBefore = (await c.commander.get('/api/v1/tracing/jobs')).json.total;

      // Bad input: refused, and no job is created.
      assert.equal((await c.commander.post('/api/v1/tracing/jobs', {})).status, 400);
      assert.equal((await c.commander.post('/api/v1/tracing/jobs', { index_person_ids: 'x' })).json.error.code, 'invalid_field');
      assert.equal((await c.commander.post('/api/v1/tracing/jobs', { index_person_ids: [999999999] })).status, 404);
      const noWindow = await c.commander.post('/api/v1/tracing/jobs', { index_person_ids: [index] });
      assert.equal(noWindow.status, 400);
      assert.equal(noWindow.json.error.code, 'no_exposure_window');
      assert.equal((await c.commander.get('/api/v1/tracing/jobs')).json.total, jobsBefore);
      assert.equal((await c.resident.post('/api/v1/tracing/jobs', { index_person_ids: [index] })).status, 403);

      const onset = new Date(Date.now() - 3600000).toISOString();
      const started = await c.commander.post('/api/v1/tracing/jobs', { cases: [{ person_id: index, onset }] });
      assert.equal(started.status, 202, started.text);
      const job = await waitDone(c.commander, started.json.job_id);
      assert.equal(job.status, 'done', JSON.stringify(job));
      assert.equal(job.index_cases[0].window_source, 'onset');
      // The contacts come a page at a time; every page together is every contact, once, in order.
      const all = [];
      for (let p = 1; ; p++) {
        const r = await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?page=${p}&page_size=7`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.page, p);
        assert.equal(r.json.contacts_total, job.contacts_total);
        assert.ok(r.json.contacts.length <= 7);
        all.push(...r.json.contacts);
        if (r.json.contacts.length < 7) break;
      }
      assert.equal(job.contacts_total, job.counts.close + job.counts.secondary + job.counts.companion);
      assert.ok(job.contacts_total > 7, `${job.contacts_total} contacts: more than one page`);
      assert.equal(all.length, job.contacts_total);
      assert.equal(new Set(all.map((x) => x.person_id)).size, all.length);
      const rank = { close: 0, secondary: 1, companion: 2 };
      for (let i = 1; i < all.length; i++) {
        const a = all[i - 1], b = all[i];
        assert.ok(rank[a.kind] < rank[b.kind] || (a.kind === b.kind && a.person_id < b.person_id), 'close first, then by person id');
      }
      assert.deepEqual(job.contacts, all.slice(0, 50), 'the first page by default holds 50');
      assert.equal((await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?page_size=501`)).status, 400);
      assert.equal((await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?page=0`)).status, 400);
      const beyond = (await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?page=1000`)).json;
      assert.deepEqual([beyond.contacts.length, beyond.contacts_total], [0, job.contacts_total]);
      // Following a job: its status alone, no contacts read.
      const status = await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?contacts=false`);
      assert.equal(status.status, 200);
      assert.deepEqual([status.json.status, status.json.contacts, status.json.counts], ['done', undefined, job.counts]);
      assert.equal((await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?contacts=maybe`)).status, 400);
      const one = (await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?person_id=${contact}`)).json;
      assert.equal(one.contacts_total, 1);
      const found = one.contacts[0];
      const named = (await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?name=${encodeURIComponent(found.name.slice(0, 1))}&page_size=500`)).json;
      assert.ok(named.contacts.some((x) => x.person_id === contact), 'found by the first character of the name');
      assert.ok(named.contacts.every((x) => x.name.startsWith(found.name.slice(0, 1))));
      assert.equal(named.contacts_total, all.filter((x) => x.name.startsWith(found.name.slice(0, 1))).length);
      assert.ok(found, 'the person scanned in just after the index is a close contact');
      assert.equal(found.kind, 'close');
      const ev = found.evidence.find((e) => e.setting === 'venue' && e.place_id === hall.id);
      assert.ok(ev, JSON.stringify(found.evidence));
      assert.equal(ev.place, '晋中市民之家');
      assert.equal(ev.via, index);
      assert.ok(found.id_masked.includes('*'), 'identity numbers masked');
      assert.ok(!JSON.stringify(all).includes(ids[1]), 'no identity number in clear');
      assert.ok(all.some((x) => x.kind === 'close' && x.setting === 'household'), 'household members');
      assert.equal(job.counts.close, all.filter((x) => x.kind === 'close').length);
      assert.equal(job.error, null, 'handed over to management without error');
      assert.equal(job.counts.enrolled, all.length);

      const filtered = (await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?kind=secondary&page_size=500`)).json;
      assert.ok(filtered.contacts.every((x) => x.kind === 'secondary'));
      assert.equal(filtered.contacts_total, job.counts.secondary);
      const csv = await fetch(`${srv.url}/api/v1/tracing/jobs/${job.job_id}/contacts?format=csv`, { headers: { authorization: `Bearer ${c.commander.token}` } });
      assert.equal(csv.status, 200);
      const table = parseCsv(await csv.text());
      assert.equal(table[0][0], 'person_id');
      assert.equal(table.length - 1, job.contacts_total);
      assert.deepEqual(table.slice(1).map((r) => Number(r[0])), all.map((x) => x.person_id), 'the export lists every page, in the same order');
      // The job names its index case and whom each contact was met through (the whole city is the commander's).
      const indexPerson = (await c.admin.get(`/api/v1/persons/${index}`)).json;
      const people = new Map(job.people.map((p) => [p.person_id, p]));
      assert.equal(people.get(index)?.name, indexPerson.name, JSON.stringify(job.people));
      assert.equal(people.get(index).id_masked, indexPerson.id_masked);
      for (const x of job.contacts) {
        assert.ok(people.has(x.via_person_id), `the via of ${x.person_id} is named`);
        for (const e of x.evidence) assert.ok(people.has(e.via), `the via of an evidence row of ${x.person_id} is named`);
      }
      assert.ok(!JSON.stringify(job.people).includes(ids[0]), 'no identity number in clear');
      const header = table[0], foundRow = table.find((r) => Number(r[0]) === contact);
      assert.equal(foundRow[header.indexOf('via_person_id')], String(index));
      assert.equal(foundRow[header.indexOf('via_name')], indexPerson.name, 'the export names the via');
      // The job list names its jobs' index cases, and says so in the audit log.
      const listed = (await c.commander.get('/api/v1/tracing/jobs')).json;
      assert.ok(listed.people.some((p) => p.person_id === index && p.name === indexPerson.name), JSON.stringify(listed.people));
      const listAudit = (await c.admin.get('/api/v1/audit?action=tracing.jobs.list')).json;
      assert.ok(listAudit.items.some((e) => e.actor_username === 'commander'), 'naming the index cases of the job list is audited');
      // A commander of another district: nobody outside it is named, nor listed.
      const home = (await c.admin.get(`/api/v1/divisions/${indexPerson.division_id}`)).json;
      const city = (await c.admin.get('/api/v1/divisions?q=140700')).json.items.find((d) => d.code === '140700');
      const other = (await c.admin.get(`/api/v1/divisions?parent_id=${city.id}&page_size=100`)).json.items.find((d) => !home.path.startsWith(d.path));
      assert.ok(other, 'a district the index person does not live in');
      const user = `far_cmd_${db}`;
      assert.equal((await c.admin.post('/api/v1/users', { username: user, password: 'far-Passw0rd1', role: 'commander', division_id: other.id })).status, 201);
      const far = await login(srv.url, user, 'far-Passw0rd1');
      const farJob = (await far.get(`/api/v1/tracing/jobs/${job.job_id}?page_size=500`)).json;
      assert.ok(!farJob.people.some((p) => p.person_id === index), 'the index case is not named outside their district');
      assert.ok(!(await far.get('/api/v1/tracing/jobs')).json.people.some((p) => p.person_id === index));
      const farCsv = parseCsv(await (await fetch(`${srv.url}/api/v1/tracing/jobs/${job.job_id}/contacts?format=csv`, { headers: { authorization: `Bearer ${far.token}` } })).text());
      for (const r of farCsv.slice(1)) if (r[farCsv[0].indexOf('via_person_id')] === String(index)) assert.equal(r[farCsv[0].indexOf('via_name')], '');
      const xlsx = await fetch(`${srv.url}/api/v1/tracing/jobs/${job.job_id}/contacts?format=xlsx`, { headers: { authorization: `Bearer ${c.commander.token}` } });
      assert.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK');
      const audit = (await c.admin.get('/api/v1/audit?action=tracing.contacts.read')).json;
      assert.ok(audit.items.some((e) => e.record_id === String(job.job_id)), 'reading contacts is audited');
      const after = (await c.commander.get(`/api/v1/tracing/jobs/${job.job_id}?person_id=${contact}`)).json.contacts[0];
      assert.notEqual(after.manage_status, 'none', 'the contact is under management now');
    });

    test('a finished job survives a restart', async () => {
      const jobs = (await c.commander.get('/api/v1/tracing/jobs')).json.items;
      const last = jobs[0];
      await srv.stop();
      srv = await startServer({ dataDir, databaseUrl });
      c.commander = await login(srv.url, 'commander');
      const again = (await c.commander.get(`/api/v1/tracing/jobs/${last.job_id}`)).json;
      assert.equal(again.status, 'done');
      assert.equal(again.contacts_total, last.counts.close + last.counts.secondary + last.counts.companion);
      const ix = (await c.commander.get('/api/v1/tracing/index')).json;
      for (let i = 0; i < 100 && !ix.ready; i++) { await sleep(50); Object.assign(ix, (await c.commander.get('/api/v1/tracing/index')).json); }
      assert.equal(ix.ready, true);
      assert.ok(ix.trips > 0 && ix.stays > 20000, 'rebuilt from the store');
      assert.ok(ix.bytes_per_stay < 64, `${ix.bytes_per_stay} bytes per stay`);
    });

    test('a job listing more contacts than the review threshold waits for a decision, across a restart', async () => {
      const env = { EPINET_TRACE_REVIEW_ABOVE: '3' };
      const restart = async () => {
        await srv.stop();
        srv = await startServer({ dataDir, databaseUrl, env });
        for (const u of ['commander', 'admin', 'resident']) c[u] = await login(srv.url, u);
      };
      await restart();
      // Index persons of the simulated city from households of three or more (close contacts for sure)
      // of whom nobody is under management or a case yet (so that the job hands over some of them: earlier
      // tests and the simulated city's own cases put others under management), who went out (venue
      // contacts and their contacts).
      const free = sql(srv, "SELECT id FROM persons WHERE household_id IN " +
        "(SELECT household_id FROM persons WHERE household_id IS NOT NULL GROUP BY household_id HAVING COUNT(*) >= 3 " +
        "AND SUM(CASE WHEN manage_status <> 'none' OR case_status <> 'none' THEN 1 ELSE 0 END) = 0) " +
        'AND id IN (SELECT person_id FROM checkins GROUP BY person_id HAVING COUNT(*) >= 8) ORDER BY id LIMIT 3')
        .split('\n').map(Number);
      assert.equal(free.length, 3);
      const managedBy = (id) => Number(sql(srv, `SELECT COUNT(*) FROM managed_cases WHERE source = 'tracing_job:${id}'`));
      const onset = new Date(Date.now() - 2 * 86400000).toISOString();
      const startJob = async (person) => {
        const r = await c.commander.post('/api/v1/tracing/jobs', { cases: [{ person_id: person, onset }] });
        assert.equal(r.status, 202, r.text);
        return waitDone(c.commander, r.json.job_id);
      };

      const job = await startJob(free[0]);
      assert.equal(job.status, 'review', JSON.stringify({ ...job, contacts: undefined }));
      assert.equal(job.review_above, 3);
      assert.equal(job.decision, null);
      assert.ok(job.contacts_total > 3 && job.counts.close > 0 && job.counts.secondary > 0, JSON.stringify(job.counts));
      assert.equal(job.counts.enrolled, 0);
      assert.equal(managedBy(job.job_id), 0, 'nobody handed over');
      assert.ok(job.reported_at, 'the report time kept for a later hand-over');
      assert.equal(job.contacts.length, Math.min(50, job.contacts_total), 'the contacts are listed meanwhile');
      const board = async () => (await c.commander.get('/api/v1/management/board')).json.trace_jobs_in_review;
      assert.deepEqual(await board(), { jobs: 1, contacts: job.contacts_total }, 'the command board shows the job waiting');

      // Refused, and nothing changes.
      const url = `/api/v1/tracing/jobs/${job.job_id}`;
      assert.equal((await c.resident.post(`${url}/handover`, {})).status, 403);
      const noNote = await c.commander.post(`${url}/decline`, {});
      assert.deepEqual([noNote.status, noNote.json.error.code], [400, 'missing_field']);
      assert.equal((await c.commander.post(`${url}/decline`, { note: '  ' })).status, 400, 'a note of blanks says nothing');
      const badKind = await c.commander.post(`${url}/handover`, { kinds: ['nobody'] });
      assert.deepEqual([badKind.status, badKind.json.error.code], [400, 'invalid_field']);
      assert.equal((await c.commander.post(`${url}/handover`, { kinds: [] })).status, 400);
      assert.equal((await c.commander.post('/api/v1/tracing/jobs/999999/handover', {})).status, 404);
      assert.equal((await c.commander.get(`${url}?contacts=false`)).json.status, 'review');

      // A restart leaves it waiting (not "interrupted").
      await restart();
      assert.equal((await c.commander.get(`${url}?contacts=false`)).json.status, 'review');

      // The close contacts only.
      const decided = await c.commander.post(`${url}/handover`, { kinds: ['close'], note: '先控密接' });
      assert.equal(decided.status, 202, decided.text);
      assert.deepEqual(decided.json.decision.kinds, ['close']);
      const done = await waitDone(c.commander, job.job_id);
      assert.equal(done.status, 'done', JSON.stringify({ ...done, contacts: undefined }));
      assert.equal(done.error, null);
      assert.equal(done.counts.enrolled, job.counts.close);
      assert.deepEqual([done.decision.decision, done.decision.decided_by, done.decision.note], ['handover', 'commander', '先控密接']);
      // Every contact of a tier handed over has a managed case (one who has tested positive already has
      // become a case at once, and their code no longer says under management: the simulated city has cases).
      const unmanaged = (kind) => Number(sql(srv, `SELECT COUNT(*) FROM tracing_contacts t WHERE t.job_id = ${job.job_id} AND t.kind = '${kind}' ` +
        'AND NOT EXISTS (SELECT 1 FROM managed_cases m WHERE m.person_id = t.person_id)'));
      assert.equal(unmanaged('close'), 0, 'every close contact under management');
      assert.equal(Number(sql(srv, `SELECT COUNT(*) FROM managed_cases WHERE source = 'tracing_job:${job.job_id}' AND measure <> 'close_contact'`)), 0,
        'no secondary contact handed over');
      const again = await c.commander.post(`${url}/handover`, {});
      assert.deepEqual([again.status, again.json.error.code], [409, 'not_in_review'], 'decided once');
      const audit = (await c.admin.get('/api/v1/audit?record_type=tracing_job&page_size=100')).json.items
        .filter((e) => e.record_id === String(job.job_id)).map((e) => e.action);
      for (const a of ['tracing.job.review', 'tracing.job.handover']) assert.ok(audit.includes(a), `${a} in ${audit}`);

      // A hand-over cut short by a stop (as a kill -9 would leave it: decided, running) is resumed at the
      // next start; enrolling again whoever was handed over before changes nothing for them.
      const closeCases = () => Number(sql(srv, `SELECT COUNT(*) FROM managed_cases WHERE source = 'tracing_job:${job.job_id}' AND measure = 'close_contact'`));
      const closeBefore = closeCases();
      assert.ok(closeBefore > 0);
      await srv.stop();
      sql(srv, `UPDATE tracing_jobs SET status = 'running', progress = 0.9, handover_kinds = 'close,secondary', enrolled_count = 0 WHERE id = ${job.job_id}`);
      await restart();
      const resumed = await waitDone(c.commander, job.job_id);
      assert.deepEqual([resumed.status, resumed.error], ['done', null]);
      assert.equal(resumed.counts.enrolled, job.counts.close + job.counts.secondary);
      assert.equal(closeCases(), closeBefore, 'no close contact enrolled twice');
      assert.equal(unmanaged('secondary'), 0, 'the secondary contacts too');

      // Or none, with the reason.
      const other = await startJob(free[1]);
      assert.equal(other.status, 'review');
      const declined = await c.commander.post(`/api/v1/tracing/jobs/${other.job_id}/decline`, { note: '规则过宽，调整后重新流调' });
      assert.equal(declined.status, 200, declined.text);
      assert.deepEqual([declined.json.status, declined.json.counts.enrolled, declined.json.decision.decision], ['done', 0, 'decline']);
      assert.equal(managedBy(other.job_id), 0);
      assert.equal((await c.commander.get(`/api/v1/tracing/jobs/${other.job_id}?contacts=false`)).json.decision.note, '规则过宽，调整后重新流调');

      // `epinet trace --save` keeps to the same threshold: the job waits, and is decided through the API.
      const cli = runCli(['trace', '--index', String(free[2]), '--onset', onset, '--save', '--out', path.join(dataDir, 'review.csv')],
        { ...env, EPINET_DATA_DIR: dataDir, EPINET_DATABASE_URL: databaseUrl, EPINET_LOG_LEVEL: 'warn' });
      assert.equal(cli.code, 0, cli.stderr);
      const saved = (await c.commander.get('/api/v1/tracing/jobs')).json.items[0];
      assert.match(cli.stderr, new RegExp(`job ${saved.job_id} lists \\d+ contacts, more than EPINET_TRACE_REVIEW_ABOVE=3: saved, none handed over`));
      assert.deepEqual([saved.status, saved.counts.enrolled, saved.index_cases[0].person_id], ['review', 0, free[2]]);
      assert.equal(managedBy(saved.job_id), 0);
      assert.equal((await c.commander.post(`/api/v1/tracing/jobs/${saved.job_id}/handover`, {})).status, 202);
      const all = await waitDone(c.commander, saved.job_id);
      assert.equal(all.counts.enrolled, all.counts.close + all.counts.secondary + all.counts.companion);
      assert.deepEqual(await board(), { jobs: 0, contacts: 0 }, 'nothing waits any more');
    });
  });
}

// Anything acknowledged is never lost: kill -9 during a stream of writes, then
// restart on the same database and find every acknowledged write. And SIGTERM
// finishes requests in flight before the server exits.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, DEMO_PASSWORD, sql } from '../lib/harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const db of ['sqlite', 'postgres']) {
  describe(`durability on ${db}`, () => {
    test('kill -9 under a stream of writes loses no acknowledged write', async () => {
      const srv = await startServer({ db });
      const admin = await login(srv.url, 'admin');
      const division = (await admin.get('/api/v1/divisions?q=140702001')).json.items[0].id;
      const acked = [];
      let stop = false, attempts = 0;
      const writer = async (w) => {
        for (let i = 0; !stop; i++) {
          attempts++;
          try {
            const r = await admin.post('/api/v1/venues', { name: `kill9-${w}-${i}`, type: 'shop', division_id: division });
            if (r.status === 201) acked.push(r.json);
          } catch { return; } // connection refused or reset: the server is gone
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      while (acked.length < 200) await sleep(20);
      srv.stop('SIGKILL');
      stop = true;
      await Promise.all(writers);
      const { signal } = await srv.exited;
      assert.equal(signal, 'SIGKILL');
      assert.ok(acked.length >= 200, `${acked.length} acknowledged of ${attempts}`);

      if (db === 'sqlite') {
        assert.equal(sql(srv, 'PRAGMA integrity_check'), 'ok');
      }
      const again = await startServer({ db, dataDir: srv.dataDir, databaseUrl: srv.databaseUrl });
      try {
        const a2 = await login(again.url, 'admin');
        const all = [];
        for (let page = 1; ; page++) {
          const r = (await a2.get(`/api/v1/venues?q=kill9-&page_size=500&page=${page}`)).json;
          all.push(...r.items);
          if (all.length >= r.total) break;
        }
        const have = new Map(all.map((v) => [v.id, v.name]));
        const lost = acked.filter((v) => have.get(v.id) !== v.name);
        assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes lost`);
        // every acknowledged write was audited in the same transaction
        const audited = (await a2.get('/api/v1/audit?action=venue.create&page_size=1')).json.total;
        assert.ok(audited >= acked.length);
      } finally {
        await again.stop();
      }
    });
  });
}

describe('graceful shutdown', () => {
  test('SIGTERM lets a request in flight finish, then the server exits 0 and refuses new connections', async () => {
    const srv = await startServer();
    // A login takes a while (Argon2id): send it, then SIGTERM while it runs.
    const pending = client(srv.url).post('/api/v1/auth/login', { username: 'admin', password: DEMO_PASSWORD });
    await sleep(30);
    srv.stop('SIGTERM');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.ok(r.json.token);
    const { code } = await srv.exited;
    assert.equal(code, 0);
    await assert.rejects(fetch(`${srv.url}/healthz`));
  });
});

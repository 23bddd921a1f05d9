// The README's backup and restore procedure, as an operator follows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, login, tmpDir, postgresDatabase } from '../lib/harness.mjs';

test('SQLite: an online .backup restored into a new data folder holds every write made before it', async () => {
  const srv = await startServer();
  const admin = await login(srv.url, 'admin');
  const made = await admin.post('/api/v1/venues', { name: '备份前的场所', type: 'shop', division_id: 3 });
  assert.equal(made.status, 201);
  const backup = path.join(tmpDir('backup-'), 'epinet.db');
  execFileSync('sqlite3', [srv.databaseUrl.slice(7), `.backup '${backup}'`]);
  await admin.post('/api/v1/venues', { name: '备份后的场所', type: 'shop', division_id: 3 });
  await srv.stop();

  const restored = tmpDir('restored-');
  fs.copyFileSync(backup, path.join(restored, 'epinet.db'));
  fs.cpSync(path.join(srv.dataDir, 'keys'), path.join(restored, 'keys'), { recursive: true });
  const again = await startServer({ dataDir: restored, databaseUrl: `sqlite:${restored}/epinet.db` });
  try {
    const a2 = await login(again.url, 'admin');
    const names = (await a2.get(`/api/v1/venues?q=${encodeURIComponent('备份')}`)).json.items.map((v) => v.name);
    assert.deepEqual(names, ['备份前的场所']);
  } finally {
    await again.stop();
  }
});

test('PostgreSQL: pg_dump -Fc and pg_restore into an empty database', async () => {
  const srv = await startServer({ db: 'postgres' });
  const admin = await login(srv.url, 'admin');
  assert.equal((await admin.post('/api/v1/venues', { name: '转储的场所', type: 'shop', division_id: 3 })).status, 201);
  const dump = path.join(tmpDir('pgdump-'), 'epinet.dump');
  execFileSync('pg_dump', ['-Fc', '-d', srv.databaseUrl, '-f', dump]);
  await srv.stop();
  const target = await postgresDatabase();
  execFileSync('pg_restore', ['--no-owner', '-d', target, dump]);
  const again = await startServer({ db: 'postgres', databaseUrl: target, dataDir: srv.dataDir });
  try {
    const a2 = await login(again.url, 'admin');
    const found = (await a2.get(`/api/v1/venues?q=${encodeURIComponent('转储')}`)).json;
    assert.equal(found.total, 1);
    // identities continue after the restored rows
    assert.equal((await a2.post('/api/v1/venues', { name: '恢复后新建', type: 'shop', division_id: 3 })).status, 201);
  } finally {
    await again.stop();
  }
});

// The epinet command as an operator uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir, startServer, login, DEMO_PASSWORD } from '../lib/harness.mjs';

const envFor = (dir, extra = {}) => ({ EPINET_DATA_DIR: dir, EPINET_DATABASE_URL: `sqlite:${dir}/epinet.db`, EPINET_LOG_LEVEL: 'warn', EPINET_DEMO_PASSWORD: DEMO_PASSWORD, ...extra });

test('--help works on every subcommand', () => {
  const top = runCli(['--help']);
  assert.equal(top.code, 0);
  for (const sub of ['serve', 'migrate', 'seed-demo', 'user', 'keys', 'version', 'config']) assert.match(top.stdout, new RegExp(sub));
  for (const args of [['serve', '--help'], ['migrate', '--help'], ['seed-demo', '--help'], ['user', '--help'], ['user', 'add', '--help'],
    ['user', 'passwd', '--help'], ['user', 'list', '--help'], ['user', 'disable', '--help'], ['keys', 'init', '--help'], ['version', '--help']]) {
    const r = runCli(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage|Options/i, args.join(' '));
  }
  assert.match(runCli(['version']).stdout, /^epinet \d+\.\d+\.\d+/);
});

test('settings: defaults, environment, flags; bad values are refused with a clear message', () => {
  const dir = tmpDir();
  const shown = runCli(['config'], { EPINET_DATA_DIR: dir, EPINET_LISTEN: '127.0.0.1:9999' }).stdout;
  assert.match(shown, /EPINET_LISTEN=127\.0\.0\.1:9999/);
  assert.match(shown, new RegExp(`EPINET_DATABASE_URL=sqlite:${dir}/epinet.db`));
  const flag = runCli(['--database-url', 'sqlite:/tmp/x.db', 'config']).stdout;
  assert.match(flag, /EPINET_DATABASE_URL=sqlite:\/tmp\/x\.db/);
  const bad = runCli(['migrate'], { EPINET_DATABASE_URL: 'mysql://nope' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /EPINET_DATABASE_URL must start with sqlite: or postgresql:/);
  const badListen = runCli(['config'], { EPINET_LISTEN: 'nowhere' });
  assert.notEqual(badListen.code, 0);
  assert.match(badListen.stderr, /EPINET_LISTEN must be HOST:PORT/);
  const cfgFile = path.join(dir, 'epinet.env');
  fs.writeFileSync(cfgFile, 'EPINET_THREADS=3\nEPINET_NO_SUCH=1\n');
  const unknown = runCli(['--config', cfgFile, 'config']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown setting EPINET_NO_SUCH/);
});

test('migrate is idempotent; seed-demo generates, keeps and prints the demo password', () => {
  const dir = tmpDir();
  const env = envFor(dir, { EPINET_DEMO_PASSWORD: '' });
  const m1 = runCli(['migrate'], env);
  assert.equal(m1.code, 0, m1.stderr);
  assert.match(m1.stderr, /applied migration 1/);
  const m2 = runCli(['migrate'], env);
  assert.doesNotMatch(m2.stderr, /applied/);
  assert.match(m2.stdout, /schema version \d+/);
  const s1 = runCli(['seed-demo'], env);
  assert.equal(s1.code, 0, s1.stderr);
  const pw = s1.stdout.match(/demo password: (\S+)/)[1];
  assert.ok(pw.length >= 8);
  assert.equal(fs.statSync(path.join(dir, 'demo-password.txt')).mode & 0o777, 0o600);
  const s2 = runCli(['seed-demo'], env);
  assert.match(s2.stdout, /0 divisions, 0 venues, 0 accounts, 0 residents created/);
  assert.equal(s2.stdout.match(/demo password: (\S+)/)[1], pw, 'the same password on a second run');
});

test('user add, list, passwd, disable', async () => {
  const dir = tmpDir();
  const env = envFor(dir);
  assert.equal(runCli(['seed-demo'], env).code, 0);
  const add = runCli(['user', 'add', 'taigu_cmd', '--role', 'commander', '--division', '140703', '--display-name', '太谷指挥'], { ...env, EPINET_PASSWORD: 'taigu-Passw0rd' });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /created user taigu_cmd/);
  const dup = runCli(['user', 'add', 'taigu_cmd', '--role', 'commander', '--division', '140703'], { ...env, EPINET_PASSWORD: 'taigu-Passw0rd' });
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /taken/);
  const badDiv = runCli(['user', 'add', 'x_cmd', '--role', 'commander', '--division', '999999'], { ...env, EPINET_PASSWORD: 'taigu-Passw0rd' });
  assert.notEqual(badDiv.code, 0);
  assert.match(badDiv.stderr, /no division with code 999999/);
  const weak = runCli(['user', 'add', 'y_cmd', '--role', 'commander', '--division', '140703'], { ...env, EPINET_PASSWORD: 'short' });
  assert.notEqual(weak.code, 0);
  const list = runCli(['user', 'list'], env).stdout;
  assert.match(list, /taigu_cmd\tcommander\t太谷区/);
  assert.equal(runCli(['user', 'passwd', 'taigu_cmd'], { ...env, EPINET_PASSWORD: 'new-Passw0rd' }).code, 0);
  const srv = await startServer({ dataDir: dir, databaseUrl: `sqlite:${dir}/epinet.db` });
  try {
    await assert.rejects(login(srv.url, 'taigu_cmd', 'taigu-Passw0rd'));
    const c = await login(srv.url, 'taigu_cmd', 'new-Passw0rd');
    assert.equal((await c.get('/api/v1/me')).json.jurisdiction.division_name, '太谷区');
    assert.equal(runCli(['user', 'disable', 'taigu_cmd'], env).code, 0);
    assert.match(runCli(['user', 'list'], env).stdout, /taigu_cmd.*disabled/);
    await assert.rejects(login(srv.url, 'taigu_cmd', 'new-Passw0rd'));
    const audit = (await (await login(srv.url, 'admin')).get('/api/v1/audit?action=user.update')).json.items;
    assert.ok(audit.some((e) => e.actor_username.startsWith('cli:')), 'CLI changes are audited too');
  } finally {
    await srv.stop();
  }
});

test('keys init creates private keys once, and --rotate adds a signing key', () => {
  const dir = tmpDir();
  const r1 = runCli(['keys', 'init'], envFor(dir));
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /signing keys: 1$/m);
  const keys = path.join(dir, 'keys');
  assert.equal(fs.statSync(keys).mode & 0o777, 0o700);
  for (const f of ['signing-1.key', 'pii-hmac.key', 'pii-enc.key']) assert.equal(fs.statSync(path.join(keys, f)).mode & 0o777, 0o600, f);
  const before = fs.readFileSync(path.join(keys, 'pii-hmac.key'));
  assert.match(runCli(['keys', 'init'], envFor(dir)).stdout, /all keys present/);
  assert.match(runCli(['keys', 'init', '--rotate'], envFor(dir)).stdout, /signing keys: 1 2$/m);
  assert.deepEqual(fs.readFileSync(path.join(keys, 'pii-hmac.key')), before, 'never overwritten');
});

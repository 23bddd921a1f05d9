// Test harness: starts the real epinet binary on a free loopback port, against
// SQLite in a temporary folder or a real PostgreSQL 15 that it starts itself.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.EPINET_BIN || path.join(ROOT, 'build/epinet');
export const DEMO_PASSWORD = 'demo-Passw0rd';
export const ROLES = ['admin', 'commander', 'venue_staff', 'community_worker', 'clinician', 'lab', 'resident'];

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function tmpDir(prefix = 'epinet-test-') {
  const base = path.join(ROOT, 'tests/.tmp');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, prefix));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs SQL on a test server's database directly, as an operator at the shell
 * would (sqlite3 or psql), and returns its output trimmed; throws with the
 * tool's message when the statement fails. The server may hold SQLite's write
 * lock at that moment (its jobs run at start), so sqlite3 waits for it up to
 * 10 s instead of failing at once with "database is locked".
 */
export function sql(srv, query) {
  const opts = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] };
  if (srv.databaseUrl.startsWith('sqlite:')) return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.databaseUrl.slice(7), query], opts).trim();
  return execFileSync('psql', [srv.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', query], opts).trim();
}

/** Runs an epinet subcommand to completion; returns {code, stdout, stderr}. */
export function runCli(args, env = {}) {
  const r = spawnSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let pgSingleton = null;
/**
 * Starts one PostgreSQL 15 for the whole test process (initdb in a temporary
 * folder, listening on 127.0.0.1 only, run as the postgres user when we are
 * root). Each call returns a URL to a fresh, empty database.
 */
export async function postgresDatabase() {
  if (!pgSingleton) pgSingleton = await startPostgres();
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  pgSingleton.psql(`CREATE DATABASE ${name}`);
  return `postgresql://epinet@127.0.0.1:${pgSingleton.port}/${name}`;
}

function pgBin(name) {
  for (const v of ['15', '16', '17']) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL binary ${name} not found: run scripts/install-deps`);
}

async function startPostgres() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epinet-pg-'));
  const asRoot = process.getuid && process.getuid() === 0;
  const wrap = (cmd, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const [c1, a1] = wrap(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  execFileSync(c1, a1, { stdio: 'ignore' });
  const port = await freePort();
  const [c2, a2] = wrap(pgBin('pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=on -c max_connections=200`, 'start']);
  execFileSync(c2, a2, { stdio: 'ignore' });
  const psql = (sql) => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8' });
  psql('CREATE ROLE epinet LOGIN SUPERUSER');
  const stop = () => {
    const [c3, a3] = wrap(pgBin('pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    try { execFileSync(c3, a3, { stdio: 'ignore' }); } catch { /* already down */ }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  return { port, psql, stop };
}

const liveServers = new Set();
process.on('exit', () => {
  for (const proc of liveServers) proc.kill('SIGKILL');
});

/**
 * Starts `epinet serve` on a free port. opts.db: 'sqlite' (default) or
 * 'postgres'; opts.seed: seed the demo city first (default true);
 * opts.dataDir: reuse a data folder (for restarts); opts.env: extra settings.
 */
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir || tmpDir();
  let dbUrl = opts.databaseUrl;
  if (!dbUrl) dbUrl = opts.db === 'postgres' ? await postgresDatabase() : `sqlite:${path.join(dataDir, 'epinet.db')}`;
  const port = await freePort();
  const env = {
    ...process.env,
    EPINET_DATA_DIR: dataDir,
    EPINET_DATABASE_URL: dbUrl,
    EPINET_LISTEN: `127.0.0.1:${port}`,
    EPINET_DEMO_PASSWORD: DEMO_PASSWORD,
    EPINET_LOG_LEVEL: 'warn',
    ...(opts.env || {}),
  };
  if (opts.seed !== false && !opts.dataDir) {
    const r = runCli(['seed-demo'], env);
    if (r.code !== 0) throw new Error(`seed-demo failed: ${r.stderr}${r.stdout}`);
  }
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // A test that fails before stopping its server must not leave the test file
  // waiting for it forever: a running server does not keep node alive (until
  // stop() is waiting for it), and whatever is left is killed when node exits.
  liveServers.add(proc);
  const hold = (on) => {
    for (const h of [proc, proc.stdout, proc.stderr]) on ? h.ref() : h.unref();
  };
  hold(false);
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  let stopping = false;
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
    // A server that dies by itself is a bug: say so with what it printed, so the test run shows why.
    if (!stopping && (signal || code !== 0)) {
      console.error(`epinet serve (pid ${proc.pid}) died: ${signal || `exit ${code}`}\n${output.slice(-4000)}`);
    }
    liveServers.delete(proc);
    resolve({ code, signal });
  }));
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`epinet serve exited: ${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (i > 300) throw new Error(`epinet serve did not come up: ${output}`);
    await sleep(50);
  }
  return {
    url, port, dataDir, databaseUrl: dbUrl, env, proc, exited,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      stopping = true;
      hold(true);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Logs in and returns a small client bound to that session's token. */
export async function login(url, username, password = DEMO_PASSWORD) {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  const { token } = await r.json();
  return client(url, token);
}

export function client(url, token) {
  const call = async (method, p, body) => {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${url}${p}`, { method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: r.status, json, text, headers: r.headers };
  };
  return {
    token,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    patch: (p, b) => call('PATCH', p, b),
    put: (p, b) => call('PUT', p, b),
    del: (p) => call('DELETE', p),
    call,
  };
}

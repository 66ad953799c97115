/**
 * `npm run users`, run as a child process the way an administrator runs it, against the
 * database of a real service started in production mode (no demo, so no user exists). With
 * DATABASE_URL the CLI runs beside the service; on the embedded backend the service owns
 * DATA_DIR, so the CLI is refused while it runs and each change is made with it stopped, and
 * seen after it starts again on the same DATA_DIR.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { countActiveAdmins } from '../../server/auth/users.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';

const root = path.resolve(import.meta.dirname, '../..');
const embedded = process.env.GW_TEST_DB_BACKEND !== 'postgres';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe(`users CLI against a production start (${embedded ? 'embedded DATA_DIR' : 'DATABASE_URL'})`, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-users-cli-'));
  let svc: TestGridwatch;
  let cliEnv: Record<string, string>;
  const chief = { username: 'chief', password: '' };
  let chiefToken = '';

  // Production mode: DATABASE_URL and no DEMO at all; embedded: DEMO=0 on a DATA_DIR kept across restarts.
  const start = () => startTestGridwatch(embedded ? { DATA_DIR: dataDir } : { DEMO: '' });

  /** `npm run users -- …` (the package script), optionally with `stdin` piped in. */
  async function users(args: string[], stdin?: string): Promise<CliResult> {
    const child = spawn('npm', ['run', '--silent', 'users', '--', ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: '', ...cliEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  }
  const ok = (r: CliResult) => {
    assert.equal(r.code, 0, `exit 0 expected; stderr: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  /** Runs `fn` where the CLI may open the database: beside the service, or with it stopped. */
  async function withCliAccess<T>(fn: () => Promise<T>): Promise<T> {
    if (!embedded) return fn();
    await svc.close();
    try {
      return await fn();
    } finally {
      svc = await start();
    }
  }
  const login = (username: string, password: string) => api(`${svc.gw.url}/api/v1/auth/login`, { body: { username, password } });
  const me = (token: string) => api(`${svc.gw.url}/api/v1/auth/me`, { token });

  before(async () => {
    svc = await start();
    assert.equal(svc.gw.db.backend, embedded ? 'embedded' : 'postgres');
    // The CLI finds the database as `npm start` does: DATABASE_URL, or DATA_DIR without it.
    cliEnv = embedded ? { DATA_DIR: dataDir, DATABASE_URL: '' } : { DATABASE_URL: svc.gw.db.connectionString, DATA_DIR: dataDir };
  });
  after(async () => {
    await svc?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a production start has no user; the CLI creates the first admin, who logs in and lists the users', async () => {
    assert.equal(await countActiveAdmins(svc.gw.db.pool), 0, 'no demo: nobody can log in yet');
    assert.equal((await login('chief', 'anything-at-all')).status, 401);
    if (embedded) {
      const locked = await users(['list']);
      assert.equal(locked.code, 1, locked.stderr);
      assert.match(locked.stderr, /GW_DB_LOCKED/);
      assert.match(locked.stderr, /stop it, run this command, then start it again/);
    }
    const created = await withCliAccess(() => users(['create', '--role', 'admin', '--username', 'chief', '--display-name', '值班主任 Duty chief']));
    const body = ok(created);
    assert.match(created.stderr, /shown only this once/);
    assert.equal(body.username, 'chief');
    assert.equal(body.role, 'admin');
    assert.equal(body.displayName, '值班主任 Duty chief');
    assert.deepEqual(body.scopes, []);
    assert.ok(typeof body.password === 'string' && body.password.length >= 16, 'a generated password is printed');
    chief.password = body.password;

    const r = await login('chief', chief.password);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    chiefToken = r.body.token;
    const list = await api(`${svc.gw.url}/api/v1/users`, { token: chiefToken });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(
      list.body.users.map((u: { username: string; role: string; disabled: boolean }) => [u.username, u.role, u.disabled]),
      [['chief', 'admin', false]],
    );
    assert.equal(await countActiveAdmins(svc.gw.db.pool), 1);
  });

  it('refuses unknown flags, stray words and bad values (exit 2), and a taken username or unknown user (exit 3)', async () => {
    // All input, the password on stdin included, is checked before the database is opened, so
    // these are answered even beside a running embedded service.
    const usage = [
      [['create', '--role', 'admin', '--username', 'x1', '--pasword-stdin'], /Unknown option '--pasword-stdin'/],
      [['create', '--role', 'root', '--username', 'x1'], /role: Invalid option/],
      [['create', '--role', 'admin', '--username', 'no spaces'], /username: must be 2-64 letters/],
      [['list', '--role', 'admin'], /Unrecognized key: "role"/],
      [['disable', 'chief'], /unexpected "chief"/],
      [[], /command: /],
    ] as const;
    for (const [args, message] of usage) {
      const r = await users([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /GW_VALIDATION/);
      assert.match(r.stderr, message, args.join(' '));
      assert.match(r.stderr, /usage: npm run users -- create/);
      assert.equal(r.stdout, '');
    }
    const short = await users(['reset-password', '--username', 'chief', '--password-stdin'], 'short\n');
    assert.equal(short.code, 2, short.stderr);
    assert.match(short.stderr, /password from stdin.*>=8 characters/);
    const twoLines = await users(['create', '--role', 'worker', '--username', 'worker1', '--password-stdin'], 'first-line-pw\nsecond-line\n');
    assert.equal(twoLines.code, 2, twoLines.stderr);
    assert.match(twoLines.stderr, /expected one line/);

    const [taken, ghost, unit] = await withCliAccess(async () => [
      await users(['create', '--role', 'planner', '--username', 'chief']),
      await users(['disable', '--username', 'ghost']),
      await users(['create', '--role', 'officer', '--username', 'officer1', '--unit', 'no-such-unit']),
    ]);
    assert.equal(taken!.code, 3, taken!.stderr);
    assert.match(taken!.stderr, /GW_CONFLICT: Creating user chief: the username is taken/);
    assert.equal(ghost!.code, 3, ghost!.stderr);
    assert.match(ghost!.stderr, /GW_NOT_FOUND: Disabling user ghost: no such user/);
    assert.equal(unit!.code, 2, unit!.stderr);
    assert.match(unit!.stderr, /GW_USER_UNKNOWN_UNIT: Creating user officer1: unitId: no unit no-such-unit/);
    assert.equal((await login('chief', chief.password)).status, 200, 'the refused reset changed nothing');
  });

  it('disable refuses the login and every token already issued; enable lets the user log in again, old tokens stay revoked', async () => {
    const created = await withCliAccess(() =>
      users(['create', '--role', 'operator', '--username', 'op1', '--password-stdin', '--scope', '330212', '--scope', '330203,330205'], 'op1-password-1\n'),
    );
    const body = ok(created);
    assert.equal(body.password, undefined, 'a password given on stdin is not echoed');
    assert.deepEqual(body.scopes, ['330212', '330203', '330205']);
    const first = await login('op1', 'op1-password-1');
    assert.equal(first.status, 200);
    const oldToken = first.body.token as string;
    assert.equal((await me(oldToken)).body.username, 'op1');

    const disabled = await withCliAccess(() => users(['disable', '--username', 'op1']));
    assert.equal(ok(disabled).disabled, true);
    const refused = await login('op1', 'op1-password-1');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'GW_AUTH_INVALID');
    assert.equal((await me(oldToken)).status, 401, 'the token issued before disable is refused');
    const list = await api(`${svc.gw.url}/api/v1/users`, { token: (await login('chief', chief.password)).body.token });
    assert.equal(list.body.users.find((u: { username: string }) => u.username === 'op1').disabled, true);

    const enabled = await withCliAccess(() => users(['enable', '--username', 'op1']));
    assert.equal(ok(enabled).disabled, false);
    const again = await login('op1', 'op1-password-1');
    assert.equal(again.status, 200);
    assert.equal((await me(again.body.token)).status, 200);
    assert.equal((await me(oldToken)).status, 401, 'enable does not bring the revoked token back');
  });

  it('reset-password: the old password and old tokens are refused, the new one works; without --password-stdin one is generated', async () => {
    const [given, generated, listed, table] = await withCliAccess(async () => [
      await users(['reset-password', '--username', 'chief', '--password-stdin'], 'chief-new-password\n'),
      await users(['reset-password', '--username', 'op1']),
      await users(['list', '--json']),
      await users(['list']),
    ]);
    assert.equal(ok(given!).password, undefined);
    assert.equal((await login('chief', chief.password)).status, 401, 'the old password is refused');
    assert.equal((await me(chiefToken)).status, 401, 'the token issued with the old password is refused');
    const fresh = await login('chief', 'chief-new-password');
    assert.equal(fresh.status, 200);
    assert.equal((await api(`${svc.gw.url}/api/v1/users`, { token: fresh.body.token })).status, 200);

    const op1 = ok(generated!);
    assert.match(generated!.stderr, /shown only this once/);
    assert.equal((await login('op1', 'op1-password-1')).status, 401);
    assert.equal((await login('op1', op1.password)).status, 200);

    assert.deepEqual(
      ok(listed!).map((u: { username: string; role: string; disabled: boolean }) => [u.username, u.role, u.disabled]),
      [
        ['chief', 'admin', false],
        ['op1', 'operator', false],
      ],
    );
    assert.equal(table!.code, 0, table!.stderr);
    assert.match(table!.stdout, /^chief\s+admin\s+enabled\s+-\s+-\s+值班主任 Duty chief$/m);
    assert.match(table!.stdout, /^op1\s+operator\s+enabled\s+-\s+330212,330203,330205\s+op1$/m);
  });
});

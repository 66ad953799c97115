import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GwError } from '../../core/errors.js';
import { registry as metrics } from '../../core/metrics.js';
import { hashSecret } from '../../core/passwords.js';
import { DEMO_FLEET, seedDemoDevices } from '../../ingest/demo-devices.js';
import { DeviceRegistry, parseDeviceImport } from '../../ingest/device-registry.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

const root = path.resolve(import.meta.dirname, '../..');

/** GW_AUTH_THROTTLED with a Retry-After of at least a second. */
const throttled = (err: unknown): boolean =>
  err instanceof GwError && err.code === 'GW_AUTH_THROTTLED' && ((err.details as { retryAfterS?: number }).retryAfterS ?? 0) >= 1;

async function metric(name: string): Promise<number> {
  return (await metrics.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

/** Runs `npm run devices -- …` the way an administrator would (node + tsx, same entry point). */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/devices-cli.ts', ...args], { cwd: root, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('device registry', () => {
  let db: TestDb;
  let tmp: string;
  before(async () => {
    db = await getTestDb();
  });
  beforeEach(async () => {
    await resetDb(db.pool);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-dev-'));
  });
  after(async () => {
    await db.close();
  });

  it('parses JSON and CSV imports and reports every bad row', () => {
    assert.deepEqual(parseDeviceImport('{"devices":[{"id":"g-1","kind":"gas-sensor","homeUnitId":null}]}', 'json'), [
      { id: 'g-1', kind: 'gas-sensor', homeUnitId: null, metadata: {} },
    ]);
    const csv = 'kind,id,street\r\nwaste-truck,"t-1","a, b ""c"""\r\n\r\nbridge-sensor,b-1,\r\n';
    assert.deepEqual(parseDeviceImport(csv, 'csv'), [
      { id: 't-1', kind: 'waste-truck', homeUnitId: null, metadata: { street: 'a, b "c"' } },
      { id: 'b-1', kind: 'bridge-sensor', homeUnitId: null, metadata: {} },
    ]);
    assert.throws(
      () => parseDeviceImport('id,kind\nok-1,gas-sensor\nbad id,gas-sensor\nok-1,robot\n', 'csv'),
      (err: GwError) => err.code === 'GW_DEVICE_IMPORT_INVALID' && /row 2: id/.test(err.message) && /row 3: kind/.test(err.message),
    );
    assert.throws(() => parseDeviceImport('id,name\nx,y\n', 'csv'), /no "kind" column/);
    assert.throws(() => parseDeviceImport('[{"id":"a","kind":"gas-sensor"},{"id":"a","kind":"gas-sensor"}]', 'json'), /appears twice/);
    assert.throws(() => parseDeviceImport('{oops', 'json'), (err: GwError) => err.code === 'GW_DEVICE_IMPORT_INVALID');
  });

  it('caches verified tokens so the database is not asked per message, and forgets them on rotate, disable and expiry', async () => {
    let now = 1_000_000;
    const registry = new DeviceRegistry(db.pool, { authTtlMs: 60_000 }, () => now);
    const { token } = await registry.register({ id: 'cam-1', kind: 'parking-camera' });
    assert.deepEqual(await registry.authenticate('cam-1', token), { id: 'cam-1', kind: 'parking-camera', disabled: false });
    assert.equal(await registry.authenticate('cam-1', 'wrong'), null);
    assert.equal(await registry.authenticate('nobody', token), null);

    // Another process (the CLI) rotates the token: this registry trusts its cache until the TTL runs out.
    const other = new DeviceRegistry(db.pool);
    const newToken = await other.rotateToken('cam-1');
    assert.ok(await registry.authenticate('cam-1', token), 'served from the cache, no database or scrypt');
    now += 60_001;
    assert.equal(await registry.authenticate('cam-1', token), null, 'after the TTL the old token is refused');
    assert.ok(await registry.authenticate('cam-1', newToken));

    // Changes made through this registry apply at once.
    await registry.setDisabled('cam-1', true);
    assert.equal(await registry.authenticate('cam-1', newToken), null);
    assert.deepEqual([...(await registry.identities(['cam-1', 'ghost']))], [['cam-1', { id: 'cam-1', kind: 'parking-camera', disabled: true }]]);
    await registry.setDisabled('cam-1', false);
    const rotated = await registry.rotateToken('cam-1');
    assert.equal(await registry.authenticate('cam-1', newToken), null);
    assert.ok(await registry.authenticate('cam-1', rotated));
    await assert.rejects(registry.rotateToken('ghost'), (err: GwError) => err.code === 'GW_NOT_FOUND');
    await assert.rejects(registry.register({ id: 'cam-1', kind: 'gas-sensor' }), (err: GwError) => err.code === 'GW_CONFLICT');
  });

  it('throttles guesses per device and per address, and never refuses a token that verifies', async () => {
    let now = 5_000_000;
    const registry = new DeviceRegistry(db.pool, { maxFailures: 3, failureWindowMs: 10_000, maxSourceFailures: 5, sourceWindowMs: 60_000, sourceBlockMs: 300_000 }, () => now);
    const a = await registry.register({ id: 'gas-a', kind: 'gas-sensor' });
    const b = await registry.register({ id: 'gas-b', kind: 'gas-sensor' });
    const gasB = { id: 'gas-b', kind: 'gas-sensor', disabled: false };

    // A burst of guesses for gas-b, each from its own address: past three, its failures are answered as throttled.
    const guesses = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => registry.authenticate('gas-b', `guess-${i}`, `10.0.0.${i}`)));
    assert.ok(guesses.every((g) => (g.status === 'fulfilled' ? g.value === null : throttled(g.reason))));
    assert.ok(guesses.some((g) => g.status === 'rejected'), 'the guesser is told to slow down');
    // gas-b's own token, never verified by this registry before, is accepted while its id is over budget.
    assert.deepEqual(await registry.authenticate('gas-b', b.token, '10.0.1.1'), gasB);

    // Five failures from one address block it, whatever devices they name ...
    for (let i = 0; i < 5; i++) assert.equal(await registry.authenticate(`gas-${i}`, 'nope', '10.6.6.6').catch((err) => (assert.ok(throttled(err)), null)), null);
    await assert.rejects(registry.authenticate('gas-a', a.token, '10.6.6.6'), throttled, 'a blocked address gets no check');
    // ... except for a token this registry verified before (a device behind the guesser's address),
    assert.ok(await registry.authenticate('gas-a', a.token, '10.0.1.2'));
    now += 61_000;
    assert.ok(await registry.authenticate('gas-a', a.token, '10.6.6.6'), 'checked again once the 60 s cache expired, not refused');
    await assert.rejects(registry.authenticate('gas-a', 'guess', '10.6.6.6'), throttled);
    // and the block ends after sourceBlockMs.
    now += 300_000;
    assert.equal(await registry.authenticate('gas-a', 'guess', '10.6.6.6'), null);
  });

  it('puts a token stored before digests through scrypt only within the budget, then stores its digest', async () => {
    let now = 7_000_000;
    const registry = new DeviceRegistry(db.pool, { maxFailures: 3, failureWindowMs: 10_000 }, () => now);
    const { token } = await registry.register({ id: 'old-1', kind: 'gas-sensor' });
    await db.pool.query('UPDATE devices SET token_hash = $2 WHERE id = $1', ['old-1', await hashSecret(token)]);
    const storedHash = async () => (await db.pool.query<{ token_hash: string }>('SELECT token_hash FROM devices WHERE id = $1', ['old-1'])).rows[0]!.token_hash;

    const runsBefore = await metric('gridwatch_kdf_runs_total');
    for (let i = 0; i < 10; i++) assert.equal(await registry.authenticate('old-1', `guess-${i}`, `10.2.0.${i}`).catch((err) => (assert.ok(throttled(err)), null)), null);
    assert.equal((await metric('gridwatch_kdf_runs_total')) - runsBefore, 3, 'failures past the budget cost no scrypt run');
    // Such a token, never verified here, waits for the window like a guess would (README: known limit).
    await assert.rejects(registry.authenticate('old-1', token, '10.2.1.1'), throttled);
    now += 10_001;
    assert.ok(await registry.authenticate('old-1', token, '10.2.1.1'));
    assert.match(await storedHash(), /^sha256\$[0-9a-f]{64}$/, 'replaced by its digest once verified');
    now += 61_000;
    for (let i = 0; i < 5; i++) await registry.authenticate('old-1', `again-${i}`, `10.3.0.${i}`).catch((err) => assert.ok(throttled(err)));
    assert.ok(await registry.authenticate('old-1', token, '10.3.1.1'), 'checked by digest now, whatever the budget');
  });

  it('seeds the demo fleet once, with credentials in DATA_DIR/demo-devices.json that authenticate', async () => {
    const registry = new DeviceRegistry(db.pool);
    const first = await seedDemoDevices(registry, tmp);
    const total = DEMO_FLEET.reduce((n, f) => n + f.count, 0);
    assert.equal(first.length, total);
    assert.deepEqual(first.slice(0, 2).map((d) => d.id), ['truck-001', 'truck-002']);
    const file = path.join(tmp, 'demo-devices.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(await seedDemoDevices(registry, tmp), first, 'a second run keeps the same tokens');
    const gas = first.find((d) => d.id === 'gas-001')!;
    assert.deepEqual(await registry.authenticate('gas-001', gas.token), { id: 'gas-001', kind: 'gas-sensor', disabled: false });
    // Lost credentials file: registered devices get new tokens rather than being unusable.
    fs.rmSync(file);
    const again = await seedDemoDevices(registry, tmp);
    assert.notEqual(again.find((d) => d.id === 'gas-001')!.token, gas.token);
    assert.ok(await new DeviceRegistry(db.pool).authenticate('gas-001', again.find((d) => d.id === 'gas-001')!.token));
  });

  it('CLI: register, import, rotate, disable and list against DATABASE_URL', async () => {
    const env = { DATABASE_URL: db.connectionString, DATA_DIR: tmp };
    const reg = await cli(['register', 'truck-9', 'waste-truck', '--meta', '{"plate":"浙B9"}'], env);
    assert.equal(reg.code, 0, reg.stderr);
    const { token } = JSON.parse(reg.stdout);
    assert.ok(await new DeviceRegistry(db.pool).authenticate('truck-9', token));

    const csvFile = path.join(tmp, 'fleet.csv');
    fs.writeFileSync(csvFile, 'id,kind\ngas-9,gas-sensor\ntruck-9,waste-truck\n');
    const imp = await cli(['import', csvFile], env);
    assert.equal(imp.code, 0, imp.stderr);
    assert.deepEqual(
      JSON.parse(imp.stdout).map((r: { id: string; status: string }) => [r.id, r.status]),
      [
        ['gas-9', 'created'],
        ['truck-9', 'exists'],
      ],
    );

    const rot = await cli(['rotate', 'truck-9'], env);
    assert.equal(rot.code, 0, rot.stderr);
    assert.equal(await new DeviceRegistry(db.pool).authenticate('truck-9', token), null);
    assert.equal((await cli(['disable', 'gas-9'], env)).code, 0);
    const list = await cli(['list', '--json'], env);
    assert.deepEqual(
      JSON.parse(list.stdout).map((d: { id: string; disabled: boolean; metadata: unknown }) => [d.id, d.disabled, d.metadata]),
      [
        ['gas-9', true, {}],
        ['truck-9', false, { plate: '浙B9' }],
      ],
    );
    const trucks = await cli(['list', '--json', '--prefix', 'truck-'], env);
    assert.deepEqual(JSON.parse(trucks.stdout).map((d: { id: string }) => d.id), ['truck-9'], 'list --prefix filters by id prefix');

    const bad = await cli(['register', 'x-1', 'toaster'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /kind/);
    const missing = await cli(['rotate', 'ghost'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /GW_NOT_FOUND: Rotating the token of device ghost: no such device/);
  });
});

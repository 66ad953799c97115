import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GwError } from '../../core/errors.js';
import { DEMO_FLEET, seedDemoDevices } from '../../ingest/demo-devices.js';
import { DeviceRegistry, parseDeviceImport } from '../../ingest/device-registry.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

const root = path.resolve(import.meta.dirname, '../..');

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

  it('caches verified tokens so scrypt is not run per message, and forgets them on rotate, disable and expiry', async () => {
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

  it('stops checking guesses for a device after too many wrong tokens, without locking out its verified token', async () => {
    let now = 5_000_000;
    const registry = new DeviceRegistry(db.pool, { maxFailures: 3, failureWindowMs: 10_000 }, () => now);
    const a = await registry.register({ id: 'gas-a', kind: 'gas-sensor' });
    const b = await registry.register({ id: 'gas-b', kind: 'gas-sensor' });
    assert.ok(await registry.authenticate('gas-a', a.token));
    // A burst of guesses: only the first three are checked, all fail.
    const guesses = await Promise.all(Array.from({ length: 10 }, (_, i) => registry.authenticate('gas-b', `guess-${i}`)));
    assert.ok(guesses.every((g) => g === null));
    for (let i = 0; i < 3; i++) assert.equal(await registry.authenticate('gas-a', `guess-${i}`), null);
    assert.ok(await registry.authenticate('gas-a', a.token), 'an already verified token keeps working');
    assert.equal(await registry.authenticate('gas-b', b.token), null, 'during the window even the right token is not checked');
    now += 10_001;
    assert.ok(await registry.authenticate('gas-b', b.token), 'after the window it is');
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

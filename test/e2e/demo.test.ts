/**
 * The newcomer's promise (docs/DESIGN.md section 8): `npm start` on embedded defaults seeds the demo
 * city, devices and catalogue, runs the simulators over the real embedded MQTT broker, and
 * clues appear within about a minute. This starts the real service in demo mode and waits for
 * the clues the simulators' first episodes must produce, checking who they were routed to.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocatorHolder } from '../../geo/locator/locator-holder.js';
import { createUser } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { seedDemoUsers } from '../../server/demo/demo-users.js';
import type { Gridwatch } from '../../server/runtime.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { api } from '../helpers/app.js';

interface ClueView {
  code: string;
  alertType: string;
  primaryUnitId: string;
  townCode: string | null;
  firstSeen: string;
  device: { id: string; kind: string };
  reasons: { zh: string; en: string }[];
}

describe('demo mode: simulators raise clues within a minute or two', () => {
  let service: TestGridwatch | undefined;
  let gw: Gridwatch;
  let token: string;
  let started: number;

  before(async () => {
    // The demo seeds only an empty city: the helper empties the suite's database on real PostGIS.
    service = await startTestGridwatch({ DEMO: '1' });
    gw = service.gw;
    started = Date.now();
    const admin = gw.demoCredentials.find((c) => c.role === 'admin')!;
    const login = await api(`${gw.url}/api/v1/auth/login`, { body: { username: admin.username, password: admin.password } });
    assert.equal(login.status, 200);
    token = login.body.token;
  });
  after(async () => {
    await service?.close();
  });

  async function waitForClues(want: (clues: ClueView[]) => boolean, limitMs: number): Promise<ClueView[]> {
    let clues: ClueView[] = [];
    for (const deadline = Date.now() + limitMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2000))) {
      const r = await api(`${gw.url}/api/v1/clues?limit=200`, { token });
      assert.equal(r.status, 200);
      clues = r.body.clues;
      if (want(clues)) return clues;
    }
    return clues;
  }

  it('seeds a fleet that connects over MQTT and is reported in /healthz', async () => {
    assert.equal(gw.demoDevices.length, 60);
    const h = await api(`${gw.url}/healthz`);
    assert.equal(h.body.components.mqtt.status, 'ok');
    assert.equal(h.body.components.mqtt.detail.clients, 60, 'every simulated device holds its own MQTT connection');
  });

  it('has demo users bound to real demo units, each with a scope', async () => {
    const who = Object.fromEntries(gw.demoCredentials.map((c) => [c.username, c]));
    const town = who['town-worker']!.unitId!;
    assert.match(town, /^team-\d{9}$/);
    assert.deepEqual(
      ['admin', 'district-operator', 'city-operator', 'town-operator', 'town-worker', 'town-worker-2', 'construction-officer', 'planner'].map((u) => [u, who[u]?.role, who[u]?.unitId]),
      [
        ['admin', 'admin', 'coord-city'],
        ['district-operator', 'operator', `coord-${town.slice(5, 11)}`],
        ['city-operator', 'operator', 'coord-city'],
        ['town-operator', 'operator', town],
        ['town-worker', 'worker', town],
        ['town-worker-2', 'worker', town],
        ['construction-officer', 'officer', `dept-${town.slice(5, 11)}-construction`],
        ['planner', 'planner', 'coord-city'],
      ],
    );
    assert.ok(gw.demoCredentials.every((c) => c.unit && c.unit.zh && c.unit.en), 'the banner names every unit');
    const me = await api(`${gw.url}/api/v1/auth/login`, { body: { username: 'town-worker', password: who['town-worker']!.password } });
    assert.deepEqual(me.body.user.scopes, [town.slice(5)]);
  });

  it('the newcomer story: the town worker finds a clue of their town in the tasks list and accepts it, within two minutes of start', async () => {
    const c = gw.demoCredentials.find((x) => x.username === 'town-worker')!;
    const login = await api(`${gw.url}/api/v1/auth/login`, { body: { username: c.username, password: c.password } });
    const mine = login.body.token as string;
    const townCode = c.unitId!.slice('team-'.length);
    let task: { clue: { code: string; townCode: string }; nextActions: string[] } | undefined;
    for (const deadline = started + 120_000; !task && Date.now() < deadline; await new Promise((r) => setTimeout(r, 2000))) {
      const r = await api(`${gw.url}/api/v1/tasks`, { token: mine });
      assert.equal(r.status, 200);
      task = r.body.tasks.find((t: { nextActions: string[] }) => t.nextActions.includes('accept'));
    }
    assert.ok(task, `no clue to accept in ${townCode} within two minutes of start`);
    assert.equal(task.clue.townCode, townCode);
    const accepted = await api(`${gw.url}/api/v1/clues/${task.clue.code}/actions`, { token: mine, body: { type: 'accept' } });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.clue.status, 'accepted');
  });

  it('an older DATA_DIR keeps its demo logins and gains the missing demo users', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-old-demo-'));
    try {
      // The old seeds: role-named users with no unit, and their credentials file.
      const old = [{ username: 'old-operator', password: 'old-operator-pw', role: 'operator' as const }];
      for (const u of old) await createUser(gw.db.pool, { ...u, displayName: u.username, scopes: ['330212'], unitId: null });
      fs.writeFileSync(path.join(dir, 'demo-credentials.json'), JSON.stringify(old));
      await gw.db.pool.query(`DELETE FROM users WHERE username = 'town-worker-2'`);
      const store = new CatalogueStore(gw.db.pool);
      await store.load();
      const locator = new LocatorHolder();
      await locator.reload(gw.db.pool);
      const { directory, history } = store.current();
      const creds = await seedDemoUsers(gw.db.pool, dir, { units: directory, history, locate: (lon, lat) => locator.current().locate(lon, lat) });
      assert.deepEqual(creds.map((x) => [x.username, x.unitId]), [['old-operator', null], ['town-worker-2', gw.demoCredentials.find((x) => x.username === 'town-worker')!.unitId]]);
      const file = JSON.parse(fs.readFileSync(path.join(dir, 'demo-credentials.json'), 'utf8'));
      assert.deepEqual(file.map((x: { username: string }) => x.username), ['old-operator', 'town-worker-2']);
      for (const x of creds) {
        const r = await api(`${gw.url}/api/v1/auth/login`, { body: { username: x.username, password: x.password } });
        assert.equal(r.status, 200, `${x.username} logs in`);
      }
      const again = await seedDemoUsers(gw.db.pool, dir, { units: directory, history, locate: (lon, lat) => locator.current().locate(lon, lat) });
      assert.deepEqual(again, creds, 'a second start adds nothing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns the first scripted episodes into routed clues: a dumping truck, a gas leak and a sustained bridge load', async () => {
    const has = (cs: ClueView[], type: string, device: string) => cs.some((c) => c.alertType.startsWith(type) && c.device.id === device);
    const clues = await waitForClues(
      (cs) => has(cs, 'waste.dumping', 'truck-001') && has(cs, 'gas.', 'gas-001') && has(cs, 'bridge.', 'bridge-001'),
      240_000,
    );
    const summary = clues.map((c) => `${c.alertType}@${c.device.id}`).join(', ');
    const dumping = clues.find((c) => c.alertType.startsWith('waste.dumping') && c.device.id === 'truck-001');
    assert.ok(dumping, `truck-001 dumps 20 s after start and must raise a clue; got: ${summary}`);
    assert.match(dumping.primaryUnitId, /^(team|dept)-/, 'a town team or a district department holds it');
    assert.ok(dumping.townCode, 'the dumping spot lies in a town');
    assert.ok(dumping.reasons.some((r) => /住建-渣土/.test(r.zh)), 'the reasons name the construction-waste item');

    const gas = clues.find((c) => c.alertType.startsWith('gas.') && c.device.id === 'gas-001');
    assert.ok(gas, `gas-001 leaks 15 s after start; got: ${summary}`);

    const bridge = clues.find((c) => c.alertType.startsWith('bridge.') && c.device.id === 'bridge-001');
    assert.ok(bridge, `bridge-001 is loaded past yellow from 40 s for 150 s; got: ${summary}`);
    assert.equal(bridge.primaryUnitId.startsWith('custodian-'), true, 'bridges go to their custodian');
    // The one-sample spike at 10 s must raise nothing: the clue starts with the sustained load.
    assert.ok(Date.parse(bridge.firstSeen) - started >= 40_000 + 60_000 - 15_000, `bridge clue opened at ${bridge.firstSeen}, too early to be the sustained load`);

    // Well-behaved devices raise nothing: bridge-002 (odd index) never exceeds its thresholds.
    assert.equal(clues.some((c) => c.device.id === 'bridge-002'), false);
  });

});

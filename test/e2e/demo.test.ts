/**
 * The newcomer's promise (docs/DESIGN.md section 8): `npm start` on embedded defaults seeds the demo
 * city, devices and catalogue, runs the simulators over the real embedded MQTT broker, and
 * clues appear within about a minute. This starts the real service in demo mode and waits for
 * the clues the simulators' first episodes must produce, checking who they were routed to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

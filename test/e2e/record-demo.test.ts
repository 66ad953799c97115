/**
 * The record on a demo run (issue 9: "verify reports intact on every clue of a one-hour demo
 * run"). Starts the real service in demo mode (simulators over the embedded MQTT broker, the
 * real pipeline), lets it run for GW_RECORD_DEMO_MS (default 90 s) while an operator works the
 * clues (dispatch, escalate) and clues are verified as they grow, then seals the day and
 * verifies every clue. The hour: `GW_RECORD_DEMO_MS=3600000 npm test -- e2e/record-demo`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sealCompletedDays } from '../../server/clues/timeline-digests.js';
import type { Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';

const RUN_MS = Number(process.env.GW_RECORD_DEMO_MS ?? 90_000);
let service: TestGridwatch | undefined;
let gw: Gridwatch;
let token: string;

before(async () => {
  service = await startTestGridwatch({ DEMO: '1' });
  gw = service.gw;
  const admin = gw.demoCredentials.find((c) => c.role === 'admin')!;
  const login = await api(`${gw.url}/api/v1/auth/login`, { body: { username: admin.username, password: admin.password } });
  assert.equal(login.status, 200);
  token = login.body.token;
});
after(async () => {
  await service?.close();
});

interface Verdict {
  clue: string;
  intact: boolean;
  rows: number;
  problems: unknown[];
  evidence: { sha256: string; ok: boolean }[];
  digest: { days: { day: string; ok: boolean }[] };
}

async function allClues(): Promise<{ code: string; status: string }[]> {
  const out: { code: string; status: string }[] = [];
  for (let cursor: string | null = null; ; ) {
    const r = await api(`${gw.url}/api/v1/clues?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...r.body.clues);
    cursor = r.body.nextCursor;
    if (!cursor) return out;
  }
}

async function verifyAll(): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const c of await allClues()) {
    const r = await api(`${gw.url}/api/v1/clues/${encodeURIComponent(c.code)}/verify`, { token });
    assert.equal(r.status, 200);
    verdicts.push(r.body);
  }
  return verdicts;
}

const broken = (vs: Verdict[]) => vs.filter((v) => !v.intact).map((v) => `${v.clue}: ${JSON.stringify(v.problems)} ${JSON.stringify(v.digest)}`);

test(`every clue of a ${Math.round(RUN_MS / 1000)} s demo run verifies intact, while it runs and after its day is sealed`, { timeout: RUN_MS + 600_000 }, async () => {
  let acted = 0;
  let checkedWhileRunning = 0;
  // Runs RUN_MS, and on a slow machine on until the operator has had a clue to act on (at most 4 min more).
  const end = Date.now() + RUN_MS;
  for (; Date.now() < end || (acted === 0 && Date.now() < end + 240_000); await new Promise((r) => setTimeout(r, 5_000))) {
    // Work the clues as an operator would, while the pipeline keeps joining alerts to them.
    for (const c of await allClues()) {
      const action = c.status === 'new' ? { type: 'dispatch' } : c.status === 'dispatched' && acted % 2 ? { type: 'escalate', reason: '演示立案', procedure: 'simple' } : null;
      if (!action) continue;
      const r = await api(`${gw.url}/api/v1/clues/${encodeURIComponent(c.code)}/actions`, { token, body: action });
      assert.ok([200, 409].includes(r.status), `${action.type} ${c.code}: ${JSON.stringify(r.body)}`);
      if (r.status === 200) acted++;
    }
    const vs = await verifyAll();
    assert.deepEqual(broken(vs), [], 'verify during the run');
    checkedWhileRunning += vs.length;
  }
  const before = await verifyAll();
  assert.ok(before.length >= 1, 'the demo raised clues');
  assert.ok(acted > 0, 'the operator acted on clues during the run');
  assert.ok(checkedWhileRunning > 0);
  assert.deepEqual(broken(before), []);
  assert.ok(before.flatMap((v) => v.evidence).every((e) => e.ok), 'every evidence image the timelines name is stored unchanged');

  // Seal today (as the component would after midnight) and verify again against the seal.
  const sealed = await sealCompletedDays(gw.db.pool, Date.now() + 2 * 86_400_000);
  assert.ok(sealed.length >= 1);
  const afterSeal = await verifyAll();
  assert.deepEqual(broken(afterSeal), []);
  assert.ok(afterSeal.every((v) => v.digest.days.length >= 1), 'every clue is named by a sealed day');
  const digests = await api(`${gw.url}/api/v1/record/digests?from=${sealed[0]}&to=${sealed[sealed.length - 1]}`, { token });
  assert.equal(digests.status, 200);
  // The simulators keep writing today's rows after this early seal, so today's heads may have
  // moved on ('heads-changed'); the digests themselves must recompute and chain.
  const sealProblems = digests.body.digests.flatMap((d: { day: string; problems: string[] }) =>
    d.problems.filter((p) => !p.startsWith('heads-changed') && !p.startsWith('rows-changed')).map((p) => `${d.day}: ${p}`),
  );
  assert.deepEqual(sealProblems, []);
});

/**
 * The load side of the live fan-out bench (bench/live.bench.ts forks it): the WebSocket clients
 * and the producer that commits clue events to `clue_outbox`. It runs in its own process so the
 * hub's process does nothing but serve (its CPU is then the hub's own, plus the embedded database
 * when that is the backend), and so the clients' parsing does not queue behind the hub's sends
 * on one event loop.
 *
 * Protocol (IPC): the parent sends one `LoadPlan`; this process connects and subscribes every
 * client, commits a warm-up event and waits for it to arrive, answers `{type:'measuring'}`, runs
 * the producer for `seconds`, waits (bounded) for the clients to drain, and answers with a
 * `LoadResult`, then exits.
 */
import pg from 'pg';
import WebSocket from 'ws';
import { withTransaction } from '../db/transaction.js';
import type { QueuedClueEvent } from '../server/clues/clue-event.js';
import { recordChanges, type ClueView } from '../server/clues/stored-clue.js';

/** What the parent asks for. */
export interface LoadPlan {
  url: string;
  databaseUrl: string;
  /** One token per town: client i is an operator of town i % towns. */
  tokens: string[];
  clues: { id: string; code: string; town_code: string; lon: number; lat: number }[];
  clients: number;
  rate: number;
  seconds: number;
  tickMs: number;
}

/** What this process reports back. */
export interface LoadResult {
  type: 'result';
  events: number;
  /** Seconds the producer ran (its rate achieved is events / producedS). */
  producedS: number;
  delivered: number;
  expected: number;
  /** Seconds from the first batch to the last diff drained (or the drain bound). */
  seconds: number;
  /** Per delivered diff: batch built → client parsed, ms. */
  latencies: number[];
  /** Per delivered diff: transaction committed → client parsed, ms. */
  fromCommit: number[];
  /** Per batch: batch built → commit returned, ms. */
  commits: number[];
  cutOff: number;
  warmUpS: number;
  /** Batches that started late because the previous commit overran its tick. */
  lateTicks: number;
}

type Details = { sentAt: number; batch: number };

function view(code: string, townCode: string, lon: number, lat: number, n: number, details: Details | Record<string, never>): ClueView {
  const t = new Date().toISOString();
  return {
    code,
    status: 'new',
    severity: 'medium',
    needsConfirmation: false,
    review: false,
    item: { code: 'bench-item', name: null },
    alertType: 'waste.dumping-outside-site',
    assetKey: code,
    catalogueVersion: null,
    alertCount: n,
    firstSeen: t,
    lastSeen: t,
    openedAt: t,
    deadline: t,
    windowMin: 30,
    primaryUnitId: 'bench-unit',
    coNotifiedUnitIds: [],
    boardUnitIds: [],
    districtCode: null,
    townCode,
    communityCode: null,
    gridCode: null,
    position: { lon, lat },
    device: null,
    summary: { zh: '测试', en: 'bench' },
    reasons: [],
    rejectedBy: [],
    closedAtSource: false,
    acceptDueAt: null,
    closeDueAt: null,
    acceptOverdue: false,
    closeOverdue: false,
    escalationLevel: 'town',
    details,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(plan: LoadPlan): Promise<LoadResult> {
  const towns = plan.tokens.length;
  const pool = new pg.Pool({ connectionString: plan.databaseUrl, max: 1 });
  // Per delivered diff: when it was parsed and its batch (latencies are worked out at the end,
  // since a diff can be parsed before the producer's await on its commit resumes).
  const received: number[] = [];
  const batchOf: number[] = [];
  const sentAtOf: number[] = [];
  const committedAt: number[] = [];
  let delivered = 0;
  let cutOff = 0;
  let measuring = false;
  let warmArrived = false;
  const sockets = await Promise.all(
    Array.from({ length: plan.clients }, async (_, i) => {
      const ws = new WebSocket(plan.url, ['gridwatch.live'], { headers: { authorization: `Bearer ${plan.tokens[i % towns]}` } });
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      ws.on('close', (code) => void (code === 4429 && cutOff++));
      await new Promise<void>((resolve) => {
        ws.on('message', (data) => {
          const now = Date.now();
          const m = JSON.parse(String(data)) as { type: string; fields?: { details?: Partial<Details> } };
          if (m.type === 'subscribed') return resolve();
          const d = m.fields?.details;
          if (d && d.sentAt === undefined) warmArrived = true;
          if (measuring && d?.sentAt !== undefined) {
            delivered++;
            received.push(now);
            sentAtOf.push(d.sentAt);
            batchOf.push(d.batch!);
          }
        });
        ws.send(JSON.stringify({ type: 'subscribe' }));
      });
      return ws;
    }),
  );

  // Warm-up: the hub starts at the outbox's last id, and a gap after it (ids of rows deleted by an
  // earlier run) is only passed once every transaction that was running has ended (the gap-safe
  // mark). Wait for one event to come through before measuring.
  const warm = plan.clues[0]!;
  const warmStart = performance.now();
  await withTransaction(pool, (client) =>
    recordChanges(client, [], [{ clue_id: Number(warm.id), clue_code: warm.code, change: 'updated', unit_ids: ['bench-unit'], payload: { change: 'updated', clue: view(warm.code, warm.town_code, warm.lon, warm.lat, 0, {}) } }]),
  );
  while (!warmArrived && performance.now() - warmStart < 120_000) await sleep(20);
  const warmUpS = (performance.now() - warmStart) / 1000;

  // The producer: a batch every tickMs, each event a change to one of the clues, committed the way
  // the clue store queues them (recordChanges in a transaction).
  process.send!({ type: 'measuring' });
  const perTick = Math.round((plan.rate * plan.tickMs) / 1000);
  const commits: number[] = [];
  let events = 0;
  let n = 0;
  let lateTicks = 0;
  measuring = true;
  const t0 = performance.now();
  for (let batch = 0; performance.now() - t0 < plan.seconds * 1000; batch++) {
    const sentAt = Date.now();
    const events_: QueuedClueEvent[] = [];
    for (let k = 0; k < perTick; k++) {
      const c = plan.clues[n++ % plan.clues.length]!;
      events_.push({ clue_id: Number(c.id), clue_code: c.code, change: 'updated', unit_ids: ['bench-unit'], payload: { change: 'updated', clue: view(c.code, c.town_code, c.lon, c.lat, n, { sentAt, batch }) } });
    }
    await withTransaction(pool, (client) => recordChanges(client, [], events_));
    committedAt[batch] = Date.now();
    commits.push(committedAt[batch]! - sentAt);
    events += events_.length;
    // The next batch is due a tick after this one (schedule from t0, so a slow commit is not
    // compounded by a full extra wait).
    const wait = t0 + (batch + 1) * plan.tickMs - performance.now();
    if (wait > 0) await sleep(wait);
    else lateTicks++;
  }
  const produced = performance.now();
  const expected = (events * plan.clients) / towns;
  // Let the hub and the sockets drain what was committed (bounded).
  while (delivered < expected - cutOff * (events / towns) && performance.now() - produced < 30_000) await sleep(20);
  const seconds = (performance.now() - t0) / 1000;
  measuring = false;
  for (const ws of sockets) ws.terminate();
  await pool.end();
  const latencies = received.map((t, i) => t - sentAtOf[i]!);
  const fromCommit = received.map((t, i) => t - committedAt[batchOf[i]!]!);
  return { type: 'result', events, producedS: (produced - t0) / 1000, delivered, expected, seconds, latencies, fromCommit, commits, cutOff, warmUpS, lateTicks };
}

process.once('message', (plan: LoadPlan) => {
  run(plan).then(
    (result) => process.send!(result, () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});

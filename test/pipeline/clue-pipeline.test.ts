import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { localDateCompact } from '../../server/detection/time-window.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { DEVICES, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLocator } from './helpers/mini-city.js';
import { T0, bridge, gas, parking, stored, truck } from './helpers/events.js';

const log = createLogger('silent');
const locator = miniLocator();
let db: TestDb;
let store: CatalogueStore;

before(async () => {
  db = await getTestDb();
});
after(async () => {
  await db.close();
});
beforeEach(async () => {
  await resetDb(db.pool);
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
});

/** A pipeline as a replica would run it, with a fixed processing clock. */
function pipeline(now = T0 + 3_600_000) {
  return new CluePipeline({ pool: db.pool, locator, catalogue: store, log, now: () => now });
}

async function clues() {
  const { rows } = await db.pool.query(
    `SELECT code, item_code, status, severity, alert_count, primary_unit_id, co_notified, board_unit_ids, town_code, review,
            needs_confirmation, deadline_at, reasons, summary, catalogue_version, grid_code, asset_key, details
       FROM clues ORDER BY id`,
  );
  return rows;
}

const rules = (reasons: { rule: string }[]) => reasons.map((r) => r.rule);

test('a dumping truck in an empowered town goes to the town team; in another town to the department, the town co-notified', async () => {
  const p = pipeline();
  await p.handle(await stored(db.pool, [
    truck('truck-a', 0, PLACES.dumpA),
    truck('truck-a', 25, PLACES.dumpA),
    truck('truck-b', 0, PLACES.dumpB),
    truck('truck-b', 25, PLACES.dumpB),
    // Body raised inside the licensed, open site: not dumping.
    truck('truck-b', 100, PLACES.site),
    truck('truck-b', 130, PLACES.site),
  ]));
  const [a, b, ...rest] = await clues();
  assert.equal(rest.length, 0);
  const day = localDateCompact(T0 + 3_600_000);
  assert.equal(a.code, `330203-${day}-0001`);
  assert.equal(b.code, `330203-${day}-0002`);
  assert.equal(a.item_code, '住建-渣土-01');
  assert.equal(a.primary_unit_id, `team-${TOWN_A.code}`);
  assert.deepEqual(a.co_notified, []);
  assert.deepEqual(rules(a.reasons), ['item', 'empowered', 'deadline']);
  assert.equal(a.deadline_at.getTime(), T0 + 25_000 + 120 * 60_000);
  assert.equal(a.catalogue_version, 2);
  assert.equal(b.primary_unit_id, 'dept-330203-construction');
  assert.deepEqual(b.co_notified, [`team-${TOWN_B.code}`]);
  assert.deepEqual(rules(b.reasons), ['item', 'not-empowered', 'deadline']);
  assert.equal(b.town_code, TOWN_B.code);
});

test('a rising gas leak updates one clue (count, severity, summary) and each change is in the timeline and the outbox', async () => {
  const p = pipeline();
  await p.handle(await stored(db.pool, [gas(0, 2), gas(30, 12)]));
  await p.handle(await stored(db.pool, [gas(60, 18), gas(90, 30)]));
  const [leak, ...rest] = await clues();
  assert.equal(rest.length, 0);
  assert.equal(leak.item_code, '住建-燃气-01');
  assert.equal(leak.alert_count, 2);
  assert.equal(leak.severity, 'high');
  assert.match(leak.summary.en, /high alarm: 30 %LEL/);
  assert.equal(leak.primary_unit_id, `team-${TOWN_A.code}`);
  assert.deepEqual([...leak.co_notified].sort(), ['dept-330203-emergency', 'utility-gas']);
  assert.equal(leak.deadline_at.getTime(), T0 + 30_000 + 30 * 60_000, 'the deadline is the first alert’s');

  const timeline = await db.pool.query(`SELECT action, actor, source FROM clue_timeline ORDER BY id`);
  assert.deepEqual(timeline.rows, [
    { action: 'opened', actor: 'pipeline', source: 'device:gas-a' },
    { action: 'alert', actor: 'pipeline', source: 'device:gas-a' },
  ]);
  const outbox = await db.pool.query(`SELECT clue_code, change, unit_ids, payload FROM clue_outbox ORDER BY id`);
  assert.deepEqual(outbox.rows.map((r) => r.change), ['created', 'updated']);
  assert.deepEqual([...outbox.rows[1].unit_ids].sort(), ['dept-330203-emergency', `team-${TOWN_A.code}`, 'utility-gas']);
  assert.equal(outbox.rows[1].payload.clue.code, leak.code);
  assert.equal(outbox.rows[1].payload.clue.severity, 'high');
  assert.equal(outbox.rows[1].payload.clue.alertCount, 2);
  assert.deepEqual([leak.details.level, leak.details.lelPct], ['high', 30], 'the details show the reading that upgraded the clue');
  assert.deepEqual([outbox.rows[1].payload.clue.details.level, outbox.rows[1].payload.clue.details.lelPct], ['high', 30]);
});

test('a bridge sensor on the bridge polygon, named by neither its event nor its registration, raises a clue for the custodian', async () => {
  const p = pipeline();
  await p.handle(await stored(db.pool, [bridge(0, 130, 'bridge-2', null), bridge(30, 130, 'bridge-2', null), bridge(65, 130, 'bridge-2', null)]));
  const [alarm, ...rest] = await clues();
  assert.equal(rest.length, 0);
  assert.deepEqual([alarm.item_code, alarm.asset_key, alarm.primary_unit_id], ['交通-桥梁-01', 'BR-01', 'custodian-municipal']);
});

test('a restart keeps the bridge sustain window: the spike before and the exceedance after make one alarm', async () => {
  const first = pipeline();
  await first.handle(await stored(db.pool, [bridge(0, 120)]));
  await first.handle(await stored(db.pool, [bridge(5, 90)])); // a spike: back under at once
  await first.handle(await stored(db.pool, [bridge(10, 130), bridge(40, 125)]));
  assert.equal((await clues()).length, 0, 'not sustained yet');

  const second = pipeline(); // a new process: state comes from detector_states
  await second.handle(await stored(db.pool, [bridge(75, 128)]));
  const [alarm, ...rest] = await clues();
  assert.equal(rest.length, 0);
  assert.equal(alarm.item_code, '交通-桥梁-01');
  assert.equal(alarm.primary_unit_id, 'custodian-municipal');
  assert.equal(alarm.severity, 'medium');
  assert.deepEqual([...alarm.co_notified].sort(), ['dept-330203-traffic-police', `team-${TOWN_B.code}`]);
  assert.equal(alarm.deadline_at.getTime(), T0 + 75_000 + 60 * 60_000);
});

test('a low-confidence plate opens a review clue; the confident read of the same stay opens its own clue', async () => {
  const p = pipeline();
  await p.handle(await stored(db.pool, [parking(0, '浙B12345', 'enter', 0.4), parking(700, '浙B12345', 'present', 0.5)]));
  await p.handle(await stored(db.pool, [parking(760, '浙B12345', 'present', 0.93)]));
  const [review, confirmed, ...rest] = await clues();
  assert.equal(rest.length, 0);
  assert.equal(review.review, true);
  assert.equal(review.needs_confirmation, true);
  assert.ok(rules(review.reasons).includes('review'));
  assert.equal(confirmed.review, false);
  assert.equal(confirmed.needs_confirmation, false);
  for (const c of [review, confirmed]) {
    assert.equal(c.item_code, '城管-停车-01');
    assert.equal(c.primary_unit_id, `team-${TOWN_A.code}`);
  }
  assert.equal(confirmed.deadline_at.getTime(), T0 + 760_000 + 120 * 60_000);
});

test('a gas sensor silent past two reporting intervals raises one device-offline clue', async () => {
  const p = pipeline(T0 + 100_000);
  await p.handle(await stored(db.pool, [gas(0, 1)]));
  const quiet = await p.checkSilence(); // 100 s after: within 2 × 60 s
  assert.deepEqual(quiet.opened, []);
  const later = pipeline(T0 + 200_000); // restored from the database
  const silent = await later.checkSilence();
  assert.equal(silent.opened.length, 1);
  assert.deepEqual((await later.checkSilence()).alerts, [], 'raised once per silence');
  const [offline] = await clues();
  assert.equal(offline.item_code, '住建-燃气-02');
  // v2 took 住建-燃气-02 back from town A: the department handles it.
  assert.equal(offline.primary_unit_id, 'dept-330203-construction');
  assert.ok(offline.reasons.some((r: { rule: string; en: string }) => r.rule === 'not-empowered' && /catalogue v2/.test(r.en)));
});

test('replayed events raise nothing twice and concurrent replicas never share a clue code', async () => {
  const [one, two] = [pipeline(), pipeline()];
  const events = await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA)]);
  await one.handle(events);
  // Handed over again, even with the truck's detector state gone: the events were claimed once.
  await db.pool.query('DELETE FROM detector_states');
  await one.handle(events);
  await Promise.all([
    two.handle(await stored(db.pool, [truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)])),
    one.handle(await stored(db.pool, [gas(0, 12)])),
  ]);
  const codes = (await clues()).map((c) => c.code);
  assert.equal(codes.length, 3);
  assert.equal(new Set(codes).size, 3);
  const seq = await db.pool.query(`SELECT last_value FROM clue_sequences`);
  assert.deepEqual(seq.rows, [{ last_value: 3 }]);
  const alerts = await db.pool.query(`SELECT count(*)::int AS n FROM clue_timeline`);
  assert.deepEqual(alerts.rows, [{ n: 3 }], 'one alert per clue');
});

test('a connection lost mid-transaction is retried: the batch is stored once, nothing lost or doubled', async () => {
  let failures = 1;
  // The real pool, except that the first outbox insert dies as if the connection had dropped.
  const flaky = {
    query: db.pool.query.bind(db.pool),
    connect: async () => {
      const client = await db.pool.connect();
      return new Proxy(client, {
        get(target, prop, receiver) {
          if (prop !== 'query') return Reflect.get(target, prop, receiver);
          return async (text: string, values?: unknown[]) => {
            if (typeof text === 'string' && text.includes('INSERT INTO clue_outbox') && failures-- > 0)
              throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
            return target.query(text, values);
          };
        },
      });
    },
  } as unknown as typeof db.pool;
  const p = new CluePipeline({ pool: flaky, locator, catalogue: store, log, now: () => T0 + 3_600_000 });
  await p.handle(await stored(db.pool, [gas(0, 12)]));
  const counts = await db.pool.query(
    `SELECT (SELECT count(*) FROM clues)::int AS clues, (SELECT count(*) FROM clue_timeline)::int AS timeline,
            (SELECT count(*) FROM clue_outbox)::int AS outbox, (SELECT count(*) FROM detector_states)::int AS states,
            (SELECT last_value FROM clue_sequences) AS seq`,
  );
  assert.deepEqual(counts.rows[0], { clues: 1, timeline: 1, outbox: 1, states: 1, seq: 1 });
  assert.equal(failures, -1, 'the failure happened once and the retry went through');
});

test('parking states of stays long over are forgotten; a recent one is kept', async () => {
  const p = pipeline(T0 + 2 * 86_400_000);
  await p.handle(await stored(db.pool, [parking(0, '浙B11111', 'enter'), parking(60, '浙B11111', 'leave'), parking(86_400 + 3_600, '浙B22222', 'present')]));
  assert.equal(await p.pruneParkingStates(), 1);
  const { rows } = await db.pool.query(`SELECT state_key FROM detector_states WHERE kind = 'parking-camera'`);
  assert.deepEqual(rows, [{ state_key: 'parking:NP-01:浙B22222' }]);
  assert.equal(await p.pruneParkingStates(), 0);
});

test('two replicas dealt alternate fixes of one truck share its state and raise one clue', async () => {
  const [one, two] = [pipeline(), pipeline()];
  await one.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA)]));
  await two.handle(await stored(db.pool, [truck('truck-a', 25, PLACES.dumpA)])); // the second fix completes the dwell
  await one.handle(await stored(db.pool, [truck('truck-a', 40, PLACES.dumpA)])); // still dumping: no second alert
  const all = await clues();
  assert.equal(all.length, 1);
  assert.equal(all[0].alert_count, 1);
  assert.equal(all[0].deadline_at.getTime(), T0 + 25_000 + 120 * 60_000);
});

test('autoDispatch: a confidently routed clue of a listed urgency opens dispatched; others, and review clues, stay new', async () => {
  const p = new CluePipeline({ pool: db.pool, locator, catalogue: store, log, now: () => T0 + 3_600_000, autoDispatch: ['immediate'] });
  await p.handle(await stored(db.pool, [gas(0, 12), truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA)]));
  await p.handle(await stored(db.pool, [parking(0, '浙B12345', 'enter', 0.4), parking(700, '浙B12345', 'present', 0.5)]));
  const byItem = Object.fromEntries((await clues()).map((c) => [`${c.item_code}${c.review ? ' (review)' : ''}`, c.status]));
  assert.deepEqual(byItem, { '住建-燃气-01': 'dispatched', '住建-渣土-01': 'new', '城管-停车-01 (review)': 'new' });
  const { rows } = await db.pool.query(
    `SELECT t.action, t.from_status, t.to_status FROM clue_timeline t JOIN clues c ON c.id = t.clue_id WHERE c.item_code = '住建-燃气-01' ORDER BY t.id`,
  );
  assert.deepEqual(rows[0], { action: 'opened', from_status: 'new', to_status: 'dispatched' });
});

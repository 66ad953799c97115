/**
 * One Gridwatch ingest process for the crash-recovery test, wired as `server/runtime.ts` wires
 * it: the real sink handing stored events to the real clue pipeline over the test database
 * (GW_TEST_DATABASE_URL), with the mini city's locator and the catalogue stored there. It first
 * catches up on events left unprocessed, then submits the gas stream (STREAM_BASE, READINGS)
 * from the start, as a transport redelivering everything unacknowledged would, printing
 * `acked <n>` as each chunk is acknowledged and `done` at the end. With CRASH_AFTER_STORE=k the
 * k-th hand-off to the pipeline (of events stored and acknowledged) prints `stored <k>` and
 * never returns, for the test to SIGKILL the process right there.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { createLogger } from '../../../core/logger.js';
import { DeviceRegistry } from '../../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../../ingest/ingest-sink.js';
import { CatalogueStore } from '../../../server/catalogue/catalogue-store.js';
import { CluePipeline } from '../../../server/pipeline/clue-pipeline.js';
import { gasStream } from './gas-stream.js';
import { miniLocator } from './mini-city.js';

// Written synchronously: the test may kill this process the moment it reads the line.
const say = (line: string) => fs.writeSync(1, `${line}\n`);

const log = createLogger('silent');
const pool = new pg.Pool({ connectionString: process.env.GW_TEST_DATABASE_URL, max: 1 });
const catalogue = new CatalogueStore(pool, log);
await catalogue.load();
const pipeline = new CluePipeline({ pool, locator: miniLocator(), catalogue, log });
await pipeline.sweep({ graceMs: 0 });

const crashAt = Number(process.env.CRASH_AFTER_STORE ?? 0);
let handOffs = 0;
const sink = new BatchingIngestSink({
  pool,
  devices: new DeviceRegistry(pool),
  dataDir: fs.mkdtempSync(`${os.tmpdir()}/gw-crash-child-`),
  log,
  onAccepted: async (events) => {
    if (++handOffs === crashAt) {
      say(`stored ${handOffs}`);
      await new Promise(() => undefined);
    }
    await pipeline.handle(events);
  },
});
const chunks = gasStream(Number(process.env.STREAM_BASE), Number(process.env.READINGS));
for (const [n, chunk] of chunks.entries()) {
  await sink.submit(chunk);
  say(`acked ${n + 1}`);
}
await sink.close();
await pool.end();
say('done');

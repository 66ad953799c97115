/**
 * The simulator CLI over Kafka, as a user runs it, to the service's librdkafka mock cluster
 * (KAFKA_MOCK=1; the CLI finds the bootstrap in /healthz), for the same fixed seed, duration and
 * --chaos as the MQTT run. Checked against the service, not the CLI's word: the events stored
 * are those sent minus the deliberate chaos, the duplicates are the service's own count, the
 * dead letters (its database and the admin API) are the chaos's by code, exit status 0 with
 * nothing unaccounted, and every scripted violation gives its clue and no other.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunSummary } from '../../simulators/run-fleet.js';
import { assertChaosAccounting, assertViolationClues, chaosRunArgs, runCli, startCliService, type CliService } from './cli-support.js';

let s: CliService | undefined;

before(async () => {
  s = await startCliService({ KAFKA_MOCK: '1' });
});
after(async () => {
  await s?.service.close();
});

test('a seeded chaos run over Kafka to the mock cluster: stored = sent − chaos, dead letters = chaos by code, every violation its clue', async () => {
  const summaryFile = path.join(s!.service.dataDir, 'sim-summary-kafka.json');
  const r = await runCli(chaosRunArgs(s!, 'kafka', summaryFile));
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as RunSummary;
  assert.equal(summary.transport, 'kafka');
  // Kafka acknowledges on delivery to the broker: the summary also says when the service had consumed it all.
  assert.equal(typeof summary.serviceSeconds, 'number', 'serviceSeconds: when the service had counted everything delivered');
  assert.ok(summary.serviceSeconds! >= summary.seconds, `caught up (${summary.serviceSeconds} s) is measured after the last delivery (${summary.seconds} s)`);
  await assertChaosAccounting(s!, 'kafka', summary);
  await assertViolationClues(s!, summary);
});

/**
 * The simulator CLI, run as a user runs it (`node bin/gridwatch-sim.js`), for a fixed seed and
 * duration against the real service in demo mode (demo city, catalogue and devices; the
 * in-process simulators off), over MQTT, with --chaos. Checked against the service, not the
 * CLI's word: the events stored are those sent minus the deliberate chaos, the dead letters
 * (in its database and listed through the admin API) are the chaos's by code, and every
 * device's scripted violations give their clues while devices with none give no clue at all.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunSummary } from '../../simulators/run-fleet.js';
import { assertChaosAccounting, assertViolationClues, chaosRunArgs, runCli, startCliService, type CliService } from './cli-support.js';

let s: CliService | undefined;

before(async () => {
  s = await startCliService();
});
after(async () => {
  await s?.service.close();
});

test('gridwatch-sim refuses unknown options and bad values with exit status 2', async () => {
  const unknown = await runCli(['--no-such-option']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--no-such-option'/);
  const bad = await runCli(['--chaos-shares', 'malformed=2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--chaos-shares/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--transport mqtt\|kafka\|http/);
});

test('a seeded chaos run over MQTT: accepted = sent − chaos, dead letters = chaos by code, every violation its clue', async () => {
  const summaryFile = path.join(s!.service.dataDir, 'sim-summary.json');
  const r = await runCli(chaosRunArgs(s!, 'mqtt', summaryFile));
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as RunSummary;
  await assertChaosAccounting(s!, 'mqtt', summary);
  await assertViolationClues(s!, summary);
});

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (one after another, so they don't compete for
 * the cores) and writes docs/BENCHMARKS.md: machine facts, settings, then one section per bench.
 *
 * A bench module's default export is an async function returning its markdown section. Add a
 * benchmark by adding a file; nothing here changes. Arguments filter benches by file name
 * (`npm run bench -- locator`): the other sections already in docs/BENCHMARKS.md are kept.
 * `--quick` sets GW_BENCH_QUICK=1 for benches that have small sizes and writes
 * test-results/BENCHMARKS-quick.md instead, so smoke figures never replace the full ones in docs/.
 * The header records how long the whole run took and each bench's share (wall and CPU seconds),
 * so the `--quick` promise (under 2 minutes) is checked by every run rather than claimed. With
 * `--quick` the service-backed benches share one started service and database (bench-service.ts),
 * and the benches run in two lanes (child processes) at once (bench/lanes.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migratedTemplate } from '../test/helpers/embedded-template.js';
import { closeShared } from './bench-service.js';
import { runLanes, splitLanes, type Lane } from './lanes.js';
import { readSections, sectionBlock } from './report-sections.js';
import { cpuSeconds, runBench, type BenchResult } from './run-bench.js';

const benchDir = import.meta.dirname;
// `--quick`: small sizes for a smoke run (benches read GW_BENCH_QUICK; the settings line records it).
const quick = process.argv.includes('--quick');
if (quick) process.env.GW_BENCH_QUICK = '1';
// Quick figures are a smoke test, not the project's figures: they go to a file of their own.
const target = path.resolve(benchDir, quick ? '../test-results/BENCHMARKS-quick.md' : '../docs/BENCHMARKS.md');
const runStart = performance.now();
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const names = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort()
  .filter((n) => !filters.length || filters.some((x) => n.includes(x)));
if (!names.length) {
  console.error(`No bench/*.bench.ts matches ${filters.join(' ')}`);
  process.exit(1);
}

/** The last line of a bench's section: when and by what it was measured, and what it cost. */
function measuredLine(date: string, command: string, r: BenchResult): string {
  const steal = r.steal === null ? '' : `; the hypervisor took ${(r.steal * 100).toFixed(1)} % of the machine's CPU time for other guests meanwhile`;
  return `_Measured ${date} by \`${command}\` (this section ${r.seconds.toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s${steal}; machine speed at its start ${r.speed.toFixed(0)} thousand JSON round trips of a device event a second on one core)._`;
}

/** The real PostgreSQL/PostGIS versions, so each real-PG figure names the server it was measured on. */
async function realPgVersion(): Promise<string> {
  if (!process.env.DATABASE_URL) return 'not measured (DATABASE_URL not set)';
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string; g: string | null; a: string | null }>(
      // A fresh database has PostGIS available but not yet created (the benches' migrations create it).
      `SELECT current_setting('server_version') AS v,
              (SELECT extversion FROM pg_extension WHERE extname = 'postgis') AS g,
              (SELECT default_version FROM pg_available_extensions WHERE name = 'postgis') AS a`,
    );
    const { v, g, a } = rows[0]!;
    return `PostgreSQL ${v}, PostGIS ${g ?? (a ? `${a} (created by the benches)` : 'not available')}`;
  } catch (e) {
    // A bench run should still write its embedded figures when the real server is unreachable.
    return `unreachable (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgVersion = await realPgVersion();
const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
const sections = readSections(target);
const cpu0 = cpuSeconds();
// Quick: two lanes at once when both have benches; the template is built first, once, for both.
const lanes: Lane[] = quick ? splitLanes(names) : [];
const results: BenchResult[] = [];
let templateSeconds = 0;
if (lanes.length > 1) {
  const t0 = performance.now();
  await migratedTemplate();
  templateSeconds = (performance.now() - t0) / 1000;
  console.error(`# PGlite template ready in ${templateSeconds.toFixed(1)} s`);
  results.push(...(await runLanes(lanes)));
} else {
  try {
    for (const name of names) results.push(await runBench(name));
  } finally {
    await closeShared();
  }
}
// Each section says when it was measured: a filtered run rewrites the header, and the sections it keeps came from earlier runs.
const runDate = new Date().toISOString();
const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
for (const r of results) sections.set(r.name, `${r.section.trimEnd()}\n\n${measuredLine(runDate, command, r)}\n`);
results.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
const durations = results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s`);
const totalCpu = (cpuSeconds() - cpu0).toFixed(1);

const cpus = os.cpus();
const settings = Object.entries(process.env)
  .filter(([k]) => k.startsWith('GW_BENCH_'))
  .map(([k, v]) => `\`${k}=${v}\``);
const doc = [
  quick ? '# Benchmarks (quick run: small sizes, a smoke test; the figures of record are in docs/BENCHMARKS.md)' : '# Benchmarks',
  '',
  'Written by `npm run bench` (bench/run.ts); every figure below was measured by the code in bench/, in the run described here.',
  'Numbers depend on the machine and on what else it was doing: the load average at the start of the run is given.',
  'A filtered run (`npm run bench -- NAME`) rewrites only its own sections and keeps the others from earlier runs; each section ends with the date of the run that measured it.',
  '`npm run bench -- --quick` writes test-results/BENCHMARKS-quick.md instead of docs/BENCHMARKS.md, so quick figures never replace full ones.',
  ...(quick
    ? [
        ...(lanes.length > 1
          ? [
              `This quick run ran its benches in two lanes at once, after making the migrated PGlite template (${templateSeconds.toFixed(1)} s; 0 when already made) for both (${lanes.map((l) => `lane ${l.label}: ${l.names.join(', ')}, ${l.seconds!.toFixed(1)} s`).join('; ')}), each a process running its benches one after another: the lanes shared the cores, so every figure here is a smoke figure, not a measurement.`,
            ]
          : []),
        'In this quick run the service-backed benches shared what they run on, started once: one bare embedded database (ingest, live) and one demo service per database (latency, pipeline, simulator; simulators off, mock Kafka on), so each found the rows the earlier ones left (it started once the pipeline had drained them); a full run starts a fresh one per bench, and map-draw has its own in both.',
      ]
    : []),
  '',
  '| fact | value |',
  '| --- | --- |',
  `| date | ${runDate} |`,
  `| CPU | ${cpus[0]?.model.trim() ?? 'unknown'} |`,
  `| cores | ${cpus.length} |`,
  `| RAM | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
  `| OS | ${os.type()} ${os.release()} (${os.arch()}) |`,
  `| Node | ${process.version} |`,
  `| load average (1, 5, 15 min) at start | ${load} |`,
  `| real PostGIS | ${process.env.DATABASE_URL ? 'DATABASE_URL set' : 'not measured (DATABASE_URL not set)'} |`,
  `| real PostgreSQL version | ${pgVersion} |`,
  `| free memory at start | ${(os.freemem() / 2 ** 30).toFixed(1)} GiB |`,
  `| settings | ${settings.length ? settings.join(', ') : 'defaults'} |`,
  `| benches in this run | ${names.join(', ')} |`,
  `| duration of this run | ${((performance.now() - runStart) / 1000).toFixed(1)} s, CPU ${totalCpu} s (${durations.join('; ')}) |`,
  '',
  ...[...sections.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, text]) => sectionBlock(name, text)),
].join('\n');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, doc);
console.error(`# wrote ${path.relative(process.cwd(), target)}: ${((performance.now() - runStart) / 1000).toFixed(1)} s, CPU ${totalCpu} s`);

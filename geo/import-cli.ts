/**
 * `npm run geo:import -- --layer towns [--crs gcj02] [--source name] [--json] file.geojson`
 *
 * Imports one boundary layer into DATABASE_URL, or into the embedded database under DATA_DIR
 * (stop the server first: one process owns it). Prints the report; exits 0 when imported,
 * 2 when a fatal problem rejected the file, 1 on any other failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../core/config.js';
import { GwError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { crsSchema } from '../core/crs.js';
import { importLayer, type ImportPhase } from './import/import.js';
import { formatReport } from './import/report.js';
import { GEO_LAYERS } from './types.js';

const argsSchema = z.object({
  layer: z.enum(GEO_LAYERS),
  crs: crsSchema.default('wgs84'),
  source: z.string().min(1).optional(),
  json: z.boolean().default(false),
  file: z.string().min(1, 'give the GeoJSON file to import'),
});

const USAGE = `usage: npm run geo:import -- --layer ${GEO_LAYERS.join('|')} [--crs wgs84|gcj02|bd09] [--source NAME] [--json] FILE.geojson`;

/** A progress line on stderr: redrawn in place on a terminal, one line per phase otherwise. */
function progressLine(): (phase: ImportPhase, done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let lastPhase = '';
  return (phase, done, total) => {
    const pct = total ? Math.floor((100 * done) / total) : 100;
    if (tty) {
      const width = 30;
      const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
      process.stderr.write(`\r${phase.padEnd(8)} [${bar}] ${String(pct).padStart(3)}% ${done}/${total}   `);
      if (phase === 'write' && done === total) process.stderr.write('\n');
    } else if (phase !== lastPhase) {
      process.stderr.write(`${phase}…\n`);
    }
    lastPhase = phase;
  };
}

async function main(): Promise<number> {
  let args;
  try {
    const { values, positionals } = parseArgs({
      options: { layer: { type: 'string' }, crs: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
    });
    const parsed = argsSchema.safeParse({ ...values, file: positionals[0] });
    if (!parsed.success || positionals.length > 1) {
      console.error(`${parsed.success ? 'one file at a time' : parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('\n')}\n${USAGE}`);
      return 1;
    }
    args = parsed.data;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 1;
  }

  let text: string;
  try {
    text = fs.readFileSync(args.file, 'utf8');
  } catch (err) {
    const e = new GwError('GW_GEO_FILE_UNREADABLE', `Reading ${args.file} for a ${args.layer} import: ${(err as Error).message}`);
    console.error(e.message);
    return 1;
  }

  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log, poolSize: 2 });
  try {
    await migrate(db.pool);
    const result = await importLayer(db.pool, text, {
      layer: args.layer,
      crs: args.crs,
      source: args.source ?? path.basename(args.file),
      createdBy: `cli:${process.env.USER ?? 'unknown'}`,
      onProgress: progressLine(),
    });
    console.log(args.json ? JSON.stringify(result, null, 2) : formatReport(result.report));
    if (result.importId !== null) {
      console.log(`import ${result.importId} is now the active ${args.layer}${result.previousImportId ? ` (was ${result.previousImportId})` : ''}; a running server picks it up on restart or POST /api/v1/geo/imports/${result.importId}/activate`);
    }
    return result.importId === null ? 2 : 0;
  } finally {
    await db.close();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof GwError ? err.message : `geo:import failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
}

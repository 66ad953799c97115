/**
 * One-off step after migration 090: `npx tsx server/spatial/backfill-h3-cli.ts` stores the H3
 * cell of every clue written before the pipeline computed it (hotspots at level h3 leave those
 * out until then). Uses the service's database (DATABASE_URL, or the embedded one under DATA_DIR
 * while the service is stopped). Exit 0 done, 1 failed.
 */
import { loadConfig } from '../../core/config.js';
import { withCliDatabase } from '../../db/cli-database.js';
import { backfillH3 } from './backfill-h3.js';

try {
  const filled = await withCliDatabase(loadConfig(), 'backfill-h3', (pool) => backfillH3(pool));
  console.log(`H3 cells stored for ${filled} clue(s)`);
} catch (err) {
  console.error(`backfill-h3 failed: ${(err as Error).message}`);
  process.exitCode = 1;
}

import { ConfigError, loadConfig } from '../core/config.js';
import { GwError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { countActiveAdmins } from './auth/users.js';
import { startGridwatch } from './runtime.js';

/** Entry point of `npm start`: config errors and start-up failures exit 1 with a clear message. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  let gw;
  try {
    gw = await startGridwatch(config, log);
  } catch (err) {
    const message = err instanceof GwError || (err as NodeJS.ErrnoException).code ? (err as Error).message : String(err);
    log.fatal({ err }, 'start-up failed');
    console.error(`Gridwatch could not start: ${message}`);
    process.exit(1);
  }
  log.info({ url: gw.url, db: gw.db.backend, demo: config.demo }, 'Gridwatch is up');
  // A new production install has no users: say how to make the first administrator.
  if ((await countActiveAdmins(gw.db.pool)) === 0) {
    log.warn('no administrator can log in: create one with `npm run users -- create --role admin --username NAME` (README, "Users and the first administrator")');
  }
  if (gw.demoCredentials.length) {
    console.log(
      [
        '',
        `Gridwatch demo on ${gw.url}  (demo logins, for local use only)`,
        ...gw.demoCredentials.map((c) => `  ${c.role.padEnd(9)} ${`${c.username} / ${c.password}`.padEnd(38)} ${c.unit ? `${c.unit.zh} (${c.unit.en})` : '—'}`),
        '',
      ].join('\n'),
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const hard = setTimeout(() => {
      log.error('graceful shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5000);
    hard.unref();
    await gw.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();

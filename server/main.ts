import { ConfigError, loadConfig } from '../core/config.js';
import { GwError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { countActiveAdmins } from './auth/users.js';
import { startGridwatch, type Gridwatch } from './runtime.js';

/**
 * Banner lines that let a newcomer send one event by hand: a `mosquitto_pub` line with a real
 * demo gas sensor's credentials and the embedded broker's port, and the simulator CLI.
 */
async function sendByHand(gw: Gridwatch): Promise<string[]> {
  const device = gw.demoDevices.find((d) => d.kind === 'gas-sensor');
  const mqtt = (await gw.health.report()).components.mqtt?.detail as { port?: number } | undefined;
  if (!device || !mqtt?.port) return [];
  const host = new URL(gw.url).hostname;
  const event = JSON.stringify({ eventId: '<id>', deviceId: device.id, kind: 'gas-sensor', ts: '<now, ISO 8601>', position: { lon: 121.55, lat: 29.87 }, lelPct: 12 });
  return [
    '',
    'Send an event by hand (a demo gas sensor at 12 %LEL):',
    `  mosquitto_pub -h ${host} -p ${mqtt.port} -u ${device.id} -P ${device.token} -q 1 -t devices/gas-sensor/${device.id}/events -m '${event.replace('<id>', `by-hand-'$(date +%s)'`).replace('"<now, ISO 8601>"', `"'$(date -u +%FT%TZ)'"`)}'`,
    `More traffic: npm run simulate -- --url ${gw.url} --rate 50 --duration 60 --chaos   (--help for the rest)`,
  ];
}

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
        ...(await sendByHand(gw)),
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

/**
 * `npm run devices -- <command>`: device administration from the shell, against DATABASE_URL
 * or the embedded database under DATA_DIR (stop the server first: the embedded database is
 * single-process; with a running server use the admin API /api/v1/devices instead).
 *
 *   register <id> <kind> [--unit UNIT] [--meta JSON]   prints the token (shown once)
 *   import <file.json|file.csv>                         prints each id with its token or "exists"
 *   rotate <id>                                         prints the new token
 *   disable <id> | enable <id>
 *   list [--kind KIND] [--prefix PREFIX] [--json]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../core/config.js';
import { GwError } from '../core/errors.js';
import { withCliDatabase } from '../db/cli-database.js';
import { parseInput } from '../core/validate.js';
import { DEVICE_KINDS } from './device-event.js';
import { DeviceRegistry, deviceIdSchema, parseDeviceImport } from './device-registry.js';

const USAGE = `usage: npm run devices -- register <id> <kind> [--unit UNIT] [--meta JSON]
                          import <file.json|file.csv>
                          rotate <id> | disable <id> | enable <id>
                          list [--kind KIND] [--prefix PREFIX] [--json]
kinds: ${DEVICE_KINDS.join(', ')}`;

const argsSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('register'), id: deviceIdSchema, kind: z.enum(DEVICE_KINDS), unit: z.string().min(1).optional(), meta: z.string().optional() }),
  z.object({ command: z.literal('import'), file: z.string().min(1) }),
  z.object({ command: z.enum(['rotate', 'disable', 'enable']), id: deviceIdSchema }),
  z.object({ command: z.literal('list'), kind: z.enum(DEVICE_KINDS).optional(), prefix: z.string().min(1).optional(), json: z.boolean().optional() }),
]);
type Args = z.infer<typeof argsSchema>;

function readArgs(argv: string[]): Args {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { unit: { type: 'string' }, meta: { type: 'string' }, kind: { type: 'string' }, prefix: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [command, a, b] = positionals;
  const named =
    command === 'register' ? { id: a, kind: b } : command === 'import' ? { file: a } : command === 'list' ? {} : { id: a };
  return parseInput(argsSchema, { command, ...named, ...values }, 'the command line');
}

async function run(args: Args, registry: DeviceRegistry): Promise<void> {
  const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));
  switch (args.command) {
    case 'register': {
      let metadata: unknown = {};
      if (args.meta) {
        try {
          metadata = JSON.parse(args.meta);
        } catch (err) {
          throw new GwError('GW_VALIDATION', `Reading --meta: not JSON (${(err as Error).message})`);
        }
      }
      const { device, token } = await registry.register({ id: args.id, kind: args.kind, homeUnitId: args.unit ?? null, metadata: metadata as Record<string, unknown> });
      return print({ id: device.id, kind: device.kind, token });
    }
    case 'import': {
      const text = fs.readFileSync(args.file, 'utf8');
      const devices = parseDeviceImport(text, args.file.toLowerCase().endsWith('.csv') ? 'csv' : 'json');
      return print(await registry.importDevices(devices));
    }
    case 'rotate':
      return print({ id: args.id, token: await registry.rotateToken(args.id) });
    case 'disable':
    case 'enable':
      return print(await registry.setDisabled(args.id, args.command === 'disable'));
    case 'list': {
      const devices = await registry.list({ ...(args.kind ? { kind: args.kind } : {}), ...(args.prefix ? { prefix: args.prefix } : {}), limit: 100_000 });
      if (args.json) return print(devices);
      for (const d of devices) {
        const pos = d.lastPosition ? `${d.lastPosition.lon.toFixed(6)},${d.lastPosition.lat.toFixed(6)}` : '-';
        console.log([d.id.padEnd(20), d.kind.padEnd(15), (d.disabled ? 'disabled' : 'enabled').padEnd(9), (d.lastSeenAt ?? 'never').padEnd(25), pos].join(' '));
      }
    }
  }
}

async function main(): Promise<number> {
  let args: Args;
  let config;
  try {
    args = readArgs(process.argv.slice(2));
    config = loadConfig();
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  await withCliDatabase(config, 'gridwatch-devices', (pool) => run(args, new DeviceRegistry(pool)));
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  const code = err instanceof GwError ? `${err.code}: ` : err instanceof ConfigError ? '' : 'unexpected error: ';
  console.error(`devices: ${code}${(err as Error).message}`);
  process.exitCode = 1;
}

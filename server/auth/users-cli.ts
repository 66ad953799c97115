/**
 * `npm run users -- <command>`: people's accounts from the shell, against DATABASE_URL or the
 * embedded database under DATA_DIR (as `npm start` opens it). This is how a production install
 * gets its first administrator. With the embedded database, stop the service first: one process
 * owns a DATA_DIR (GW_DB_LOCKED).
 *
 *   create --username NAME --role ROLE [--password-stdin] [--display-name TEXT] [--unit UNIT] [--scope CODE]...
 *   list [--json]
 *   disable --username NAME | enable --username NAME
 *   reset-password --username NAME [--password-stdin]
 *
 * Without --password-stdin a password is generated and printed, once. Exit codes: 0 done,
 * 1 failed (database unreachable or locked, unexpected error), 2 bad command line or value,
 * 3 refused (username taken, no such user).
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../../core/config.js';
import { GwError } from '../../core/errors.js';
import { randomSecret } from '../../core/passwords.js';
import { withCliDatabase } from '../../db/cli-database.js';
import { parseInput } from '../../core/validate.js';
import { ROLES, createUser, listUsers, newUserSchema, passwordSchema, setUserDisabled, setUserPassword, usernameSchema, type UserAccount } from './users.js';

const USAGE = `usage: npm run users -- create --username NAME --role ROLE [--password-stdin] [--display-name TEXT] [--unit UNIT] [--scope CODE]...
                        list [--json]
                        disable --username NAME | enable --username NAME
                        reset-password --username NAME [--password-stdin]
roles: ${ROLES.join(', ')}; --scope takes district, town, community or grid codes (repeat it, or separate with commas)
without --password-stdin a password is generated and printed once
exit codes: 0 done, 1 failed, 2 bad command line, 3 refused (username taken, no such user)`;

const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

// Keys are the flags as typed, so a validation message names the flag the user wrote.
const argsSchema = z.discriminatedUnion('command', [
  z.strictObject({
    command: z.literal('create'),
    username: usernameSchema,
    role: z.enum(ROLES),
    'password-stdin': z.boolean().optional(),
    'display-name': newUserSchema.shape.displayName.optional(),
    unit: z.string().min(1).max(64).optional(),
    scope: newUserSchema.shape.scopes.optional(),
  }),
  z.strictObject({ command: z.literal('list'), json: z.boolean().optional() }),
  z.strictObject({ command: z.enum(['disable', 'enable']), username: usernameSchema }),
  z.strictObject({ command: z.literal('reset-password'), username: usernameSchema, 'password-stdin': z.boolean().optional() }),
]);
type Args = z.infer<typeof argsSchema>;

/** Reads the command line: unknown flags, stray words and bad values are GW_VALIDATION. */
function readArgs(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'display-name': { type: 'string' },
        unit: { type: 'string' },
        scope: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new GwError('GW_VALIDATION', `Reading the command line: ${(err as Error).message}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (rest.length) throw new GwError('GW_VALIDATION', `Reading the command line: unexpected ${rest.map((r) => `"${r}"`).join(' ')} (values go after their flag, e.g. --username NAME)`);
  const { scope, ...values } = parsed.values;
  const scopes = scope?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return parseInput(argsSchema, { command, ...values, ...(scopes ? { scope: scopes } : {}) }, 'the command line');
}

/** The password piped on stdin (one line; a final newline is dropped), validated. */
async function readPasswordFromStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  const password = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(password)) throw new GwError('GW_VALIDATION', 'Reading the password from stdin: expected one line, got several');
  return parseInput(passwordSchema, password, 'the password from stdin');
}

type Chosen = { password: string; generated: boolean };

/** The password to set: from stdin when asked, otherwise a generated one to print. */
async function choosePassword(fromStdin: boolean | undefined): Promise<Chosen> {
  if (fromStdin) return { password: await readPasswordFromStdin(), generated: false };
  return { password: randomSecret(12), generated: true };
}

const row = (u: UserAccount) =>
  [u.username.padEnd(20), u.role.padEnd(9), (u.disabled ? 'disabled' : 'enabled').padEnd(9), (u.unitId ?? '-').padEnd(20), u.scopes.join(',') || '-', u.displayName].join(' ');

async function run(args: Args, chosen: Chosen | undefined, pool: pg.Pool): Promise<void> {
  const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));
  const printWithPassword = (user: object, chosen: Chosen) => {
    if (!chosen.generated) return print(user);
    console.error('users: the generated password is shown only this once');
    print({ ...user, password: chosen.password });
  };
  switch (args.command) {
    case 'create': {
      const user = await createUser(pool, {
        username: args.username,
        password: chosen!.password,
        displayName: args['display-name'] ?? args.username,
        role: args.role,
        scopes: args.scope ?? [],
        unitId: args.unit ?? null,
      });
      return printWithPassword(user, chosen!);
    }
    case 'list': {
      const users = await listUsers(pool);
      if (args.json) return print(users);
      for (const u of users) console.log(row(u));
      return;
    }
    case 'disable':
    case 'enable':
      return print(await setUserDisabled(pool, args.username, args.command === 'disable'));
    case 'reset-password':
      return printWithPassword(await setUserPassword(pool, args.username, chosen!.password), chosen!);
  }
}

/** Exit code for a failure: bad input 2, refused 3, anything else (database, lock) 1. */
function exitCodeFor(err: unknown): number {
  if (!(err instanceof GwError)) return EXIT.failed;
  if (err.code === 'GW_VALIDATION' || err.code === 'GW_USER_UNKNOWN_UNIT') return EXIT.usage;
  if (err.code === 'GW_CONFLICT' || err.code === 'GW_NOT_FOUND') return EXIT.refused;
  return EXIT.failed;
}

async function main(): Promise<number> {
  let args: Args;
  let chosen: Chosen | undefined;
  let config;
  try {
    args = readArgs(process.argv.slice(2));
    // All input is checked before the database is opened (the embedded one takes seconds).
    if (args.command === 'create' || args.command === 'reset-password') chosen = await choosePassword(args['password-stdin']);
    config = loadConfig();
  } catch (err) {
    console.error(`users: ${err instanceof GwError ? `${err.code}: ` : ''}${(err as Error).message}\n${USAGE}`);
    return err instanceof ConfigError ? EXIT.failed : EXIT.usage;
  }
  await withCliDatabase(config, 'gridwatch-users', (pool) => run(args, chosen, pool));
  return EXIT.ok;
}

try {
  process.exitCode = await main();
} catch (err) {
  const prefix = err instanceof GwError ? `${err.code}: ` : err instanceof ConfigError ? '' : 'unexpected error: ';
  const hint =
    err instanceof GwError && err.code === 'GW_DB_LOCKED'
      ? '\nThe embedded database belongs to the running service: stop it, run this command, then start it again (or use DATABASE_URL, where the CLI runs beside the service).'
      : '';
  console.error(`users: ${prefix}${(err as Error).message}${hint}`);
  process.exitCode = exitCodeFor(err);
}

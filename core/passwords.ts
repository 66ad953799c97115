import crypto from 'node:crypto';
import os from 'node:os';
import { promisify } from 'node:util';
import { Counter, Gauge } from 'prom-client';
import { GwError } from './errors.js';
import { registry } from './metrics.js';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEYLEN = 32;

/** How many scrypt runs may go at once, and how many more may wait for a turn. */
export interface KdfLimits {
  concurrency: number;
  queue: number;
}

/**
 * One scrypt run is ~30 ms of a core and 16 MB: half the cores at most, so a burst of logins
 * cannot starve the event loop and the database of CPU; a short queue smooths bursts, and past
 * it a check is refused at once (GW_AUTH_BUSY) rather than piling up.
 */
const limits: KdfLimits = { concurrency: Math.max(1, Math.floor(os.availableParallelism() / 2)), queue: 32 };
let running = 0;
const waiting: (() => void)[] = [];

const kdfInFlight = new Gauge({ name: 'gridwatch_kdf_in_flight', help: 'scrypt runs (password and legacy device token checks) in progress', registers: [registry] });
const kdfWaiting = new Gauge({ name: 'gridwatch_kdf_waiting', help: 'scrypt runs waiting for a turn', registers: [registry] });
const kdfRuns = new Counter({ name: 'gridwatch_kdf_runs_total', help: 'scrypt runs started (password hashing and checks, legacy device token checks)', registers: [registry] });
const kdfRefused = new Counter({ name: 'gridwatch_kdf_refused_total', help: 'scrypt runs refused because the queue was full (GW_AUTH_BUSY)', registers: [registry] });

/** Changes the KDF limits (tests, tuning); applies to runs that start afterwards. */
export function setKdfLimits(next: Partial<KdfLimits>): KdfLimits {
  Object.assign(limits, next);
  return { ...limits };
}

/** Runs `fn` when a KDF slot is free; refuses with GW_AUTH_BUSY when the queue is full. */
async function withKdfSlot<T>(what: string, fn: () => Promise<T>): Promise<T> {
  if (running < limits.concurrency) running++;
  else if (waiting.length >= limits.queue) {
    kdfRefused.inc();
    throw new GwError('GW_AUTH_BUSY', `${what}: ${running} password checks running and ${waiting.length} waiting; retry shortly`, { retryAfterS: 1 });
  } else {
    // release() hands its slot straight to the first waiter, so `running` never overshoots.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  kdfInFlight.set(running);
  kdfWaiting.set(waiting.length);
  kdfRuns.inc();
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
    kdfInFlight.set(running);
    kdfWaiting.set(waiting.length);
  }
}

/** Hashes a secret (password or device token) with scrypt and a random salt. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await withKdfSlot('Hashing a secret', () => scrypt(secret, salt, KEYLEN, PARAMS));
  return `scrypt$${PARAMS.N}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a secret against a stored hash in constant time. Unknown formats never match. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await withKdfSlot('Checking a password', () => scrypt(secret, Buffer.from(saltB64, 'base64'), expected.length, { ...PARAMS, N: Number(n) }));
  return crypto.timingSafeEqual(key, expected);
}

/** A random secret for tokens and generated passwords (URL-safe). */
export function randomSecret(bytes = 24): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a high-entropy token: enough for random bearer tokens, and indexable. */
export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

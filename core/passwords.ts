import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEYLEN = 32;

/** Hashes a secret (password or device token) with scrypt and a random salt. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(secret, salt, KEYLEN, PARAMS);
  return `scrypt$${PARAMS.N}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a secret against a stored hash in constant time. Unknown formats never match. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(secret, Buffer.from(saltB64, 'base64'), expected.length, { ...PARAMS, N: Number(n) });
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

/**
 * Counts scrypt runs in progress around node's own `crypto.scrypt`, to measure how many key
 * derivations really run at once (not how long they take). Import it before anything that
 * loads core/passwords.ts, which takes `crypto.scrypt` when it is first evaluated.
 */
import crypto from 'node:crypto';

export const scryptProbe = { inFlight: 0, peak: 0, runs: 0 };

const original = crypto.scrypt as (...args: unknown[]) => void;
(crypto as unknown as { scrypt: unknown }).scrypt = (...args: unknown[]) => {
  const callback = args.pop() as (err: Error | null, key: Buffer) => void;
  scryptProbe.runs++;
  scryptProbe.peak = Math.max(scryptProbe.peak, ++scryptProbe.inFlight);
  original(...args, (err: Error | null, key: Buffer) => {
    scryptProbe.inFlight--;
    callback(err, key);
  });
};

/** Starts a new measurement of the peak. */
export function resetScryptPeak(): void {
  scryptProbe.peak = scryptProbe.inFlight;
}

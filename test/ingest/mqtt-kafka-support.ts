/**
 * Shared by the MQTT and Kafka transport tests: free ports, bounded waits, real external
 * binaries (which must be installed: CI installs them, so a missing one fails loudly), and
 * device events to send.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import Kafka from 'node-rdkafka';
import type { DeviceKind } from '../../ingest/device-event.js';
import type { DeviceAuthenticator, DeviceIdentity, IngestOutcome, IngestSink, RawInput } from '../../ingest/transport.js';

/** A TCP port nobody listens on right now (never 1883 or 5432, which the system services hold). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<Awaited<T>>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The path of a required binary; throws naming the Debian package when it is missing. */
export function requireBinary(path: string, debianPackage: string): string {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return path;
  } catch {
    throw new Error(`${path} is required by this test and is missing: apt-get install ${debianPackage}`);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by `timeoutMs`), optionally feeding `input` on stdin. */
export async function run(cmd: string, args: string[], input?: string, timeoutMs = 30_000): Promise<RunResult> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Stops a child process this test started, SIGKILL after a grace period. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a librdkafka mock cluster owned by a producer, so it outlives the consumers a test
 * starts and stops; resolves to that producer and the bootstrap address. Asking for
 * `device-events` creates it with the mock's default 4 partitions.
 */
export async function mockCluster(): Promise<{ producer: Kafka.Producer; bootstrap: string }> {
  const producer = new Kafka.Producer({ 'test.mock.num.brokers': 1, dr_cb: true } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
    producer.getMetadata({ topic: 'device-events', timeout: 10_000 }, (err, m) => (err ? reject(err) : resolve(m))),
  );
  producer.setPollInterval(20);
  return { producer, bootstrap: md.brokers.map((b) => `${b.host}:${b.port}`).join(',') };
}

/** A valid wire event of each kind, for device `deviceId`, numbered `n` (the eventId). */
export function wireEvent(kind: DeviceKind, deviceId: string, n: number | string): Record<string, unknown> {
  const base = {
    eventId: `e-${n}`,
    deviceId,
    kind,
    ts: new Date(Date.now() - 1000).toISOString(),
    position: { lon: 121.55 + (Number(n) % 100) / 10_000 || 121.55, lat: 29.87, crs: 'wgs84', accuracyM: 5 },
  };
  switch (kind) {
    case 'gas-sensor':
      return { ...base, lelPct: 3, batteryPct: 80 };
    case 'waste-truck':
      return { ...base, speedKmh: 30, headingDeg: 90, loaded: true, covered: true, body: 'down' };
    case 'bridge-sensor':
      return { ...base, bridgeId: 'B-1', strainUe: 120 };
    case 'parking-camera':
      return { ...base, plate: '浙B12345', zoneId: 'Z-1', event: 'present', confidence: 0.9 };
  }
}

/**
 * An in-test sink for the protocol side of the transports: records what it is given, and
 * can hold (`hold()`) or fail (`failNext`) submissions the way a slow or down database would.
 */
export class RecordingSink implements IngestSink {
  /** Every input handed to submit, including ones whose submission failed. */
  readonly seen: RawInput[] = [];
  /** Inputs whose submission resolved: what a real sink would have stored. */
  readonly stored: RawInput[] = [];
  /** How many of the next submissions reject, as with the database down. */
  failNext = 0;
  private held?: { promise: Promise<void>; release: () => void };

  async submit(inputs: RawInput[]): Promise<IngestOutcome[]> {
    this.seen.push(...inputs);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('database unavailable (test)');
    }
    if (this.held) await this.held.promise;
    this.stored.push(...inputs);
    return inputs.map(() => ({ status: 'accepted', deviceId: 'x', eventId: 'x' }));
  }

  /** Makes submissions wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.held = { promise, release };
    return () => {
      this.held = undefined;
      release();
    };
  }
}

/** Device credentials from a table, standing in for the registry in protocol-level tests. */
export class TableAuthenticator implements DeviceAuthenticator {
  constructor(private readonly devices: Record<string, { kind: DeviceKind; token: string; disabled?: boolean }>) {}

  async authenticate(deviceId: string, token: string): Promise<DeviceIdentity | null> {
    const d = this.devices[deviceId];
    if (!d || d.disabled || d.token !== token) return null;
    return { id: deviceId, kind: d.kind, disabled: false };
  }
}

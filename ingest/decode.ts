import crypto from 'node:crypto';
import { describeIssues, type ErrorCode } from '../core/errors.js';
import { DEVICE_KINDS, deviceEventWireSchema, type DeadLetter, type DeviceEvent, type DeviceEventWire } from './device-event.js';
import type { CheckedImage } from './images.js';
import { normalise, type NormaliseOptions } from './normalise.js';
import type { DeviceIdentity, RawInput } from './transport.js';

/** Largest raw payload of one event: an inline image (≤ 2.8 MB of base64) plus the envelope. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 3_000_000;

/**
 * How much of a payload over the decode limit its dead letter keeps (with its size and SHA-256):
 * enough to see what it was, while one hostile message never makes a multi-megabyte row. Such a
 * payload can never be stored as an event, so nothing replayable is lost.
 */
export const DEAD_LETTER_KEPT_BYTES = 65_536;

/** Longest dead-letter reason kept (a zod report on a hostile payload can be long). */
const MAX_REASON_CHARS = 2000;

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** With the u flag, only an unpaired surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** First stage's result: a validated wire event, or the dead letter it became. */
export type Parsed = { ok: true; wire: DeviceEventWire } | { ok: false; dead: DeadLetter };

/** Second stage's result: a normalised event (and its inline image to write), or a dead letter. */
export type Admitted = { ok: true; event: DeviceEvent; image?: CheckedImage } | { ok: false; dead: DeadLetter };

/**
 * The raw payload as storable text. PostgreSQL text can hold neither invalid UTF-8 nor NUL
 * characters, so such payloads are kept byte-exact as base64 instead. A `cut` payload (the
 * first bytes of a longer one) may end inside a UTF-8 character; that incomplete tail is dropped.
 */
function rawOf(payload: Buffer | string, cut = false): { text: string | null; raw: string; rawEncoding: 'utf8' | 'base64' } {
  let text: string | null;
  if (typeof payload === 'string') text = LONE_SURROGATE.test(payload) ? null : payload;
  else {
    try {
      // In streaming mode the decoder holds an incomplete last character back instead of failing.
      text = cut ? new TextDecoder('utf-8', { fatal: true }).decode(payload, { stream: true }) : utf8.decode(payload);
    } catch {
      text = null;
    }
  }
  if (text !== null && !text.includes('\0')) return { text, raw: text, rawEncoding: 'utf8' };
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return { text, raw: bytes.toString('base64'), rawEncoding: 'base64' };
}

/** Text for a metadata column: no NUL, no lone surrogates (PostgreSQL refuses both). */
function storable(s: string): string {
  return s.replace(LONE_SURROGATES, '\uFFFD').replaceAll('\0', '\uFFFD');
}

/**
 * Builds a dead letter for `input` (pure). `claimed` is the deviceId the payload names, if
 * readable. With `keepBytes`, a longer payload is kept as its first `keepBytes` bytes, and the
 * reason says so with the payload's size and SHA-256.
 */
export function deadLetter(input: RawInput, code: ErrorCode, reason: string, claimed?: unknown, keepBytes?: number): DeadLetter {
  const { payload } = input;
  const rawBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const rawSha256 = crypto.createHash('sha256').update(payload).digest('hex');
  const rawTruncated = keepBytes !== undefined && rawBytes > keepBytes;
  const head = rawTruncated ? (typeof payload === 'string' ? Buffer.from(payload) : payload).subarray(0, keepBytes) : payload;
  const { raw, rawEncoding } = rawOf(head, rawTruncated);
  const deviceId = typeof claimed === 'string' && DEVICE_ID.test(claimed) ? claimed : (input.authenticatedDeviceId ?? null);
  let short = reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
  if (rawTruncated) short += ` (payload of ${rawBytes} bytes, sha256 ${rawSha256}, kept as its first ${keepBytes} bytes)`;
  return {
    transport: input.transport,
    raw,
    rawEncoding,
    rawBytes,
    rawSha256,
    rawTruncated,
    code,
    reason: storable(short),
    deviceId: deviceId === null ? null : storable(deviceId),
    authenticatedDeviceId: input.authenticatedDeviceId === undefined ? null : storable(input.authenticatedDeviceId),
    topic: input.topic === undefined ? null : storable(input.topic),
    receivedAt: input.receivedAt,
  };
}

/** The first string field (dotted path) holding a NUL or a lone surrogate, which the store cannot keep. */
function unstorableField(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\0') || LONE_SURROGATE.test(value) ? path || '(root)' : null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = unstorableField(v, path ? `${path}.${k}` : k);
      if (bad) return bad;
    }
  }
  return null;
}

/**
 * Stage one (pure): size, encoding, JSON and the per-kind zod schema. Every refusal is a dead
 * letter carrying the raw payload and a reason naming the field at fault.
 */
export function decodeInput(input: RawInput, maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES): Parsed {
  const size = typeof input.payload === 'string' ? Buffer.byteLength(input.payload) : input.payload.length;
  const fail = (code: ErrorCode, reason: string, claimed?: unknown): Parsed => ({ ok: false, dead: deadLetter(input, code, reason, claimed) });
  if (size > maxPayloadBytes) {
    const reason = `payload is ${size} bytes, more than the ${maxPayloadBytes} allowed for one event`;
    return { ok: false, dead: deadLetter(input, 'GW_INGEST_TOO_LARGE', reason, undefined, DEAD_LETTER_KEPT_BYTES) };
  }
  const { text } = rawOf(input.payload);
  if (text === null) return fail('GW_INGEST_BAD_ENCODING', 'payload is not valid UTF-8 (kept as base64)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('GW_INGEST_BAD_JSON', `payload is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail('GW_INGEST_SCHEMA', `(root): expected one event object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  }
  const obj = json as Record<string, unknown>;
  if (!(DEVICE_KINDS as readonly unknown[]).includes(obj.kind)) {
    // Only a short string is quoted back: a hostile value may be huge or nested too deep to print.
    const got = obj.kind === undefined ? 'missing' : typeof obj.kind === 'string' ? JSON.stringify(obj.kind.slice(0, 64)) : `a ${Array.isArray(obj.kind) ? 'array' : typeof obj.kind}`;
    return fail('GW_INGEST_UNKNOWN_KIND', `kind: ${got}; expected one of ${DEVICE_KINDS.join(', ')}`, obj.deviceId);
  }
  const r = deviceEventWireSchema.safeParse(obj);
  if (!r.success) return fail('GW_INGEST_SCHEMA', `${obj.kind} event: ${describeIssues(r.error.issues).join('; ')}`, obj.deviceId);
  const bad = unstorableField(r.data, '');
  if (bad) return fail('GW_INGEST_SCHEMA', `${bad}: holds a NUL character or a broken UTF-16 surrogate`, obj.deviceId);
  return { ok: true, wire: r.data };
}

/**
 * Stage two (pure): the device checks and normalisation. `identity` is the registration of
 * the deviceId the event names (undefined when unregistered). No device speaks for another:
 * the event's deviceId must be the one the transport authenticated, and its kind the
 * registered one.
 */
export function admitEvent(wire: DeviceEventWire, input: RawInput, identity: DeviceIdentity | undefined, opts: NormaliseOptions): Admitted {
  const fail = (code: ErrorCode, reason: string): Admitted => ({ ok: false, dead: deadLetter(input, code, reason, wire.deviceId) });
  if (input.authenticatedDeviceId !== undefined && input.authenticatedDeviceId !== wire.deviceId) {
    return fail('GW_INGEST_DEVICE_MISMATCH', `deviceId: ${wire.deviceId} is not the authenticated device ${input.authenticatedDeviceId}`);
  }
  if (!identity) return fail('GW_INGEST_UNKNOWN_DEVICE', `deviceId: ${wire.deviceId} is not registered; register it, then replay this dead letter`);
  if (identity.disabled) return fail('GW_INGEST_DEVICE_DISABLED', `deviceId: ${wire.deviceId} is disabled`);
  if (identity.kind !== wire.kind) {
    return fail('GW_INGEST_KIND_MISMATCH', `kind: ${wire.kind}, but ${wire.deviceId} is registered as ${identity.kind}`);
  }
  const n = normalise(wire, input.receivedAt, opts);
  if (!n.ok) return fail(n.code, n.reason);
  return n;
}

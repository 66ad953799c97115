import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import type { PathDoc } from '../../core/api-doc.js';
import { deviceEventWireSchema } from '../device-event.js';
import { deviceIdSchema } from '../device-registry.js';
import type { DeviceAuthenticator, DeviceIdentity, IngestOutcome, IngestSink, RawInput, Transport, TransportHealth } from '../transport.js';

/** Most events in one POST. */
export const HTTP_MAX_EVENTS = 1000;
/** Largest request body (an inline image is up to 2.8 MB of base64). */
export const HTTP_BODY_LIMIT = '5mb';

const credentialsSchema = z.object({
  'x-device-id': deviceIdSchema,
  authorization: z.string().regex(/^Bearer\s+\S{1,256}$/i, 'expected "Bearer <device token>"'),
});

/** The device intake's entry in the OpenAPI document (the app adds it beside its routes). */
export const HTTP_INGEST_DOC: PathDoc = {
  method: 'post',
  path: '/api/v1/device-events',
  tag: 'ingest',
  summary: 'Send one device event or a batch (device token, not a user login)',
  description: [
    `Headers: \`X-Device-Id: <device id>\` and \`Authorization: Bearer <device token>\`. The body is one event or a JSON array of up to ${HTTP_MAX_EVENTS} events (${HTTP_BODY_LIMIT} at most).`,
    'Every event must name the authenticated device as its deviceId; an event naming another device is rejected (and kept as a dead letter).',
    'The answer is 200 with one result per event, in order: `accepted`, `duplicate` (this deviceId + eventId was stored before: safe to resend) or `rejected` with a code and reason.',
    'A body that is not JSON at all becomes one rejected result. 401: missing or wrong credentials. 413: body or batch too large. 429 (GW_AUTH_THROTTLED, with Retry-After): too many failed logins from this address or for this device; a token that verifies is still accepted. 503: storage unavailable, nothing acknowledged; retry. 507 (GW_INGEST_STORAGE, with Retry-After): an image of this request cannot be written (disk full or not writable); the events carrying images were not kept; resend the request later (events already stored come back as duplicates).',
  ].join(' '),
  body: z.union([deviceEventWireSchema, z.array(deviceEventWireSchema).max(HTTP_MAX_EVENTS)]),
  auth: 'device',
  responses: {
    '401': 'Missing or wrong device credentials',
    '413': 'Body or batch too large',
    '429': 'Too many failed logins from this address or for this device (GW_AUTH_THROTTLED); see Retry-After',
    '503': 'Storage unavailable; retry later',
    '507': 'An image cannot be written: the disk is full or not writable (GW_INGEST_STORAGE); resend the request later',
  },
};

const JSON_WHITESPACE = [0x20, 0x0a, 0x0d, 0x09];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One item of the response. */
type ItemResult = { index: number } & IngestOutcome;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set on device intake routes once `X-Device-Id` + device token are verified. */
    device?: DeviceIdentity;
  }
}

/**
 * Splits a request body into raw inputs: a JSON array becomes one input per element (its JSON
 * text), anything else (one object, or bytes that are not JSON) is one input kept byte-exact,
 * so the decoder turns it into a dead letter with the raw payload.
 */
function splitBody(body: Buffer): Buffer[] | string[] {
  const first = body.find((b) => !JSON_WHITESPACE.includes(b));
  if (first !== 0x5b /* [ */) return [body];
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(body));
  } catch {
    return [body];
  }
  if (!Array.isArray(json)) return [body];
  if (json.length > HTTP_MAX_EVENTS) {
    throw new GwError('GW_INGEST_BATCH_TOO_LARGE', `Reading POST /api/v1/device-events: ${json.length} events, at most ${HTTP_MAX_EVENTS} per request`);
  }
  return arrayItemTexts(utf8.decode(body));
}

/**
 * The text of each element of a JSON array already known to be valid, cut at its top-level
 * commas: each item's raw payload is exactly what the device sent (re-serialising parsed items
 * would alter it, and overflows the stack on deeply nested ones).
 */
function arrayItemTexts(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth === 1) start = i + 1;
    } else if (c === ']' || c === '}') {
      if (--depth === 0) items.push(text.slice(start, i));
    } else if (c === ',' && depth === 1) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  // An empty array yields one blank "item"; drop it.
  return items.length === 1 && items[0]!.trim() === '' ? [] : items.map((t) => t.trim());
}

/**
 * The HTTP transport: `POST /api/v1/device-events`. Devices authenticate with `X-Device-Id` and
 * `Authorization: Bearer <device token>` (the same token as their MQTT password). The response
 * is sent only after every item is stored (as an event or a dead letter).
 */
export class HttpTransport implements Transport {
  readonly name = 'http' as const;
  /** Mount with createApp's `intakeRouters` (it reads its own body). */
  readonly router: Router;
  private sink: IngestSink | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly authenticator: DeviceAuthenticator) {
    this.router = Router();
    this.router.post(
      '/api/v1/device-events',
      (req, res, next) => this.authenticate(req, res, next),
      express.raw({ type: () => true, limit: HTTP_BODY_LIMIT }),
      (req, res) => this.receive(req, res),
    );
  }

  /** Transport: starts taking requests into `sink`. */
  async start(sink: IngestSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
  }

  /** Transport: new requests get 503; waits for requests already handed to the sink. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Transport: ok once started. */
  health(): TransportHealth {
    if (this.stopped) return { status: 'off' };
    return this.sink ? { status: 'ok' } : { status: 'starting' };
  }

  private async authenticate(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const what = `Authenticating ${req.method} ${req.path}`;
    if (!req.headers.authorization || !req.headers['x-device-id']) {
      throw new GwError('GW_AUTH_REQUIRED', `${what}: send X-Device-Id and Authorization: Bearer <device token>`);
    }
    const creds = credentialsSchema.safeParse(req.headers);
    if (!creds.success) throw new GwError('GW_AUTH_INVALID', `${what}: malformed X-Device-Id or Authorization header`);
    const token = creds.data.authorization.replace(/^Bearer\s+/i, '');
    // GW_AUTH_THROTTLED (429 with Retry-After) when this address or device has failed too often.
    const device = await this.authenticator.authenticate(creds.data['x-device-id'], token, req.ip);
    // One answer for unknown, disabled and wrong token, so ids cannot be probed.
    if (!device) throw new GwError('GW_AUTH_INVALID', `${what}: unknown device, disabled device or wrong token for ${creds.data['x-device-id']}`);
    req.device = device;
    next();
  }

  private async receive(req: Request, res: Response): Promise<void> {
    const sink = this.sink;
    if (!sink || this.stopped) throw new GwError('GW_UNAVAILABLE', 'POST /api/v1/device-events: ingest is not running');
    const receivedAt = Date.now();
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parts = splitBody(body);
    const inputs: RawInput[] = parts.map((payload) => ({ transport: 'http', payload, authenticatedDeviceId: req.device!.id, receivedAt }));
    const submitted = sink.submit(inputs);
    this.inFlight.add(submitted);
    let outcomes: IngestOutcome[];
    try {
      outcomes = await submitted;
    } catch (err) {
      res.setHeader('Retry-After', '5');
      throw err;
    } finally {
      this.inFlight.delete(submitted);
    }
    const results: ItemResult[] = outcomes.map((o, index) => ({ index, ...o }));
    const count = (s: IngestOutcome['status']) => outcomes.filter((o) => o.status === s).length;
    res.json({ accepted: count('accepted'), duplicates: count('duplicate'), rejected: count('rejected'), results });
  }
}

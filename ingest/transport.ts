import { z } from 'zod';
import type { DeviceEvent, DeviceKind } from './device-event.js';

/** Which transport an input arrived on. */
export const TRANSPORT_NAMES = ['mqtt', 'kafka', 'http'] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

/** One raw input exactly as a transport received it, before decoding. */
export interface RawInput {
  transport: TransportName;
  payload: Buffer | string;
  /** MQTT topic or Kafka topic/partition/offset description, for the record. */
  topic?: string;
  /**
   * The device the transport authenticated (MQTT username, HTTP device token) or was told
   * (Kafka key). Decoding refuses an event whose deviceId differs: no device speaks for another.
   */
  authenticatedDeviceId?: string;
  receivedAt: number;
}

/** What happened to one input; the order matches the submitted inputs. */
export const ingestOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('accepted'), deviceId: z.string(), eventId: z.string() }),
  z.object({ status: z.literal('duplicate'), deviceId: z.string(), eventId: z.string() }),
  z.object({ status: z.literal('rejected'), code: z.string(), reason: z.string() }),
]);
export type IngestOutcome = z.infer<typeof ingestOutcomeSchema>;

/**
 * Where transports hand their inputs. `submit` resolves only once every input is durably
 * stored (as an event or as a dead letter); a transport acknowledges (MQTT PUBACK, Kafka
 * commit, HTTP response) only after that. It rejects when storage is unavailable, and the
 * transport must then not acknowledge (redelivery makes it at least once; idempotency keys
 * make it exactly once in the store).
 */
export interface IngestSink {
  submit(inputs: RawInput[]): Promise<IngestOutcome[]>;
}

/** A registered device, as authentication sees it. */
export interface DeviceIdentity {
  id: string;
  kind: DeviceKind;
  disabled: boolean;
}

/**
 * Checks device credentials (id + token). Null for unknown, disabled, or wrong token; may throw
 * GW_AUTH_THROTTLED (details.retryAfterS) when `source` (the client's address) or the device
 * has had too many failures, but never for a token that verifies because of others' failures.
 */
export interface DeviceAuthenticator {
  authenticate(deviceId: string, token: string, source?: string): Promise<DeviceIdentity | null>;
}

/** State of a transport, for /healthz. */
export interface TransportHealth {
  status: 'ok' | 'starting' | 'down' | 'off';
  detail?: Record<string, unknown> | string;
}

/** MQTT, Kafka and HTTP all look like this to the rest of the service (Tile38-style endpoints). */
export interface Transport {
  readonly name: TransportName;
  start(sink: IngestSink): Promise<void>;
  /** Stops taking new input and waits for in-flight submissions to settle. */
  stop(): Promise<void>;
  health(): TransportHealth;
}

/** Downstream consumer of stored events (detect → route → clues), called after storage. */
export type AcceptedEventsHandler = (events: DeviceEvent[]) => Promise<void>;

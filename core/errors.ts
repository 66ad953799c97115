/**
 * The error catalogue. Every error Gridwatch reports has a stable code and an HTTP status,
 * the way fastify's errors do. Messages say what was being done and with which input.
 * Add new codes here (grouped by stage) and nowhere else.
 */
export const ERROR_CATALOGUE = {
  // foundation
  GW_CONFIG_INVALID: { status: 500, title: 'Invalid configuration' },
  GW_VALIDATION: { status: 400, title: 'Request failed validation' },
  GW_NOT_FOUND: { status: 404, title: 'Not found' },
  GW_ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  GW_BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  GW_BAD_JSON: { status: 400, title: 'Request body is not valid JSON' },
  GW_BODY_UNSUPPORTED: { status: 415, title: 'Request body charset or Content-Encoding not supported' },
  GW_BODY_UNREADABLE: { status: 400, title: 'Request body cannot be read (bad compression, wrong length or aborted)' },
  GW_BAD_REQUEST: { status: 400, title: 'Malformed request (e.g. a URL that cannot be decoded)' },
  GW_INTERNAL: { status: 500, title: 'Internal error' },
  GW_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  GW_DB_UNAVAILABLE: { status: 503, title: 'The database cannot be reached right now; retry after Retry-After seconds' },
  GW_DB_MIGRATION_CHANGED: { status: 500, title: 'An applied migration was changed' },
  GW_DB_SCHEMA_NEWER: { status: 500, title: 'The database holds migrations this code does not know (an older release against a newer schema)' },
  GW_DB_LOCKED: { status: 500, title: 'Embedded database is in use by another process' },
  // auth
  GW_AUTH_REQUIRED: { status: 401, title: 'Authentication required' },
  GW_AUTH_INVALID: { status: 401, title: 'Invalid credentials or token' },
  GW_FORBIDDEN: { status: 403, title: 'Not allowed' },
  GW_OUT_OF_SCOPE: { status: 403, title: 'Outside your jurisdiction' },
  GW_CONFLICT: { status: 409, title: 'Conflict' },
  GW_AUTH_THROTTLED: { status: 429, title: 'Too many failed logins from this address or for this account; retry after Retry-After seconds' },
  GW_AUTH_BUSY: { status: 503, title: 'Too many password checks in progress; retry after Retry-After seconds' },
  GW_USER_UNKNOWN_UNIT: { status: 422, title: 'The user names a unit that does not exist' },
  // ingest transports: MQTT and Kafka
  GW_MQTT_PORT_IN_USE: { status: 500, title: 'The embedded MQTT broker cannot listen on MQTT_PORT' },
  GW_MQTT_BAD_CREDENTIALS: { status: 401, title: 'MQTT connection refused: unknown device or wrong token' },
  GW_MQTT_TOPIC_FORBIDDEN: { status: 403, title: 'MQTT publish refused: a device may publish only to its own topic' },
  GW_MQTT_NOT_STORED: { status: 503, title: 'MQTT message not acknowledged: storage unavailable' },
  GW_MQTT_PACKET_TOO_LARGE: { status: 413, title: 'MQTT packet larger than the embedded broker accepts' },
  GW_MQTT_CONNECT: { status: 503, title: 'Cannot connect or subscribe to the MQTT broker named by MQTT_URL' },
  GW_KAFKA_CONNECT: { status: 503, title: 'Cannot connect to Kafka' },
  GW_KAFKA_MOCK: { status: 500, title: 'Cannot start the librdkafka mock cluster (KAFKA_MOCK=1)' },
  GW_KAFKA_DLQ: { status: 503, title: 'Cannot produce a poison message to the dead-letter topic' },
  GW_KAFKA_DLQ_TOO_LARGE: { status: 413, title: 'A poison message does not fit the dead-letter topic even truncated' },
  GW_KAFKA_COMMIT: { status: 503, title: 'Cannot commit Kafka consumer offsets' },
  // ingest core: decoding, normalisation, storage, devices (dead-letter codes are stable: filters and dashboards use them)
  GW_INGEST_TOO_LARGE: { status: 413, title: 'Device event payload too large' },
  GW_INGEST_BAD_ENCODING: { status: 400, title: 'Device event payload is not UTF-8 text' },
  GW_INGEST_BAD_JSON: { status: 400, title: 'Device event payload is not valid JSON' },
  GW_INGEST_UNKNOWN_KIND: { status: 400, title: 'Device event has an unknown kind' },
  GW_INGEST_SCHEMA: { status: 400, title: 'Device event failed validation' },
  GW_INGEST_DEVICE_MISMATCH: { status: 403, title: 'Device event names another device than the authenticated one' },
  GW_INGEST_UNKNOWN_DEVICE: { status: 400, title: 'Device event from an unregistered device' },
  GW_INGEST_DEVICE_DISABLED: { status: 403, title: 'Device event from a disabled device' },
  GW_INGEST_KIND_MISMATCH: { status: 400, title: "Device event kind differs from the device's registered kind" },
  GW_INGEST_FUTURE_TS: { status: 400, title: 'Device event timestamp is too far in the future' },
  GW_INGEST_BAD_IMAGE: { status: 400, title: 'Device event image is not a JPEG, PNG or WebP image' },
  GW_INGEST_STORE_REJECTED: { status: 400, title: 'The database refused to store this device event' },
  GW_INGEST_DECODE_FAILED: { status: 500, title: 'Decoding this device input failed unexpectedly; replay it after a fix' },
  GW_INGEST_UNAVAILABLE: { status: 503, title: 'Device events cannot be stored right now; retry later' },
  GW_INGEST_STORAGE: { status: 507, title: 'Device event images cannot be stored: the disk is full or not writable; the events carrying them were not kept, resend later' },
  GW_INGEST_BATCH_TOO_LARGE: { status: 413, title: 'Too many device events in one request' },
  GW_DEVICE_IMPORT_INVALID: { status: 400, title: 'Device import file is invalid' },
  // geo: boundary imports, demo city, jurisdiction and zone queries
  GW_GEO_IMPORT_REJECTED: { status: 422, title: 'Geo import rejected: fatal problems in the file (see the report)' },
  GW_GEO_IMPORT_NOT_FOUND: { status: 404, title: 'No such geo import' },
  GW_GEO_FILE_UNREADABLE: { status: 400, title: 'Cannot read the geo import file' },
  // geo: the locator
  GW_GEO_BAD_POINT: { status: 400, title: 'Invalid point to locate (lon, lat, crs, accuracyM)' },
  // spatial clue queries: nearby, hotspots, the map feed and clusters
  GW_SPATIAL_BAD_QUERY: { status: 400, title: 'Invalid spatial query (point, radius, bbox, zoom, level, time range)' },
  // catalogue and units: imports are validated as a whole history
  GW_CATALOGUE_INVALID: { status: 422, title: 'Catalogue or unit import is invalid (see the problems)' },
  GW_CATALOGUE_VERSION_CONFLICT: { status: 409, title: 'Catalogue version already exists with other content, or does not follow the latest one' },
  // clues: lifecycle actions and queries
  GW_CLUE_NOT_FOUND: { status: 404, title: 'No such clue' },
  GW_CLUE_STATE: { status: 409, title: 'The clue is not in a status that allows this action' },
  GW_CLUE_FORBIDDEN: { status: 403, title: 'Not allowed to take this action on this clue' },
  GW_CLUE_INVALID: { status: 422, title: 'The action does not make sense for this clue' },
  // lifecycle: the working-day calendar, instructions (指令单)
  GW_CALENDAR_INVALID: { status: 422, title: 'Calendar import is invalid (see the problems)' },
  GW_INSTRUCTION_NOT_FOUND: { status: 404, title: 'No such instruction' },
  GW_INSTRUCTION_INVALID: { status: 422, title: 'The instruction names no unit, clue, jurisdiction or area in your scope, or a past due time' },
  GW_INSTRUCTION_FORBIDDEN: { status: 403, title: 'Only people of the unit an instruction is addressed to may respond to it' },
  GW_INSTRUCTION_STATE: { status: 409, title: 'The instruction is not in a status that allows this response' },
  GW_TASKS_NO_UNIT: { status: 409, title: 'The user belongs to no unit, so has no tasks list' },
  // the record: hash-chained timelines and daily digests
  GW_RECORD_RANGE: { status: 400, title: 'Digest range is reversed or longer than a year' },
  // clue pipeline: stored events it kept failing on (dead-letter code; the event stays stored)
  GW_PIPELINE_FAILED: { status: 500, title: 'The clue pipeline kept failing on a stored device event and gave it up' },
  // outbound clue events: MQTT, Kafka and webhook delivery from the clue outbox
  GW_OUTBOUND_MQTT: { status: 503, title: 'Cannot publish clue events to the MQTT broker' },
  GW_OUTBOUND_KAFKA: { status: 503, title: 'Cannot produce clue events to Kafka (clue-events)' },
  GW_WEBHOOK_NOT_FOUND: { status: 404, title: 'No such webhook' },
  // evidence: uploaded photos and camera images (证据)
  GW_EVIDENCE_BAD_UPLOAD: { status: 400, title: 'Evidence upload is not a well-formed multipart/form-data body with at least one file' },
  GW_EVIDENCE_NOT_IMAGE: { status: 415, title: 'Evidence file is not a JPEG, PNG or WebP image (judged by its content, not its name)' },
  GW_EVIDENCE_TRUNCATED: { status: 422, title: 'Evidence image is truncated or corrupt and cannot be decoded' },
  GW_EVIDENCE_TOO_LARGE: { status: 413, title: 'Evidence file larger than the upload limit' },
  GW_EVIDENCE_TOO_MANY_FILES: { status: 413, title: 'More evidence files in one upload than the limit' },
  GW_EVIDENCE_TOO_MANY_PIXELS: { status: 422, title: 'Evidence image declares more pixels than the limit (decompression bomb)' },
  GW_EVIDENCE_NOT_FOUND: { status: 404, title: 'No such evidence' },
  GW_EVIDENCE_STORAGE: { status: 507, title: 'Evidence cannot be stored: the disk is full or not writable; nothing was kept, retry later' },
  // live: the WebSocket and grid workers on duty
  GW_LIVE_MESSAGE_INVALID: { status: 400, title: 'A live WebSocket message failed validation (sent back as an error message)' },
  GW_LIVE_OFF_DUTY: { status: 409, title: 'The worker is not on duty: positions are taken only while on duty' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error from the catalogue, with the context it happened in. */
export class GwError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GwError';
    this.status = ERROR_CATALOGUE[code].status;
  }

  /** The JSON body an API client receives. */
  toJSON(): { error: { code: ErrorCode; title: string; message: string; details?: unknown } } {
    const body = { code: this.code, title: ERROR_CATALOGUE[this.code].title, message: this.message };
    return { error: this.details === undefined ? body : { ...body, details: this.details } };
  }
}

/** Flattens zod issues into `path: message` lines, for error details and dead-letter reasons. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
}

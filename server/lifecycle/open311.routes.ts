import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { catalogueAt } from '../catalogue/catalogue-at.js';
import type { CatalogueState } from '../catalogue/catalogue-store.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { CLUE_STATUSES, FINAL_STATUSES } from '../clues/clue.js';
import { listCluePage, type ListedClue } from '../clues/clue-list.js';

/**
 * A read-only Open311 GeoReport v2 view of clues (https://wiki.open311.org/GeoReport_v2/), so
 * that existing civic tools can read them: services are the catalogue's items, requests are the
 * clues the caller may see. It needs a bearer token like the rest of the API (the spec's
 * api_key is for posting, which this view does not offer); errors keep the API's own shape.
 */

const DAY_MS = 86_400_000;
/** The spec's default window when no start date is given, and its usual page size. */
const DEFAULT_DAYS = 90;
const MAX_REQUESTS = 1000;
const tag = 'open311';

/** Chinese first, English after: Open311 fields are single strings. */
const both = (t: { zh: string; en: string }) => (t.en && t.en !== t.zh ? `${t.zh} (${t.en})` : t.zh);

const serviceSchema = z.strictObject({
  service_code: z.string(),
  service_name: z.string(),
  description: z.string(),
  metadata: z.boolean(),
  type: z.enum(['realtime', 'batch', 'blackbox']),
  keywords: z.string(),
  group: z.string(),
});

const requestSchema = z.strictObject({
  service_request_id: z.string(),
  status: z.enum(['open', 'closed']),
  /** The Gridwatch status behind open/closed. */
  status_notes: z.string(),
  service_name: z.string(),
  service_code: z.string(),
  description: z.string(),
  agency_responsible: z.string(),
  service_notice: z.string().nullable(),
  requested_datetime: z.iso.datetime(),
  updated_datetime: z.iso.datetime(),
  expected_datetime: z.iso.datetime(),
  address: z.string().nullable(),
  /** The grid cell (网格) code. */
  address_id: z.string().nullable(),
  zipcode: z.string().nullable(),
  lat: z.number(),
  long: z.number(),
  media_url: z.string().nullable(),
});
type Open311Request = z.infer<typeof requestSchema>;

const list = <T extends z.ZodType<string, string>>(inner: T) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(inner).min(1).max(100));
const w3cDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const requestsQuery = z
  .object({
    /** Request ids (clue codes), comma-separated; the other filters are then ignored, as the spec says. */
    service_request_id: list(z.string().min(1).max(64)).optional(),
    /** Service codes (item codes), comma-separated. */
    service_code: list(z.string().min(1).max(64)).optional(),
    /** Requested (opened) at or after; default 90 days before end_date. */
    start_date: w3cDate.optional(),
    /** Requested (opened) before; default now. */
    end_date: w3cDate.optional(),
    /** open, closed, or both comma-separated. */
    status: list(z.enum(['open', 'closed'])).optional(),
    /** A district, town, community or grid code (within the caller's scope). */
    jurisdiction_id: z.string().min(1).max(32).optional(),
  })
  .refine((q) => !q.start_date || !q.end_date || q.start_date < q.end_date, { message: 'start_date must be before end_date', path: ['end_date'] });

const OPEN_STATUSES = CLUE_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

/** A clue as a GeoReport v2 service request. */
function toRequest(c: ListedClue, unitName: (id: string) => string): Open311Request {
  return {
    service_request_id: c.code,
    status: FINAL_STATUSES.includes(c.status) ? 'closed' : 'open',
    status_notes: c.status,
    service_name: c.itemName ? both(c.itemName) : (c.itemCode ?? c.alertType),
    service_code: c.itemCode ?? c.alertType,
    description: both(c.summary),
    agency_responsible: unitName(c.primaryUnitId),
    service_notice: null,
    requested_datetime: new Date(c.openedAt).toISOString(),
    updated_datetime: new Date(c.updatedAt).toISOString(),
    expected_datetime: new Date(c.deadline).toISOString(),
    address: null,
    address_id: c.gridCode,
    zipcode: null,
    lat: c.position.lat,
    long: c.position.lon,
    media_url: null,
  };
}

/** GET /open311/v2/services.json, /requests.json and /requests/:id.json (any logged-in user; requests within scope). */
export function open311Routes(pool: pg.Pool, catalogue: () => CatalogueState): Route[] {
  const unitName = (id: string) => {
    const unit = catalogue().directory.byId.get(id);
    return unit ? both(unit.name) : id;
  };
  return [
    defineRoute(
      {
        method: 'get',
        path: '/open311/v2/services.json',
        tag,
        summary: 'Open311 GeoReport v2 services: the enforcement items in force now',
        allow: 'catalogue.read',
        response: z.array(serviceSchema),
      },
      () => {
        const snapshot = catalogueAt(catalogue().history, Date.now());
        return Object.values(snapshot?.items ?? {}).map((item) => ({
          service_code: item.code,
          service_name: both(item.name),
          description: item.legalBasis,
          metadata: false,
          type: 'realtime' as const,
          keywords: item.alertTypes.join(','),
          group: item.domain,
        }));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/open311/v2/requests.json',
        tag,
        summary: 'Open311 GeoReport v2 service requests: clues in your jurisdiction, newest first (up to 1000)',
        description: 'Only clues in the caller’s jurisdiction (scopes) or concerning the caller’s unit. closed = closed, escalated or merged.',
        allow: 'clues.read',
        query: requestsQuery,
        response: z.array(requestSchema),
      },
      async ({ user, query: q }) => {
        const byId = q.service_request_id !== undefined;
        const to = byId ? undefined : (q.end_date ?? new Date());
        const from = byId ? undefined : (q.start_date ?? new Date(to!.getTime() - DEFAULT_DAYS * DAY_MS));
        const wanted = byId ? undefined : q.status;
        const status = wanted && wanted.length === 1 ? (wanted[0] === 'open' ? [...OPEN_STATUSES] : [...FINAL_STATUSES]) : undefined;
        const page = await listCluePage(
          pool,
          user,
          byId
            ? { codes: q.service_request_id }
            : { item: q.service_code, from, to, status, jurisdiction: q.jurisdiction_id },
          { limit: MAX_REQUESTS, count: false },
        );
        return page.clues.map((c) => toRequest(c, unitName));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/open311/v2/requests/:id.json',
        tag,
        summary: 'One Open311 GeoReport v2 service request (a clue), as a list of one',
        description: 'A clue outside the caller’s scope answers 404 as if it did not exist.',
        allow: 'clues.read',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: z.array(requestSchema),
        errors: ['GW_CLUE_NOT_FOUND'],
      },
      async ({ user, params }) => {
        const page = await listCluePage(pool, user, { codes: [params.id] }, { limit: 1, count: false });
        if (!page.clues[0]) throw new GwError('GW_CLUE_NOT_FOUND', `Looking up clue ${params.id}: no such clue`);
        return [toRequest(page.clues[0], unitName)];
      },
    ),
  ];
}

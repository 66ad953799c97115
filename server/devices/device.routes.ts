import { z } from 'zod';
import { DEVICE_KINDS } from '../../ingest/device-event.js';
import {
  deviceIdSchema,
  deviceInfoSchema,
  importResultSchema,
  newDeviceSchema,
  parseDeviceImport,
  validateDeviceRows,
  type DeviceRegistry,
} from '../../ingest/device-registry.js';
import { defineRoute, type Route } from '../http/define-route.js';

const listQuery = z.object({
  kind: z.enum(DEVICE_KINDS).optional(),
  disabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Device ids starting with this, as `npm run devices -- list --prefix`. */
  prefix: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const importBody = z.union([
  z.object({ devices: z.array(z.unknown()).min(1).max(10_000) }),
  z.object({ csv: z.string().min(1).max(1_000_000) }),
]);

const idParam = z.object({ id: deviceIdSchema });
const tag = 'devices';

/** Device administration under /api/v1/devices (admin only). */
export function deviceRoutes(registry: DeviceRegistry): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/devices',
        tag,
        summary: 'List devices with last-seen time and position (admin)',
        allow: 'devices.manage',
        query: listQuery,
        response: z.object({ devices: z.array(deviceInfoSchema), limit: z.number(), offset: z.number() }),
      },
      async ({ query }) => ({ devices: await registry.list(query), limit: query.limit, offset: query.offset }),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/devices',
        tag,
        summary: 'Register a device; the answer holds its token, shown once (admin)',
        allow: 'devices.manage',
        body: newDeviceSchema,
        status: 201,
        response: z.object({ device: deviceInfoSchema, token: z.string() }),
        errors: ['GW_CONFLICT'],
      },
      ({ body }) => registry.register(body),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/devices/import',
        tag,
        summary: 'Register many devices from JSON rows or CSV text; existing ids are left alone (admin)',
        description: 'CSV: a header row with id, kind and optionally homeUnitId; other columns become metadata. All or nothing: any bad row fails the import.',
        allow: 'devices.manage',
        body: importBody,
        response: z.object({ results: z.array(importResultSchema) }),
        errors: ['GW_DEVICE_IMPORT_INVALID'],
      },
      async ({ body }) => {
        const devices = 'csv' in body ? parseDeviceImport(body.csv, 'csv') : validateDeviceRows(body.devices, 'JSON');
        return { results: await registry.importDevices(devices) };
      },
    ),
    defineRoute(
      { method: 'get', path: '/api/v1/devices/:id', tag, summary: 'One device (admin)', allow: 'devices.manage', params: idParam, response: deviceInfoSchema, errors: ['GW_NOT_FOUND'] },
      ({ params }) => registry.get(params.id),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/devices/:id/rotate-token',
        tag,
        summary: 'Issue a new token, shown once; the old one stops working (admin)',
        allow: 'devices.manage',
        params: idParam,
        response: z.object({ id: z.string(), token: z.string() }),
        errors: ['GW_NOT_FOUND'],
      },
      async ({ params }) => ({ id: params.id, token: await registry.rotateToken(params.id) }),
    ),
    ...([
      ['disable', true, 'Disable a device: its token is refused, its events become dead letters (admin)'],
      ['enable', false, 'Re-enable a disabled device (admin)'],
    ] as const).map(([action, disabled, summary]) =>
      defineRoute(
        { method: 'post', path: `/api/v1/devices/:id/${action}`, tag, summary, allow: 'devices.manage', params: idParam, response: deviceInfoSchema, errors: ['GW_NOT_FOUND'] },
        ({ params }) => registry.setDisabled(params.id, disabled),
      ),
    ),
  ];
}

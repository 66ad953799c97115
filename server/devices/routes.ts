import { Router } from 'express';
import { z } from 'zod';
import { DEVICE_KINDS } from '../../ingest/device-event.js';
import { deviceIdSchema, newDeviceSchema, validateDeviceRows, parseDeviceImport, type DeviceRegistry } from '../../ingest/device-registry.js';
import { requireRole } from '../auth/middleware.js';
import { parseInput } from '../http/validate.js';
import { registerPath } from '../openapi.js';

// Strict: a misspelt filter is refused rather than ignored (which would list every device).
const listQuery = z.strictObject({
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

registerPath({ method: 'get', path: '/api/v1/devices', tag: 'devices', summary: 'List devices with last-seen time and position (admin)', query: listQuery });
registerPath({ method: 'post', path: '/api/v1/devices', tag: 'devices', summary: 'Register a device; the answer holds its token, shown once (admin)', body: newDeviceSchema, responses: { '201': 'Registered', '409': 'The id is taken' } });
registerPath({
  method: 'post',
  path: '/api/v1/devices/import',
  tag: 'devices',
  summary: 'Register many devices from JSON rows or CSV text; existing ids are left alone (admin)',
  description: 'CSV: a header row with id, kind and optionally homeUnitId; other columns become metadata. All or nothing: any bad row fails the import.',
  body: importBody,
});
registerPath({ method: 'get', path: '/api/v1/devices/:id', tag: 'devices', summary: 'One device (admin)', responses: { '404': 'No such device' } });
registerPath({ method: 'post', path: '/api/v1/devices/:id/rotate-token', tag: 'devices', summary: 'Issue a new token, shown once; the old one stops working (admin)', responses: { '404': 'No such device' } });
registerPath({ method: 'post', path: '/api/v1/devices/:id/disable', tag: 'devices', summary: 'Disable a device: its token is refused, its events become dead letters (admin)', responses: { '404': 'No such device' } });
registerPath({ method: 'post', path: '/api/v1/devices/:id/enable', tag: 'devices', summary: 'Re-enable a disabled device (admin)', responses: { '404': 'No such device' } });

/** Device administration under /api/v1/devices (admin only). */
export function deviceRoutes(registry: DeviceRegistry): Router {
  const r = Router();
  const admin = requireRole('admin');
  r.get('/api/v1/devices', admin, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'the device list query');
    res.json({ devices: await registry.list(q), limit: q.limit, offset: q.offset });
  });
  r.post('/api/v1/devices', admin, async (req, res) => {
    const input = parseInput(newDeviceSchema, req.body, 'the new device');
    res.status(201).json(await registry.register(input));
  });
  r.post('/api/v1/devices/import', admin, async (req, res) => {
    const body = parseInput(importBody, req.body, 'the device import');
    const devices = 'csv' in body ? parseDeviceImport(body.csv, 'csv') : validateDeviceRows(body.devices, 'JSON');
    res.json({ results: await registry.importDevices(devices) });
  });
  r.get('/api/v1/devices/:id', admin, async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'the device id');
    res.json(await registry.get(id));
  });
  r.post('/api/v1/devices/:id/rotate-token', admin, async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'the device id');
    res.json({ id, token: await registry.rotateToken(id) });
  });
  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    r.post(`/api/v1/devices/:id/${action}`, admin, async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'the device id');
      res.json(await registry.setDisabled(id, disabled));
    });
  }
  return r;
}

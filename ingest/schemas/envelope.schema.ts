import { z } from 'zod';
import { crsSchema } from '../../core/crs.js';

/** A reported position, before normalisation (any supported CRS). */
export const positionSchema = z.object({
  lon: z.number().finite().min(-180).max(180),
  lat: z.number().finite().min(-90).max(90),
  crs: crsSchema.default('wgs84'),
  accuracyM: z.number().finite().nonnegative().max(100_000).optional(),
});

/** Evidence image: a URL, or inline base64 (size-limited; checked to be a real image when decoded). */
export const imageSchema = z.union([
  z.object({ url: z.url({ protocol: /^https?$/ }) }),
  z.object({ base64: z.string().min(16).max(2_800_000), mime: z.enum(['image/jpeg', 'image/png', 'image/webp']).optional() }),
]);

/** Fields every device event carries, whatever its kind (docs/DESIGN.md section 4). */
export const envelopeShape = {
  eventId: z.string().min(1).max(128),
  deviceId: z.string().min(1).max(64).regex(/^[A-Za-z0-9._:-]+$/, 'deviceId may hold only letters, digits and . _ : -'),
  ts: z.iso.datetime({ offset: true }),
  position: positionSchema,
  image: imageSchema.optional(),
};

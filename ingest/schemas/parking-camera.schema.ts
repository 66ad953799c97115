import { z } from 'zod';
import { envelopeShape } from './envelope.schema.js';

/** Illegal-parking camera (违停抓拍) observation of one plate in one zone. */
export const parkingCameraSchema = z.object({
  ...envelopeShape,
  kind: z.literal('parking-camera'),
  plate: z.string().min(2).max(16),
  zoneId: z.string().min(1).max(64), // code of the no-parking zone the camera watches
  event: z.enum(['enter', 'present', 'leave']),
  confidence: z.number().finite().min(0).max(1),
});

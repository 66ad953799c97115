import { z } from 'zod';
import { envelopeShape } from './envelope.schema.js';

/** Bridge structural-health sensor (桥梁监测). Thresholds live on the bridge zone, not the device. */
export const bridgeSensorSchema = z
  .object({
    ...envelopeShape,
    kind: z.literal('bridge-sensor'),
    bridgeId: z.string().min(1).max(64).optional(), // zone code of the bridge; else taken from the device's registration
    strainUe: z.number().finite().min(-100_000).max(100_000).optional(), // micro-strain (µε)
    displacementMm: z.number().finite().min(-10_000).max(10_000).optional(),
    tiltDeg: z.number().finite().min(-90).max(90).optional(),
    crackWidthMm: z.number().finite().min(0).max(1_000).optional(),
  })
  .refine(
    (e) => [e.strainUe, e.displacementMm, e.tiltDeg, e.crackWidthMm].some((v) => v !== undefined),
    { message: 'a bridge-sensor event needs at least one measure', path: ['strainUe'] },
  );

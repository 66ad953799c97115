import { z } from 'zod';
import { envelopeShape } from './envelope.schema.js';

/**
 * Gas sensor (燃气) reading. Devices report either %LEL directly or methane in ppm
 * (100 %LEL of methane = 5 % vol = 50,000 ppm); normalisation turns both into %LEL.
 */
export const gasSensorSchema = z
  .object({
    ...envelopeShape,
    kind: z.literal('gas-sensor'),
    lelPct: z.number().finite().min(0).max(100).optional(),
    ch4Ppm: z.number().finite().min(0).max(1_000_000).optional(),
    coPpm: z.number().finite().min(0).max(100_000).optional(),
    batteryPct: z.number().finite().min(0).max(100).optional(),
    tamper: z.boolean().default(false),
  })
  .refine((e) => e.lelPct !== undefined || e.ch4Ppm !== undefined, {
    message: 'a gas-sensor event needs lelPct or ch4Ppm',
    path: ['lelPct'],
  });

import { z } from 'zod';
import { envelopeShape } from './envelope.schema.js';

/** Construction-waste truck (渣土车) GPS report. */
export const wasteTruckSchema = z.object({
  ...envelopeShape,
  kind: z.literal('waste-truck'),
  speedKmh: z.number().finite().min(0).max(250),
  headingDeg: z.number().finite().min(0).max(360).optional(),
  loaded: z.boolean(),
  covered: z.boolean(), // tarp on (密闭/苫盖)
  body: z.enum(['down', 'raised']), // tipper body; raised = dumping (倾倒)
});

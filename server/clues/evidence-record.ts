import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What the timeline records when evidence is attached (action `evidence.added`): the hashes of
 * the original and of both copies, so the record can be checked against the files later
 * (`server/evidence/evidence-checker.ts`), and what the original's EXIF said.
 */
export const evidenceRecordSchema = z.strictObject({
  evidence: z.strictObject({
    sha256,
    displaySha256: sha256,
    thumbSha256: sha256,
    mime: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    bytes: z.number().int().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** EXIF DateTimeOriginal (ISO 8601), null when the file had none. */
    takenAt: z.iso.datetime().nullable(),
    /** EXIF GPS (WGS84 as reported), null when the file had none. */
    gps: z.strictObject({ lon: z.number(), lat: z.number() }).nullable(),
    /** A person's upload, or a camera image that came with a device event. */
    source: z.enum(['upload', 'camera']),
    /** The uploader's file name, shown only. */
    fileName: z.string().nullable(),
  }),
});
export type EvidenceRecord = z.infer<typeof evidenceRecordSchema>['evidence'];

/** The timeline action of an attachment. */
export const EVIDENCE_ADDED = 'evidence.added';

import type { EvidenceChecker } from '../clues/clue-record.js';
import { EvidenceFiles } from './evidence-files.js';
import { sha256Hex } from './process-image.js';


/**
 * The integrity check of evidence files (执法全过程记录: every image is checked), for the
 * timeline verification (`GET /clues/:code/verify`): given a SHA-256 the timeline recorded, it
 * reads the file of that name under `DATA_DIR/evidence/` and hashes it again. A file that is
 * gone is `missing`; one whose bytes no longer hash to its name is `altered`. The same check
 * serves the original, the display copy and the thumbnail, each named by its own hash.
 */
export function evidenceChecker(dataDir: string): EvidenceChecker {
  const files = new EvidenceFiles(dataDir);
  return async (sha256) => {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return { ok: false, problem: 'missing', detail: `${JSON.stringify(sha256)} is not a SHA-256, so no evidence file has that name` };
    const bytes = await files.read(sha256);
    if (!bytes) return { ok: false, problem: 'missing', detail: `evidence file ${files.pathOf(sha256)} is missing` };
    const actual = sha256Hex(bytes);
    if (actual !== sha256) return { ok: false, problem: 'altered', detail: `evidence file ${files.pathOf(sha256)} now hashes to ${actual} (${bytes.length} bytes), not to its recorded SHA-256` };
    return { ok: true };
  };
}

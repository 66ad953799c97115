import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { storageErrno, writeFileDurably } from '../../core/durable-file.js';
import { GwError } from '../../core/errors.js';

/**
 * Evidence files under `DATA_DIR/evidence/`, content-addressed: a file is named by the SHA-256
 * of its bytes (`evidence/ab/abcdef…`), so the name is the checksum, one photo sent twice is
 * stored once, and a file that no longer hashes to its name has been altered.
 */
export class EvidenceFiles {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'evidence');
  }

  /** The path of the file named `sha256` (which must be 64 hex digits). */
  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new GwError('GW_INTERNAL', `Evidence file name ${JSON.stringify(sha256)} is not a SHA-256`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /**
   * Stores `bytes` under `sha256` unless a file of that name and size is already there. The
   * write never leaves a partial file under the final name: a temporary file in the same
   * folder is written, fsynced and renamed, and the folder is fsynced so the rename survives a
   * crash. A full (or read-only) disk answers GW_EVIDENCE_STORAGE (507) after removing the
   * temporary file, so nothing half-written stays; once space returns the same call succeeds.
   */
  async put(sha256: string, bytes: Buffer): Promise<void> {
    const file = this.pathOf(sha256);
    const known = await fs.stat(file).catch(() => null);
    if (known?.size === bytes.length) return;
    const tmp = path.join(path.dirname(file), `.${sha256}.${crypto.randomUUID()}.tmp`);
    try {
      await writeFileDurably(file, tmp, bytes);
    } catch (err) {
      const code = storageErrno(err);
      if (code)
        throw new GwError('GW_EVIDENCE_STORAGE', `Storing evidence file ${sha256} under ${this.root}: ${code} (${(err as Error).message}); nothing was kept, retry when there is space`, { errno: code }, { cause: err });
      throw err;
    }
  }

  /** The bytes of the file named `sha256`, or null when it is not there. */
  async read(sha256: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

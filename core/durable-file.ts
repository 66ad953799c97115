import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * errno codes that mean "no room or no way to write here" (a full disk, a quota, a read-only or
 * unwritable folder, a failing device, no file handles), as opposed to a bug. Trying again at
 * once fails the same way, so callers answer a storage error instead of retrying.
 */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE']);

/** The errno code of `err` when it is a storage error (see STORAGE_ERRNOS), else undefined. */
export function storageErrno(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code && STORAGE_ERRNOS.has(code) ? code : undefined;
}

/**
 * Writes `bytes` to `file` so that `file` is either absent or complete, even across a crash: the
 * bytes go to `tmp` (in the same folder, so the rename is atomic), which is fsynced and renamed,
 * and the folder is fsynced so the rename survives a power cut. On any failure `tmp` is removed
 * before the error is rethrown: a full disk must not fill up further with one temporary file per
 * attempt.
 */
export async function writeFileDurably(file: string, tmp: string, bytes: Buffer): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    const dir = await fs.open(path.dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * A real small file system for disk-full tests: a tmpfs mounted over a folder. Tests run as root,
 * and root ignores permission bits, so a read-only folder is no test of a write failure; a full
 * (or read-only mounted) tmpfs is what a full disk looks like to the code.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A tmpfs mounted at `dir`, with ways to fill it, free it, make it read-only and unmount it. */
export interface Tmpfs {
  dir: string;
  /** Writes a filler file until the file system says ENOSPC; returns its path. */
  fill(): string;
  /** Removes the filler (space returns). */
  free(): void;
  /** Remounts read-only (`ro: true`) or read-write. */
  remount(opts: { ro: boolean }): Promise<void>;
  unmount(): Promise<void>;
}

/**
 * Mounts a tmpfs of `sizeKb` at `dir` (created if missing). Answers the reason instead when this
 * process may not mount (not root, or a container without CAP_SYS_ADMIN), for `skip`.
 */
export async function mountTmpfs(dir: string, sizeKb: number): Promise<Tmpfs | string> {
  fs.mkdirSync(dir, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  } catch (err) {
    return `cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): ${((err as { stderr?: string }).stderr || (err as Error).message).trim()}`;
  }
  const filler = path.join(dir, 'filler.bin');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      // A last partial page may still fit a few bytes; write them so nothing is left.
      try {
        for (;;) fs.appendFileSync(filler, Buffer.alloc(512, 0x5a));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
      return filler;
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    async remount({ ro }) {
      await run('mount', ['-o', `remount,${ro ? 'ro' : 'rw'}`, dir]);
    },
    async unmount() {
      await run('umount', [dir]);
    },
  };
}

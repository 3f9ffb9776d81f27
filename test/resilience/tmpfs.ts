/**
 * A small RAM disk for the disk-full test: a tmpfs mounted on a fresh folder (this
 * needs root, as in CI), filled with a filler file until the kernel says ENOSPC,
 * and emptied again. Unmounted in t.after(), so no mount outlives its test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mounts a tmpfs of `megabytes`; skips the test, saying why, when mounting is refused. */
export async function mountTmpfs(t: TestContext, megabytes: number): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir]);
  } catch (error) {
    await rmdir(dir);
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    t.skip(`cannot mount a tmpfs to fill (needs root; CI runs as root): ${reason}`);
    return undefined;
  }
  t.after(async () => {
    // A process that still holds a file there keeps the mount busy: detach it lazily.
    await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    await rmdir(dir);
  });
  return dir;
}

/** Writes a filler file into `dir` until the disk is full; returns its path and size. */
export async function fillDisk(dir: string): Promise<{ path: string; bytes: number }> {
  const path = join(dir, 'filler');
  const file = await open(path, 'w');
  let bytes = 0;
  try {
    // Big chunks first, then ever smaller ones, so the last free block is used too.
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size, 0x2e);
      for (;;) {
        try {
          const { bytesWritten } = await file.write(chunk);
          bytes += bytesWritten;
          if (bytesWritten < size) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    await file.close();
  }
  return { path, bytes };
}

export const freeDisk = (filler: { path: string }) => rm(filler.path, { force: true });

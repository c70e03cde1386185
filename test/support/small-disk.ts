import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

// A real small filesystem for disk-full tests: a tmpfs of `bytes` mounted on a
// fresh directory. Mounting needs root (or CAP_SYS_ADMIN); where it is not
// allowed (or STALEWATCH_TEST_NO_MOUNT=1) this returns null and the test
// injects the write failure instead, at the same code point (the ingest log's
// append).

export interface SmallDisk {
  dir: string
  unmount: () => void
}

export function mountSmallDisk(bytes: number): SmallDisk | null {
  // Lets a machine that can mount run the injected variant too.
  if (process.env.STALEWATCH_TEST_NO_MOUNT === '1') return null
  const dir = mkdtempSync(path.join(tmpdir(), 'stalewatch-small-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' })
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return null
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

import { execFileSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import path from 'node:path'

// The soak's disk-full fault. Where this machine allows a mount (root in a
// sandbox, CAP_SYS_ADMIN), the ingest log lives on a small tmpfs of its own
// and the fault fills it for real with a ballast file, to the last byte.
// Elsewhere the fault file says "disk-full" and the log's appends fail with
// ENOSPC after writing part of their bytes (ingest/log/fault-hook.ts), at the
// same code point.

export interface SoakDisk {
  /** The ingest log directory the server is given. */
  logDir: string
  /** Ingest sheds below this many free bytes (STALEWATCH_MIN_FREE_DISK_BYTES). */
  minFreeBytes: number
  /** "a 64 MiB tmpfs" or "an injected write failure". */
  describe: string
  fill(): void
  release(): void
  unmount(): void
}

const MIB = 1024 * 1024

export function soakDisk(dataDir: string, faultFile: string, { mount = true } = {}): SoakDisk {
  const mountPoint = path.join(dataDir, 'log-disk')
  mkdirSync(mountPoint, { recursive: true })
  let mounted = false
  try {
    if (mount) execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${64 * MIB}`, 'tmpfs', mountPoint], { stdio: 'ignore' })
    mounted = mount
  } catch {
    // Not allowed here: the injected failure below.
  }
  const ballast = path.join(mountPoint, 'ballast')
  if (!mounted) {
    return {
      logDir: path.join(dataDir, 'data', 'ingest-log'),
      minFreeBytes: 512 * MIB,
      describe: mount ? 'an injected write failure (no mount allowed here)' : 'an injected write failure (--inject-disk-full)',
      fill: () => writeFileSync(faultFile, 'disk-full'),
      release: () => writeFileSync(faultFile, ''),
      unmount: () => undefined,
    }
  }
  return {
    logDir: path.join(mountPoint, 'ingest-log'),
    minFreeBytes: 8 * MIB,
    describe: 'a 64 MiB tmpfs filled to the last byte',
    fill: () => {
      const fd = openSync(ballast, 'w')
      try {
        for (const chunk of [MIB, 64 * 1024, 4096]) {
          const block = Buffer.alloc(chunk)
          for (;;) {
            try {
              if (writeSync(fd, block) < chunk) break
            } catch {
              break
            }
          }
        }
      } finally {
        closeSync(fd)
      }
    },
    release: () => rmSync(ballast, { force: true }),
    unmount: () => {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' })
      } catch {
        // Already gone.
      }
    },
  }
}

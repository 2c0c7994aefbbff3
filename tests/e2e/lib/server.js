// The browser tests' view of the shared server helper: the same server,
// with logs, browser logs and screenshots under tests/output/e2e.

import { join } from 'node:path'

import { LecternServer as SharedServer, repoRoot } from '../../support/lectern-server.js'

/** Where server logs, browser logs and screenshots go; the repository ignores tests/output. */
export const outputDir = join(repoRoot, 'tests', 'output', 'e2e')

export const LecternServer = {
  /** Starts a server whose log goes to tests/output/e2e/NAME.log. */
  start: (options) => SharedServer.start({ logDir: outputDir, ...options })
}

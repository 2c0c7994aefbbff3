// The interop tests use the shared server helper; their logs go to
// tests/output.

export { LecternServer, lecternBinary, outputDir } from '../../support/lectern-server.js'

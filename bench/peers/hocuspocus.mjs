// Runs a Hocuspocus server (@hocuspocus/server) for lectern-bench with its
// default configuration and no extensions, on HOST (default 127.0.0.1) and
// PORT (default 0, a free port). It prints `listening address=HOST:PORT` on
// standard error once it accepts connections. Without extensions it
// authenticates every client and stores nothing: documents live in memory
// until their last connection closes.
import { Server } from '@hocuspocus/server'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number.parseInt(process.env.PORT ?? '0', 10)

const server = new Server({ quiet: true })

// NOTE: Server.listen() in 3.4.4 hands `address` rather than `host` to
// Node's listen(), which then binds every interface. The launcher binds its
// HTTP server itself, so the peer stays on loopback. That skips only the
// onListen hooks, and no extension is configured here to have one.
server.httpServer.listen(port, host, () => {
  const { address, port: bound } = server.httpServer.address()
  console.error(`hocuspocus listening address=${address}:${bound}`)
})

const stop = async () => {
  await server.destroy()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

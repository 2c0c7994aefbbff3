// Runs the reference y-websocket server (@y/websocket-server) for
// lectern-bench: its own connection handler behind a plain HTTP server on
// HOST (default 127.0.0.1) and PORT (default 0, a free port). It prints
// `listening address=HOST:PORT` on standard error once it accepts
// connections. Documents live in memory only, because YPERSISTENCE is not
// set, so the handler loads no LevelDB store.
import http from 'node:http'
import { createRequire } from 'node:module'
import { setupWSConnection } from '@y/websocket-server/utils'

// The same `ws` release that the package's own server.js uses.
const requireFromServer = createRequire(import.meta.resolve('@y/websocket-server/package.json'))
const WebSocket = requireFromServer('ws')

const host = process.env.HOST ?? '127.0.0.1'
const port = Number.parseInt(process.env.PORT ?? '0', 10)

const sockets = new WebSocket.Server({ noServer: true })
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('okay')
})
server.on('upgrade', (request, socket, head) => {
  sockets.handleUpgrade(request, socket, head, (connection) => {
    setupWSConnection(connection, request)
  })
})
server.listen(port, host, () => {
  const { address, port: bound } = server.address()
  console.error(`y-websocket listening address=${address}:${bound}`)
})

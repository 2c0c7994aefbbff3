// Board socket helpers that need no DOM or board code, so tests import them directly.

/** WebSocket close code the server sends when the lecturer closes the room. */
export const ROOM_CLOSED_CODE = 4000

export type ConnectionState = 'connecting' | 'connected' | 'disconnected'

/** Returns the WebSocket origin matching the page: wss:// under https, ws:// otherwise. */
export function websocketBase(location: { protocol: string; host: string } = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`
}

/** Returns whether y-websocket should reconnect after the server closed the socket with `code`. */
export function shouldReconnect(code: number): boolean {
  // 4400-4499 are y-websocket's own permanent codes; 4000 means the room is closed.
  return code !== ROOM_CLOSED_CODE && !(code >= 4400 && code < 4500)
}

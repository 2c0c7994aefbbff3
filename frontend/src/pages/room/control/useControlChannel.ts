// Owns the room page's one control channel. The page renders its features
// with the channel, they subscribe in their effects, and this hook's effect,
// which runs after theirs, opens the socket.

import { useEffect, useMemo } from 'preact/hooks'
import { websocketBase } from '../connection'
import { ControlChannel, controlChannelUrl } from './channel'

/** Returns the control channel of room `code` while `active` is true, else null. */
export function useControlChannel(code: string, token: string, active: boolean): ControlChannel | null {
  const channel = useMemo(
    () => (active ? new ControlChannel({ url: controlChannelUrl(websocketBase(), code, token) }) : null),
    [code, token, active],
  )
  useEffect(() => {
    if (!channel) return
    channel.start()
    return () => channel.dispose()
  }, [channel])
  return channel
}

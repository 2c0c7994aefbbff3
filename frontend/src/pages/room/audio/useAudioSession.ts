// Runs the page's AudioSession over the room's control channel.

import { useEffect, useMemo, useState } from 'preact/hooks'
import type { ControlChannel } from '../control/channel'
import type { Role } from '../control/types'
import { AudioSession, INITIAL_AUDIO_SNAPSHOT, type AudioSnapshot } from './audioSession'

export interface AudioControls {
  state: AudioSnapshot
  /** Null while the page has no control channel. */
  session: AudioSession | null
}

/** Creates the audio session of a page that follows `channel`; the lecturer's asks for the microphone on join. */
export function useAudioSession(channel: ControlChannel | null, role: Role): AudioControls {
  const session = useMemo(() => {
    if (!channel) return null
    return new AudioSession({
      signaling: channel,
      createPeerConnection: (configuration) => new RTCPeerConnection(configuration),
      mediaDevices: typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined,
      secureContext: typeof window !== 'undefined' ? window.isSecureContext : true,
      micOnJoin: role === 'lecturer',
    })
  }, [channel, role])
  const [state, setState] = useState<AudioSnapshot>(INITIAL_AUDIO_SNAPSHOT)

  useEffect(() => {
    if (!session || !channel) {
      setState(INITIAL_AUDIO_SNAPSHOT)
      return
    }
    const unsubscribe = [session.subscribe(setState), channel.subscribe((message) => session.handleMessage(message))]
    setState(session.state)
    void session.refreshDevices()
    return () => {
      for (const stop of unsubscribe) stop()
      session.dispose()
    }
  }, [session, channel])

  return { state, session }
}

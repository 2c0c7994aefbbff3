import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, ApiError, getLecturerToken, getRoomSeat, normalizeCode, setLecturerToken, setRoomSeat, type Participant, type Room } from '../../api'
import { t } from '../../i18n'
import { ErrorNotice, Layout, PageHeading } from '../Layout'
import { leavePageNotice } from '../pageNotice'
import { navigate, onLinkClick } from '../router'
import { ParticipantList } from './ParticipantList'
import { buildParticipantRows } from './presence'
import { ExportPanel } from './ExportPanel'
import { InvitePanel, RoomSettings } from './RoomSettings'
import { useBoardSession, type Identity } from './useBoardSession'
import { signOut } from '../session'
import { QuizPanel } from './quiz/QuizPanel'
import { useControlChannel } from './control/useControlChannel'
import { useFloorSession } from './floor/useFloorSession'
import { useAudioSession } from './audio/useAudioSession'
import { AudioControls, type AudioActions } from './audio/AudioControls'
import { FloorPanel } from './floor/FloorPanel'
import { HandButton } from './floor/HandButton'
import { isMuted, queuePosition, raisedHands, speakerOf, type FloorViewState } from './floor/floorState'
import type { AudioSession } from './audio/audioSession'

type Resolution =
  | { state: 'loading' }
  | { state: 'ready'; identity: Identity; room: Room }
  | { state: 'error'; error: unknown }

/**
 * Decides who opens the room: its lecturer (the lecturer token reads the
 * room), else a student with a stored seat. Returns null after redirecting a
 * visitor without a seat to the join page.
 */
async function resolveIdentity(code: string): Promise<{ identity: Identity; room: Room } | null> {
  const lecturerToken = getLecturerToken()
  if (lecturerToken) {
    try {
      const [room, user] = await Promise.all([api.getRoom(lecturerToken, code), api.me(lecturerToken)])
      return { room, identity: { token: lecturerToken, id: user.id, name: user.name, role: 'lecturer' } }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      // 401: the login expired. 403: another lecturer's room, which this
      // browser may still have joined as a student.
      if (error.status === 401) setLecturerToken(null)
      else if (error.status !== 403) throw error
    }
  }

  const seat = getRoomSeat(code)
  if (!seat) {
    navigate(`/join/${code}`, { replace: true })
    return null
  }
  try {
    const room = await api.getRoom(seat.token, code)
    return { room, identity: { token: seat.token, id: seat.participant_id, name: seat.name, role: 'student' } }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // The seat expired; joining again issues a new one.
      leaveForJoinPage(code)
      return null
    }
    throw error
  }
}

/** Clears a student's rejected seat and opens the join page with a notice. */
function leaveForJoinPage(code: string): void {
  setRoomSeat(code, null)
  leavePageNotice(`/join/${code}`, 'join.seatExpired')
  navigate(`/join/${code}`, { replace: true })
}

/** Clears a lecturer's rejected token and opens the login page with a notice. */
function leaveForLoginPage(): void {
  setLecturerToken(null)
  leavePageNotice('/', 'login.sessionExpired')
  navigate('/', { replace: true })
}

interface RoomPageProps {
  code: string
  /** Called after the lecturer signs out from the room page. */
  onLogout: () => void
}

export function RoomPage({ code: rawCode, onLogout }: RoomPageProps) {
  const code = normalizeCode(rawCode)
  const [resolution, setResolution] = useState<Resolution>({ state: 'loading' })

  useEffect(() => {
    let current = true
    setResolution({ state: 'loading' })
    resolveIdentity(code).then(
      (result) => current && result && setResolution({ state: 'ready', ...result }),
      (error: unknown) => current && setResolution({ state: 'error', error }),
    )
    return () => {
      current = false
    }
  }, [code])

  if (resolution.state === 'ready') {
    return (
      <RoomView
        key={`${code}:${resolution.identity.token}`}
        code={code}
        identity={resolution.identity}
        initialRoom={resolution.room}
        onLogout={onLogout}
      />
    )
  }

  return (
    <Layout title={t('room.title')}>
      <PageHeading>{t('room.title')}</PageHeading>
      {resolution.state === 'loading' ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <ErrorNotice error={resolution.error} context="room" testId="room-error" />
          <p>
            <a href="/" onClick={onLinkClick}>
              {t('app.home')}
            </a>
          </p>
        </>
      )}
    </Layout>
  )
}

interface RoomViewProps {
  code: string
  identity: Identity
  initialRoom: Room
  onLogout: () => void
}

function RoomView({ code, identity, initialRoom, onLogout }: RoomViewProps) {
  const [room, setRoom] = useState(initialRoom)
  const [registered, setRegistered] = useState<Participant[] | null>(null)
  // A locale key, translated while rendering so a language switch applies.
  const [rightsNotice, setRightsNotice] = useState<string | null>(null)
  const boardRef = useRef<HTMLDivElement>(null)
  const isLecturer = identity.role === 'lecturer'
  // Server time minus local time, from the control channel; videos on the board play by the server's clock.
  const clockOffset = useRef(0)
  const serverNow = useCallback(() => Date.now() + clockOffset.current, [])
  const session = useBoardSession(code, identity, boardRef, !initialRoom.closed, serverNow)
  const roomClosed = room.closed || session.roomClosed
  // One control channel carries the quiz, the floor and the audio signalling.
  const channel = useControlChannel(code, identity.token, !initialRoom.closed && !roomClosed && !session.tokenRejected)
  useEffect(() => {
    if (!channel) return
    return channel.subscribe((_message, offset) => {
      clockOffset.current = offset
    })
  }, [channel])
  const floor = useFloorSession(channel)
  const audio = useAudioSession(channel, identity.role)
  const selfId = floor.state.self?.participantId ?? identity.id
  const holdsFloor = speakerOf(floor.state.floor, selfId) !== null
  const ownHand = queuePosition(floor.state.floor, selfId) !== null
  const setBoardHand = session.setHand

  // The board awareness mirrors the server's queue, so that the hand still
  // travels over the board socket, after the edits sent before it.
  useEffect(() => {
    if (!isLecturer) setBoardHand(ownHand)
  }, [isLecturer, ownHand, setBoardHand])

  // A student's microphone goes off with the floor; the server would drop
  // its packets anyway, and a recording indicator left on would mislead.
  useEffect(() => {
    if (!isLecturer && !holdsFloor && audio.state.mic !== 'off') audio.session?.stopMic()
  }, [isLecturer, holdsFloor, audio.state.mic, audio.session])

  const audioActions = useMemo(() => audioActionsOf(audio.session), [audio.session])

  // The board socket was refused and the REST API confirmed that the token
  // is no longer valid, so this page cannot work any more.
  useEffect(() => {
    if (!session.tokenRejected) return
    if (isLecturer) leaveForLoginPage()
    else leaveForJoinPage(code)
  }, [session.tokenRejected, isLecturer, code])

  // The lecturer lists every student who joined. The list is fetched again
  // when the online set changes, because a new id there is usually a new join.
  const onlineKey = session.presence?.online.join(',') ?? ''
  useEffect(() => {
    if (!isLecturer) return
    let current = true
    api.listParticipants(identity.token, code).then(
      (list) => current && setRegistered(list),
      (error: unknown) => console.warn('listing participants failed', { code, error }),
    )
    return () => {
      current = false
    }
  }, [isLecturer, identity.token, code, onlineKey])

  // Tell a student when the lecturer grants or revokes drawing. The first
  // value after joining is not a change, so it shows no notice.
  const previousCanDraw = useRef<boolean | null>(null)
  useEffect(() => {
    if (isLecturer || session.presence === null) return
    const previous = previousCanDraw.current
    previousCanDraw.current = session.canDraw
    if (previous !== null && previous !== session.canDraw) {
      setRightsNotice(session.canDraw ? 'room.drawingAllowed' : 'room.drawingRevoked')
    }
  }, [isLecturer, session.canDraw, session.presence])

  const rows = useMemo(
    () =>
      buildParticipantRows({
        registered,
        peers: session.peers,
        presence: session.presence,
        selfId: identity.id,
        hands: raisedHands(floor.state.floor),
      }),
    [registered, session.peers, session.presence, identity.id, floor.state.floor],
  )
  const participantAudio = useMemo(() => {
    if (!floor.state.floor) return undefined
    const send = floor.send
    return {
      speaking: new Set(floor.state.speaking),
      muted: new Set(floor.state.floor.muted),
      onMute:
        isLecturer && !roomClosed
          ? (participantId: string, muted: boolean) => send({ type: muted ? 'audio.mute' : 'audio.unmute', participant_id: participantId })
          : undefined,
    }
  }, [floor.state.floor, floor.state.speaking, floor.send, isLecturer, roomClosed])

  const studentsCanDraw = session.presence?.studentsCanDraw ?? room.students_can_draw

  const signOutHere = async () => {
    await signOut(identity.token)
    onLogout()
    navigate('/')
  }

  // Leaving removes the stored seat, so coming back means joining again
  // under a new participant id.
  const leaveRoom = () => {
    setRoomSeat(code, null)
    navigate('/join')
  }

  const headerEnd = isLecturer ? (
    <>
      <a class="button" href="/" onClick={onLinkClick} data-testid="back-to-rooms">
        {t('room.backToRooms')}
      </a>
      <button type="button" class="button" data-testid="logout" onClick={signOutHere}>
        {t('dashboard.logout')}
      </button>
    </>
  ) : (
    <button type="button" class="button" data-testid="leave-room" onClick={leaveRoom}>
      {t('room.leave')}
    </button>
  )

  const aside = (
    <>
      {isLecturer && !roomClosed && <InvitePanel room={room} />}
      {isLecturer && <ExportPanel code={code} token={identity.token} currentPageId={session.currentPageId} />}
      {!roomClosed && <FloorPanel state={floor.state} onSend={floor.send} onDismissError={floor.dismissError} />}
      <ParticipantList
        rows={rows}
        audio={participantAudio}
        manage={
          isLecturer && !roomClosed
            ? {
                token: identity.token,
                code,
                onChanged: (id, canDraw) =>
                  setRegistered((list) => list?.map((item) => (item.id === id ? { ...item, can_draw: canDraw } : item)) ?? list),
              }
            : undefined
        }
      />
      {isLecturer && (
        <RoomSettings
          room={room}
          token={identity.token}
          studentsCanDraw={studentsCanDraw}
          roomClosed={roomClosed}
          onRoomChanged={setRoom}
        />
      )}
    </>
  )

  return (
    <Layout title={room.title} headerEnd={headerEnd} mainClass="room-main" aside={aside} asideLabel={t('room.sidePanel')}>
      <div class="room-bar">
        <PageHeading class="room-title">{room.title}</PageHeading>
        <p class="connection" data-testid="connection-state" data-state={session.connection} role="status">
          <span class={`connection-dot ${session.connection}`} aria-hidden="true" />
          {roomClosed ? t('connection.closed') : t(`connection.${session.connection}`)}
        </p>
        {!isLecturer && !roomClosed && floor.state.floor !== null && <HandButton state={floor.state} onSend={floor.send} />}
        {!isLecturer && (
          <span
            class={session.canDraw ? 'draw-badge can-draw' : 'draw-badge'}
            data-testid="my-draw-state"
            data-can-draw={String(session.canDraw)}
          >
            {session.canDraw ? t('room.youCanDraw') : t('room.viewOnly')}
          </span>
        )}
      </div>
      {!roomClosed && floor.state.floor !== null && (
        <AudioControls
          state={audio.state}
          role={identity.role}
          holdsFloor={holdsFloor}
          muted={isMuted(floor.state.floor, selfId)}
          actions={audioActions}
        />
      )}
      <FloorAnnouncer state={floor.state} />
      {roomClosed && (
        <div class="notice notice-error" role="alert" data-testid="room-closed">
          <p>{isLecturer ? t('room.closedByYou') : t('room.closedByLecturer')}</p>
        </div>
      )}
      <div aria-live="polite" class="live-region">
        {rightsNotice && !roomClosed && (
          <div class="notice notice-info" data-testid="rights-notice">
            <p>{t(rightsNotice)}</p>
            <button type="button" class="button small" onClick={() => setRightsNotice(null)}>
              {t('app.dismiss')}
            </button>
          </div>
        )}
      </div>
      <ErrorNotice error={session.boardError} testId="board-error" />
      {!initialRoom.closed && <QuizPanel code={code} identity={identity} channel={channel} />}
      {!initialRoom.closed && (
        <section class="board-area" aria-label={t('room.boardLabel')}>
          <div class="board-host" ref={boardRef} />
        </section>
      )}
    </Layout>
  )
}

/** Returns the room bar's audio actions over `session`, which is null while there is no control channel. */
function audioActionsOf(session: AudioSession | null): AudioActions {
  return {
    join: () => void session?.join(),
    leave: () => session?.leave(),
    retry: () => void session?.retry(),
    // A student who was given the floor before joining audio joins with the microphone.
    micOn: async () => {
      if (!session) return
      await session.startMic()
      if (session.state.status === 'idle' || session.state.status === 'failed') await session.join()
    },
    micOff: () => session?.stopMic(),
    selectDevice: (deviceId) => void session?.selectDevice(deviceId),
  }
}

/** The live region that reads floor changes: a granted or ended floor, a hand lowered by the lecturer, a new hand for the lecturer. */
function FloorAnnouncer({ state }: { state: FloorViewState }) {
  const announcement = state.announcement
  return (
    <div class="visually-hidden" aria-live="polite" data-testid="floor-announcer">
      {announcement && <p key={announcement.id}>{t(announcement.key, announcement.vars)}</p>}
    </div>
  )
}

import { useCallback, useEffect, useState } from 'preact/hooks'
import { api, ApiError, type Room, type User } from '../api'
import { getLanguage, t } from '../i18n'
import { ErrorNotice, Layout, PageHeading } from './Layout'
import { QrCode } from './QrCode'
import { ShowQrButton } from './JoinQrDialog'
import { RoomCode } from './RoomCode'
import { onLinkClick } from './router'
import { signOut } from './session'

interface DashboardProps {
  token: string
  /** Called after logout, or when the server no longer accepts the token. */
  onLogout: () => void
}

export function DashboardPage({ token, onLogout }: DashboardProps) {
  const [user, setUser] = useState<User | null>(null)
  const [rooms, setRooms] = useState<Room[] | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)

  const handleFailure = useCallback(
    (error: unknown, show: (error: unknown) => void) => {
      if (error instanceof ApiError && error.status === 401) onLogout()
      else show(error)
    },
    [onLogout],
  )

  const load = useCallback(async () => {
    try {
      const [me, list] = await Promise.all([api.me(token), api.listRooms(token)])
      setUser(me)
      setRooms(list)
      setLoadError(null)
    } catch (error) {
      handleFailure(error, setLoadError)
    }
  }, [token, handleFailure])

  useEffect(() => {
    void load()
  }, [load])

  const logout = async () => {
    await signOut(token)
    onLogout()
  }

  const replaceRoom = (room: Room) =>
    setRooms((list) => (list ?? []).map((item) => (item.code === room.code ? room : item)))

  return (
    <Layout
      title={t('dashboard.title')}
      headerEnd={
        <>
          {user && <span class="signed-in">{t('dashboard.signedInAs', { name: user.name })}</span>}
          <button type="button" class="button" data-testid="logout" onClick={logout}>
            {t('dashboard.logout')}
          </button>
        </>
      }
    >
      <PageHeading>{t('dashboard.title')}</PageHeading>
      <p class="page-links">
        <a href="/quizzes" onClick={onLinkClick} data-testid="quizzes-link">
          {t('authoring.nav.dashboardLink')}
        </a>
      </p>
      <CreateRoomForm
        token={token}
        onCreated={(room) => setRooms((list) => [room, ...(list ?? [])])}
        onFailure={handleFailure}
      />
      <section aria-labelledby="rooms-heading">
        <h2 id="rooms-heading">{t('dashboard.roomsHeading')}</h2>
        <ErrorNotice error={loadError} />
        {rooms === null && !loadError && <p role="status">{t('app.loading')}</p>}
        {rooms !== null && rooms.length === 0 && <p>{t('dashboard.noRooms')}</p>}
        {rooms !== null && rooms.length > 0 && (
          <ul class="room-list" data-testid="room-list">
            {rooms.map((room) => (
              <RoomCard key={room.code} room={room} token={token} onChanged={replaceRoom} onFailure={handleFailure} />
            ))}
          </ul>
        )}
      </section>
    </Layout>
  )
}

interface CreateRoomFormProps {
  token: string
  onCreated: (room: Room) => void
  onFailure: (error: unknown, show: (error: unknown) => void) => void
}

function CreateRoomForm({ token, onCreated, onFailure }: CreateRoomFormProps) {
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const room = await api.createRoom(token, title.trim())
      setTitle('')
      onCreated(room)
    } catch (failure) {
      onFailure(failure, setError)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="create-heading">
      <h2 id="create-heading">{t('dashboard.createHeading')}</h2>
      <form class="form inline-form" onSubmit={submit}>
        <div class="field">
          <label for="room-title">{t('dashboard.roomTitle')}</label>
          <input
            id="room-title"
            data-testid="room-title"
            required
            maxLength={200}
            value={title}
            onInput={(event) => setTitle(event.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button primary" data-testid="create-room" disabled={busy}>
          {t('dashboard.create')}
        </button>
      </form>
      <ErrorNotice error={error} testId="create-room-error" />
    </section>
  )
}

interface RoomCardProps {
  room: Room
  token: string
  onChanged: (room: Room) => void
  onFailure: (error: unknown, show: (error: unknown) => void) => void
}

function RoomCard({ room, token, onChanged, onFailure }: RoomCardProps) {
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const headingId = `room-${room.code}-title`
  const created = new Date(room.created_at).toLocaleString(getLanguage())

  const close = async () => {
    setError(null)
    try {
      onChanged(await api.closeRoom(token, room.code))
    } catch (failure) {
      onFailure(failure, setError)
    } finally {
      setConfirming(false)
    }
  }

  return (
    <li class="card room-card" data-testid="room-item" data-code={room.code} data-closed={String(room.closed)}>
      <div class="room-card-text">
        <h3 id={headingId}>{room.title}</h3>
        <p class="meta">{t('dashboard.created', { date: created })}</p>
        <dl class="room-facts">
          <dt>{t('room.code')}</dt>
          <dd>
            <RoomCode code={room.code} large testId="room-code" />
          </dd>
          <dt>{t('room.joinLink')}</dt>
          <dd>
            <a href={room.join_url} data-testid="join-link">
              {room.join_url}
            </a>
          </dd>
        </dl>
        {room.closed ? (
          <p class="badge" data-testid="room-closed">
            {t('dashboard.closed')}
          </p>
        ) : (
          <div class="actions">
            <a
              class="button primary"
              href={`/room/${room.code}`}
              onClick={onLinkClick}
              data-testid="open-room"
              aria-describedby={headingId}
            >
              {t('dashboard.open')}
            </a>
            <ShowQrButton room={room} describedBy={headingId} />
            {confirming ? (
              <>
                <span class="confirm-text">{t('room.closeConfirm')}</span>
                <button type="button" class="button danger" data-testid="close-room-confirm" onClick={close}>
                  {t('room.closeConfirmYes')}
                </button>
                <button type="button" class="button" onClick={() => setConfirming(false)}>
                  {t('app.cancel')}
                </button>
              </>
            ) : (
              <button
                type="button"
                class="button"
                data-testid="close-room"
                aria-describedby={headingId}
                onClick={() => setConfirming(true)}
              >
                {t('room.close')}
              </button>
            )}
          </div>
        )}
        <ErrorNotice error={error} />
      </div>
      {!room.closed && (
        <QrCode value={room.join_url} alt={t('room.qrAlt', { title: room.title, url: room.join_url })} testId="join-qr" />
      )}
    </li>
  )
}

import { useEffect, useRef, useState } from 'preact/hooks'
import type { Room } from '../api'
import { t } from '../i18n'
import { QrCode } from './QrCode'
import { RoomCode } from './RoomCode'

/** Pixel size the QR code is rendered at; CSS scales it down to fit the window. */
const QR_SIZE = 640

/**
 * Renders a modal dialog for a projector: a large QR code of the join link,
 * the code under it and the address where students type the code. Escape
 * or the close button closes it, and focus returns to the element that
 * opened it.
 */
export function JoinQrDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const headingId = `qr-dialog-${room.code}-heading`
  // join_url is `<public url>/join/<code>`, so dropping the code leaves the
  // address of the form where students type it.
  const joinFormUrl = room.join_url.replace(/\/[^/]*$/, '')

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    // showModal() makes the rest of the page inert, which keeps focus inside.
    dialog.showModal()
    return () => {
      if (dialog.open) dialog.close()
      opener?.focus()
    }
  }, [])

  return (
    <dialog ref={ref} class="qr-dialog" aria-labelledby={headingId} data-testid="qr-dialog" onClose={onClose}>
      <h2 id={headingId}>{t('share.heading', { title: room.title })}</h2>
      <p class="qr-dialog-hint">{t('share.scan')}</p>
      <QrCode value={room.join_url} size={QR_SIZE} alt={t('room.qrAlt', { title: room.title, url: room.join_url })} />
      <p class="qr-dialog-code">
        <span class="qr-dialog-label">{t('room.code')}</span> <RoomCode code={room.code} large />
      </p>
      <p class="qr-dialog-hint">{t('share.typeCode', { url: joinFormUrl })}</p>
      <form method="dialog">
        <button type="submit" class="button primary" autofocus>
          {t('share.close')}
        </button>
      </form>
    </dialog>
  )
}

/** Renders the "Show QR code" button and, while open, the dialog. `describedBy` names the room for buttons in a list. */
export function ShowQrButton({ room, describedBy }: { room: Room; describedBy?: string }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        class="button"
        data-testid="show-qr"
        aria-haspopup="dialog"
        aria-describedby={describedBy}
        onClick={() => setOpen(true)}
      >
        {t('share.show')}
      </button>
      {open && <JoinQrDialog room={room} onClose={() => setOpen(false)} />}
    </>
  )
}

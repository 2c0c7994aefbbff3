import QRCode from 'qrcode'
import { useEffect, useState } from 'preact/hooks'

/** Renders a QR code of `value` as a PNG data URL in an <img>. */
export function QrCode({ value, alt, size = 160, testId }: { value: string; alt: string; size?: number; testId?: string }) {
  const [src, setSrc] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    QRCode.toDataURL(value, { width: size, margin: 1, errorCorrectionLevel: 'M' })
      .then((url) => current && setSrc(url))
      .catch((error: unknown) => {
        console.error('QR code generation failed', { value, error })
        if (current) setSrc(null)
      })
    return () => {
      current = false
    }
  }, [value, size])

  if (!src) return <div class="qr-placeholder" style={{ width: size, height: size }} aria-hidden="true" />
  return <img class="qr" src={src} alt={alt} width={size} height={size} data-testid={testId} />
}

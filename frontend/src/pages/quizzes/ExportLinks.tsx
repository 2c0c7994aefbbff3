// Download links of a quiz's GIFT and Moodle XML export. The link target
// works on its own with the login cookie, but a click downloads through
// fetch with the bearer token instead, so the page can report failures and
// the questions the format cannot carry (X-Lectern-Skipped).

import { useState } from 'preact/hooks'
import { t } from '../../i18n'
import { QuizErrorNotice } from './controls'
import { exportUrl, quizApi } from './quizApi'
import { handleFailure } from './session'
import type { TransferFormat } from './types'

const FORMATS: { format: TransferFormat; labelKey: string; testId: string }[] = [
  { format: 'gift', labelKey: 'authoring.export.gift', testId: 'quiz-export-gift' },
  { format: 'moodle_xml', labelKey: 'authoring.export.moodleXml', testId: 'quiz-export-moodle' },
]

/** Saves `text` as a file through a temporary object URL. */
function saveFile(text: string, fileName: string, contentType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: contentType }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = fileName
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  // The download has started by now; a later revoke keeps slow browsers safe.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

interface ExportLinksProps {
  token: string
  quizId: string
  /** Names the quiz for screen readers, such as the id of its heading. */
  describedBy?: string
  onLogout: () => void
}

export function ExportLinks({ token, quizId, describedBy, onLogout }: ExportLinksProps) {
  const [skipped, setSkipped] = useState<string[]>([])
  const [error, setError] = useState<unknown>(null)

  const download = async (event: MouseEvent, format: TransferFormat) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    setError(null)
    setSkipped([])
    try {
      const file = await quizApi.export(token, quizId, format)
      saveFile(file.text, file.fileName, file.contentType)
      setSkipped(file.skipped)
    } catch (failure) {
      handleFailure(failure, setError, onLogout)
    }
  }

  return (
    <div class="export-links">
      <span class="export-label">{t('authoring.export.label')}</span>
      {FORMATS.map(({ format, labelKey, testId }) => (
        <a
          key={format}
          class="button"
          href={exportUrl(quizId, format)}
          download
          data-testid={testId}
          aria-describedby={describedBy}
          onClick={(event) => download(event, format)}
        >
          {t(labelKey)}
        </a>
      ))}
      {skipped.length > 0 && (
        <p class="notice" role="status" data-testid="quiz-export-skipped">
          {t('authoring.export.skipped', { ids: skipped.join(', ') })}
        </p>
      )}
      <QuizErrorNotice error={error} />
    </div>
  )
}

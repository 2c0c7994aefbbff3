// Texts of control channel errors. Each known code has its own sentence; an
// unknown code shows the server's message, which is in English.

import { hasKey, t } from '../../../i18n'
import type { RequestFailure } from './quizState'

/** Returns the locale key of `code`, or null when it has no translation. */
export function quizErrorKey(code: string): string | null {
  const key = `quiz.errors.${code}`
  return hasKey(key) ? key : null
}

export function RequestErrorText({ failure }: { failure: RequestFailure }) {
  const key = quizErrorKey(failure.code)
  if (key) return <>{t(key)}</>
  return (
    <>
      {t('quiz.errors.unknown', { code: failure.code })} <span class="notice-detail">{failure.message}</span>
    </>
  )
}

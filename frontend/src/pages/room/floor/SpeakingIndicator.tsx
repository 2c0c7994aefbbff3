import { t } from '../../../i18n'

/**
 * A dot that lights up while the participant speaks. Screen readers get the
 * word only while it is true, and it sits outside any live region, since
 * announcing every pause would drown out everything else.
 */
export function SpeakingIndicator({ speaking }: { speaking: boolean }) {
  return (
    <span class={speaking ? 'speaking-indicator speaking' : 'speaking-indicator'} data-testid="speaking-indicator" data-speaking={String(speaking)}>
      {speaking && <span class="visually-hidden">{t('audio.participant.speaking')}</span>}
    </span>
  )
}

// A student's raise or lower hand button, and their place in the queue.
// One button element serves both, so focus stays on it when it flips.

import { t } from '../../../i18n'
import { HandIcon } from '../../HandIcon'
import { queuePosition, speakerOf, type FloorViewState } from './floorState'
import type { FloorCommand } from './types'

interface HandButtonProps {
  state: FloorViewState
  onSend: (command: FloorCommand) => void
}

export function HandButton({ state, onSend }: HandButtonProps) {
  const selfId = state.self?.participantId
  const position = queuePosition(state.floor, selfId)
  const raised = position !== null
  // A student who holds the floor has nothing to ask for.
  if (speakerOf(state.floor, selfId)) return null
  const disabled = state.floor === null || state.connection !== 'connected'
  return (
    <>
      <button
        type="button"
        class={raised ? 'button primary' : 'button'}
        data-testid={raised ? 'lower-hand' : 'raise-hand'}
        data-hand={String(raised)}
        disabled={disabled}
        onClick={() => onSend(raised ? { type: 'hand.lower' } : { type: 'hand.raise' })}
      >
        <HandIcon /> {raised ? t('room.lowerHand') : t('room.raiseHand')}
      </button>
      {position !== null && (
        <span class="status-tag hand" data-testid="hand-position" data-position={String(position)}>
          {position === 1 ? t('audio.hand.positionFirst') : t('audio.hand.position', { position })}
        </span>
      )}
    </>
  )
}

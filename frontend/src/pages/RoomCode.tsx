import { codeGroups } from '../api'

/**
 * Shows a room code in groups for reading aloud (`abc-def-ghjk`). The dashes
 * come from CSS, so the element's text, and what a copy takes, stays the
 * code itself.
 */
export function RoomCode({ code, large = false, testId }: { code: string; large?: boolean; testId?: string }) {
  return (
    <code class={large ? 'room-code large' : 'room-code'} data-testid={testId}>
      {codeGroups(code).map((group, index) => (
        <span key={index} class="code-group">
          {group}
        </span>
      ))}
    </code>
  )
}

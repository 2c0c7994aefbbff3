/**
 * A raised hand drawn as SVG strokes. An emoji would depend on the
 * system's fonts, and Debian's default fonts have no hand glyph.
 */
export function HandIcon() {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d="M8 12V6.5M11 11V4.5M14 11V4.5M17 12V7" />
      <path d="M8 12v2.5a6 6 0 0 0 11 3.3l2.5-4.3a1.5 1.5 0 0 0-2.6-1.5L17 14.5V12" />
    </svg>
  )
}

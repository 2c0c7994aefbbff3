// Counted texts for the quiz authoring pages; the function lives in i18n.ts,
// which the live quiz in the room page uses too.

export { tCount } from '../../i18n'

// The one definition of the characters that must not reach a page, a mail, a feed or a stored field: C0
// controls, DEL and C1 (NEL U+0085 included), the bidi embeddings, overrides and isolates that can reorder
// text on screen (Trojan-Source style), and the line and paragraph separators. Imports nothing, so calendar/
// (pure) uses it too. Used by web/forms.ts (refusing input), web/views.ts (escapeHtml strips), calendar/
// sanitise.ts (iCalendar output), web/guards.ts (a login's ?next=), and the CSV imports of partners/ and platforms/.

const C0 = '\\u0000-\\u001F'
/** C0 but tab, line feed and carriage return, which a text of several lines may hold. */
const C0_BUT_BREAKS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F'
const DEL_C1 = '\\u007F-\\u009F'
const BIDI = '\\u202A-\\u202E\\u2066-\\u2069'
const SEPARATORS = '\\u2028\\u2029'

/** Refused in a one-line value (a name, a title, a CSV cell): any control, a separator, a bidi control. */
export const CONTROL_IN_LINE = new RegExp(`[${C0}${DEL_C1}${BIDI}${SEPARATORS}]`)
/** Refused in a text of several lines: the same, but tab and line breaks are allowed (and so are U+2028/9). */
export const CONTROL_IN_TEXT = new RegExp(`[${C0_BUT_BREAKS}${DEL_C1}${BIDI}]`)
/** Any C0 or C1 control character (with DEL). */
export const CONTROL_CHARACTER = new RegExp(`[${C0}${DEL_C1}]`)

const INVISIBLE = new RegExp(CONTROL_IN_TEXT.source, 'g')
const INVISIBLE_OR_SEPARATOR = new RegExp(`[${C0_BUT_BREAKS}${DEL_C1}${SEPARATORS}${BIDI}]`, 'g')

/** Removes what could disguise text on a page: CONTROL_IN_TEXT's characters (tab and line breaks stay). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '')
}

/** stripInvisible, and the line and paragraph separators too (iCalendar output). */
export function stripInvisibleAndSeparators(text: string): string {
  return text.replace(INVISIBLE_OR_SEPARATOR, '')
}

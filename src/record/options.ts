import { escapeHtml } from '../web/views.js'

// The record page repeats the same long lists in every form (the people present and the platform's
// organisations in each "Qui ?", organisations and their contacts in each referral): hundreds of options per
// select, a dozen selects per pitch. Each list is escaped and joined once per page; a select then costs a
// lookup, and a copy only when one of its options is the chosen one.

export interface Choice { value: string; label: string }
export interface Group { group: string; choices: Choice[] }

/** The options' HTML (escaped), with the option whose value is `selected` marked; groups as <optgroup>. */
export function selectOptions(items: Array<Choice | Group>): (selected: unknown) => string {
  const html: string[] = []
  const at = new Map<string, number>()
  const add = (c: Choice) => {
    if (!at.has(c.value)) at.set(c.value, html.length)
    html.push(`<option value="${escapeHtml(c.value)}" >${escapeHtml(c.label)}</option>`)
  }
  for (const item of items) {
    if ('group' in item) {
      html.push(`<optgroup label="${escapeHtml(item.group)}">`)
      for (const c of item.choices) add(c)
      html.push('</optgroup>')
    } else add(item)
  }
  const plain = html.join('')
  return (selected) => {
    const i = selected === null || selected === undefined || selected === '' ? undefined : at.get(String(selected))
    if (i === undefined) return plain
    const copy = [...html]
    copy[i] = copy[i]!.replace('" >', '" selected>')
    return copy.join('')
  }
}

import type { Recipient } from './recipient.js'

// What a confirmation page says will be sent, and to whom (pure).

/** Partner contacts and holders among those who hold a session, by name: whom a cancellation goes to. */
export function cancelAudience(people: Pick<Recipient, 'key' | 'name'>[]): { partners: string[]; holders: string[] } {
  const names = (prefix: string) => people.filter((p) => p.key.startsWith(prefix)).map((p) => p.name)
  return { partners: names('contact:'), holders: names('holder:') }
}

/** "13 partenaires et 4 porteurs de projet", "1 partenaire", "personne". */
export function audienceSentence(partners: number, holders: number): string {
  const parts = [
    partners ? `${partners} partenaire${partners > 1 ? 's' : ''}` : null,
    holders ? `${holders} porteur${holders > 1 ? 's' : ''} de projet` : null,
  ].filter((p): p is string => p !== null)
  return parts.length ? parts.join(' et ') : 'personne'
}

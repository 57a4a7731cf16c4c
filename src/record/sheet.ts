import type { Db } from '../db/schema.js'
import { sheetRows } from './attendance.js'
import { rollOf } from './roll.js'

// The sign-in sheet's named rows (feuille d'émargement), in the attendance screen's order. The print view
// lives in pitches/ (a lower floor): app.ts hands it this function.

export interface SheetRow {
  name: string
  /** The organisation, or for a holder the initiative they present. */
  organisation: string
  kind: 'holder' | 'partner'
}

export async function signInSheet(db: Db, sessionId: number): Promise<SheetRow[]> {
  const { people, pitches } = await rollOf(db, sessionId)
  const title = new Map(pitches.map((p) => [p.holderId, p.title]))
  return sheetRows(people).map((p) => p.place.kind === 'holder'
    ? { name: p.name, organisation: `Porteur de projet — « ${title.get(p.holderId!) ?? ''} »`, kind: 'holder' as const }
    : { name: p.name, organisation: p.organisation ?? '', kind: 'partner' as const })
}

import { addDays, todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Platform, ReferralStatus } from '../db/schema.js'
import { adviceOfPitches, insertAdvice } from '../partners/advice.js'
import { bookPitch } from '../pitches/booking.js'
import { type AdviceWho, type RecordInput } from '../record/forms.js'
import { savePitch } from '../record/pitch-record.js'
import { heldPitches, platformContacts, platformPartners, referralsOfPitches } from '../record/reads.js'
import { saveRoll } from '../record/roll.js'
import { findPitchRecord, sessionAttendanceRows } from '../record/store.js'
import { type ReferralBy, setReferralStatus } from '../referrals/store.js'
import { listSessions, type SessionRow } from '../sessions/store.js'

// The demo's two most recent past sessions, recorded as a facilitator would have at the table, through the
// real functions: who came (walk-ins among them), what each pitch received — advice said and advice written
// by excused partners, referrals — and then the referrals' lives, updated by partners or the team on the
// days after, so that some went somewhere, one went nowhere, and two are overdue. Each step runs with the
// clock of the day it happened. One initiative (Yasmina's repair café) has a journey across both sessions,
// with a referral that went from proposée to aboutie. Idempotent: a second run finds everything recorded and changes nothing.

const DAY = 86_400_000

const HOLDERS = [
  { name: 'Yasmina Haddouche', email: 'yasmina.haddouche@habitants.example.org', kind: 'resident' as const, title: 'Repair café de la cité des Provinces', summary: 'Un samedi par mois, des voisins réparent avec les habitants petits appareils, vêtements et vélos.', domain: 'environnement', stage: 'idee' },
  { name: 'Collectif Les Mamans du 12', email: 'contact@mamans-du-12.example.org', kind: 'group' as const, title: 'Café des parents', summary: "Un lieu d'accueil convivial pour les parents à la sortie de l'école, avec des ateliers.", domain: 'social', stage: 'projet' },
  { name: 'Théo Wallart', email: 'theo.wallart@habitants.example.org', kind: 'resident' as const, title: 'Web radio des jeunes de Liévin', summary: 'Des émissions préparées et animées par des jeunes de 15 à 20 ans, diffusées en ligne.', domain: 'culturel', stage: 'idee' },
  { name: 'Association Terres de Lens', email: 'bonjour@terres-de-lens.example.org', kind: 'association' as const, title: 'Épicerie solidaire itinérante', summary: "Un camion qui passe dans les quartiers sans commerce, avec des produits à prix solidaires.", domain: 'economie_solidaire', stage: 'en_cours' },
  { name: 'Gérard Poulain', email: 'gerard.poulain@habitants.example.org', kind: 'resident' as const, title: 'Balades patrimoine minier', summary: "D'anciens mineurs font découvrir les cités et les chevalements aux habitants et aux écoles.", domain: 'culturel', stage: 'projet' },
]

/** Who came (contacts by their address: walk-ins the roll links to their contact), and one person nobody expected. */
const PRESENT: Array<[string, 'on_site' | 'remote']> = [
  ['helene.dupre@caf.example.org', 'on_site'], ['marc.petit@caf.example.org', 'on_site'], ['karim.haddad@centres-sociaux.example.org', 'remote'],
  ['claire.martin@agglo-lenslievin.example.org', 'on_site'], ['nathalie.fontaine@ccas-harnes.example.org', 'on_site'],
]
const WALKIN = { name: 'Bernard Lemoine', organisation: 'Mairie de Billy-Montigny', email: null, presence: 'on_site' as const }

type Step = { status: ReferralStatus; after: number; by: 'partner' | 'team'; note: string | null }
interface DemoReferral { org: string; contact: string | null; subject: string; followUp: number; steps: Step[] }
interface DemoPitch {
  summary: string; next: string; stage: string; advice: Array<{ who: string; body: string }>; written?: { contact: string; body: string }
  referrals: DemoReferral[]; revisit?: boolean
}

// Per session (most recent first), per pitch: what was said and decided. Organisations and contacts by a word of their name.
const RECORDS: DemoPitch[][] = [
  [
    { summary: 'Yasmina a déjà trois bénévoles bricoleurs et cherche un lieu pour le premier samedi.', next: 'Visiter la salle proposée par le centre social.', stage: 'projet',
      advice: [{ who: 'helene.dupre', body: "Déposer une demande d'aide au démarrage avant la fin du trimestre." }, { who: 'walkin', body: 'La mairie peut prêter la salle Pasteur un samedi par mois.' }],
      written: { contact: 'julien.roussel', body: "Je n'ai pas pu venir : pensez à notre appel « Initiatives de proximité », clôture en février." },
      referrals: [{ org: 'CCAS de Harnes', contact: 'nathalie.fontaine', subject: 'Accompagnement du collectif de bénévoles', followUp: 30, steps: [{ status: 'in_progress', after: 3, by: 'partner', note: 'Premier rendez-vous fixé avec Yasmina.' }] }] },
    { summary: 'Le collectif a besoin d’un local en journée et d’une assurance.', next: 'Envoyer la liste des locaux disponibles.', stage: 'projet',
      advice: [{ who: 'claire.martin', body: 'Se rapprocher de la maison de quartier pour une convention d’occupation.' }],
      referrals: [{ org: 'Conseil départemental', contact: null, subject: 'Financement des actions parentalité', followUp: 30, steps: [] }] },
    { summary: 'Projet encore jeune : les jeunes veulent d’abord se former au montage son.', next: 'Revenir avec un premier épisode enregistré.', stage: 'idee',
      advice: [{ who: 'karim.haddad', body: 'Le centre social Vachala a un studio : demander un créneau.' }], referrals: [], revisit: true },
  ],
  [
    // Yasmina's first time: the repair café is an idea; she comes back at the next session (her journey).
    { summary: "Yasmina a l'idée d'un repair café mais pas encore de bénévoles ni de lieu.", next: 'Trouver trois bénévoles bricoleurs et revenir en parler.', stage: 'idee',
      advice: [{ who: 'karim.haddad', body: 'Les centres sociaux connaissent des habitants bricoleurs : passez une annonce.' }],
      referrals: [{ org: 'Fondation', contact: 'julien.roussel', subject: 'Assurance des bénévoles du repair café', followUp: 21, steps: [
        { status: 'contacted', after: 4, by: 'partner', note: 'Rendez-vous pris avec Yasmina.' }, { status: 'succeeded', after: 18, by: 'partner', note: 'Contrat d’assurance des bénévoles signé.' }] }] },
    { summary: "L'épicerie tourne deux jours par semaine ; l'association veut un troisième point d'arrêt.", next: 'Chiffrer le troisième arrêt.', stage: 'en_cours',
      advice: [{ who: 'marc.petit', body: 'Les familles allocataires peuvent être orientées par nos travailleurs sociaux.' }],
      written: { contact: 'anne.leroy', body: "Excusée : l'URIOPSS peut relire votre budget prévisionnel." },
      referrals: [
        { org: 'CAF', contact: 'helene.dupre', subject: 'Aide au démarrage de projet', followUp: 21, steps: [
          { status: 'contacted', after: 3, by: 'partner', note: 'Appel passé, dossier envoyé.' }, { status: 'in_progress', after: 10, by: 'partner', note: 'Dossier complet, passage en commission.' },
          { status: 'succeeded', after: 28, by: 'partner', note: 'Aide accordée : 3 000 €.' }] },
        { org: 'Fondation', contact: 'julien.roussel', subject: 'Appel à projets « Initiatives de proximité »', followUp: 14, steps: [
          { status: 'dropped', after: 20, by: 'team', note: "L'association a préféré l'aide de la CAF." }] },
      ] },
    { summary: 'Gérard a fait deux balades d’essai avec une école ; il cherche des guides.', next: 'Présenter le projet à l’office de tourisme.', stage: 'projet',
      advice: [{ who: 'walkin', body: "La mairie peut relayer les balades dans son bulletin." }],
      referrals: [
        { org: 'Communauté d’agglomération', contact: 'claire.martin', subject: 'Local pour le point de départ des balades', followUp: 14, steps: [] },
        { org: 'Centres Sociaux', contact: 'karim.haddad', subject: 'Trouver des guides bénévoles', followUp: 21, steps: [{ status: 'contacted', after: 5, by: 'partner', note: 'Message transmis aux centres.' }] },
      ] },
  ],
]

/** Who pitches at each session (most recent first), by HOLDERS index, in agenda order: RECORDS' order. */
const BOOKED = [[0, 1, 2], [0, 3, 4]]

const at = (ctx: AppContext, iso: string): AppContext => ({ ...ctx, clock: () => new Date(iso) })

export async function seedDemoRecord(ctx: AppContext, platform: Platform): Promise<void> {
  const realNow = ctx.clock()
  const today = todayIn(platform.timezone, realNow)
  const past = (await listSessions(ctx.db, platform.id, { from: `${today.slice(0, 4)}-01-01`, statuses: ['published'] })).filter((s) => s.date < today).slice(-2).reverse()
  // Oldest first: Yasmina's initiative begins at the earlier session and continues at the later one.
  for (const [i, session] of [...past.entries()].reverse()) {
    await bookPast(at(ctx, new Date(Date.parse(session.starts_at) - 20 * DAY).toISOString()), platform, session, BOOKED[i]!.map((n) => HOLDERS[n]!))
    await recordSession(ctx, platform, session, RECORDS[i]!, realNow)
  }
}

async function bookPast(ctx: AppContext, platform: Platform, session: SessionRow, holders: typeof HOLDERS) {
  for (const p of holders) {
    await bookPitch(ctx, platform, session.id, {
      holder: { name: p.name, email: p.email, phone: null, kind: p.kind, commune_id: session.commune_id },
      initiative: { title: p.title, summary: p.summary, domain: p.domain, needs: [], stage: p.stage, commune_id: session.commune_id },
      attendance: 'on_site', publicTitle: true,
    }, () => true)
  }
}

async function recordSession(base: AppContext, platform: Platform, session: SessionRow, plans: DemoPitch[], realNow: Date) {
  const ended = Date.parse(session.ends_at)
  const ctx = at(base, session.ends_at)
  const db = ctx.db
  const pitches = (await heldPitches(db, session.id)).filter((p) => HOLDERS.some((x) => x.title === p.title))
  // At the table: the holders, the partners who came, and the walk-in.
  await saveRoll(ctx, platform, session, { marks: pitches.map((p) => ({ key: `h${p.holderId}`, presence: 'on_site', shown: null, seen: null })), walkin: null }, null)
  const contacts = await platformContacts(db, platform.id)
  const partners = await platformPartners(db, platform.id)
  const contactOf = (word: string) => contacts.find((c) => c.emailKey.startsWith(word))!
  for (const [email, presence] of PRESENT) await saveRoll(ctx, platform, session, { marks: [], walkin: { name: contactOf(email).name, organisation: null, email, presence } }, null)
  await saveRoll(ctx, platform, session, { marks: [], walkin: WALKIN }, null)
  const walkin = (await sessionAttendanceRows(db, session.id)).find((r) => r.name === WALKIN.name)!
  const today = session.date
  const later = (await listSessions(db, platform.id, { from: todayIn(platform.timezone, realNow), statuses: ['published'], limit: 1 }))[0]

  for (const [n, plan] of plans.entries()) {
    const pitch = pitches[n]
    if (!pitch) continue
    if (plan.written) {
      // Written before the session's end through the excused partner's link (partners/ keeps it).
      const c = contactOf(plan.written.contact)
      const had = (await adviceOfPitches(db, [pitch.id])).some((a) => a.contactId === c.id && a.source === 'written')
      if (!had) await insertAdvice(db, { pitchId: pitch.id, contactId: c.id, partnerId: c.partnerId, body: plan.written.body }, new Date(ended - 3600_000).toISOString())
    }
    const who = (w: string): AdviceWho => (w === 'walkin' ? { kind: 'walkin', id: walkin.id } : { kind: 'contact', id: contactOf(w).id })
    const orgOf = (word: string) => partners.find((p) => p.name.includes(word))!.id
    const input: RecordInput = {
      pitch_id: pitch.id, version: (await findPitchRecord(db, pitch.id))?.version ?? 0, summary: plan.summary, next_steps: plan.next, stage_after: plan.stage as RecordInput['stage_after'],
      revisit: Boolean(plan.revisit && later), revisit_session: plan.revisit && later ? later.date : null,
      advice: plan.advice.map((a) => ({ who: who(a.who), body: a.body })),
      referrals: plan.referrals.map((r) => ({ partnerId: orgOf(r.org), contactId: r.contact ? contactOf(r.contact).id : null, subject: r.subject, followUpOn: addDays(session.date, r.followUp) })),
    }
    const outcome = await savePitch(ctx, platform, session, input, null, today)
    if (outcome.kind !== 'saved') throw new Error(`demo record of "${pitch.title}": ${JSON.stringify(outcome)}`)
    // The days after: each referral's steps, by the partner on their link or by the team.
    const made = await referralsOfPitches(db, [pitch.id])
    for (const r of plan.referrals) {
      const row = made.find((x) => x.subject === r.subject)
      if (!row) continue
      const done = r.steps.findIndex((s) => s.status === row.status)
      for (const step of r.steps.slice(done + 1)) {
        const when = new Date(Math.min(ended + step.after * DAY, realNow.getTime())).toISOString()
        const by: ReferralBy = step.by === 'team' ? { kind: 'facilitator', facilitatorId: null } : { kind: 'partner', contactId: r.contact ? contactOf(r.contact).id : null, name: r.contact ? contactOf(r.contact).name : null }
        await db.transaction().execute((trx) => setReferralStatus(at(base, when), trx, { referralId: row.id, status: step.status, note: step.note, by }, when))
      }
    }
  }
}

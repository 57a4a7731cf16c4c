import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// The house's floors, lowest first (ARCHITECTURE.md): a folder may import the shared rooms (db/, web/, mail/,
// calendar/ and the files at src/'s root) and the features below it, never one above it or beside it:
// platforms < sessions < pitches < partners (the RSVP page shows the agenda's pitches) < referrals < record
// (the session's record makes referrals) < indicators;
// admin/ (the instance administrator's pages) and privacy/ read every floor and nothing imports them.
// calendar/ is pure and imports no folder of the app; db/, mail/ and web/ are plumbing and know no feature;
// no feature imports demo/ or scripts/. `npm run lint` fails on a new crossing. Where a lower floor needs a
// higher one's function, app.ts hands it in (sessions/public-routes.ts gets what it shows of pitches that way).
const FEATURES = ['platforms', 'sessions', 'pitches', 'partners', 'referrals', 'record', 'journey', 'indicators', 'audit', 'privacy', 'admin', 'replies', 'minutes', 'dashboard']
// Exported for test/house/owners.test.ts: a join may name a table of these floors only.
export const ALLOWED_FEATURES = {
  platforms: [],
  sessions: ['platforms'],
  pitches: ['platforms', 'sessions'],
  partners: ['platforms', 'sessions', 'pitches'],
  referrals: ['platforms', 'sessions', 'pitches', 'partners'],
  record: ['platforms', 'sessions', 'pitches', 'partners', 'referrals'],
  // An initiative's journey reads every floor of its story (pitches, advice, referrals, the record); nothing imports it.
  journey: ['platforms', 'sessions', 'pitches', 'partners', 'referrals', 'record'],
  // The minutes are built from the record: the holder's and partner's pages get them from app.ts.
  minutes: ['platforms', 'sessions', 'pitches', 'partners', 'referrals', 'record', 'audit'],
  indicators: ['platforms', 'sessions', 'pitches', 'partners', 'referrals', 'record', 'replies'],
  // The facilitator's home at a glance (read-only queries across pitches/, partners/ and the outbox): nothing imports it.
  dashboard: ['platforms', 'sessions', 'pitches', 'partners'],
  audit: [],
  privacy: ['platforms', 'sessions', 'pitches', 'partners', 'referrals', 'record', 'indicators', 'audit', 'replies'],
  admin: ['platforms', 'sessions', 'pitches', 'partners', 'audit'],
  // Calendar answers read from the ORGANIZER mailbox: they write through partners/, nothing imports them.
  replies: ['platforms', 'sessions', 'partners', 'pitches'],
}
const folder = (name) => [`../${name}/*`, `../${name}`]
const everywhere = [...folder('demo'), '../../scripts/*', '../scripts/*']

function restrict(files, forbidden, message) {
  return {
    files,
    // Type-only imports are allowed: they leave no edge at run time (a view model's shape, a row type).
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: [...forbidden, ...everywhere], message, allowTypeImports: true }] }] },
  }
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'test-artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Matching control characters is the point of our sanitisers and of the tests that attack them.
      'no-control-regex': 'off',
    },
  },
  restrict(['src/calendar/**'], ['../*/*'], 'calendar/ is pure: it imports no folder of the app.'),
  ...['db', 'mail', 'web'].map((room) =>
    restrict([`src/${room}/**`], FEATURES.flatMap(folder), `${room}/ is plumbing: it knows no feature (hand it a function from app.ts instead).`)),
  // sessions/ reads no table of the floors above it nor the outbox: who attends, whose feed, comes in from
  // app.ts (src/attendees.ts, partners/ and pitches/ feed-query.ts); mail/ owns the outbox.
  {
    files: ['src/sessions/**'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name=/^(selectFrom|updateTable|insertInto|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin)$/] > Literal[value=/^(contact|invitation|pitch|holder|outbox)(\\s|$)/]",
        message: 'sessions/ names no table of partners/, pitches/ or mail/: take a provider from app.ts instead.',
      }],
    },
  },
  ...Object.entries(ALLOWED_FEATURES).map(([feature, below]) =>
    restrict([`src/${feature}/**`], FEATURES.filter((f) => f !== feature && !below.includes(f)).flatMap(folder),
      `${feature}/ may import only the features below it (${below.join(', ') || 'none'}): hand it a function from app.ts instead.`)),
)

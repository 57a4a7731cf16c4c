import type { Db } from '../db/schema.js'

// The two-factor tables (facilitator_totp, facilitator_recovery_code): written here only.

export function findTotp(db: Db, facilitatorId: number) {
  return db.selectFrom('facilitator_totp').selectAll().where('facilitator_id', '=', facilitatorId).executeTakeFirst()
}

/** Turns two-factor login on with its recovery codes (hashes), in one transaction; false if it already was. */
export async function enableTotp(db: Db, input: { facilitatorId: number; box: string; counter: number; codeHashes: string[]; now: string }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx.insertInto('facilitator_totp')
      .values({ facilitator_id: input.facilitatorId, secret_box: input.box, last_counter: input.counter, enabled_at: input.now })
      .onConflict((oc) => oc.column('facilitator_id').doNothing()).returning('facilitator_id').executeTakeFirst()
    if (!inserted) return false
    await trx.deleteFrom('facilitator_recovery_code').where('facilitator_id', '=', input.facilitatorId).execute()
    await trx.insertInto('facilitator_recovery_code')
      .values(input.codeHashes.map((code_hash) => ({ facilitator_id: input.facilitatorId, code_hash }))).execute()
    return true
  })
}

/** Records the step of an accepted code; false when that step (or a later one) was already used: a replay. */
export async function acceptCounter(db: Db, facilitatorId: number, counter: number): Promise<boolean> {
  const result = await db.updateTable('facilitator_totp').set({ last_counter: counter })
    .where('facilitator_id', '=', facilitatorId)
    .where((eb) => eb.or([eb('last_counter', 'is', null), eb('last_counter', '<', counter)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Uses one recovery code of the account; false when unknown or already used. */
export async function useRecoveryCode(db: Db, facilitatorId: number, codeHash: string, now: string): Promise<boolean> {
  const result = await db.updateTable('facilitator_recovery_code').set({ used_at: now })
    .where('facilitator_id', '=', facilitatorId).where('code_hash', '=', codeHash).where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function unusedRecoveryCodes(db: Db, facilitatorId: number): Promise<number> {
  const row = await db.selectFrom('facilitator_recovery_code').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('facilitator_id', '=', facilitatorId).where('used_at', 'is', null).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Turns two-factor login off (the account's own choice, or an administrator's reset); false if it was off. */
export async function removeTotp(db: Db, facilitatorId: number): Promise<boolean> {
  // In the caller's transaction when there is one (an administrator's reset is audited with it).
  const inTransaction = <T>(fn: (trx: Db) => Promise<T>) => (db.isTransaction ? fn(db) : db.transaction().execute(fn))
  return inTransaction(async (trx) => {
    await trx.deleteFrom('facilitator_recovery_code').where('facilitator_id', '=', facilitatorId).execute()
    const result = await trx.deleteFrom('facilitator_totp').where('facilitator_id', '=', facilitatorId).executeTakeFirst()
    return Number(result.numDeletedRows) === 1
  })
}

/** Ids of the accounts with two-factor login on (the administrators' accounts page). */
export async function totpAccounts(db: Db): Promise<Set<number>> {
  const rows = await db.selectFrom('facilitator_totp').select('facilitator_id').execute()
  return new Set(rows.map((r) => r.facilitator_id))
}

/** Whether an open platform of this account requires two-factor login. */
export async function totpRequired(db: Db, facilitatorId: number): Promise<boolean> {
  const row = await db.selectFrom('facilitator_platform').innerJoin('platform', 'platform.id', 'facilitator_platform.platform_id')
    .select('platform.id').where('facilitator_platform.facilitator_id', '=', facilitatorId)
    .where('platform.require_totp', '=', 1).where('platform.archived_at', 'is', null).executeTakeFirst()
  return row !== undefined
}

/**
 * An administrator requires (or no longer requires) two-factor login on a platform. Turned on, it returns the
 * platform's facilitators without it, whose logins the caller ends (they enrol at their next login).
 */
export async function setTotpRequired(db: Db, platformId: number, required: boolean, now: string): Promise<number[]> {
  await db.updateTable('platform').set({ require_totp: required ? 1 : 0, updated_at: now }).where('id', '=', platformId).execute()
  if (!required) return []
  const rows = await db.selectFrom('facilitator_platform').select('facilitator_id').where('platform_id', '=', platformId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('facilitator_totp').select('facilitator_totp.facilitator_id')
      .whereRef('facilitator_totp.facilitator_id', '=', 'facilitator_platform.facilitator_id'))))
    .execute()
  return rows.map((r) => r.facilitator_id)
}

/** Ten new recovery codes in place of the old ones (used or not), in one transaction. */
export async function replaceRecoveryCodes(db: Db, facilitatorId: number, codeHashes: string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('facilitator_recovery_code').where('facilitator_id', '=', facilitatorId).execute()
    await trx.insertInto('facilitator_recovery_code').values(codeHashes.map((code_hash) => ({ facilitator_id: facilitatorId, code_hash }))).execute()
  })
}

// Who may do what, for the HTTP API and the live feed alike: a caller acts only inside families
// it belongs to. Outsiders get 404 (a family's existence is not theirs to learn); members whose
// role is too small get 403, and so does a member who was removed (it knew the family).
import type pg from 'pg';
import { ServiceError } from '../services/service-error';

export type Role = 'owner' | 'member' | 'guardian';

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who may read a family's domains, packets, scores and events (guardians see their shares). */
export const FAMILY_READERS: readonly Role[] = ['owner', 'member'];

/** The user's role in the family, if any. */
export async function roleIn(
  pool: pg.Pool,
  familyId: string,
  userId: string,
): Promise<Role | undefined> {
  if (!uuid.test(familyId)) return undefined;
  const { rows } = await pool.query<{ role: Role }>(
    'SELECT role FROM family_members WHERE family_id = $1 AND user_id = $2',
    [familyId, userId],
  );
  return rows[0]?.role;
}

/** The family a row belongs to (and the row's id), found by its id or a domain's public key. */
export async function lookUpFamily(
  pool: pg.Pool,
  table: 'domain_records' | 'domain_migrations' | 'pubky_domains',
  column: 'id' | 'public_key',
  value: string,
): Promise<{ familyId: string; id: string } | undefined> {
  if (column === 'id' && !uuid.test(value)) return undefined;
  const { rows } = await pool.query<{ family_id: string; id: string }>(
    `SELECT family_id, id FROM ${table} WHERE ${column} = $1`,
    [value],
  );
  return rows[0] && { familyId: rows[0].family_id, id: rows[0].id };
}

export async function requireRole(
  pool: pg.Pool,
  familyId: string,
  userId: string,
  allowed: readonly Role[],
): Promise<Role> {
  if (!uuid.test(familyId)) throw new ServiceError('NOT_FOUND', 'no such family');
  const role = await roleIn(pool, familyId, userId);
  if (!role) {
    // A removed member knew the family: it is told it lost access; anyone else learns nothing.
    const removed = await pool.query(
      'SELECT 1 FROM family_member_removals WHERE family_id = $1 AND user_id = $2',
      [familyId, userId],
    );
    if (removed.rowCount) throw new ForbiddenError('you are no longer a member of this family');
    throw new ServiceError('NOT_FOUND', 'no such family');
  }
  if (!allowed.includes(role)) throw new ForbiddenError(`a ${role} may not do this`);
  return role;
}

/** The family a row of `table` belongs to, or NOT_FOUND. */
export async function familyOf(
  pool: pg.Pool,
  table: 'domain_records' | 'domain_migrations',
  id: string,
): Promise<string> {
  const found = await lookUpFamily(pool, table, 'id', id);
  if (!found) throw new ServiceError('NOT_FOUND', 'not found');
  return found.familyId;
}

/** The caller's role in the family a domain or migration belongs to (see requireRole). */
export async function requireRoleFor(
  pool: pg.Pool,
  table: 'domain_records' | 'domain_migrations',
  id: string,
  userId: string,
  allowed: readonly Role[],
): Promise<Role> {
  return requireRole(pool, await familyOf(pool, table, id), userId, allowed);
}

// Invitations: how anyone joins a family. An owner invites a public key with a role; the person
// holding that key accepts in their app, which signs the invitation (invitationAcceptMessage) —
// consent no owner can give for them. A guardian stands outside the family: a key that is
// already an owner or member cannot guard it (that would defeat the threshold).
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { publicKeyOf } from './pubky-sovereignty-service';
import { guarded, ServiceError } from './service-error';

export type InvitedRole = 'owner' | 'member' | 'guardian';

export interface Invitation {
  readonly invitationId: string;
  readonly familyId: string;
  readonly familyName: string;
  readonly publicKey: string;
  readonly role: InvitedRole;
  readonly displayName: string | null;
  readonly invitedBy: string | null;
  readonly status: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface Joined {
  readonly familyId: string;
  readonly userId: string;
  readonly role: InvitedRole;
  /** Set when the role is guardian: the id backups name. */
  readonly guardianId: string | null;
}

const SELECT = `SELECT i.id AS "invitationId", i.family_id AS "familyId", f.name AS "familyName",
    i.invitee_public_key AS "publicKey", i.role, i.display_name AS "displayName",
    u.display_name AS "invitedBy", i.status, i.created_at AS "createdAt", i.expires_at AS "expiresAt"
  FROM family_invitations i JOIN families f ON f.id = i.family_id
  LEFT JOIN users u ON u.id = i.invited_by`;

export class InvitationService {
  constructor(private readonly pool: pg.Pool) {}

  invite(input: {
    familyId: string;
    invitedBy: string;
    publicKey: string;
    role: InvitedRole;
    displayName?: string | undefined;
  }): Promise<Invitation> {
    const publicKey = publicKeyOf(input.publicKey);
    return guarded('invitation', async () => {
      const { rows: members } = await this.pool.query<{ role: string }>(
        `SELECT m.role FROM family_members m JOIN users u ON u.id = m.user_id
         WHERE m.family_id = $1 AND u.pubky_public_key = $2`,
        [input.familyId, publicKey],
      );
      if (members[0])
        throw new ServiceError('CONFLICT', `this key is already the family's ${members[0].role}`);
      const { rows } = await this.pool.query<{ id: string }>(
        `INSERT INTO family_invitations (family_id, invitee_public_key, role, display_name, invited_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [input.familyId, publicKey, input.role, input.displayName ?? null, input.invitedBy],
      );
      return (await this.one(rows[0]!.id))!;
    });
  }

  private async one(invitationId: string): Promise<Invitation | undefined> {
    const { rows } = await this.pool.query<Invitation>(`${SELECT} WHERE i.id = $1`, [invitationId]);
    return rows[0];
  }

  /** A family's open invitations (what its owners and members see). */
  async pendingOf(familyId: string): Promise<Invitation[]> {
    const { rows } = await this.pool.query<Invitation>(
      `${SELECT} WHERE i.family_id = $1 AND i.status = 'pending' AND i.expires_at > now()
       ORDER BY i.created_at`,
      [familyId],
    );
    return rows;
  }

  /** The open invitations addressed to a key (what its holder's app lists). */
  async addressedTo(publicKey: string): Promise<Invitation[]> {
    const { rows } = await this.pool.query<Invitation>(
      `${SELECT} WHERE i.invitee_public_key = $1 AND i.status = 'pending' AND i.expires_at > now()
       ORDER BY i.created_at`,
      [publicKey],
    );
    return rows;
  }

  /** An open invitation addressed to `publicKey`, or NOT_FOUND (others' ids are not probed). */
  async openFor(invitationId: string, publicKey: string): Promise<Invitation> {
    const invitation = await this.one(invitationId);
    if (
      !invitation ||
      invitation.publicKey !== publicKey ||
      invitation.status !== 'pending' ||
      new Date(invitation.expiresAt).getTime() <= Date.now()
    )
      throw new ServiceError('NOT_FOUND', 'no such open invitation for you');
    return invitation;
  }

  /** The invitee joins (its signature was checked by the caller). */
  accept(invitationId: string, userId: string, publicKey: string): Promise<Joined> {
    return guarded('membership', () =>
      inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{
          family_id: string;
          role: InvitedRole;
          display_name: string | null;
        }>(
          `UPDATE family_invitations SET status = 'accepted', responded_at = now()
           WHERE id = $1 AND invitee_public_key = $2 AND status = 'pending' AND expires_at > now()
           RETURNING family_id, role, display_name`,
          [invitationId, publicKey],
        );
        const invitation = rows[0];
        if (!invitation) throw new ServiceError('NOT_FOUND', 'no such open invitation for you');
        const { rows: current } = await client.query<{ role: string }>(
          'SELECT role FROM family_members WHERE family_id = $1 AND user_id = $2',
          [invitation.family_id, userId],
        );
        if (current[0])
          throw new ServiceError('CONFLICT', `you are already the family's ${current[0].role}`);
        await client.query(
          'INSERT INTO family_members (family_id, user_id, role, display_name) VALUES ($1, $2, $3, $4)',
          [invitation.family_id, userId, invitation.role, invitation.display_name],
        );
        let guardianId: string | null = null;
        if (invitation.role === 'guardian') {
          const { rows: guardian } = await client.query<{ id: string }>(
            `INSERT INTO federation_guardians (family_id, user_id, guardian_public_key)
             VALUES ($1, $2, $3) RETURNING id`,
            [invitation.family_id, userId, publicKey],
          );
          guardianId = guardian[0]!.id;
        }
        return { familyId: invitation.family_id, userId, role: invitation.role, guardianId };
      }),
    );
  }

  async decline(invitationId: string, publicKey: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE family_invitations SET status = 'declined', responded_at = now()
       WHERE id = $1 AND invitee_public_key = $2 AND status = 'pending'`,
      [invitationId, publicKey],
    );
    if (!rowCount) throw new ServiceError('NOT_FOUND', 'no such open invitation for you');
  }

  async revoke(familyId: string, invitationId: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE family_invitations SET status = 'revoked', responded_at = now()
       WHERE id = $1 AND family_id = $2 AND status = 'pending'`,
      [invitationId, familyId],
    );
    if (!rowCount) throw new ServiceError('NOT_FOUND', 'no such open invitation in this family');
  }
}

-- Joining a family takes the invitee's consent (issue 17): an owner invites a key as owner,
-- member or guardian; the person behind the key accepts by signing the invitation in their app.
-- The name an inviter gives the person is the family's own, on the membership: it no longer
-- overwrites users.display_name, which every other family sees.

CREATE TABLE family_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  invitee_public_key z32_key NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'member', 'guardian')),
  display_name text CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 200),
  invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL DEFAULT now() + interval '14 days',
  responded_at timestamptz
);
-- One open invitation per key and family: inviting again while one is pending is a conflict.
CREATE UNIQUE INDEX family_invitations_one_pending ON family_invitations (family_id, invitee_public_key)
  WHERE status = 'pending';
CREATE INDEX family_invitations_invitee ON family_invitations (invitee_public_key) WHERE status = 'pending';

ALTER TABLE family_members ADD COLUMN display_name text
  CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 200);
COMMENT ON COLUMN family_members.display_name IS
  'What this family calls the member (given with the invitation); NULL: the member''s own name.';

-- The schema the migrations in migrations/ produce, read from the catalog of a freshly
-- migrated database by `npm run schema`. Generated: edit the migrations, not this file.

-- ============================================================================================
-- Domains and types

CREATE DOMAIN feed_event_kind AS text CHECK ((VALUE = ANY (ARRAY['pubky_domain_event'::text, 'pkarr_record_event'::text, 'sovereignty_score_event'::text, 'domain_migration_event'::text, 'guardian_event'::text, 'family_event'::text])));
CREATE DOMAIN z32_key AS text CHECK (((VALUE ~ '^[ybndrfg8ejkmcpqxot1uwisza345h769]+$'::text) AND (length(VALUE) = 52)));

-- ============================================================================================
-- Tables

CREATE TABLE auth_challenges (
  nonce text NOT NULL,
  public_key z32_key NOT NULL,
  expires_at timestamp with time zone NOT NULL,
  used_at timestamp with time zone,
  CONSTRAINT auth_challenges_nonce_check CHECK (((length(nonce) >= 32) AND (length(nonce) <= 128))),
  CONSTRAINT auth_challenges_pkey PRIMARY KEY (nonce)
);
CREATE INDEX auth_challenges_expiry ON public.auth_challenges USING btree (expires_at);

CREATE TABLE auth_refresh_tokens (
  token_hash bytea NOT NULL,
  user_id uuid NOT NULL,
  expires_at timestamp with time zone NOT NULL,
  replaced_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  successor_hash bytea,
  CONSTRAINT auth_refresh_tokens_pkey PRIMARY KEY (token_hash),
  CONSTRAINT auth_refresh_tokens_successor_hash_check CHECK (((successor_hash IS NULL) OR (octet_length(successor_hash) = 32))),
  CONSTRAINT auth_refresh_tokens_token_hash_check CHECK ((octet_length(token_hash) = 32)),
  CONSTRAINT auth_refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX auth_refresh_tokens_expiry ON public.auth_refresh_tokens USING btree (expires_at);
CREATE INDEX auth_refresh_tokens_user ON public.auth_refresh_tokens USING btree (user_id);

CREATE TABLE auth_token_uses (
  token_id bytea NOT NULL,
  used_at timestamp with time zone NOT NULL DEFAULT now(),
  expires_at timestamp with time zone NOT NULL,
  CONSTRAINT auth_token_uses_pkey PRIMARY KEY (token_id),
  CONSTRAINT auth_token_uses_token_id_check CHECK ((octet_length(token_id) = 40))
);
CREATE INDEX auth_token_uses_expiry ON public.auth_token_uses USING btree (expires_at);

CREATE TABLE domain_key_holders (
  domain_record_id uuid NOT NULL,
  user_id uuid NOT NULL,
  since timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT domain_key_holders_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_holders_pkey PRIMARY KEY (domain_record_id, user_id),
  CONSTRAINT domain_key_holders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX domain_key_holders_user ON public.domain_key_holders USING btree (user_id);
COMMENT ON TABLE domain_key_holders IS 'Members whose devices hold a domain''s key: who registered it and who accepted a share of it.';

CREATE TABLE domain_key_shares (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  domain_record_id uuid NOT NULL,
  sender_id uuid NOT NULL,
  recipient_id uuid NOT NULL,
  sealed bytea NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT domain_key_shares_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_not_to_self CHECK ((sender_id <> recipient_id)),
  CONSTRAINT domain_key_shares_one_open UNIQUE (domain_record_id, recipient_id),
  CONSTRAINT domain_key_shares_pkey PRIMARY KEY (id),
  CONSTRAINT domain_key_shares_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_sealed_size CHECK (((length(sealed) >= 73) AND (length(sealed) <= 4169))),
  CONSTRAINT domain_key_shares_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX domain_key_shares_recipient ON public.domain_key_shares USING btree (recipient_id);
COMMENT ON TABLE domain_key_shares IS 'Domain keys sealed to one member''s Pubky key by another member''s device; deleted once answered.';

CREATE TABLE domain_migrations (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  domain_record_id uuid NOT NULL,
  family_id uuid NOT NULL,
  direction text NOT NULL,
  status text NOT NULL DEFAULT 'pending'::text,
  error text,
  plan jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT domain_migrations_direction_check CHECK ((direction = ANY (ARRAY['dns_to_pubky'::text, 'pubky_to_dns'::text]))),
  CONSTRAINT domain_migrations_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT domain_migrations_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT domain_migrations_pkey PRIMARY KEY (id),
  CONSTRAINT domain_migrations_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'in_progress'::text, 'verifying'::text, 'completed'::text, 'failed'::text, 'cancelled'::text, 'rolled_back'::text])))
);
CREATE INDEX domain_migrations_family ON public.domain_migrations USING btree (family_id);
CREATE UNIQUE INDEX domain_migrations_one_active ON public.domain_migrations USING btree (domain_record_id) WHERE (status = ANY (ARRAY['pending'::text, 'in_progress'::text, 'verifying'::text]));

CREATE TABLE domain_records (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  name text NOT NULL,
  domain_type text NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  sovereignty_score integer NOT NULL DEFAULT 0,
  pubky_enabled boolean NOT NULL DEFAULT false,
  pubky_homeserver_url text,
  pubky_relay_url text,
  CONSTRAINT domain_records_domain_type_check CHECK ((domain_type = ANY (ARRAY['traditional'::text, 'pubky'::text]))),
  CONSTRAINT domain_records_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT domain_records_family_id_name_key UNIQUE (family_id, name),
  CONSTRAINT domain_records_name_check CHECK ((((length(name) >= 1) AND (length(name) <= 253)) AND (name = lower(name)))),
  CONSTRAINT domain_records_pkey PRIMARY KEY (id),
  CONSTRAINT domain_records_sovereignty_score_check CHECK (((sovereignty_score >= 0) AND (sovereignty_score <= 100)))
) WITH (fillfactor=60);

CREATE TABLE families (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  pubky_url text,
  pubky_public_key z32_key,
  pubky_homeserver_url text,
  pubky_relay_url text,
  pubky_enabled boolean NOT NULL DEFAULT false,
  recovery_wait_seconds integer NOT NULL DEFAULT 86400,
  CONSTRAINT families_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
  CONSTRAINT families_pkey PRIMARY KEY (id),
  CONSTRAINT families_pubky_public_key_key UNIQUE (pubky_public_key),
  CONSTRAINT families_pubky_url_check CHECK (((pubky_url IS NULL) OR (pubky_url ~ '^pubky://[ybndrfg8ejkmcpqxot1uwisza345h769]{52}(/.*)?$'::text))),
  CONSTRAINT families_recovery_wait_seconds_check CHECK (((recovery_wait_seconds >= 0) AND (recovery_wait_seconds <= 2592000)))
);
COMMENT ON COLUMN families.recovery_wait_seconds IS 'How long a guardian recovery waits before shares are released (the family''s devices can cancel meanwhile).';

CREATE TABLE family_invitations (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  invitee_public_key z32_key NOT NULL,
  role text NOT NULL,
  display_name text,
  invited_by uuid,
  status text NOT NULL DEFAULT 'pending'::text,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  expires_at timestamp with time zone NOT NULL DEFAULT (now() + '14 days'::interval),
  responded_at timestamp with time zone,
  CONSTRAINT family_invitations_display_name_check CHECK (((display_name IS NULL) OR ((length(display_name) >= 1) AND (length(display_name) <= 200)))),
  CONSTRAINT family_invitations_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT family_invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT family_invitations_pkey PRIMARY KEY (id),
  CONSTRAINT family_invitations_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'member'::text, 'guardian'::text]))),
  CONSTRAINT family_invitations_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'accepted'::text, 'declined'::text, 'revoked'::text])))
);
CREATE INDEX family_invitations_invitee ON public.family_invitations USING btree (invitee_public_key) WHERE (status = 'pending'::text);
CREATE UNIQUE INDEX family_invitations_one_pending ON public.family_invitations USING btree (family_id, invitee_public_key) WHERE (status = 'pending'::text);

CREATE TABLE family_member_removals (
  family_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role text NOT NULL,
  removed_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT family_member_removals_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT family_member_removals_pkey PRIMARY KEY (family_id, user_id),
  CONSTRAINT family_member_removals_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);

CREATE TABLE family_members (
  family_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role text NOT NULL,
  joined_at timestamp with time zone NOT NULL DEFAULT now(),
  display_name text,
  CONSTRAINT family_members_display_name_check CHECK (((display_name IS NULL) OR ((length(display_name) >= 1) AND (length(display_name) <= 200)))),
  CONSTRAINT family_members_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT family_members_pkey PRIMARY KEY (family_id, user_id),
  CONSTRAINT family_members_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'member'::text, 'guardian'::text]))),
  CONSTRAINT family_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX family_members_user ON public.family_members USING btree (user_id);
COMMENT ON COLUMN family_members.display_name IS 'What this family calls the member (given with the invitation); NULL: the member''s own name.';

CREATE TABLE federation_guardians (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  user_id uuid NOT NULL,
  guardian_public_key z32_key NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  pubky_backup_status text NOT NULL DEFAULT 'none'::text,
  pubky_backup_url text,
  pubky_backup_last_updated timestamp with time zone,
  CONSTRAINT federation_guardians_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT federation_guardians_family_id_user_id_key UNIQUE (family_id, user_id),
  CONSTRAINT federation_guardians_pkey PRIMARY KEY (id),
  CONSTRAINT federation_guardians_pubky_backup_status_check CHECK ((pubky_backup_status = ANY (ARRAY['none'::text, 'pending'::text, 'acknowledged'::text, 'revoked'::text]))),
  CONSTRAINT federation_guardians_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX federation_guardians_user ON public.federation_guardians USING btree (user_id);

CREATE TABLE feed_events (
  seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  family_id uuid NOT NULL,
  kind feed_event_kind NOT NULL,
  entity jsonb,
  data jsonb,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  last_seq bigint,
  packet_op text,
  pubky_domain_ids uuid[],
  domain_record_ids uuid[],
  public_keys text[],
  packet_timestamps bigint[],
  packet_records jsonb[],
  stored_ats timestamp with time zone[],
  scores integer[],
  computed_ats timestamp with time zone[],
  CONSTRAINT feed_events_one_event_or_range CHECK (
CASE
    WHEN (last_seq IS NULL) THEN ((entity IS NOT NULL) AND (data IS NOT NULL))
    ELSE (last_seq > seq)
END),
  CONSTRAINT feed_events_pkey PRIMARY KEY (seq)
);
CREATE INDEX feed_events_created ON public.feed_events USING btree (created_at);
CREATE INDEX feed_events_family ON public.feed_events USING btree (family_id, seq);
COMMENT ON COLUMN feed_events.last_seq IS 'NULL for a row holding one event (entity, data). Otherwise the row holds the packet events seq..last_seq of one statement, their fields in the arrays below, event i at index i.';
COMMENT ON COLUMN feed_events.public_keys IS 'For a packet batch row: NULL, as is domain_record_ids (read them with packet_batch_identities(pubky_domain_ids)). For a score batch row: each event''s key.';
COMMENT ON COLUMN feed_events.scores IS 'With last_seq set and kind sovereignty_score_event: the scores of events seq..last_seq; domain_record_ids, pubky_domain_ids, public_keys and computed_ats hold their other fields.';
ALTER TABLE feed_events ALTER COLUMN entity SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN data SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN pubky_domain_ids SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN domain_record_ids SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN public_keys SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN packet_timestamps SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN packet_records SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN stored_ats SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN scores SET STATISTICS 0;
ALTER TABLE feed_events ALTER COLUMN computed_ats SET STATISTICS 0;

CREATE TABLE guardian_backup_shares (
  backup_id uuid NOT NULL,
  guardian_id uuid NOT NULL,
  encrypted_share bytea NOT NULL,
  acknowledged_at timestamp with time zone,
  commitment bytea,
  CONSTRAINT guardian_backup_shares_backup_id_fkey FOREIGN KEY (backup_id) REFERENCES guardian_backups(id) ON DELETE CASCADE,
  CONSTRAINT guardian_backup_shares_commitment_check CHECK (((commitment IS NULL) OR (octet_length(commitment) = 32))),
  CONSTRAINT guardian_backup_shares_encrypted_share_check CHECK (((octet_length(encrypted_share) >= 1) AND (octet_length(encrypted_share) <= 4096))),
  CONSTRAINT guardian_backup_shares_guardian_id_fkey FOREIGN KEY (guardian_id) REFERENCES federation_guardians(id) ON DELETE CASCADE,
  CONSTRAINT guardian_backup_shares_pkey PRIMARY KEY (backup_id, guardian_id)
);
CREATE INDEX guardian_backup_shares_guardian ON public.guardian_backup_shares USING btree (guardian_id);
COMMENT ON COLUMN guardian_backup_shares.encrypted_share IS 'A Shamir share encrypted by the family''s app to the guardian''s public key; only that guardian can open it.';

CREATE TABLE guardian_backups (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  keypair_id uuid NOT NULL,
  threshold integer NOT NULL,
  share_count integer NOT NULL,
  status text NOT NULL DEFAULT 'active'::text,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  reshare_needed_since timestamp with time zone,
  commitment_signature bytea,
  CONSTRAINT guardian_backups_check CHECK (((share_count >= threshold) AND (share_count <= 255))),
  CONSTRAINT guardian_backups_commitment_signature_check CHECK (((commitment_signature IS NULL) OR (octet_length(commitment_signature) = 64))),
  CONSTRAINT guardian_backups_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT guardian_backups_keypair_id_fkey FOREIGN KEY (keypair_id) REFERENCES pubky_keypairs(id) ON DELETE CASCADE,
  CONSTRAINT guardian_backups_pkey PRIMARY KEY (id),
  CONSTRAINT guardian_backups_status_check CHECK ((status = ANY (ARRAY['active'::text, 'superseded'::text, 'revoked'::text]))),
  CONSTRAINT guardian_backups_threshold_check CHECK ((threshold >= 1))
);
CREATE UNIQUE INDEX guardian_backups_one_active ON public.guardian_backups USING btree (keypair_id) WHERE (status = 'active'::text);

CREATE TABLE guardian_freezes (
  family_id uuid NOT NULL,
  guardian_id uuid NOT NULL,
  frozen_until timestamp with time zone NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT guardian_freezes_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT guardian_freezes_guardian_id_fkey FOREIGN KEY (guardian_id) REFERENCES federation_guardians(id) ON DELETE CASCADE,
  CONSTRAINT guardian_freezes_pkey PRIMARY KEY (family_id, guardian_id)
);

CREATE TABLE guardian_recoveries (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  backup_id uuid NOT NULL,
  requester_id uuid NOT NULL,
  ephemeral_public_key z32_key NOT NULL,
  status text NOT NULL DEFAULT 'waiting'::text,
  release_at timestamp with time zone NOT NULL,
  approved_by uuid,
  cancelled_by uuid,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT guardian_recoveries_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT guardian_recoveries_backup_id_fkey FOREIGN KEY (backup_id) REFERENCES guardian_backups(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recoveries_cancelled_by_fkey FOREIGN KEY (cancelled_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT guardian_recoveries_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recoveries_pkey PRIMARY KEY (id),
  CONSTRAINT guardian_recoveries_requester_id_fkey FOREIGN KEY (requester_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recoveries_status_check CHECK ((status = ANY (ARRAY['waiting'::text, 'completed'::text, 'cancelled'::text])))
);
CREATE INDEX guardian_recoveries_family ON public.guardian_recoveries USING btree (family_id);
CREATE UNIQUE INDEX guardian_recoveries_one_open ON public.guardian_recoveries USING btree (backup_id) WHERE (status = 'waiting'::text);

CREATE TABLE guardian_recovery_shares (
  recovery_id uuid NOT NULL,
  guardian_id uuid NOT NULL,
  sealed bytea NOT NULL,
  approved_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT guardian_recovery_shares_guardian_id_fkey FOREIGN KEY (guardian_id) REFERENCES federation_guardians(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recovery_shares_pkey PRIMARY KEY (recovery_id, guardian_id),
  CONSTRAINT guardian_recovery_shares_recovery_id_fkey FOREIGN KEY (recovery_id) REFERENCES guardian_recoveries(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recovery_shares_sealed_check CHECK (((octet_length(sealed) >= 73) AND (octet_length(sealed) <= 4169)))
);

CREATE TABLE pkarr_publications (
  pubky_domain_id uuid NOT NULL,
  target text NOT NULL,
  confirmed_timestamp bigint NOT NULL,
  confirmed_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT pkarr_publications_pkey PRIMARY KEY (pubky_domain_id, target),
  CONSTRAINT pkarr_publications_pubky_domain_id_fkey FOREIGN KEY (pubky_domain_id) REFERENCES pubky_domains(id) ON DELETE CASCADE,
  CONSTRAINT pkarr_publications_target_check CHECK (((target = 'dht'::text) OR (target ~ '^https?://'::text)))
) WITH (fillfactor=60);

CREATE TABLE pkarr_records (
  pubky_domain_id uuid NOT NULL,
  packet bytea NOT NULL,
  packet_timestamp bigint NOT NULL,
  records jsonb NOT NULL DEFAULT '[]'::jsonb,
  stored_at timestamp with time zone NOT NULL DEFAULT now(),
  confirmed_timestamp_ceiling bigint,
  family_id uuid NOT NULL,
  CONSTRAINT pkarr_records_domain_of_family FOREIGN KEY (pubky_domain_id, family_id) REFERENCES pubky_domains(id, family_id) ON DELETE CASCADE,
  CONSTRAINT pkarr_records_packet_check CHECK (((octet_length(packet) >= 72) AND (octet_length(packet) <= 1072))),
  CONSTRAINT pkarr_records_packet_timestamp_check CHECK ((packet_timestamp >= 0)),
  CONSTRAINT pkarr_records_pkey PRIMARY KEY (pubky_domain_id),
  CONSTRAINT pkarr_records_records_check CHECK ((jsonb_typeof(records) = 'array'::text))
) WITH (fillfactor=60);
COMMENT ON COLUMN pkarr_records.confirmed_timestamp_ceiling IS 'At least the highest confirmed_timestamp among this domain''s pkarr_publications; NULL when it has none. Only rises. Lets the packet trigger skip reading confirmations a newer packet cannot outdate.';
COMMENT ON COLUMN pkarr_records.family_id IS 'The family of the domain (pubky_domains.family_id, kept so by the foreign key): the packet trigger groups events per family without looking each domain up.';
ALTER TABLE pkarr_records ALTER COLUMN packet SET STATISTICS 0;
ALTER TABLE pkarr_records ALTER COLUMN records SET STATISTICS 0;

CREATE TABLE pubky_domain_tombstones (
  id uuid NOT NULL,
  domain_record_id uuid NOT NULL,
  public_key text NOT NULL,
  deleted_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT pubky_domain_tombstones_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE pubky_domain_tombstones IS 'Deleted Pubky domains'' record ids and public keys, for reading feed events stored before the deletion (packet batch rows keep only domain ids). Pruned with the feed.';

CREATE TABLE pubky_domains (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  domain_record_id uuid NOT NULL,
  family_id uuid NOT NULL,
  keypair_id uuid NOT NULL,
  public_key z32_key NOT NULL,
  pubky_url text NOT NULL GENERATED ALWAYS AS (('pubky://'::text || (public_key)::text)) STORED,
  homeserver_public_key z32_key,
  homeserver_self_hosted boolean,
  status text NOT NULL DEFAULT 'active'::text,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT pubky_domains_check CHECK (((homeserver_public_key IS NULL) = (homeserver_self_hosted IS NULL))),
  CONSTRAINT pubky_domains_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT pubky_domains_domain_record_id_key UNIQUE (domain_record_id),
  CONSTRAINT pubky_domains_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT pubky_domains_id_family_key UNIQUE (id, family_id) INCLUDE (domain_record_id, public_key),
  CONSTRAINT pubky_domains_keypair_id_fkey FOREIGN KEY (keypair_id) REFERENCES pubky_keypairs(id) ON DELETE RESTRICT,
  CONSTRAINT pubky_domains_pkey PRIMARY KEY (id),
  CONSTRAINT pubky_domains_public_key_key UNIQUE (public_key),
  CONSTRAINT pubky_domains_status_check CHECK ((status = ANY (ARRAY['active'::text, 'suspended'::text, 'retired'::text])))
);
CREATE INDEX pubky_domains_family ON public.pubky_domains USING btree (family_id);
CREATE INDEX pubky_domains_keypair ON public.pubky_domains USING btree (keypair_id);

CREATE TABLE pubky_keypairs (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  public_key z32_key NOT NULL,
  label text NOT NULL DEFAULT ''::text,
  custody text NOT NULL DEFAULT 'unknown'::text,
  private_key_encrypted bytea,
  recovery_exported_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT pubky_keypairs_custody_check CHECK ((custody = ANY (ARRAY['os-keychain'::text, 'guardian-recovered'::text, 'unknown'::text]))),
  CONSTRAINT pubky_keypairs_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT pubky_keypairs_label_check CHECK ((length(label) <= 200)),
  CONSTRAINT pubky_keypairs_pkey PRIMARY KEY (id),
  CONSTRAINT pubky_keypairs_private_key_encrypted_check CHECK ((octet_length(private_key_encrypted) <= 4096)),
  CONSTRAINT pubky_keypairs_public_key_key UNIQUE (public_key)
);
CREATE INDEX pubky_keypairs_family ON public.pubky_keypairs USING btree (family_id);
COMMENT ON COLUMN pubky_keypairs.private_key_encrypted IS 'NULL, or a blob encrypted by the family''s app (e.g. a passphrase-protected Pubky recovery file). The server cannot open it.';

CREATE TABLE relay_packets (
  public_key z32_key NOT NULL,
  payload bytea NOT NULL,
  packet_timestamp bigint NOT NULL,
  min_ttl integer NOT NULL,
  stored_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT relay_packets_min_ttl_check CHECK ((min_ttl >= 0)),
  CONSTRAINT relay_packets_packet_timestamp_check CHECK ((packet_timestamp >= 0)),
  CONSTRAINT relay_packets_payload_check CHECK (((octet_length(payload) >= 72) AND (octet_length(payload) <= 1072))),
  CONSTRAINT relay_packets_pkey PRIMARY KEY (public_key)
) WITH (fillfactor=60);
ALTER TABLE relay_packets ALTER COLUMN payload SET STATISTICS 0;

CREATE TABLE schema_migrations (
  version integer NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT schema_migrations_pkey PRIMARY KEY (version)
);

CREATE TABLE server_instances (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  hostname text NOT NULL,
  pid integer NOT NULL,
  app_version text NOT NULL,
  started_at timestamp with time zone NOT NULL DEFAULT now(),
  stopped_at timestamp with time zone,
  CONSTRAINT server_instances_check CHECK (((stopped_at IS NULL) OR (stopped_at >= started_at))),
  CONSTRAINT server_instances_pid_check CHECK ((pid > 0)),
  CONSTRAINT server_instances_pkey PRIMARY KEY (id)
);

CREATE TABLE sovereignty_score_history (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  domain_record_id uuid NOT NULL,
  score integer NOT NULL,
  breakdown jsonb NOT NULL,
  computed_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT sovereignty_score_history_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT sovereignty_score_history_pkey PRIMARY KEY (id),
  CONSTRAINT sovereignty_score_history_score_check CHECK (((score >= 0) AND (score <= 100)))
);
CREATE INDEX sovereignty_score_history_domain ON public.sovereignty_score_history USING btree (domain_record_id, computed_at);
ALTER TABLE sovereignty_score_history ALTER COLUMN breakdown SET STATISTICS 0;

CREATE TABLE sovereignty_scores (
  domain_record_id uuid NOT NULL,
  score integer NOT NULL,
  breakdown jsonb NOT NULL,
  evidence jsonb NOT NULL,
  computed_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT sovereignty_scores_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT sovereignty_scores_pkey PRIMARY KEY (domain_record_id),
  CONSTRAINT sovereignty_scores_score_check CHECK (((score >= 0) AND (score <= 100)))
) WITH (fillfactor=60);
ALTER TABLE sovereignty_scores ALTER COLUMN breakdown SET STATISTICS 0;
ALTER TABLE sovereignty_scores ALTER COLUMN evidence SET STATISTICS 0;

CREATE TABLE sync_receipts (
  client_id uuid NOT NULL,
  user_id uuid NOT NULL,
  public_key z32_key NOT NULL,
  packet_timestamp bigint NOT NULL,
  outcome text NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT sync_receipts_outcome_check CHECK ((outcome = ANY (ARRAY['stored'::text, 'stale'::text]))),
  CONSTRAINT sync_receipts_pkey PRIMARY KEY (user_id, client_id),
  CONSTRAINT sync_receipts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX sync_receipts_created ON public.sync_receipts USING btree (created_at);
ALTER TABLE sync_receipts ALTER COLUMN client_id SET STATISTICS 0;
ALTER TABLE sync_receipts ALTER COLUMN public_key SET STATISTICS 0;
ALTER TABLE sync_receipts ALTER COLUMN packet_timestamp SET STATISTICS 0;
ALTER TABLE sync_receipts ALTER COLUMN outcome SET STATISTICS 0;

CREATE TABLE upstream_forwards (
  public_key z32_key NOT NULL,
  target text NOT NULL,
  packet_timestamp bigint NOT NULL,
  state text NOT NULL DEFAULT 'pending'::text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamp with time zone NOT NULL DEFAULT now(),
  confirmed_at timestamp with time zone,
  last_error text,
  CONSTRAINT upstream_forwards_attempts_check CHECK ((attempts >= 0)),
  CONSTRAINT upstream_forwards_packet_timestamp_check CHECK ((packet_timestamp >= 0)),
  CONSTRAINT upstream_forwards_pkey PRIMARY KEY (public_key, target),
  CONSTRAINT upstream_forwards_public_key_fkey FOREIGN KEY (public_key) REFERENCES relay_packets(public_key) ON DELETE CASCADE,
  CONSTRAINT upstream_forwards_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'confirmed'::text, 'superseded'::text, 'rejected'::text]))),
  CONSTRAINT upstream_forwards_target_fkey FOREIGN KEY (target) REFERENCES upstream_targets(target) ON DELETE CASCADE
);
CREATE INDEX upstream_forwards_confirmed ON public.upstream_forwards USING btree (confirmed_at) WHERE (state = 'confirmed'::text);
CREATE INDEX upstream_forwards_due ON public.upstream_forwards USING btree (next_attempt_at) WHERE (state = 'pending'::text);

CREATE TABLE upstream_targets (
  target text NOT NULL,
  added_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT upstream_targets_pkey PRIMARY KEY (target),
  CONSTRAINT upstream_targets_target_check CHECK (((target = 'dht'::text) OR (target ~ '^https?://[^\s]+$'::text)))
);

CREATE TABLE users (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  display_name text NOT NULL,
  email text,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  pubky_url text,
  pubky_public_key z32_key,
  pubky_private_key_encrypted bytea,
  sessions_revoked_at timestamp with time zone,
  CONSTRAINT users_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
  CONSTRAINT users_email_check CHECK (((email IS NULL) OR (email ~ '^[^@\s]+@[^@\s]+$'::text))),
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_pubky_private_key_encrypted_check CHECK ((octet_length(pubky_private_key_encrypted) <= 4096)),
  CONSTRAINT users_pubky_public_key_key UNIQUE (pubky_public_key),
  CONSTRAINT users_pubky_url_check CHECK (((pubky_url IS NULL) OR (pubky_url ~ '^pubky://[ybndrfg8ejkmcpqxot1uwisza345h769]{52}(/.*)?$'::text)))
);
COMMENT ON COLUMN users.pubky_private_key_encrypted IS 'NULL, or a blob the user''s app encrypted before upload (e.g. a Pubky recovery file). The server never holds the key to open it.';

-- ============================================================================================
-- Sequences

CREATE SEQUENCE notification_event_seq AS bigint INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 1;

-- ============================================================================================
-- Views

CREATE VIEW domain_evidence AS
 SELECT d.id AS domain_record_id,
    jsonb_build_object('domainType', d.domain_type, 'hasSignedPacket', pr.pubky_domain_id IS NOT NULL, 'freshRelays', COALESCE(pub.fresh_relays, 0), 'freshOnDht', COALESCE(pub.fresh_dht, false), 'custody', COALESCE(k.custody, 'none'::text), 'guardianThreshold', COALESCE(gb.threshold, 0), 'guardianShares', COALESCE(gs.shares, 0), 'guardianAcknowledged', COALESCE(gs.acknowledged, 0), 'guardianReshareNeeded', gb.reshare_needed_since IS NOT NULL, 'homeserverSelfHosted', pd.homeserver_self_hosted, 'privateAddresses', COALESCE(priv.n, 0), 'recoveryExported', k.recovery_exported_at IS NOT NULL) AS evidence
   FROM domain_records d
     LEFT JOIN pubky_domains pd ON pd.domain_record_id = d.id
     LEFT JOIN pubky_keypairs k ON k.id = pd.keypair_id
     LEFT JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
     LEFT JOIN LATERAL ( SELECT count(*) FILTER (WHERE p.target <> 'dht'::text)::integer AS fresh_relays,
            bool_or(p.target = 'dht'::text) AS fresh_dht
           FROM pkarr_publications p
          WHERE p.pubky_domain_id = pd.id AND p.confirmed_timestamp >= pr.packet_timestamp AND p.confirmed_at > (now() - '24:00:00'::interval)) pub ON true
     LEFT JOIN guardian_backups gb ON gb.keypair_id = k.id AND gb.status = 'active'::text
     LEFT JOIN LATERAL ( SELECT count(*)::integer AS shares,
            count(s.acknowledged_at)::integer AS acknowledged
           FROM guardian_backup_shares s
          WHERE s.backup_id = gb.id) gs ON true
     LEFT JOIN LATERAL ( SELECT count(*)::integer AS n
           FROM jsonb_array_elements(pr.records) r(value)
          WHERE ((r.value ->> 'type'::text) = ANY (ARRAY['A'::text, 'AAAA'::text])) AND is_private_address(r.value ->> 'address'::text)) priv ON true;

-- ============================================================================================
-- Functions

CREATE OR REPLACE FUNCTION public.domain_key_shares_member_left()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM domain_key_shares
  WHERE family_id = OLD.family_id AND (recipient_id = OLD.user_id OR sender_id = OLD.user_id);
  DELETE FROM domain_key_holders h USING domain_records d
  WHERE h.domain_record_id = d.id AND d.family_id = OLD.family_id AND h.user_id = OLD.user_id;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.enqueue_for_new_target()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO upstream_forwards (public_key, target, packet_timestamp)
  SELECT r.public_key, t.target, r.packet_timestamp FROM relay_packets r CROSS JOIN added_targets t
  ON CONFLICT (public_key, target) DO NOTHING;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.enqueue_upstream_forwards()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO upstream_forwards (public_key, target, packet_timestamp)
  SELECT n.public_key, t.target, n.packet_timestamp FROM stored_packets n CROSS JOIN upstream_targets t
  ON CONFLICT (public_key, target) DO UPDATE
    SET packet_timestamp = excluded.packet_timestamp, state = 'pending', attempts = 0,
        next_attempt_at = now(), last_error = NULL
    WHERE upstream_forwards.packet_timestamp < excluded.packet_timestamp;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.family_members_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  r family_members := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  op text := CASE TG_OP WHEN 'INSERT' THEN 'member_added' WHEN 'DELETE' THEN 'member_removed'
                        ELSE 'member_role_changed' END;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.role = OLD.role THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO family_member_removals (family_id, user_id, role) VALUES (OLD.family_id, OLD.user_id, OLD.role)
    ON CONFLICT (family_id, user_id) DO UPDATE SET role = excluded.role, removed_at = now();
  ELSIF TG_OP = 'INSERT' THEN
    DELETE FROM family_member_removals WHERE family_id = NEW.family_id AND user_id = NEW.user_id;
  END IF;
  -- A family deleted with its members has no one left to tell.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM families WHERE id = OLD.family_id) THEN
    RETURN NULL;
  END IF;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('userId', r.user_id),
    'data', jsonb_build_object('op', op, 'userId', r.user_id, 'role', r.role,
                               'previousRole', CASE WHEN TG_OP = 'UPDATE' THEN OLD.role END))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_append(events jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
  sent bigint;
BEGIN
  IF jsonb_array_length(events) = 0 THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(7461736);
  WITH appended AS (
    INSERT INTO feed_events (family_id, kind, entity, data)
    SELECT (e ->> 'familyId')::uuid, e ->> 'kind', e -> 'entity', e -> 'data'
    FROM jsonb_array_elements(events) e
    WHERE e ->> 'familyId' IS NOT NULL
    RETURNING seq, family_id, kind, entity, data
  )
  SELECT count(pg_notify('feed_events', feed_payload(seq, family_id, kind, entity, data)))
  FROM (SELECT * FROM appended ORDER BY seq) a
  INTO sent;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_domain_key_shares()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  r domain_key_shares := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  -- A family or domain deleted with its shares has no one left to tell.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM domain_records WHERE id = OLD.domain_record_id) THEN
    RETURN NULL;
  END IF;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('keyShareId', r.id),
    'data', jsonb_build_object('op', CASE TG_OP WHEN 'DELETE' THEN 'key_share_closed' ELSE 'key_shared' END,
                               'keyShareId', r.id, 'domainRecordId', r.domain_record_id,
                               'senderId', r.sender_id, 'recipientId', r.recipient_id))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_domain_migrations()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r domain_migrations;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'domain_migration_event',
    'entity', jsonb_build_object('migrationId', r.id, 'domainRecordId', r.domain_record_id),
    'data', jsonb_build_object('op', lower(TG_OP), 'id', r.id, 'domainRecordId', r.domain_record_id,
                               'direction', r.direction, 'status', r.status, 'error', r.error, 'updatedAt', r.updated_at))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_guardian_freezes()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', NEW.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('guardianId', NEW.guardian_id),
    'data', jsonb_build_object('op', 'recovery_frozen', 'guardianId', NEW.guardian_id,
                               'frozenUntil', NEW.frozen_until))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_guardian_recoveries()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  op text := CASE WHEN TG_OP = 'INSERT' THEN 'recovery_requested' ELSE 'recovery_' || NEW.status END;
  data jsonb := jsonb_build_object('op', op, 'recoveryId', NEW.id, 'backupId', NEW.backup_id,
                                   'status', NEW.status, 'releaseAt', NEW.release_at,
                                   'approvedBy', NEW.approved_by, 'cancelledBy', NEW.cancelled_by);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status = OLD.status AND NEW.approved_by IS NOT DISTINCT FROM OLD.approved_by THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
    data := data || jsonb_build_object('op', 'recovery_approved');
  END IF;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', NEW.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('recoveryId', NEW.id), 'data', data))
    || coalesce((SELECT jsonb_agg(jsonb_build_object(
         'familyId', NEW.family_id, 'kind', 'guardian_event',
         'entity', jsonb_build_object('guardianUserId', g.user_id, 'guardianId', g.id, 'recoveryId', NEW.id),
         'data', data))
       FROM federation_guardians g WHERE g.family_id = NEW.family_id), '[]'::jsonb));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_guardian_shares()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r guardian_backup_shares;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM feed_append(coalesce((SELECT jsonb_agg(jsonb_build_object(
    'familyId', b.family_id, 'kind', 'guardian_event',
    'entity', jsonb_build_object('guardianUserId', g.user_id, 'guardianId', g.id, 'backupId', b.id),
    'data', jsonb_build_object('op', lower(TG_OP), 'backupId', b.id, 'threshold', b.threshold,
                               'acknowledged', r.acknowledged_at IS NOT NULL)))
    FROM guardian_backups b JOIN federation_guardians g ON g.id = r.guardian_id WHERE b.id = r.backup_id), '[]'));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_guardians()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r federation_guardians;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'guardian_event',
    'entity', jsonb_build_object('guardianUserId', r.user_id, 'guardianId', r.id),
    'data', jsonb_build_object('op', lower(TG_OP), 'guardianId', r.id, 'backupStatus', r.pubky_backup_status,
                               'backupUpdatedAt', r.pubky_backup_last_updated))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_payload(seq bigint, family_id uuid, kind text, entity jsonb, data jsonb)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
DECLARE
  full_event text := jsonb_build_object('seq', seq, 'familyId', family_id, 'kind', kind,
                                        'entity', entity, 'data', data)::text;
BEGIN
  IF octet_length(full_event) > 7900 THEN
    RETURN jsonb_build_object('seq', seq, 'familyId', family_id, 'kind', kind, 'entity', entity,
                              'compact', true)::text;
  END IF;
  RETURN full_event;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_pubky_domains()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM feed_append(coalesce((SELECT jsonb_agg(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'pubky_domain_event',
    'entity', jsonb_build_object('pubkyDomainId', r.id, 'domainRecordId', r.domain_record_id, 'publicKey', r.public_key),
    'data', jsonb_build_object('op', lower(TG_OP), 'id', r.id, 'publicKey', r.public_key, 'pubkyUrl', r.pubky_url,
                               'status', r.status, 'homeserverSelfHosted', r.homeserver_self_hosted)))
    FROM changed_rows r), '[]'));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.feed_scores()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  n integer;
  g record;
  first_seq bigint;
  entity jsonb;
  data jsonb;
BEGIN
  SELECT count(*) INTO n FROM new_rows;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7461736);
  FOR g IN
    SELECT d.family_id, array_agg(h.domain_record_id ORDER BY h.id) AS record_ids,
           array_agg(pd.id ORDER BY h.id) AS pubky_ids, array_agg(pd.public_key::text ORDER BY h.id) AS keys,
           array_agg(h.score ORDER BY h.id) AS scores, array_agg(h.computed_at ORDER BY h.id) AS computed
    FROM new_rows h
    JOIN domain_records d ON d.id = h.domain_record_id
    LEFT JOIN pubky_domains pd ON pd.domain_record_id = h.domain_record_id
    GROUP BY d.family_id
    ORDER BY min(h.id)
  LOOP
    n := cardinality(g.record_ids);
    IF n = 1 THEN
      -- The event in full, as before. The score, not its breakdown: apps read the reasons from
      -- GET /domains/:id/score when they show them.
      entity := jsonb_build_object('domainRecordId', g.record_ids[1], 'pubkyDomainId', g.pubky_ids[1],
                                   'publicKey', g.keys[1]);
      data := jsonb_build_object('domainRecordId', g.record_ids[1], 'score', g.scores[1],
                                 'computedAt', g.computed[1]);
      INSERT INTO feed_events (family_id, kind, entity, data)
      VALUES (g.family_id, 'sovereignty_score_event', entity, data)
      RETURNING seq INTO first_seq;
      PERFORM pg_notify('feed_events', feed_payload(first_seq, g.family_id, 'sovereignty_score_event', entity, data));
      CONTINUE;
    END IF;
    first_seq := nextval('feed_events_seq_seq'::regclass);
    PERFORM setval('feed_events_seq_seq'::regclass, first_seq + n - 1);
    INSERT INTO feed_events (seq, last_seq, family_id, kind, domain_record_ids, pubky_domain_ids,
                             public_keys, scores, computed_ats)
    OVERRIDING SYSTEM VALUE
    VALUES (first_seq, first_seq + n - 1, g.family_id, 'sovereignty_score_event', g.record_ids,
            g.pubky_ids, g.keys, g.scores, g.computed);
    PERFORM pg_notify('feed_events', jsonb_build_object(
      'seq', first_seq, 'lastSeq', first_seq + n - 1, 'familyId', g.family_id,
      'kind', 'sovereignty_score_event', 'compact', true)::text);
  END LOOP;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.guardian_share_removed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  events jsonb;
BEGIN
  WITH marked AS (
    UPDATE guardian_backups b SET reshare_needed_since = now()
    WHERE b.id IN (SELECT backup_id FROM removed_shares) AND b.status = 'active'
      AND b.reshare_needed_since IS NULL
    RETURNING b.id, b.family_id, b.threshold, b.share_count
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object(
    'familyId', m.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('backupId', m.id),
    'data', jsonb_build_object('op', 'backup_needs_reshare', 'backupId', m.id,
                               'threshold', m.threshold, 'shareCount', m.share_count))), '[]')
  FROM marked m INTO events;
  PERFORM feed_append(events);
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.is_private_address(address text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT CASE WHEN address ~ '^[0-9a-fA-F:.]+$' THEN
    address::inet <<= ANY (ARRAY['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8',
                                 '169.254.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10', '::1/128']::inet[])
  ELSE false END
$function$;

CREATE OR REPLACE FUNCTION public.notify_change(channel text, payload jsonb)
 RETURNS void
 LANGUAGE sql
AS $function$
  SELECT pg_notify(channel, (payload || jsonb_build_object('eventId', nextval('notification_event_seq')))::text)
$function$;

CREATE OR REPLACE FUNCTION public.notify_domain_migration()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r domain_migrations;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('domain_migration_changes', jsonb_build_object(
    'op', lower(TG_OP), 'id', r.id, 'familyId', r.family_id, 'domainRecordId', r.domain_record_id,
    'status', r.status, 'previousStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.notify_guardian()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r federation_guardians;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('guardian_changes', jsonb_build_object(
    'op', lower(TG_OP), 'guardianId', r.id, 'guardianUserId', r.user_id, 'familyId', r.family_id,
    'backupStatus', r.pubky_backup_status));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.notify_guardian_share()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r guardian_backup_shares;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('guardian_changes', jsonb_build_object(
    'op', lower(TG_OP), 'guardianId', r.guardian_id,
    'guardianUserId', (SELECT user_id FROM federation_guardians WHERE id = r.guardian_id),
    'familyId', (SELECT family_id FROM guardian_backups WHERE id = r.backup_id),
    'backupId', r.backup_id, 'acknowledged', r.acknowledged_at IS NOT NULL));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.notify_pubky_domain()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE r pubky_domains;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('pubky_domain_changes', jsonb_build_object(
    'op', lower(TG_OP), 'id', r.id, 'familyId', r.family_id, 'domainRecordId', r.domain_record_id,
    'publicKey', r.public_key, 'status', r.status));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.notify_session_revocation()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_notify('session_revocations', jsonb_build_object(
    'userId', NEW.id, 'at', (extract(epoch FROM NEW.sessions_revoked_at) * 1000)::bigint)::text);
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.notify_sovereignty_scores()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  g record;
BEGIN
  FOR g IN
    SELECT d.family_id, array_agg(h.domain_record_id ORDER BY h.id) AS ids,
           array_agg(h.score ORDER BY h.id) AS scores
    FROM new_rows h JOIN domain_records d ON d.id = h.domain_record_id
    GROUP BY d.family_id
  LOOP
    FOR i IN 1..cardinality(g.ids) BY 100 LOOP
      PERFORM pg_notify('sovereignty_score_changes', concat(
        '{"op":"insert","familyId":"', g.family_id,
        '","domainRecordIds":["', array_to_string(g.ids[i:i + 99], '","'),
        '"],"scores":[', array_to_string(g.scores[i:i + 99], ','),
        '],"eventId":', nextval('notification_event_seq'), '}'));
    END LOOP;
  END LOOP;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.packet_batch_identities(ids uuid[])
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
  SELECT jsonb_build_object(
    'domainRecordIds', jsonb_agg(coalesce(d.domain_record_id, t.domain_record_id) ORDER BY u.i),
    'publicKeys', jsonb_agg(coalesce(d.public_key::text, t.public_key) ORDER BY u.i))
  FROM unnest(ids) WITH ORDINALITY AS u(id, i)
  LEFT JOIN pubky_domains d ON d.id = u.id
  LEFT JOIN pubky_domain_tombstones t ON d.id IS NULL AND t.id = u.id
$function$;

CREATE OR REPLACE FUNCTION public.packet_supersedes(new_timestamp bigint, new_dns bytea, old_timestamp bigint, old_dns bytea)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT new_timestamp > old_timestamp OR (new_timestamp = old_timestamp AND new_dns > old_dns)
$function$;

CREATE OR REPLACE FUNCTION public.pkarr_record_changes_payload(op text, family_id uuid, ids uuid[], timestamps bigint[], event_id bigint)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  SELECT concat('{"op":"', op, '","familyId":', coalesce('"' || family_id || '"', 'null'),
                ',"pubkyDomainIds":["', array_to_string(ids, '","'),
                '"],"packetTimestamps":[', array_to_string(timestamps, ','),
                '],"eventId":', event_id, '}')
$function$;

CREATE OR REPLACE FUNCTION public.pkarr_records_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  n integer;
  op text := lower(TG_OP);
  one record;
  g record;
  first_seq bigint;
  record_id uuid;
  key text;
  entity jsonb;
  data jsonb;
  groups refcursor;
  merge_joins text;
  nested_loops text;
  sorts text;
BEGIN
  IF current_setting('pubky.raising_confirmation_ceiling', true) = 'on' THEN
    RETURN NULL;
  END IF;
  SELECT count(*) INTO n FROM changed_rows;
  -- Statement triggers fire for zero rows too (every upsert fires the INSERT ones).
  IF n = 0 THEN
    RETURN NULL;
  END IF;

  -- A stored packet takes its ceiling from the confirmations its domain already has.
  IF TG_OP = 'INSERT' THEN
    PERFORM set_config('pubky.raising_confirmation_ceiling', 'on', true);
    UPDATE pkarr_records r SET confirmed_timestamp_ceiling = p.ceiling
    FROM (SELECT pubky_domain_id, max(confirmed_timestamp) AS ceiling FROM pkarr_publications
          WHERE pubky_domain_id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))
          GROUP BY pubky_domain_id) p
    WHERE r.pubky_domain_id = p.pubky_domain_id;
    PERFORM set_config('pubky.raising_confirmation_ceiling', 'off', true);
  END IF;

  IF n = 1 THEN
    SELECT r.pubky_domain_id, r.family_id, r.packet_timestamp, r.records, r.stored_at,
           pd.domain_record_id, pd.public_key
    INTO one
    FROM changed_rows r LEFT JOIN pubky_domains pd ON pd.id = r.pubky_domain_id;
    -- 1. Re-score what the change moves. A packet stored or removed moves its domain's score
    -- (removed with its domain, there is nothing left to score). A new packet moves it only if it
    -- changes how many private addresses are published, or if a confirmation in the last 24
    -- hours confirmed the old packet but not the new one (or, for an older packet, the reverse);
    -- a newer packet needs no look at the confirmations when none reaches the old one.
    -- (old_rows exists only in UPDATE triggers: its query stays in a branch of its own.)
    IF one.domain_record_id IS NULL THEN
      NULL;
    ELSIF TG_OP <> 'UPDATE' THEN
      PERFORM rescore_domains(ARRAY[one.domain_record_id]);
    ELSIF EXISTS (
        SELECT 1
        FROM changed_rows c
        JOIN old_rows o USING (pubky_domain_id)
        WHERE (NOT record_image_eq(ROW(c.records), ROW(o.records))
               AND private_address_count(c.records) <> private_address_count(o.records))
           OR (c.packet_timestamp <> o.packet_timestamp
               AND coalesce(c.packet_timestamp < o.packet_timestamp
                            OR o.confirmed_timestamp_ceiling >= o.packet_timestamp, false)
               AND EXISTS (
                 SELECT 1 FROM pkarr_publications p
                 WHERE p.pubky_domain_id = c.pubky_domain_id
                   AND p.confirmed_at > now() - interval '24 hours'
                   AND p.confirmed_timestamp >= least(o.packet_timestamp, c.packet_timestamp)
                   AND p.confirmed_timestamp < greatest(o.packet_timestamp, c.packet_timestamp))))
    THEN
      PERFORM rescore_domains(ARRAY[one.domain_record_id]);
    END IF;

    -- 2. Publish: `pkarr_record_changes`, and for a stored packet the event in full.
    IF TG_OP = 'DELETE' THEN
      PERFORM pg_notify('pkarr_record_changes', pkarr_record_changes_payload(op, one.family_id,
        ARRAY[one.pubky_domain_id], ARRAY[one.packet_timestamp], nextval('notification_event_seq')));
      RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7461736);
    entity := jsonb_build_object('pubkyDomainId', one.pubky_domain_id,
                                 'domainRecordId', one.domain_record_id, 'publicKey', one.public_key);
    data := jsonb_build_object('op', op, 'pubkyDomainId', one.pubky_domain_id,
                               'packetTimestamp', one.packet_timestamp, 'records', one.records,
                               'storedAt', one.stored_at);
    INSERT INTO feed_events (family_id, kind, entity, data)
    VALUES (one.family_id, 'pkarr_record_event', entity, data)
    RETURNING seq INTO first_seq;
    PERFORM pg_notify('pkarr_record_changes', pkarr_record_changes_payload(op, one.family_id,
              ARRAY[one.pubky_domain_id], ARRAY[one.packet_timestamp], nextval('notification_event_seq'))),
            pg_notify('feed_events', feed_payload(first_seq, one.family_id, 'pkarr_record_event', entity, data));
    RETURN NULL;
  END IF;

  -- Many rows: one query groups them per family (hashed, in no particular order: ordering sorted
  -- every row) and, for an update, picks the domains whose score the new packet moves (the same
  -- rules); no domain is looked up. Each group is re-scored, then published.
  --
  -- Planned for hashing only. The planner takes each transition table for the row count of the
  -- statement that first runs it in a session and might choose to sort for a merge join and for
  -- grouping; the plan is kept for the session. Joins and grouping by hash suit any number of
  -- rows. Planning happens at OPEN.
  merge_joins := current_setting('enable_mergejoin');
  nested_loops := current_setting('enable_nestloop');
  sorts := current_setting('enable_sort');
  PERFORM set_config('enable_mergejoin', 'off', true), set_config('enable_nestloop', 'off', true),
          set_config('enable_sort', 'off', true);
  IF TG_OP = 'UPDATE' THEN
    OPEN groups FOR
      SELECT c.family_id, array_agg(c.pubky_domain_id) AS ids, array_agg(c.packet_timestamp) AS timestamps,
        array_agg(c.records) AS records, array_agg(c.stored_at) AS stored,
        array_agg(c.pubky_domain_id) FILTER (WHERE
          (NOT record_image_eq(ROW(c.records), ROW(o.records))
           AND private_address_count(c.records) <> private_address_count(o.records))
          OR (c.packet_timestamp <> o.packet_timestamp
              AND coalesce(c.packet_timestamp < o.packet_timestamp
                           OR o.confirmed_timestamp_ceiling >= o.packet_timestamp, false)
              AND EXISTS (
                SELECT 1 FROM pkarr_publications q
                WHERE q.pubky_domain_id = c.pubky_domain_id
                  AND q.confirmed_at > now() - interval '24 hours'
                  AND q.confirmed_timestamp >= least(o.packet_timestamp, c.packet_timestamp)
                  AND q.confirmed_timestamp < greatest(o.packet_timestamp, c.packet_timestamp)))
        ) AS rescore
      FROM changed_rows c
      JOIN old_rows o USING (pubky_domain_id)
      GROUP BY c.family_id;
  ELSE
    OPEN groups FOR
      SELECT c.family_id, array_agg(c.pubky_domain_id) AS ids, array_agg(c.packet_timestamp) AS timestamps,
        array_agg(c.records) AS records, array_agg(c.stored_at) AS stored,
        array_agg(c.pubky_domain_id) AS rescore
      FROM changed_rows c
      GROUP BY c.family_id;
  END IF;
  PERFORM set_config('enable_mergejoin', merge_joins, true), set_config('enable_nestloop', nested_loops, true),
          set_config('enable_sort', sorts, true);
  LOOP
    FETCH groups INTO g;
    EXIT WHEN NOT FOUND;
    IF cardinality(g.rescore) > 0 THEN
      -- A domain deleted with its packet (a cascade) is not found: nothing is left to score.
      PERFORM rescore_domains(ARRAY(SELECT domain_record_id FROM pubky_domains WHERE id = ANY (g.rescore)));
    END IF;
    IF TG_OP <> 'DELETE' THEN
      -- Taken again per group: a no-op once held (re-scoring a later group under it is rare).
      PERFORM pg_advisory_xact_lock(7461736);
    END IF;
    n := cardinality(g.ids);
    FOR i IN 1..n BY 100 LOOP
      PERFORM pg_notify('pkarr_record_changes', pkarr_record_changes_payload(op, g.family_id,
                g.ids[i:i + 99], g.timestamps[i:i + 99], nextval('notification_event_seq')));
    END LOOP;
    CONTINUE WHEN TG_OP = 'DELETE';
    -- A family's group of one is stored as one event, like a one-row statement's.
    IF n = 1 THEN
      SELECT pd.domain_record_id, pd.public_key INTO record_id, key
      FROM pubky_domains pd WHERE pd.id = g.ids[1];
      entity := jsonb_build_object('pubkyDomainId', g.ids[1], 'domainRecordId', record_id,
                                   'publicKey', key);
      data := jsonb_build_object('op', op, 'pubkyDomainId', g.ids[1],
                                 'packetTimestamp', g.timestamps[1], 'records', g.records[1],
                                 'storedAt', g.stored[1]);
      INSERT INTO feed_events (family_id, kind, entity, data)
      VALUES (g.family_id, 'pkarr_record_event', entity, data)
      RETURNING seq INTO first_seq;
      PERFORM pg_notify('feed_events', feed_payload(first_seq, g.family_id, 'pkarr_record_event', entity, data));
      CONTINUE;
    END IF;
    -- The group's events in one row owning seqs first_seq..first_seq + n - 1; the
    -- domains' record ids and keys are read with the row (packet_batch_identities).
    first_seq := nextval('feed_events_seq_seq'::regclass);
    PERFORM setval('feed_events_seq_seq'::regclass, first_seq + n - 1);
    INSERT INTO feed_events (seq, last_seq, family_id, kind, packet_op, pubky_domain_ids,
                             packet_timestamps, packet_records, stored_ats)
    OVERRIDING SYSTEM VALUE
    VALUES (first_seq, first_seq + n - 1, g.family_id, 'pkarr_record_event', op, g.ids,
            g.timestamps, g.records, g.stored);
    PERFORM pg_notify('feed_events', jsonb_build_object(
      'seq', first_seq, 'lastSeq', first_seq + n - 1, 'familyId', g.family_id,
      'kind', 'pkarr_record_event', 'compact', true)::text);
  END LOOP;
  CLOSE groups;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.private_address_count(records jsonb)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT count(*)::int
  FROM jsonb_array_elements(records) r
  WHERE r ->> 'type' IN ('A', 'AAAA') AND is_private_address(r ->> 'address')
$function$;

CREATE OR REPLACE FUNCTION public.raise_confirmation_ceiling()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM set_config('pubky.raising_confirmation_ceiling', 'on', true);
  UPDATE pkarr_records r SET confirmed_timestamp_ceiling = c.ceiling
  FROM (SELECT pubky_domain_id, max(confirmed_timestamp) AS ceiling
        FROM changed_rows GROUP BY pubky_domain_id) c
  WHERE r.pubky_domain_id = c.pubky_domain_id
    AND (r.confirmed_timestamp_ceiling IS NULL OR r.confirmed_timestamp_ceiling < c.ceiling);
  PERFORM set_config('pubky.raising_confirmation_ceiling', 'off', true);
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.refuse_packet_domain_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION 'a stored packet belongs to its domain: pkarr_records.pubky_domain_id cannot be updated'
    USING ERRCODE = 'check_violation';
END $function$;

CREATE OR REPLACE FUNCTION public.refuse_pubky_domain_identity_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF (NEW.family_id, NEW.domain_record_id, NEW.public_key)
     IS DISTINCT FROM (OLD.family_id, OLD.domain_record_id, OLD.public_key) THEN
    RAISE EXCEPTION 'a Pubky domain''s family, record and public key cannot change; delete it and create another'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $function$;

CREATE OR REPLACE FUNCTION public.relay_put(key z32_key, new_payload bytea, new_timestamp bigint, new_min_ttl integer, if_match bigint)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  stored relay_packets%ROWTYPE;
  stored_dns bytea;
  new_dns bytea := substring(new_payload FROM 73);
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(key, 7261)) THEN
    RETURN 428;
  END IF;
  SELECT * INTO stored FROM relay_packets WHERE public_key = key;
  IF if_match IS NOT NULL AND (NOT FOUND OR stored.packet_timestamp <> if_match) THEN
    RETURN 412;
  END IF;
  IF FOUND THEN
    stored_dns := substring(stored.payload FROM 73);
    IF packet_supersedes(stored.packet_timestamp, stored_dns, new_timestamp, new_dns) THEN
      RETURN 409;
    END IF;
    IF stored.packet_timestamp = new_timestamp AND stored_dns = new_dns THEN
      RETURN 204;
    END IF;
  END IF;
  INSERT INTO relay_packets (public_key, payload, packet_timestamp, min_ttl)
  VALUES (key, new_payload, new_timestamp, new_min_ttl)
  ON CONFLICT (public_key) DO UPDATE SET payload = excluded.payload,
    packet_timestamp = excluded.packet_timestamp, min_ttl = excluded.min_ttl, stored_at = now();
  RETURN 204;
END $function$;

CREATE OR REPLACE FUNCTION public.remember_deleted_pubky_domains()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO pubky_domain_tombstones (id, domain_record_id, public_key)
  SELECT id, domain_record_id, public_key FROM deleted_rows;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_domains(ids uuid[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  changed integer;
BEGIN
  -- Statement triggers fire for zero rows too; stopping here ends the chain that caching the
  -- score on domain_records would otherwise start again.
  IF cardinality(ids) = 0 THEN
    RETURN 0;
  END IF;
  WITH gathered AS MATERIALIZED (
    SELECT e.domain_record_id, e.evidence, current.breakdown AS current_breakdown
    FROM domain_evidence e
    LEFT JOIN sovereignty_scores current ON current.domain_record_id = e.domain_record_id
    WHERE e.domain_record_id = ANY (ids)
      AND current.evidence IS DISTINCT FROM e.evidence
  ),
  -- The breakdown is a pure function of the evidence: score each distinct evidence set once
  -- (a bulk change leaves most domains with identical evidence).
  -- MATERIALIZED: inlined, the planner would call the function once per domain again.
  scored AS MATERIALIZED (
    SELECT evidence, sovereignty_breakdown(evidence) AS breakdown
    FROM (SELECT DISTINCT evidence FROM gathered) d
  ),
  computed AS (
    SELECT g.domain_record_id, g.evidence, s.breakdown,
           g.current_breakdown IS DISTINCT FROM s.breakdown AS moved
    FROM gathered g JOIN scored s USING (evidence)
  ),
  -- A breakdown that moved is written and makes history (and so a notification and a feed
  -- event); new evidence with the same breakdown is only stored, so it is not gathered again.
  upserted AS (
    INSERT INTO sovereignty_scores AS s (domain_record_id, score, breakdown, evidence, computed_at)
    SELECT domain_record_id, (breakdown ->> 'total')::int, breakdown, evidence, now()
    FROM computed WHERE moved
    ON CONFLICT (domain_record_id) DO UPDATE
      SET score = excluded.score, breakdown = excluded.breakdown, evidence = excluded.evidence,
          computed_at = excluded.computed_at
    RETURNING s.domain_record_id, s.score, s.breakdown, s.computed_at
  ),
  refreshed AS (
    UPDATE sovereignty_scores s SET evidence = c.evidence, computed_at = now()
    FROM computed c WHERE NOT c.moved AND s.domain_record_id = c.domain_record_id
  ),
  history AS (
    INSERT INTO sovereignty_score_history (domain_record_id, score, breakdown, computed_at)
    SELECT domain_record_id, score, breakdown, computed_at FROM upserted
  )
  UPDATE domain_records d SET sovereignty_score = u.score
  FROM upserted u WHERE d.id = u.domain_record_id AND d.sovereignty_score <> u.score;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_backups()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.keypair_id = ANY (ARRAY(SELECT keypair_id FROM changed_rows))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_changed_domain_type()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY[NEW.id]);
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_domain_rows()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_keypairs()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.keypair_id = ANY (ARRAY(SELECT id FROM changed_rows))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_pubky_domain_rows()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_pubky_domains()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY(SELECT domain_record_id FROM changed_rows));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_from_shares()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.keypair_id = ANY (ARRAY(
      SELECT gb.keypair_id FROM guardian_backups gb
      WHERE gb.id = ANY (ARRAY(SELECT backup_id FROM changed_rows))))));
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.rescore_stale()
 RETURNS integer
 LANGUAGE sql
AS $function$
  SELECT rescore_domains(coalesce(array_agg(s.domain_record_id), '{}'))
  FROM sovereignty_scores s
  WHERE ((s.evidence ->> 'freshRelays')::int > 0 OR (s.evidence ->> 'freshOnDht')::boolean)
    AND s.computed_at < now() - interval '1 minute'
$function$;

CREATE OR REPLACE FUNCTION public.score_factor(factor_key text, points integer, reasons jsonb)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT jsonb_build_object(
    'key', factor_key,
    'points', greatest(0, least(20, points)),
    'max', 20,
    'reasons', jsonb_path_query_array(reasons, '$[*] ? (@.points != 0)'))
$function$;

CREATE OR REPLACE FUNCTION public.sovereignty_breakdown(e jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
AS $function$
DECLARE
  factors jsonb;
  custody text := e ->> 'custody';
  threshold int := (e ->> 'guardianThreshold')::int;
  shares int := (e ->> 'guardianShares')::int;
  acked int := (e ->> 'guardianAcknowledged')::int;
  fresh_relays int := (e ->> 'freshRelays')::int;
  on_dht boolean := (e ->> 'freshOnDht')::boolean;
  has_packet boolean := (e ->> 'hasSignedPacket')::boolean;
  self_hosted boolean := (e ->> 'homeserverSelfHosted')::boolean;
  private_addresses int := (e ->> 'privateAddresses')::int;
  exported boolean := (e ->> 'recoveryExported')::boolean;
  backup text;
  owns_key boolean;
  targets int;
  p int[];
  total int;
BEGIN
  IF e ->> 'domainType' = 'traditional' THEN
    RETURN jsonb_build_object('total', 20, 'factors', jsonb_build_array(
      jsonb_build_object('key', 'provider_independence', 'points', 5, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_controlled', 'points', 5))),
      jsonb_build_object('key', 'key_ownership', 'points', 0, 'max', 20, 'reasons', '[]'::jsonb),
      jsonb_build_object('key', 'censorship_resistance', 'points', 4, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'single_resolution_path', 'points', 4))),
      jsonb_build_object('key', 'privacy', 'points', 5, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_and_resolver_see_queries', 'points', 5))),
      jsonb_build_object('key', 'portability', 'points', 6, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_transfer', 'points', 6)))));
  END IF;
  backup := CASE
    WHEN shares = 0 THEN 'none'
    WHEN (e ->> 'guardianReshareNeeded')::boolean IS TRUE THEN 'needs_reshare'
    WHEN threshold >= 2 AND acked >= threshold THEN 'complete'
    ELSE 'partial' END;
  owns_key := custody IN ('os-keychain', 'guardian-recovered');
  targets := fresh_relays + CASE WHEN on_dht THEN 1 ELSE 0 END;
  -- The reasons' points, factor by factor (three each), in the order the TS rules list them.
  p := ARRAY[
    CASE WHEN has_packet THEN 8 ELSE 0 END,
    CASE WHEN targets >= 2 THEN 6 WHEN targets = 1 THEN 3 ELSE 0 END,
    CASE WHEN self_hosted IS TRUE THEN 6 WHEN self_hosted IS NULL THEN 3 ELSE 0 END,
    CASE WHEN owns_key THEN 12 ELSE 0 END,
    CASE backup WHEN 'complete' THEN 8 WHEN 'none' THEN 0 ELSE 4 END,
    0,
    CASE WHEN has_packet THEN 4 ELSE 0 END,
    CASE WHEN fresh_relays >= 2 THEN 8 WHEN fresh_relays = 1 THEN 4 ELSE 0 END,
    CASE WHEN on_dht THEN 8 ELSE 0 END,
    20,
    CASE WHEN private_addresses > 0 THEN -10 ELSE 0 END,
    CASE WHEN self_hosted IS FALSE THEN -5 ELSE 0 END,
    CASE backup WHEN 'complete' THEN 12 WHEN 'none' THEN 0 ELSE 6 END,
    CASE WHEN exported THEN 8 ELSE 0 END,
    CASE WHEN self_hosted IS TRUE THEN 8 ELSE 0 END];
  factors := jsonb_build_array(
    score_factor('provider_independence', p[1] + p[2] + p[3], jsonb_build_array(
      jsonb_build_object('code', 'signed_packet_stored', 'points', p[1]),
      jsonb_build_object('code', 'independent_publishers', 'points', p[2]),
      jsonb_build_object('code', CASE WHEN self_hosted IS TRUE THEN 'homeserver_self_hosted' ELSE 'homeserver_third_party' END, 'points', p[3]))),
    score_factor('key_ownership', p[4] + p[5], jsonb_build_array(
      jsonb_build_object('code', 'custody_' || replace(custody, '-', '_'), 'points', p[4]),
      jsonb_build_object('code', 'guardian_backup_' || backup, 'points', p[5]))),
    score_factor('censorship_resistance', p[7] + p[8] + p[9], jsonb_build_array(
      jsonb_build_object('code', 'signed_packet_stored', 'points', p[7]),
      jsonb_build_object('code', 'fresh_on_relays', 'points', p[8]),
      jsonb_build_object('code', 'fresh_on_dht', 'points', p[9]))),
    score_factor('privacy', p[10] + p[11] + p[12], jsonb_build_array(
      jsonb_build_object('code', 'no_registrar_or_resolver', 'points', p[10]),
      jsonb_build_object('code', 'private_addresses_published', 'points', p[11]),
      jsonb_build_object('code', 'homeserver_third_party', 'points', p[12]))),
    score_factor('portability', p[13] + p[14] + p[15], jsonb_build_array(
      jsonb_build_object('code', 'guardian_backup_' || backup, 'points', p[13]),
      jsonb_build_object('code', 'recovery_file_exported', 'points', p[14]),
      jsonb_build_object('code', 'homeserver_self_hosted', 'points', p[15]))));
  total := least(20, greatest(0, p[1] + p[2] + p[3])) + least(20, greatest(0, p[4] + p[5]))
         + least(20, greatest(0, p[7] + p[8] + p[9])) + least(20, greatest(0, p[10] + p[11] + p[12]))
         + least(20, greatest(0, p[13] + p[14] + p[15]));
  RETURN jsonb_build_object('total', total, 'factors', factors);
END $function$;

-- ============================================================================================
-- Triggers

CREATE TRIGGER domain_key_shares_feed AFTER INSERT OR DELETE OR UPDATE ON domain_key_shares FOR EACH ROW EXECUTE FUNCTION feed_domain_key_shares();
CREATE TRIGGER domain_migrations_feed AFTER INSERT OR DELETE OR UPDATE ON domain_migrations FOR EACH ROW EXECUTE FUNCTION feed_domain_migrations();
CREATE TRIGGER domain_migrations_notify AFTER INSERT OR DELETE OR UPDATE ON domain_migrations FOR EACH ROW EXECUTE FUNCTION notify_domain_migration();
CREATE TRIGGER domain_records_rescore_insert AFTER INSERT ON domain_records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_domain_rows();
CREATE TRIGGER domain_records_rescore_update AFTER UPDATE OF domain_type ON domain_records FOR EACH ROW WHEN (old.domain_type IS DISTINCT FROM new.domain_type) EXECUTE FUNCTION rescore_from_changed_domain_type();
CREATE TRIGGER family_members_changed AFTER INSERT OR DELETE OR UPDATE ON family_members FOR EACH ROW EXECUTE FUNCTION family_members_changed();
CREATE TRIGGER family_members_left_key_shares AFTER DELETE ON family_members FOR EACH ROW EXECUTE FUNCTION domain_key_shares_member_left();
CREATE TRIGGER federation_guardians_feed AFTER INSERT OR DELETE OR UPDATE ON federation_guardians FOR EACH ROW EXECUTE FUNCTION feed_guardians();
CREATE TRIGGER federation_guardians_notify AFTER INSERT OR DELETE OR UPDATE ON federation_guardians FOR EACH ROW EXECUTE FUNCTION notify_guardian();
CREATE TRIGGER guardian_backup_shares_feed AFTER INSERT OR DELETE OR UPDATE ON guardian_backup_shares FOR EACH ROW EXECUTE FUNCTION feed_guardian_shares();
CREATE TRIGGER guardian_backup_shares_notify AFTER INSERT OR DELETE OR UPDATE ON guardian_backup_shares FOR EACH ROW EXECUTE FUNCTION notify_guardian_share();
CREATE TRIGGER guardian_backup_shares_removed AFTER DELETE ON guardian_backup_shares REFERENCING OLD TABLE AS removed_shares FOR EACH STATEMENT EXECUTE FUNCTION guardian_share_removed();
CREATE TRIGGER guardian_backup_shares_rescore_delete AFTER DELETE ON guardian_backup_shares REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_shares();
CREATE TRIGGER guardian_backup_shares_rescore_insert AFTER INSERT ON guardian_backup_shares REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_shares();
CREATE TRIGGER guardian_backup_shares_rescore_update AFTER UPDATE ON guardian_backup_shares REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_shares();
CREATE TRIGGER guardian_backups_rescore_delete AFTER DELETE ON guardian_backups REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_backups();
CREATE TRIGGER guardian_backups_rescore_insert AFTER INSERT ON guardian_backups REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_backups();
CREATE TRIGGER guardian_backups_rescore_update AFTER UPDATE ON guardian_backups REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_backups();
CREATE TRIGGER guardian_freezes_feed AFTER INSERT OR UPDATE ON guardian_freezes FOR EACH ROW EXECUTE FUNCTION feed_guardian_freezes();
CREATE TRIGGER guardian_recoveries_feed AFTER INSERT OR UPDATE ON guardian_recoveries FOR EACH ROW EXECUTE FUNCTION feed_guardian_recoveries();
CREATE TRIGGER pkarr_publications_ceiling_insert AFTER INSERT ON pkarr_publications REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_confirmation_ceiling();
CREATE TRIGGER pkarr_publications_ceiling_update AFTER UPDATE ON pkarr_publications REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_confirmation_ceiling();
CREATE TRIGGER pkarr_publications_rescore_delete AFTER DELETE ON pkarr_publications REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_publications_rescore_insert AFTER INSERT ON pkarr_publications REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_publications_rescore_update AFTER UPDATE ON pkarr_publications REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_records_changed_delete AFTER DELETE ON pkarr_records REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pkarr_records_changed();
CREATE TRIGGER pkarr_records_changed_insert AFTER INSERT ON pkarr_records REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pkarr_records_changed();
CREATE TRIGGER pkarr_records_changed_update AFTER UPDATE ON pkarr_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pkarr_records_changed();
CREATE TRIGGER pkarr_records_domain_is_fixed BEFORE UPDATE OF pubky_domain_id ON pkarr_records FOR EACH STATEMENT EXECUTE FUNCTION refuse_packet_domain_change();
CREATE TRIGGER pubky_domains_feed_delete AFTER DELETE ON pubky_domains REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pubky_domains();
CREATE TRIGGER pubky_domains_feed_insert AFTER INSERT ON pubky_domains REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pubky_domains();
CREATE TRIGGER pubky_domains_feed_update AFTER UPDATE ON pubky_domains REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pubky_domains();
CREATE TRIGGER pubky_domains_identity_is_fixed BEFORE UPDATE OF family_id, domain_record_id, public_key ON pubky_domains FOR EACH ROW EXECUTE FUNCTION refuse_pubky_domain_identity_change();
CREATE TRIGGER pubky_domains_notify AFTER INSERT OR DELETE OR UPDATE ON pubky_domains FOR EACH ROW EXECUTE FUNCTION notify_pubky_domain();
CREATE TRIGGER pubky_domains_rescore_delete AFTER DELETE ON pubky_domains REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domains();
CREATE TRIGGER pubky_domains_rescore_insert AFTER INSERT ON pubky_domains REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domains();
CREATE TRIGGER pubky_domains_rescore_update AFTER UPDATE ON pubky_domains REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domains();
CREATE TRIGGER pubky_domains_tombstones AFTER DELETE ON pubky_domains REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION remember_deleted_pubky_domains();
CREATE TRIGGER pubky_keypairs_rescore_update AFTER UPDATE ON pubky_keypairs REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_keypairs();
CREATE TRIGGER relay_packets_forward_insert AFTER INSERT ON relay_packets REFERENCING NEW TABLE AS stored_packets FOR EACH STATEMENT EXECUTE FUNCTION enqueue_upstream_forwards();
CREATE TRIGGER relay_packets_forward_update AFTER UPDATE ON relay_packets REFERENCING NEW TABLE AS stored_packets FOR EACH STATEMENT EXECUTE FUNCTION enqueue_upstream_forwards();
CREATE TRIGGER sovereignty_score_history_feed AFTER INSERT ON sovereignty_score_history REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_scores();
CREATE TRIGGER sovereignty_score_history_notify AFTER INSERT ON sovereignty_score_history REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_sovereignty_scores();
CREATE TRIGGER upstream_targets_backfill AFTER INSERT ON upstream_targets REFERENCING NEW TABLE AS added_targets FOR EACH STATEMENT EXECUTE FUNCTION enqueue_for_new_target();
CREATE TRIGGER users_session_revocation AFTER UPDATE OF sessions_revoked_at ON users FOR EACH ROW WHEN (new.sessions_revoked_at IS DISTINCT FROM old.sessions_revoked_at) EXECUTE FUNCTION notify_session_revocation();

-- ============================================================================================
-- Grants to the server role (pubky_app)

GRANT DELETE, INSERT, SELECT, UPDATE ON auth_challenges TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON auth_refresh_tokens TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON auth_token_uses TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON domain_evidence TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON domain_key_holders TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON domain_key_shares TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON domain_migrations TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON domain_records TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON families TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON family_invitations TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON family_member_removals TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON family_members TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON federation_guardians TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON feed_events TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON guardian_backup_shares TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON guardian_backups TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON guardian_freezes TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON guardian_recoveries TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON guardian_recovery_shares TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON pkarr_publications TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON pkarr_records TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON pubky_domain_tombstones TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON pubky_domains TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON pubky_keypairs TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON relay_packets TO pubky_app;
GRANT SELECT ON schema_migrations TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON server_instances TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON sovereignty_score_history TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON sovereignty_scores TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON sync_receipts TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON upstream_forwards TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON upstream_targets TO pubky_app;
GRANT DELETE, INSERT, SELECT, UPDATE ON users TO pubky_app;
GRANT SELECT, USAGE ON SEQUENCE feed_events_seq_seq TO pubky_app;
GRANT SELECT, USAGE ON SEQUENCE notification_event_seq TO pubky_app;
GRANT SELECT, USAGE ON SEQUENCE server_instances_id_seq TO pubky_app;
GRANT SELECT, USAGE ON SEQUENCE sovereignty_score_history_id_seq TO pubky_app;
GRANT USAGE ON SCHEMA public TO pubky_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, USAGE ON SEQUENCES TO pubky_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT DELETE, INSERT, SELECT, UPDATE ON TABLES TO pubky_app;

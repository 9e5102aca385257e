// drizzle-orm view of the Postgres schema (migrations/ is the source of truth: triggers, views
// and functions live there), for typed queries in the services.
import {
  bigint,
  boolean,
  customType,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  displayName: text('display_name').notNull(),
  email: text('email'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  pubkyUrl: text('pubky_url'),
  pubkyPublicKey: text('pubky_public_key'),
  pubkyPrivateKeyEncrypted: bytea('pubky_private_key_encrypted'),
});

export const families = pgTable('families', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  pubkyUrl: text('pubky_url'),
  pubkyPublicKey: text('pubky_public_key'),
  pubkyHomeserverUrl: text('pubky_homeserver_url'),
  pubkyRelayUrl: text('pubky_relay_url'),
  pubkyEnabled: boolean('pubky_enabled').notNull().default(false),
});

export const familyMembers = pgTable(
  'family_members',
  {
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id').notNull(),
    role: text('role', { enum: ['owner', 'member', 'guardian'] }).notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.familyId, t.userId] })],
);

export const domainRecords = pgTable('domain_records', {
  id: uuid('id').primaryKey().defaultRandom(),
  familyId: uuid('family_id').notNull(),
  name: text('name').notNull(),
  domainType: text('domain_type', { enum: ['traditional', 'pubky'] }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  sovereigntyScore: integer('sovereignty_score').notNull().default(0),
  pubkyEnabled: boolean('pubky_enabled').notNull().default(false),
  pubkyHomeserverUrl: text('pubky_homeserver_url'),
  pubkyRelayUrl: text('pubky_relay_url'),
});

export const pubkyKeypairs = pgTable('pubky_keypairs', {
  id: uuid('id').primaryKey().defaultRandom(),
  familyId: uuid('family_id').notNull(),
  publicKey: text('public_key').notNull(),
  label: text('label').notNull().default(''),
  custody: text('custody', { enum: ['os-keychain', 'guardian-recovered', 'unknown'] })
    .notNull()
    .default('unknown'),
  privateKeyEncrypted: bytea('private_key_encrypted'),
  recoveryExportedAt: timestamp('recovery_exported_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const pubkyDomains = pgTable('pubky_domains', {
  id: uuid('id').primaryKey().defaultRandom(),
  domainRecordId: uuid('domain_record_id').notNull(),
  familyId: uuid('family_id').notNull(),
  keypairId: uuid('keypair_id').notNull(),
  publicKey: text('public_key').notNull(),
  pubkyUrl: text('pubky_url').generatedAlwaysAs((): never => {
    throw new Error('computed by Postgres');
  }),
  homeserverPublicKey: text('homeserver_public_key'),
  homeserverSelfHosted: boolean('homeserver_self_hosted'),
  status: text('status', { enum: ['active', 'suspended', 'retired'] })
    .notNull()
    .default('active'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const migrationStatuses = [
  'pending',
  'in_progress',
  'verifying',
  'completed',
  'failed',
  'cancelled',
  'rolled_back',
] as const;
export type MigrationStatus = (typeof migrationStatuses)[number];

export const domainMigrations = pgTable('domain_migrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  domainRecordId: uuid('domain_record_id').notNull(),
  familyId: uuid('family_id').notNull(),
  direction: text('direction', { enum: ['dns_to_pubky', 'pubky_to_dns'] }).notNull(),
  status: text('status', { enum: migrationStatuses }).notNull().default('pending'),
  error: text('error'),
  plan: jsonb('plan').notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const sovereigntyScores = pgTable('sovereignty_scores', {
  domainRecordId: uuid('domain_record_id').primaryKey(),
  score: integer('score').notNull(),
  breakdown: jsonb('breakdown').notNull(),
  evidence: jsonb('evidence').notNull(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
});

export const sovereigntyScoreHistory = pgTable('sovereignty_score_history', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  domainRecordId: uuid('domain_record_id').notNull(),
  score: integer('score').notNull(),
  breakdown: jsonb('breakdown').notNull(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
});

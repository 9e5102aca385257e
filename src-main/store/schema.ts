// drizzle-orm view of the local schema (migrations.ts is the source of truth), for typed queries.
import { blob, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const keys = sqliteTable('keys', {
  publicKey: text('public_key').primaryKey(),
  label: text('label').notNull(),
  custody: text('custody', { enum: ['os-keychain'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  backedUpAt: integer('backed_up_at'),
  backupMethod: text('backup_method', { enum: ['phrase', 'recovery-file', 'imported'] }),
});

export const domains = sqliteTable('domains', {
  publicKey: text('public_key').primaryKey(),
  label: text('label').notNull(),
  createdAt: integer('created_at').notNull(),
  draftsChangedAt: integer('drafts_changed_at'),
});

export const recordDrafts = sqliteTable('record_drafts', {
  domain: text('domain').notNull(),
  position: integer('position').notNull(),
  record: text('record').notNull(),
});

export const signedPackets = sqliteTable('signed_packets', {
  domain: text('domain').primaryKey(),
  timestamp: integer('timestamp').notNull(),
  payload: blob('payload', { mode: 'buffer' }).notNull(),
  storedAt: integer('stored_at').notNull(),
});

export const outbox = sqliteTable('outbox', {
  id: integer('id').primaryKey(),
  domain: text('domain').notNull(),
  timestamp: integer('timestamp').notNull(),
  target: text('target').notNull(),
  state: text('state', { enum: ['pending', 'in_flight', 'done', 'superseded'] }).notNull(),
  attempts: integer('attempts').notNull(),
  nextAttemptAt: integer('next_attempt_at').notNull(),
  lastError: text('last_error'),
  updatedAt: integer('updated_at').notNull(),
});

export const publishHistory = sqliteTable('publish_history', {
  id: integer('id').primaryKey(),
  domain: text('domain').notNull(),
  timestamp: integer('timestamp').notNull(),
  target: text('target').notNull(),
  outcome: text('outcome').notNull(),
  httpStatus: integer('http_status'),
  detail: text('detail'),
  at: integer('at').notNull(),
});

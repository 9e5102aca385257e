// The live feed's WebSocket protocol (the seed's, extended): what clients send, what the server
// answers. Shared by the server, the app's client and tests.
import { z } from 'zod';

const id = z.string().uuid();

export const subscriptionSchema = z.union([
  z.object({ pubkyDomainId: id }).strict(),
  z.object({ sovereigntyScoreDomainId: id }).strict(),
  z.object({ pubkyUrl: z.string().max(200) }).strict(),
  z.object({ domainMigrationId: id }).strict(),
  z.object({ familyId: id }).strict(),
  z.object({ guardian: z.literal(true) }).strict(),
]);
export type Subscription = z.infer<typeof subscriptionSchema>;

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), data: subscriptionSchema }).strict(),
  z.object({ type: z.literal('unsubscribe'), data: subscriptionSchema }).strict(),
  z.object({ type: z.literal('ping'), data: z.unknown().optional() }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type FeedEventKind =
  | 'pubky_domain_event'
  | 'pkarr_record_event'
  | 'sovereignty_score_event'
  | 'domain_migration_event'
  | 'guardian_event';

export interface FeedEvent {
  readonly type: FeedEventKind;
  readonly seq: number;
  readonly familyId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type FeedErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_MESSAGE'
  | 'FORBIDDEN'
  | 'TOO_MANY_SUBSCRIPTIONS'
  /** `since` is older than the retained log: reload the state, then follow live. */
  | 'RESUME_EXPIRED';

export type ServerMessage =
  | FeedEvent
  | { readonly type: 'subscribed' | 'unsubscribed'; readonly data: Subscription }
  | { readonly type: 'pong'; readonly data?: unknown }
  | {
      readonly type: 'error';
      readonly data: { readonly code: FeedErrorCode; readonly message: string };
    };

/** WebSocket close codes the server uses (4000-4999 are the application's). */
export const FEED_CLOSE = {
  unauthorized: 4401,
  tooLarge: 1009,
  policy: 1008,
  slowConsumer: 4429,
  shutdown: 1001,
} as const;

export const MAX_FEED_FRAME = 64 * 1024;

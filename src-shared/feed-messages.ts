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
  /** A fresh access token for the same user, sent before the current one expires. */
  z
    .object({ type: z.literal('auth'), data: z.object({ token: z.string().max(4096) }).strict() })
    .strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type FeedEventKind =
  | 'pubky_domain_event'
  | 'pkarr_record_event'
  | 'sovereignty_score_event'
  | 'domain_migration_event'
  | 'guardian_event'
  /** Members joining, leaving or changing role; a guardian backup needing re-sharing. */
  | 'family_event';

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
  /** An `auth` message's token is invalid or names another user; the current one still holds. */
  | 'INVALID_TOKEN'
  /** The server's database is away for a moment: send the message again shortly. */
  | 'UNAVAILABLE'
  /** `since` is older than the retained log: reload the state, then follow live. */
  | 'RESUME_EXPIRED';

export type ServerMessage =
  | FeedEvent
  | { readonly type: 'subscribed' | 'unsubscribed'; readonly data: Subscription }
  | { readonly type: 'pong'; readonly data?: unknown }
  /** The `auth` message was accepted: the connection now lasts until `expiresAt` (ms). */
  | { readonly type: 'authenticated'; readonly data: { readonly expiresAt: number } }
  /** The caller lost access (removed, or no longer owner or member): nothing more comes. */
  | {
      readonly type: 'subscription_ended';
      readonly data: { readonly subscription: Subscription; readonly reason: 'access_changed' };
    }
  | {
      readonly type: 'error';
      readonly data: { readonly code: FeedErrorCode; readonly message: string };
    };

/** WebSocket close codes the server uses (4000-4999 are the application's). */
export const FEED_CLOSE = {
  /** No valid token, the token expired, or the user's sessions were revoked. */
  unauthorized: 4401,
  tooLarge: 1009,
  policy: 1008,
  slowConsumer: 4429,
  /** The server holds as many sockets as it will: reconnect later. */
  tryAgainLater: 1013,
  shutdown: 1001,
} as const;

export const MAX_FEED_FRAME = 64 * 1024;

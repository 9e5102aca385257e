// What a member's key signs for a companion server, and the AuthToken scope the server accepts.
// Each message names the server's public origin and its purpose, so a signature made for one
// server (or one purpose) means nothing to another: a server cannot relay another's nonce.
// docs/security.md explains the threat each binding answers.

/** A server's public origin as both sides write it: scheme, host and port, no path. */
export function normaliseOrigin(origin: string): string {
  return new URL(origin).origin;
}

const encode = (text: string) => new TextEncoder().encode(text);

/** The sign-in challenge: purpose, the server's origin, the nonce and the key. */
export const signInMessage = (origin: string, nonce: string, publicKey: string): Uint8Array =>
  encode(`pubky-domains sign-in\n${normaliseOrigin(origin)}\n${nonce}\n${publicKey}`);

/**
 * Proof that the caller holds a domain's key, for registering it in one family of one server:
 * signed by the domain key in the app's vault over a fresh server nonce.
 */
export const domainProofMessage = (
  origin: string,
  familyId: string,
  nonce: string,
  domainKey: string,
): Uint8Array =>
  encode(
    `pubky-domains register domain\n${normaliseOrigin(origin)}\n${familyId}\n${nonce}\n${domainKey}`,
  );

/**
 * The capability a Pubky AuthToken must grant for this server to accept it: a path of its own
 * under `/pub/pubky-domains/`, named for the server's host (its port after `_`, since a colon
 * ends a Pubky capability's scope). Tokens a client made for a homeserver or another app carry
 * other scopes and are refused here.
 */
export function serverAuthScope(origin: string): string {
  const host = new URL(normaliseOrigin(origin)).host.replace(':', '_');
  return `/pub/pubky-domains/${host}/`;
}

/** The capability string a client asks for when signing in to the server at `origin`. */
export const serverAuthCapabilities = (origin: string): string => `${serverAuthScope(origin)}:r`;

/** True when a token's capabilities (`scope:actions`, comma-separated) include `scope`. */
export function grantsScope(capabilities: string, scope: string): boolean {
  return capabilities.split(',').some((entry) => {
    const colon = entry.lastIndexOf(':');
    return colon > 0 && entry.slice(0, colon) === scope && /^[rw]+$/.test(entry.slice(colon + 1));
  });
}

/** Consent to join a family: the invitee's key signs the invitation it accepts, and its role. */
export const invitationAcceptMessage = (
  origin: string,
  invitationId: string,
  familyId: string,
  role: string,
  publicKey: string,
): Uint8Array =>
  encode(
    `pubky-domains accept invitation\n${normaliseOrigin(origin)}\n${invitationId}\n${familyId}\n${role}\n${publicKey}`,
  );

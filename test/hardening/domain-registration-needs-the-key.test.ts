// Issue 17 item 4: registering a domain needs proof of holding its key — the domain key's
// signature over this server's origin, the family and a fresh challenge. Keys are public on
// every relay: without the proof no one can claim a family's key first, and a refused attempt
// answers the same whether or where the key is registered.
import { describe, expect, it } from 'vitest';
import { z32Encode } from '../../src-shared/pkarr';
import { domainProofMessage } from '../../src-shared/pubky/server-auth';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { call, registerDomain, signIn } from '../support/api-client';
import { startApiServer } from '../support/api-server';

const { base } = await startApiServer();
const owner = await signIn(base);
const attacker = await signIn(base);
const newFamily = async (user: typeof owner, name: string) =>
  (
    (await call(base, 'POST', '/families', { token: user.accessToken, body: { name } })).body as {
      id: string;
    }
  ).id;
const familyId = await newFamily(owner, 'Rightful');
const attackersFamily = await newFamily(attacker, 'Squatter');

async function attempt(
  familyTarget: string,
  token: string,
  publicKey: string,
  sign: (nonce: string) => Uint8Array,
) {
  const { nonce } = (await call(base, 'POST', '/auth/challenge', { body: { publicKey } })).body as {
    nonce: string;
  };
  return call(base, 'POST', `/families/${familyTarget}/domains`, {
    token,
    body: { publicKey, proof: { nonce, signature: Buffer.from(sign(nonce)).toString('base64') } },
  });
}

describe('registering a domain', () => {
  it('needs the domain key to sign this server, this family and a fresh nonce', async () => {
    const domainKey = seedSigner(randomSeed());
    const publicKey = z32Encode(domainKey.publicKey);
    const other = seedSigner(randomSeed());
    // No proof at all: refused as malformed.
    expect(
      (
        await call(base, 'POST', `/families/${familyId}/domains`, {
          token: owner.accessToken,
          body: { publicKey },
        })
      ).status,
    ).toBe(400);
    const refusals = [
      // Signed by another key.
      (nonce: string) => other.sign(domainProofMessage(base, familyId, nonce, publicKey)),
      // For another family.
      (nonce: string) =>
        domainKey.sign(domainProofMessage(base, attackersFamily, nonce, publicKey)),
      // For another server.
      (nonce: string) =>
        domainKey.sign(domainProofMessage('https://other.example', familyId, nonce, publicKey)),
      // Over another nonce.
      () => domainKey.sign(domainProofMessage(base, familyId, 'f'.repeat(64), publicKey)),
    ];
    for (const sign of refusals) {
      const answer = await attempt(familyId, owner.accessToken, publicKey, sign);
      expect(answer.status).toBe(403);
    }
    const { nonce } = (await call(base, 'POST', '/auth/challenge', { body: { publicKey } }))
      .body as {
      nonce: string;
    };
    const proof = {
      nonce,
      signature: Buffer.from(
        domainKey.sign(domainProofMessage(base, familyId, nonce, publicKey)),
      ).toString('base64'),
    };
    const created = await call(base, 'POST', `/families/${familyId}/domains`, {
      token: owner.accessToken,
      body: { publicKey, proof },
    });
    expect(created.status).toBe(201);
    // A proof is spent with its nonce.
    const replay = await call(base, 'POST', `/families/${familyId}/domains`, {
      token: owner.accessToken,
      body: { publicKey, proof },
    });
    expect(replay.status).toBe(403);
  });

  it("a squatter cannot claim a family's public key, nor learn whether this server holds it", async () => {
    const registered = await registerDomain(base, owner, familyId);
    expect(registered.status).toBe(201);
    const registeredKey = z32Encode(registered.signer.publicKey);
    const unknownKey = z32Encode(seedSigner(randomSeed()).publicKey);
    const squatter = seedSigner(randomSeed());
    const answers = [];
    for (const publicKey of [registeredKey, unknownKey]) {
      answers.push(
        await attempt(attackersFamily, attacker.accessToken, publicKey, (nonce) =>
          squatter.sign(domainProofMessage(base, attackersFamily, nonce, publicKey)),
        ),
      );
    }
    expect(answers.map((a) => a.status)).toEqual([403, 403]);
    expect(answers[0]!.body).toEqual(answers[1]!.body);
    // The key's real holder registers its key wherever it wants (here: a second family of its own).
    const fresh = await registerDomain(base, owner, familyId);
    expect(fresh.status).toBe(201);
  });
});

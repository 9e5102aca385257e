// The signature worker pool answers exactly what libsodium answers on the calling thread, in
// order, for any batch; a worker that dies fails only its batch and is replaced; a closed pool
// refuses work instead of answering.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyInline, type SignatureCheck } from '../../server/crypto/batch-verifier';
import { SignatureWorkerPool } from '../../server/crypto/signature-worker-pool';
import { keypairFromSeed, signDetached } from '../../src-node/native-ed25519';

const keys = Array.from({ length: 4 }, () => keypairFromSeed(randomBytes(32)));

/** `count` checks, about a third of them broken in one of three ways. */
function checks(count: number): SignatureCheck[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keys[i % keys.length]!;
    const message = randomBytes(1 + ((i * 37) % 900));
    const signature = signDetached(key.secretKey, message);
    switch (i % 9) {
      case 1:
        signature[i % 64] = signature[i % 64]! ^ 1;
        break;
      case 4:
        message[0] = message[0]! ^ 0x80;
        break;
      case 7:
        return { publicKey: keys[(i + 1) % keys.length]!.publicKey, message, signature };
    }
    return { publicKey: key.publicKey, message, signature };
  });
}

describe('signature worker pool', () => {
  const pool = new SignatureWorkerPool(2);
  afterAll(() => pool.close());

  it('answers as libsodium does, in order, for batches of every size', async () => {
    for (const size of [0, 1, 7, 8, 9, 100, 1000]) {
      const batch = checks(size);
      const answers = await pool.verifyAll(batch);
      expect(answers).toEqual(verifyInline(batch));
      if (size >= 9) expect(answers.filter((ok) => !ok).length).toBeGreaterThan(0);
    }
  });

  it('answers batches sent at the same time each with its own results', async () => {
    const batches = Array.from({ length: 12 }, (_, i) => checks(20 + i * 5));
    const answers = await Promise.all(batches.map((batch) => pool.verifyAll(batch)));
    answers.forEach((answer, i) => expect(answer).toEqual(verifyInline(batches[i]!)));
  });

  it('wrong-sized keys or signatures are refused, not packed', async () => {
    const batch = checks(20);
    batch[3] = { ...batch[3]!, publicKey: new Uint8Array(31) };
    batch[4] = { ...batch[4]!, signature: new Uint8Array(65) };
    const answers = await pool.verifyAll(batch);
    expect(answers[3]).toBe(false);
    expect(answers[4]).toBe(false);
    expect(answers).toEqual(verifyInline(batch));
  });

  it('a worker that dies fails its batch, never answers for it, and is replaced', async () => {
    const batch = checks(400);
    const refused = expect(pool.verifyAll(batch)).rejects.toThrow(/exited/);
    await Promise.all(pool.workers.map((worker) => worker.terminate()));
    await refused;
    // The replacements take the next batch.
    const again = checks(50);
    expect(await pool.verifyAll(again)).toEqual(verifyInline(again));
  });

  it('a closed pool refuses work', async () => {
    const closing = new SignatureWorkerPool(1);
    await closing.close();
    await expect(closing.verifyAll(checks(20))).rejects.toThrow(/closed/);
  });
});

// A BatchVerifier on worker threads: a batch is split across the workers, each runs libsodium's
// verify on its share, and the event loop stays free for other requests meanwhile. A worker that
// dies fails only the batches it held (their requests answer 500 and the apps retry) and is
// replaced; the pool never answers "valid" for a check it did not run.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { verifyInline, type BatchVerifier, type SignatureCheck } from './batch-verifier';

/**
 * The worker's code, evaluated as CommonJS: a separate .ts file would need the TypeScript loader
 * in every worker (tsx in production, Vite's in tests); this needs only sodium-native, whose
 * resolved path comes in workerData. A job is one buffer of [key 32 | signature 64 | length u16 |
 * message] records; the answer is one byte per record.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
parentPort.on('message', ({ id, buffer, count }) => {
  const bytes = new Uint8Array(buffer);
  const results = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const publicKey = bytes.subarray(at, at + 32);
    const signature = bytes.subarray(at + 32, at + 96);
    const length = (bytes[at + 96] << 8) | bytes[at + 97];
    const message = bytes.subarray(at + 98, at + 98 + length);
    at += 98 + length;
    results[i] = sodium.crypto_sign_verify_detached(signature, message, publicKey) ? 1 : 0;
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

/** Below this many checks a round trip to a worker costs more than it saves. */
const MIN_CHECKS_TO_OFFLOAD = 8;
const RECORD_OVERHEAD = 98;

interface Job {
  readonly resolve: (results: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly jobs: Map<number, Job>;
}

export class SignatureWorkerPool implements BatchVerifier {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;
  private readonly sodiumPath = createRequire(import.meta.url).resolve('sodium-native');

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError('a signature pool needs at least one thread');
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: this.createWorker(), jobs: new Map() };
    this.watch(slot);
    return slot;
  }

  private createWorker(): Worker {
    return new Worker(WORKER_SOURCE, { eval: true, workerData: { sodiumPath: this.sodiumPath } });
  }

  private watch(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
      const job = slot.jobs.get(id);
      slot.jobs.delete(id);
      job?.resolve(results);
    });
    worker.on('error', () => undefined); // 'exit' follows and settles the jobs
    worker.on('exit', () => {
      for (const job of slot.jobs.values()) job.reject(new Error('a signature worker exited'));
      slot.jobs.clear();
      if (!this.closed) {
        slot.worker = this.createWorker();
        this.watch(slot);
      }
    });
    // Idle workers must not keep a stopping process alive.
    worker.unref();
  }

  /** The worker threads (for tests that stop one mid-batch). */
  get workers(): readonly Worker[] {
    return this.slots.map((slot) => slot.worker);
  }

  async verifyAll(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    if (this.closed) throw new Error('the signature pool is closed');
    if (checks.length < MIN_CHECKS_TO_OFFLOAD) return verifyInline(checks);
    const shares = Math.min(this.slots.length, Math.ceil(checks.length / MIN_CHECKS_TO_OFFLOAD));
    const size = Math.ceil(checks.length / shares);
    const parts: Promise<Uint8Array>[] = [];
    for (let start = 0; start < checks.length; start += size) {
      parts.push(this.run(checks.slice(start, start + size)));
    }
    const answers: boolean[] = [];
    for (const results of await Promise.all(parts))
      for (const ok of results) answers.push(ok === 1);
    return answers;
  }

  private run(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    let length = 0;
    for (const check of checks) {
      // Wrong-sized keys or signatures are answered here: the packed format assumes the sizes.
      if (check.publicKey.length !== 32 || check.signature.length !== 64) {
        return Promise.resolve(Uint8Array.from(verifyInline(checks), Number));
      }
      length += RECORD_OVERHEAD + check.message.length;
    }
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const check of checks) {
      if (check.message.length > 0xffff) throw new RangeError('message too long to verify');
      bytes.set(check.publicKey, at);
      bytes.set(check.signature, at + 32);
      bytes[at + 96] = check.message.length >> 8;
      bytes[at + 97] = check.message.length & 0xff;
      bytes.set(check.message, at + RECORD_OVERHEAD);
      at += RECORD_OVERHEAD + check.message.length;
    }
    // The least busy worker takes the share.
    const slot = this.slots.reduce((best, candidate) =>
      candidate.jobs.size < best.jobs.size ? candidate : best,
    );
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      slot.worker.postMessage({ id, buffer: bytes.buffer, count: checks.length }, [bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}

// What the network serves for a key right now: every configured relay and the DHT asked at once,
// each answer verified (a relay cannot make up records) and timed.
import type { NetworkView, TargetAnswer } from '../src-shared/ipc';
import { parsePublicKey, type SignedPacket } from '../src-shared/pkarr';
import type { DhtClient } from '../src-shared/publish/dht-client';
import type { RelayClient } from '../src-shared/publish/relay-client';
import type { AppSettings } from '../src-shared/settings';
import { DHT_TARGET } from '../src-node/retry';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Answer = DistributiveOmit<TargetAnswer, 'latencyMs' | 'target'> & { packet?: SignedPacket };

/** An answer with the verified packet it came from (main keeps it; replies drop it). */
export type ResolvedAnswer = TargetAnswer & { readonly packet?: SignedPacket };

/** The found answer with the newest packet, if any. */
export function newestAnswer(answers: readonly ResolvedAnswer[]): ResolvedAnswer | undefined {
  let newest: ResolvedAnswer | undefined;
  for (const answer of answers) {
    if (answer.state !== 'found') continue;
    if (!newest || (newest.state === 'found' && answer.timestamp > newest.timestamp))
      newest = answer;
  }
  return newest;
}

/** The view for the renderer: answers without their packets' bytes. */
export function publicView(
  view: NetworkView & { answers: readonly ResolvedAnswer[] },
): NetworkView {
  return {
    ...view,
    answers: view.answers.map((answer) => {
      const rest: Record<string, unknown> = { ...answer };
      delete rest['packet'];
      return rest as TargetAnswer;
    }),
  };
}

export class NetworkResolver {
  constructor(
    private readonly relayClient: RelayClient,
    private readonly dht: DhtClient | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Each target's answer; a target slower than `timeoutMs` counts as an error. */
  async resolve(
    publicKey: string,
    settings: AppSettings,
    timeoutMs = 10_000,
  ): Promise<NetworkView & { readonly answers: readonly ResolvedAnswer[] }> {
    const key = parsePublicKey(publicKey);
    const timed = async (target: string, ask: () => Promise<Answer>): Promise<ResolvedAnswer> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<Answer>((resolve) => {
        timer = setTimeout(() => resolve({ state: 'error', detail: 'timed out' }), timeoutMs);
      });
      const answer = await Promise.race([
        ask().catch((error: unknown): Answer => ({
          state: 'error',
          detail: error instanceof Error ? error.message : String(error),
        })),
        deadline,
      ]).finally(() => clearTimeout(timer));
      return {
        ...answer,
        target,
        latencyMs: Math.round(performance.now() - started),
      } as ResolvedAnswer;
    };
    const found = (packet: SignedPacket): Answer => ({
      state: 'found',
      timestamp: packet.timestamp,
      records: packet.records,
      packet,
    });
    const relays = settings.relays.map((relay) =>
      timed(relay, async (): Promise<Answer> => {
        const outcome = await this.relayClient.get(relay, key);
        switch (outcome.kind) {
          case 'found':
            return found(outcome.packet);
          case 'not_found':
            return { state: 'not_found' };
          case 'error':
            return { state: 'error', detail: outcome.detail };
        }
      }),
    );
    const dht = this.dht;
    const fromDht =
      dht && settings.dhtEnabled
        ? [
            timed(DHT_TARGET, async (): Promise<Answer> => {
              const packet = await dht.get(key);
              return packet ? found(packet) : { state: 'not_found' };
            }),
          ]
        : [];
    return { publicKey, answers: await Promise.all([...relays, ...fromDht]), at: this.now() };
  }
}

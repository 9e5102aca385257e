// A loopback HTTP relay (the httprelay.io "link" protocol the Pubky auth flow uses): a GET waits
// for the POST on the same channel and receives its body. Lets the official client's auth flow
// run end to end with no network.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Capabilities } from '@synonymdev/pubky';

export class HttpRelay {
  private readonly bodies = new Map<string, Buffer>();
  private readonly waiting = new Map<string, ServerResponse>();
  private constructor(private readonly server: Server) {}

  /** The base to give the flow, e.g. `http://127.0.0.1:PORT/link/`. */
  get linkBase(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/link/`;
  }

  static async start(): Promise<HttpRelay> {
    const server = createServer();
    const relay = new HttpRelay(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const channel = request.url ?? '';
        if (request.method === 'POST') {
          const waiter = relay.waiting.get(channel);
          relay.waiting.delete(channel);
          if (waiter) waiter.writeHead(200).end(Buffer.concat(chunks));
          else relay.bodies.set(channel, Buffer.concat(chunks));
          return void response.writeHead(200).end();
        }
        const body = relay.bodies.get(channel);
        relay.bodies.delete(channel);
        if (body) response.writeHead(200).end(body);
        else relay.waiting.set(channel, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  async close(): Promise<void> {
    for (const response of this.waiting.values()) response.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A token made by @synonymdev/pubky's Signer and received by its AuthFlow, through `relay`. */
export async function officialAuthToken(
  relay: HttpRelay,
  capabilities: Capabilities = '',
): Promise<{ bytes: Uint8Array; z32: string }> {
  const { AuthFlowKind, Keypair, Pubky } = await import('@synonymdev/pubky');
  const pubky = new Pubky();
  const flow = pubky.startAuthFlow(capabilities, AuthFlowKind.signin(), relay.linkBase);
  const keypair = Keypair.random();
  const token = flow.awaitToken();
  await pubky.signer(keypair).approveAuthRequest(flow.authorizationUrl);
  return { bytes: (await token).toBytes(), z32: keypair.publicKey.z32() };
}

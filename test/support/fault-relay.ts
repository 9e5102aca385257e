// A PKARR relay for fault tests: it keeps what it is sent (verified with our codec) and can be
// told to misbehave the ways real relays do: hang, fail with 500, answer garbage, take a packet
// and then hold the response, or claim to store packets it never serves. Protocol conformance is
// proven against the pkarr npm relay elsewhere; this one exists to inject faults and count what
// arrives.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  compareFreshness,
  decodeRelayPayload,
  encodeRelayPayload,
  parsePublicKey,
  type SignedPacket,
} from '../../src-shared/pkarr';
import { nativeVerifier } from '../../src-node/native-ed25519';

export type RelayMode =
  | 'ok'
  | 'hang'
  | 'error500'
  | 'garbage'
  | 'hold'
  | 'rate-limit'
  /** Says it stored a PUT but keeps serving what it had: an older packet, or nothing. */
  | 'stale';

export class FaultRelay {
  mode: RelayMode = 'ok';
  readonly packets = new Map<string, SignedPacket>();
  /** Every PUT that reached the relay, as `<key>@<timestamp>`. */
  readonly puts: string[] = [];
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';

  static async start(mode: RelayMode = 'ok'): Promise<FaultRelay> {
    const relay = new FaultRelay();
    relay.mode = mode;
    relay.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        relay.handle(request.method ?? '', request.url ?? '', Buffer.concat(chunks), response),
      );
    });
    relay.server.on('connection', (socket) => {
      relay.sockets.add(socket);
      socket.on('close', () => relay.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    relay.url = `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
    return relay;
  }

  private handle(method: string, url: string, body: Buffer, response: ServerResponse): void {
    if (this.mode === 'hang') return;
    if (this.mode === 'error500') return void response.writeHead(500).end('boom');
    if (this.mode === 'rate-limit')
      return void response.writeHead(429, { 'Retry-After': '30' }).end();
    if (this.mode === 'garbage') {
      response.socket?.end('HTTP/1.1 2OO\r\nnonsense\r\n\r\n\u0000\u0001');
      return;
    }
    const z32 = url.slice(1);
    let key: Uint8Array;
    try {
      key = parsePublicKey(z32);
    } catch {
      return void response.writeHead(400).end();
    }
    if (method === 'GET') {
      const packet = this.packets.get(z32);
      if (!packet) return void response.writeHead(404).end();
      return void response.writeHead(200).end(encodeRelayPayload(packet));
    }
    if (method !== 'PUT') return void response.writeHead(405).end();
    let packet: SignedPacket;
    try {
      packet = decodeRelayPayload(nativeVerifier, key, new Uint8Array(body));
    } catch {
      return void response.writeHead(400).end();
    }
    this.puts.push(`${z32}@${packet.timestamp}`);
    if (this.mode === 'stale') return void response.writeHead(204).end();
    const current = this.packets.get(z32);
    if (current && compareFreshness(packet, current) < 0) return void response.writeHead(409).end();
    this.packets.set(z32, packet);
    if (this.mode === 'hold') return; // stored, but the answer never comes
    response.writeHead(204).end();
  }

  putsOf(key: string): string[] {
    return this.puts.filter((entry) => entry.startsWith(`${key}@`));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

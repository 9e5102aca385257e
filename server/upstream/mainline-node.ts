// The server's bittorrent-dht node for the shared DhtClient (the relay's bridge to the DHT).
import DHT from 'bittorrent-dht';
import type { MainlineNode, MainlineNodeOptions } from '../../src-shared/publish/dht-client';

export const createMainlineNode = (options: MainlineNodeOptions): MainlineNode => new DHT(options);

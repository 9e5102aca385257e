// The app's bittorrent-dht node for the shared DhtClient (Node only, so it lives here).
import DHT from 'bittorrent-dht';
import type { MainlineNode, MainlineNodeOptions } from '../../src-shared/publish/dht-client';

export const createMainlineNode = (options: MainlineNodeOptions): MainlineNode => new DHT(options);

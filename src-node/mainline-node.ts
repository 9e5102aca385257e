// A bittorrent-dht node for the shared DhtClient (Node only): the app's and the server's.
import DHT from 'bittorrent-dht';
import type { MainlineNode, MainlineNodeOptions } from '../src-shared/publish/dht-client';

export const createMainlineNode = (options: MainlineNodeOptions): MainlineNode => new DHT(options);

// PKARR in pure TypeScript: z-base-32, the record model, DNS wire format and SignedPacket.
export * from './bytes';
export * from './errors';
export * from './ed25519';
export * from './z32';
export * from './records';
export * from './dns-wire';
export * from './signed-packet';
export * from './record-schema';
export * from './record-text';
export * from './record-form';
export * from './records-json';

// The companion server's process-wide V8 setting, applied by every entry that runs the server
// (`npm run server`, and `npm run bench -- api`, which must run it as production does).
//
// V8 "pretenures" allocation sites whose objects it has seen survive a young-generation GC:
// their later objects are allocated straight into the old generation. Under packet sync every
// upload's objects (its parsed body, payload copies, decoded records, query buffers) are
// short-lived, but one scavenge that lands while several uploads are in flight makes them look
// long-lived, and from then on they fill the old generation: a full mark-compact every 3–7 s
// under 4,000 packets/s (6 ms pause, ~16 ms of marking steps on the event loop, ~70 ms of
// marking on the second core, which on two cores is Postgres's and the signature threads').
// The benchmark's slow requests clustered on exactly those collections. Without pretenuring a
// 30 s open loop sees 0–2 full collections (was 5–27) and far fewer slow clusters.
import { setFlagsFromString } from 'node:v8';

let applied = false;

export function tuneHeapForServer(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}

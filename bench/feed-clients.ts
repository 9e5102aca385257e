// The client side of `npm run bench -- feed`, in its own process: opens the WebSocket clients,
// subscribes each as told, and measures commit→client latency from the timestamp each change
// carries. Reads its plan as the first line on stdin; prints one JSON line on a line "stop".
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

interface Plan {
  readonly url: string;
  readonly clients: readonly { token: string; subscription: Record<string, unknown> }[];
}

const lines = createInterface({ input: process.stdin });
const plan = await new Promise<Plan>((resolve) =>
  lines.once('line', (line) => resolve(JSON.parse(line) as Plan)),
);
let latencies = new Float64Array(1 << 20);
let count = 0;
const perClient = new Array<number>(plan.clients.length).fill(0);
let ready = 0;
let closedEarly = 0;

function record(ms: number): void {
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = ms;
}

plan.clients.forEach((client, index) => {
  const socket = new WebSocket(`${plan.url}/?token=${client.token}`);
  socket.on('open', () =>
    socket.send(JSON.stringify({ type: 'subscribe', data: client.subscription })),
  );
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { type: string; data?: { error?: string } };
    if (message.type === 'subscribed') {
      if (++ready === plan.clients.length) console.log(JSON.stringify({ ready }));
      return;
    }
    const sent = Number(message.data?.error);
    if (Number.isFinite(sent)) {
      record(Date.now() - sent);
      perClient[index] = (perClient[index] ?? 0) + 1;
    }
  });
  socket.on('close', () => closedEarly++);
});

lines.on('line', (line) => {
  if (line.trim() === 'reset') {
    // End of the warm-up: measure the steady state only.
    count = 0;
    perClient.fill(0);
    console.log(JSON.stringify({ reset: true }));
    return;
  }
  if (line.trim() !== 'stop') return;
  const sorted = latencies.subarray(0, count).sort();
  const at = (q: number) => (count ? sorted[Math.min(count - 1, Math.floor(q * count))] : 0);
  console.log(
    JSON.stringify({
      received: count,
      perClient,
      p50: at(0.5),
      p99: at(0.99),
      max: at(1),
      closedEarly,
    }),
  );
  process.exit(0);
});

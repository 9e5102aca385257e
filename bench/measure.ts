// Throughput of synchronous operations, measured interleaved: every round times each operation
// for a short slice, in turn, so the noise of a shared VM (CPU steal comes and goes) falls on all
// of them alike and their ratios stay meaningful. Every other round runs them in reverse order,
// so the garbage one operation leaves for the collector does not always land on the same
// neighbour. Reports the median round.
export interface Rate {
  readonly opsPerSecond: number;
  readonly rounds: readonly number[];
}

const ROUNDS = 40;

function timeSlice(op: () => unknown, ms: number): number {
  let count = 0;
  const started = performance.now();
  const until = started + ms;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) op();
    count += 50;
  }
  return count / ((performance.now() - started) / 1000);
}

export async function compareRates(
  seconds: number,
  ops: Readonly<Record<string, () => unknown>>,
): Promise<Record<string, Rate>> {
  const names = Object.keys(ops);
  for (const name of names) timeSlice(ops[name]!, 150); // warm up the JIT
  const rounds: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const slice = (seconds * 1000) / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) rounds[name]!.push(Math.round(timeSlice(ops[name]!, slice)));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Object.fromEntries(
    names.map((name) => {
      const sorted = [...rounds[name]!].sort((a, b) => a - b);
      return [name, { opsPerSecond: sorted[Math.floor(ROUNDS / 2)] ?? 0, rounds: rounds[name]! }];
    }),
  );
}

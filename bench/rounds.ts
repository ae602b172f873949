// Timing in interleaved rounds for the layer benchmarks (bench/sparse.ts, bench/binary.ts), as
// run.ts times models: each round runs every task briefly, in an order rotated by one each round,
// so the machine's drift (tens of percent within a minute here) falls on the variants compared
// alike, and a speed-up is the median of the rounds' ratios rather than a ratio of two medians
// taken minutes apart.

import { Bench } from 'tinybench';

export const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1] ?? NaN;

/** A bench whose tasks each take a few milliseconds a round. */
export const roundsBench = () => new Bench({ time: 8, iterations: 4, warmupTime: 30, retainSamples: true });

/** Each task's median latency (ms) in each of `rounds` interleaved rounds. */
export async function timeInRounds(bench: Bench, rounds: number): Promise<Map<string, number[]>> {
  const perRound = new Map<string, number[]>();
  for (const task of bench.tasks) {
    await task.warmup();
    perRound.set(task.name, []);
  }
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < bench.tasks.length; j++) {
      const task = bench.tasks[(j + round) % bench.tasks.length]!;
      task.reset(false);
      await task.run();
      perRound.get(task.name)!.push(median((task.result as { latency?: { samples?: number[] } }).latency?.samples ?? []));
    }
  }
  return perRound;
}

/** The median over rounds of task a's time over task b's. */
export const ratio = (perRound: Map<string, number[]>, a: string, b: string) => {
  const ta = perRound.get(a)!, tb = perRound.get(b)!;
  return median(ta.map((t, r) => t / tb[r]!));
};

// `npm run fuzz`: the large fuzzing run (tests/fuzz.ts says what a case is and what it must keep).
//   npm run fuzz -- [--ewm N] [--tflite N] [--seed S] [--workers W] [--timeout MS]
// Cases (kind, S), (kind, S + 1), ... are split over W child processes, each running both runtime
// builds (SIMD and MVP) on .ewm cases, the SIMD build on converted .tflite ones. A child reports
// each case it starts; a watchdog kills a child whose case has run past --timeout, runs that case
// once more in a new child, and if it overruns again records a hang and goes on after it. Processes, not worker threads: a killed
// process takes nothing down with it, and worker threads that instantiate wasm by the hundred
// thousand stall in Node 20. Every failing seed is printed with the property it broke; exit 1 if any.

import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { seedFiles, runCase, runtimeModule, type FuzzKind } from './fuzz.js';

type Counts = Record<string, number>;
type Message = { at: number; counts: Counts } | { seed: number; failure: string } | { done: Counts };
interface Failure { kind: FuzzKind; seed: number; failure: string }

/** The child's side: run cases [from, to) of `kind`, reporting to the parent. */
async function child(kind: FuzzKind, from: number, to: number): Promise<void> {
  const send = (m: Message) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const seeds = seedFiles();
  const builds = kind === 'ewm' ? [await runtimeModule('simd'), await runtimeModule('mvp')] : [await runtimeModule('simd')];
  // Every case instantiates the runtime, and each instance holds gigabytes of address space for
  // its memory until a full collection frees it: collect every so often rather than run short.
  const gc = (globalThis as { gc?: () => void }).gc;
  const counts: Counts = { loaded: 0, refused: 0, failed: 0 };
  for (let seed = from; seed < to; seed++) {
    if (gc && (seed - from) % 1000 === 999) gc();
    process.send!({ at: seed, counts } satisfies Message); // the counts so far: a killed child's still add up
    // The watchdog's own test (tests/fuzz.test.ts) makes this seed hang.
    if (process.env.EDGEWASM_FUZZ_HANG === String(seed)) for (;;);
    for (const runtime of builds) {
      const outcome = await runCase(seeds, kind, seed, runtime);
      if (typeof outcome === 'string') counts[outcome]!++;
      else {
        counts.failed!++;
        await send({ seed, failure: outcome.failure });
        break;
      }
    }
  }
  await send({ done: counts });
  process.disconnect();
}

const add = (a: Counts, b: Counts): Counts => {
  const sum = { ...a };
  for (const [k, v] of Object.entries(b)) sum[k] = (sum[k] ?? 0) + v;
  return sum;
};

/**
 * Runs cases [from, to) of one kind in a child; resolves with its counts, hangs recorded as
 * failures. A case that overruns is run once more in a fresh child (`retried`) before it counts
 * as a hang: a shared machine can stall a process for seconds.
 */
function runRange(kind: FuzzKind, from: number, to: number, timeoutMs: number, failures: Failure[], retried = new Set<number>()): Promise<Counts> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', kind, String(from), String(to)], { execArgv: ['--expose-gc'] });
    let current = from;
    let since = Date.now();
    let counts: Counts = {};
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      then();
    };
    // After a hung or dead case, carry on in a fresh child: from the same case the first time.
    const resume = (failure: string) => settle(() => {
      proc.kill('SIGKILL');
      const again = !retried.has(current);
      if (again) retried.add(current);
      else failures.push({ kind, seed: current, failure });
      runRange(kind, again ? current : current + 1, to, timeoutMs, failures, retried).then((rest) => resolve(add(counts, rest)), reject);
    });
    const watchdog = setInterval(() => {
      if (Date.now() - since > timeoutMs) resume(`no answer within ${timeoutMs} ms (hang)`);
    }, Math.min(500, timeoutMs));
    proc.on('message', (m: Message) => {
      if ('at' in m) {
        current = m.at;
        counts = m.counts;
        since = Date.now();
      } else if ('failure' in m) failures.push({ kind, seed: m.seed, failure: m.failure });
      else settle(() => resolve(m.done));
    });
    proc.on('exit', (code, signal) => {
      if (!settled) resume(`the process ended (${signal ?? `exit code ${code}`})`);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ewm: { type: 'string', default: '1000000' }, tflite: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' }, workers: { type: 'string', default: String(availableParallelism()) },
      timeout: { type: 'string', default: '5000' },
    },
  });
  const [ewm, tflite, seed, workers, timeout] = [values.ewm, values.tflite, values.seed, values.workers, values.timeout].map(Number);
  if (![ewm, tflite, seed, workers, timeout].every((v) => Number.isInteger(v) && v! >= 0) || workers! < 1) {
    console.error('usage: npm run fuzz -- [--ewm N] [--tflite N] [--seed S] [--workers W] [--timeout MS]');
    return 2;
  }
  const failures: Failure[] = [];
  const started = performance.now();
  for (const [kind, n] of [['ewm', ewm!], ['tflite', tflite!]] as const) {
    if (n === 0) continue;
    const t0 = performance.now();
    const share = Math.ceil(n / workers!);
    const ranges = Array.from({ length: workers! }, (_, w) => [seed! + w * share, seed! + Math.min(n, (w + 1) * share)] as const)
      .filter(([a, b]) => a < b);
    const counts = await Promise.all(ranges.map(([a, b]) => runRange(kind, a, b, timeout!, failures)));
    const total = (k: string) => counts.reduce((sum, c) => sum + (c[k] ?? 0), 0);
    const s = (performance.now() - t0) / 1000;
    const runs = kind === 'ewm' ? ' (each on the SIMD and the MVP build)' : ' (converted, then run on the SIMD build)';
    console.log(`${kind}: ${n} cases, seeds ${seed}..${seed! + n - 1}${runs}: ${total('loaded')} runs loaded and ran, ${total('refused')} refused with a documented error, ${failures.filter((f) => f.kind === kind).length} failed; ${s.toFixed(1)} s`);
  }
  for (const f of failures) console.log(`FAIL ${f.kind} seed ${f.seed}: ${f.failure}`);
  console.log(`${failures.length} failures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return failures.length === 0 ? 0 : 1;
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1] as FuzzKind, Number(process.argv[at + 2]), Number(process.argv[at + 3]));
else process.exitCode = await main();

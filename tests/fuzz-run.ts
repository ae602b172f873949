// `npm run fuzz`: the large fuzzing run (tests/fuzz.ts says what a case is and what it must keep).
//   npm run fuzz -- [--ewm N] [--tflite N] [--seed S] [--workers W] [--timeout MS]
// Cases (kind, S), (kind, S + 1), ... are split over W worker threads, each running both runtime
// builds (SIMD and MVP) on .ewm cases, the SIMD build on converted .tflite ones. A worker publishes
// the case it is on in shared memory; a watchdog ends a worker whose case has run past --timeout
// (a hang), records that seed, and starts a new worker after it. Every failing seed is printed
// with the property it broke; exit status 1 if any.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { seedFiles, runCase, runtimeModule, type FuzzKind } from './fuzz.js';

interface Job { kind: FuzzKind; from: number; to: number; progress: SharedArrayBuffer }
interface Report { kind: FuzzKind; seed: number; failure: string }
interface Done { done: true; counts: Record<string, number> }

async function work(job: Job): Promise<void> {
  const seeds = seedFiles();
  const builds = job.kind === 'ewm' ? [await runtimeModule('simd'), await runtimeModule('mvp')] : [await runtimeModule('simd')];
  const progress = new Int32Array(job.progress);
  const counts: Record<string, number> = { loaded: 0, refused: 0, failed: 0 };
  for (let seed = job.from; seed < job.to; seed++) {
    Atomics.store(progress, 0, seed);
    Atomics.store(progress, 1, Date.now() & 0x7fffffff);
    for (const runtime of builds) {
      const outcome = await runCase(seeds, job.kind, seed, runtime);
      if (typeof outcome === 'string') counts[outcome]!++;
      else {
        counts.failed!++;
        parentPort!.postMessage({ kind: job.kind, seed, failure: outcome.failure } satisfies Report);
        break;
      }
    }
  }
  parentPort!.postMessage({ done: true, counts } satisfies Done);
}

/** Runs cases [from, to) of one kind in a worker; resolves with the counts, hangs recorded as failures. */
function runRange(kind: FuzzKind, from: number, to: number, timeoutMs: number, failures: Report[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const progress = new SharedArrayBuffer(8);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, from);
    Atomics.store(view, 1, Date.now() & 0x7fffffff);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { kind, from, to, progress } satisfies Job });
    const watchdog = setInterval(() => {
      const age = (Date.now() & 0x7fffffff) - Atomics.load(view, 1);
      if (age <= timeoutMs) return;
      const seed = Atomics.load(view, 0);
      failures.push({ kind, seed, failure: `no answer within ${timeoutMs} ms (hang)` });
      clearInterval(watchdog);
      void worker.terminate();
      // Carry on after the hung case in a fresh worker.
      runRange(kind, seed + 1, to, timeoutMs, failures).then(resolve, reject);
    }, Math.min(500, timeoutMs));
    worker.on('message', (m: Report | Done) => {
      if ('done' in m) {
        clearInterval(watchdog);
        resolve(m.counts);
      } else failures.push(m);
    });
    worker.on('error', (e) => {
      clearInterval(watchdog);
      reject(e);
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
  const failures: Report[] = [];
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

if (isMainThread) process.exitCode = await main();
else await work(workerData as Job);

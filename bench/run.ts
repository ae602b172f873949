// `npm run bench`: median ms per inference of edgewasm (SIMD and MVP builds) and its peers
// (tfjs-tflite SIMD and scalar, onnxruntime-web; see ../shared/PEERS.md) on the four MLPerf Tiny
// int8 models with the golden inputs, measured by tinybench in one process, side by side. Then the
// kernel micro-benchmark (./kernels.ts): GMAC/s of the conv/FC kernels next to the machine's
// measured wasm SIMD peak.
//   npm run bench -- [--json FILE] [--time MS] [--rounds N] [--models a,b] [--skip-kernels]
// --json writes [{model, runtime, median_ms, p90_ms, samples}] for the runtimes that loaded.
//
// Why rounds: a shared machine's speed drifts by ±50 % within minutes, so timing one runtime for
// its whole budget and then the next would credit one with a fast minute and charge another with
// a slow one, and the ratios between runtimes would measure the drift. Instead each task (one
// model x runtime) runs --rounds times for --time/--rounds ms, every round visiting all tasks with
// each model's runtimes in an order rotated by one per round (so no runtime always goes first, right
// after a model switch); each task's samples are pooled over its rounds and the median and p90
// are taken from the pool. Every runtime of a model thus sees the same stretch of machine speed.

import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { Bench, type Task } from 'tinybench';
import { INT8_MODELS, mlperfCase, sample } from '../tests/golden.js';
import { RUNTIMES, agreement, type Agreement, type RunOne } from './runtimes.js';
import { runKernelBench } from './kernels.js';

const usage = 'usage: npm run bench -- [--json FILE] [--time MS] [--rounds N] [--models a,b] [--skip-kernels]';
let values: { json?: string; time: string; rounds: string; models?: string; 'skip-kernels'?: boolean };
try {
  values = parseArgs({
    options: {
      json: { type: 'string' }, time: { type: 'string', default: '1500' }, rounds: { type: 'string', default: '6' },
      models: { type: 'string' }, 'skip-kernels': { type: 'boolean' },
    },
    strict: true,
  }).values as typeof values;
} catch (e) {
  console.error(`error: ${(e as Error).message}\n${usage}`);
  process.exit(2);
}
const models = values.models ? values.models.split(',') : INT8_MODELS;
const unknown = models.filter((m) => !INT8_MODELS.includes(m));
const rounds = Number(values.rounds);
const usageError = unknown.length ? `unknown model ${unknown.join(', ')} (known: ${INT8_MODELS.join(', ')})`
  : !(Number(values.time) > 0) ? `--time ${values.time}`
    : !(Number.isInteger(rounds) && rounds >= 1) ? `--rounds ${values.rounds} (a whole number >= 1)` : undefined;
if (usageError) {
  console.error(`error: ${usageError}\n${usage}`);
  process.exit(2);
}

// tinybench's per-run minimum of 64 iterations is spread over the rounds, so a slow model
// still gets about 64 pooled samples, not 64 per round.
const bench = new Bench({
  time: Number(values.time) / rounds, iterations: Math.ceil(64 / rounds), warmupTime: 300, retainSamples: true,
});
const notLoaded = new Map<string, string>(); // "model|runtime" -> why
const agreements = new Map<string, Agreement>();
const tasksByModel = new Map<string, Task[]>(); // each model's loaded runtimes, in RUNTIMES order

for (const name of models) {
  const c = mlperfCase(name);
  const tflite = new Uint8Array(readFileSync(c.tflitePath));
  const inputs = Array.from({ length: c.n }, (_, i) => sample(c.inputs[0]!.data, c.inputs[0]!.bytesPerSample, i, c.inputs[0]!.dtype) as Int8Array);
  const tasks: Task[] = [];
  for (const rt of RUNTIMES) {
    const key = `${name}|${rt.name}`;
    let run: RunOne;
    try {
      run = await rt.load(tflite, name);
      agreements.set(key, await agreement(c, inputs, run));
    } catch (e) {
      const why = (e as Error).message?.split('\n')[0] ?? String(e);
      notLoaded.set(key, why);
      console.error(`${rt.name} on ${name}: not loaded: ${why}`);
      continue;
    }
    let i = 0;
    bench.add(key, () => run(inputs[i++ % inputs.length]!));
    tasks.push(bench.getTask(key)!);
  }
  tasksByModel.set(name, tasks);
}

const pooled = new Map<string, number[]>(); // task name -> its latency samples (ms) over all rounds
const failed = new Set<string>();
const errorOf = (task: Task) => (task.result.state === 'errored' ? task.result.error : undefined);

for (const task of bench.tasks) {
  await task.warmup();
  pooled.set(task.name, []);
  const error = errorOf(task);
  if (error) {
    failed.add(task.name);
    notLoaded.set(task.name, `failed in warm-up: ${error.message.split('\n')[0]}`);
  }
}
for (let round = 0; round < rounds; round++) {
  for (const tasks of tasksByModel.values()) {
    for (let k = 0; k < tasks.length; k++) {
      const task = tasks[(k + round) % tasks.length]!;
      if (failed.has(task.name)) continue;
      task.reset(false);
      await task.run();
      const error = errorOf(task);
      if (error) {
        failed.add(task.name);
        notLoaded.set(task.name, `failed in round ${round + 1}: ${error.message.split('\n')[0]}`);
        continue;
      }
      pooled.get(task.name)!.push(...(task.result as { latency?: { samples?: number[] } }).latency?.samples ?? []);
    }
  }
}

/** The q-quantile of ascending `sorted`, interpolated between order statistics like tinybench's p50. */
const quantile = (sorted: number[], q: number) => {
  const at = (sorted.length - 1) * q, lo = Math.floor(at);
  return lo + 1 < sorted.length ? sorted[lo]! + (at - lo) * (sorted[lo + 1]! - sorted[lo]!) : sorted[lo] ?? NaN;
};

interface Row { model: string; runtime: string; median_ms: number; p90_ms: number; samples: number }
const rows: Row[] = bench.tasks.filter((task) => !failed.has(task.name)).map((task) => {
  const [model, runtime] = task.name.split('|') as [string, string];
  const sorted = pooled.get(task.name)!.sort((a, b) => a - b);
  return { model, runtime, median_ms: quantile(sorted, 0.5), p90_ms: quantile(sorted, 0.9), samples: sorted.length };
});

const median = (model: string, runtime: string) => rows.find((r) => r.model === model && r.runtime === runtime)?.median_ms;
const peers = RUNTIMES.filter((r) => r.peer).map((r) => r.name);
const fmt = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? 'not loaded' : ms < 0.1 ? ms.toFixed(4) : ms.toFixed(3));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);

const header = ['model', ...RUNTIMES.map((r) => r.name), 'best peer', 'simd / best', 'mvp / best'];
const table = models.map((model) => {
  const peerTimes = peers.map((p) => [p, median(model, p)] as const).filter(([, t]) => t !== undefined && !Number.isNaN(t));
  const best = peerTimes.sort((a, b) => a[1]! - b[1]!)[0];
  return [
    model, ...RUNTIMES.map((r) => fmt(median(model, r.name))), best ? best[0] : 'none loaded',
    ratio(median(model, 'edgewasm simd'), best?.[1]), ratio(median(model, 'edgewasm mvp'), best?.[1]),
  ];
});
const markdown = (head: string[], body: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');

console.log(`\nmedian ms per inference, one thread, Node ${process.versions.node}, ${rounds} interleaved rounds (ratio < 1: edgewasm is faster than the best peer)\n`);
console.log(markdown(header, table));

console.log('\nagreement with TensorFlow Lite Micro (golden outputs): samples byte-exact, top-1 agreeing, largest |difference|');
console.log('(the peers requantize in float, TFLite Micro in fixed point; top-1 means nothing for ad01_int8, an autoencoder)\n');
console.log(markdown(['model', ...RUNTIMES.map((r) => r.name)], models.map((model) => [model, ...RUNTIMES.map((r) => {
  const a = agreements.get(`${model}|${r.name}`);
  return a ? `exact ${a.exact}/${a.n}, top-1 ${a.top1}/${a.n}, max ${a.maxDiff}` : 'not loaded';
})])));

if (notLoaded.size) {
  console.log('\nnot loaded:');
  for (const [key, why] of notLoaded) console.log(`  ${key.replace('|', ' / ')}: ${why}`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 1));
if (!values['skip-kernels']) await runKernelBench(Number(values.time));

// `npm run bench`: median ms per inference of edgewasm (SIMD and MVP builds) and its peers
// (tfjs-tflite SIMD and scalar, onnxruntime-web; see ../shared/PEERS.md) on the four MLPerf Tiny
// int8 models with the golden inputs, measured by tinybench in one process, side by side, so the
// ratios hold even when a shared machine's absolute times move. Then the kernel micro-benchmark
// (./kernels.ts): GMAC/s of the conv/FC kernels next to the machine's measured wasm SIMD peak.
//   npm run bench -- [--json FILE] [--time MS] [--models a,b] [--skip-kernels]
// --json writes [{model, runtime, median_ms, p90_ms, samples}] for the runtimes that loaded.

import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { INT8_MODELS, mlperfCase, sample } from '../tests/golden.js';
import { RUNTIMES, agreement, type Agreement, type RunOne } from './runtimes.js';
import { runKernelBench } from './kernels.js';

const usage = 'usage: npm run bench -- [--json FILE] [--time MS] [--models a,b] [--skip-kernels]';
let values: { json?: string; time: string; models?: string; 'skip-kernels'?: boolean };
try {
  values = parseArgs({
    options: {
      json: { type: 'string' }, time: { type: 'string', default: '1500' },
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
if (unknown.length || !(Number(values.time) > 0)) {
  console.error(`error: ${unknown.length ? `unknown model ${unknown.join(', ')} (known: ${INT8_MODELS.join(', ')})` : `--time ${values.time}`}\n${usage}`);
  process.exit(2);
}

const bench = new Bench({ time: Number(values.time), warmupTime: 300, retainSamples: true });
const notLoaded = new Map<string, string>(); // "model|runtime" -> why
const agreements = new Map<string, Agreement>();

for (const name of models) {
  const c = mlperfCase(name);
  const tflite = new Uint8Array(readFileSync(c.tflitePath));
  const inputs = Array.from({ length: c.n }, (_, i) => sample(c.inputs[0]!.data, c.inputs[0]!.bytesPerSample, i, c.inputs[0]!.dtype) as Int8Array);
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
  }
}

await bench.run();

interface Row { model: string; runtime: string; median_ms: number; p90_ms: number; samples: number }
const rows: Row[] = bench.tasks.map((task) => {
  const [model, runtime] = task.name.split('|') as [string, string];
  const r = task.result as { latency?: { p50: number; samples?: ArrayLike<number>; samplesCount: number } };
  const sorted = Array.from(r.latency?.samples ?? []).sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))] ?? NaN;
  return { model, runtime, median_ms: r.latency?.p50 ?? NaN, p90_ms: p90, samples: r.latency?.samplesCount ?? 0 };
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

console.log(`\nmedian ms per inference, one thread, Node ${process.versions.node} (ratio < 1: edgewasm is faster than the best peer)\n`);
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

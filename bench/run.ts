// `npm run bench`: median ms per inference of edgewasm on the four MLPerf Tiny int8 models, with
// the golden inputs, measured by tinybench in one process. Peer runtimes join this table in the
// SIMD work (issue 3); until then the figures are edgewasm's reference kernels alone.
//   npm run bench -- [--json FILE] [--time MS]

import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { convertTflite } from '../models/convert.js';
import { loadModel, type TypedArray } from '../host/index.js';
import { INT8_MODELS, mlperfCase, sample } from '../tests/golden.js';

const { values } = parseArgs({ options: { json: { type: 'string' }, time: { type: 'string', default: '1500' } }, strict: true });
const bench = new Bench({ time: Number(values.time), warmupTime: 200, retainSamples: true });
const arenas: Record<string, number> = {};

for (const name of INT8_MODELS) {
  const c = mlperfCase(name);
  const conversion = convertTflite(new Uint8Array(readFileSync(c.tflitePath)), name);
  arenas[name] = conversion.plan.arenaSize;
  const model = await loadModel(conversion.bytes, { name });
  const inputs: TypedArray[] = Array.from({ length: c.n }, (_, i) => sample(c.inputs[0]!.data, c.inputs[0]!.bytesPerSample, i, c.inputs[0]!.dtype));
  let i = 0;
  bench.add(`${name}|edgewasm (reference kernels)`, () => {
    model.run(inputs[i++ % inputs.length]!);
  });
}

await bench.run();
const rows = bench.tasks.map((task) => {
  const [model, runtime] = task.name.split('|') as [string, string];
  const r = task.result as { latency?: { p50: number; samples?: ArrayLike<number>; samplesCount: number } };
  const sorted = Array.from(r.latency?.samples ?? []).sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))] ?? NaN;
  return { model, runtime, median_ms: r.latency?.p50 ?? NaN, p90_ms: p90, samples: r.latency?.samplesCount ?? 0, arena_bytes: arenas[model] };
});
console.table(rows.map((r) => ({ ...r, median_ms: +r.median_ms.toFixed(3), p90_ms: +r.p90_ms.toFixed(3) })));
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 1));

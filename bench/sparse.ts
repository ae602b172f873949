// `npm run bench:sparse`: the pruned layers of AD (fully connected, batch 1) and KWS (1x1 convs over
// 125 pixels, as the fully connected layers they become) at 80 % zeros, sparse kernels against
// dense kernels on the same pruned weights, in one process (tinybench, 24 interleaved rounds):
// the reference kernels (what the MVP build runs) and the SIMD ones (the SIMD build runs the sparse
// kernel in layers of 16 to 47 rows at up to 30 % nonzeros and writes the weights out dense
// otherwise; assembly/ops/fully_connected.ts): the table times the SIMD sparse kernel wherever it
// can run and says which of the two the SIMD build picks. Every sparse result is checked against
// the dense one first.
// The weights are the real models' (per-layer magnitude pruning, models/compress/prune.ts), the
// inputs seeded random, the multipliers the converted model's.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { roundsBench, timeInRounds, median, ratio } from './rounds.js';
import { readTflite } from '../models/tflite/import.js';
import { lowerGraph } from '../models/convert.js';
import { sparsify, encodeSparse } from '../models/compress/sparse.js';
import { pruneGraph } from '../models/compress/prune.js';
import { OP_FULLY_CONNECTED } from '../host/format.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MLPERF = join(ROOT, '..', 'shared', 'models', 'mlperf-tiny');
type Kernel = (...args: number[]) => number;

interface Layer { name: string; rows: number; depth: number; units: number; dense: Int8Array; bias: Int32Array; mults: Int32Array; shifts: Int32Array; params: number[] }

// Each sparse FULLY_CONNECTED layer of the model pruned to 80 %, with its lowered constants.
function layersOf(name: string): Layer[] {
  const { graph } = pruneGraph(readTflite(new Uint8Array(readFileSync(join(MLPERF, `${name}.tflite`))), `${name}.tflite`), { sparsity: 0.8 });
  const g = { ...graph, tensors: [...graph.tensors] };
  const ops = lowerGraph(g);
  const before = ops.map((op) => op.inputs[1]!);
  sparsify(ops, g);
  const i32 = (t: number) => new Int32Array(g.tensors[t]!.data!.slice().buffer);
  return ops.flatMap((op, k) => {
    if (op.code !== OP_FULLY_CONNECTED || !g.tensors[op.inputs[1]!]!.encoding) return [];
    const w = g.tensors[op.inputs[1]!]!;
    const [units, depth] = w.shape as [number, number];
    const d = g.tensors[before[k]!]!.data!;
    const rows = g.tensors[op.outputs[0]!]!.shape.reduce((a, b) => a * b, 1) / units;
    return [{
      name: `${name} op ${k} ${rows}x${depth}->${units}`, rows, depth, units, dense: new Int8Array(d.buffer, d.byteOffset, d.length).slice(),
      bias: op.inputs[2]! >= 0 ? i32(op.inputs[2]!) : new Int32Array(units), mults: i32(op.inputs[3]!), shifts: i32(op.inputs[4]!), params: op.params.slice(-4),
    }];
  });
}

const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {}).exports as Record<string, unknown>;
(wasm._initialize as () => void)();
const k = (n: string) => wasm[n] as Kernel;
const memory = wasm.memory as WebAssembly.Memory;
const put = (bytes: Uint8Array) => { const p = k('alloc')(bytes.length); new Uint8Array(memory.buffer, p, bytes.length).set(bytes); return p; };
const bytesOf = (a: Int8Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const ROUNDS = 24; // interleaved (bench/rounds.ts)
const bench = roundsBench();
const rows: { layer: Layer; simdSparse: boolean; picksSparse: boolean; exact: boolean }[] = [];
let seed = 0x51a7;
for (const layer of [...layersOf('ad01_int8'), ...layersOf('kws_ref_model')]) {
  const { rows: batches, depth, units } = layer;
  const x = Int8Array.from({ length: batches * depth }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24) - 128);
  const inp = put(bytesOf(x)), w = put(bytesOf(layer.dense)), ws = put(encodeSparse(layer.dense, units, depth));
  const bias = put(bytesOf(layer.bias)), mults = put(bytesOf(layer.mults)), shifts = put(bytesOf(layer.shifts));
  const out = [0, 1, 2, 3].map(() => k('alloc')(batches * units));
  const form = k('gemm_form')(0, w, depth, units, batches, 1, bias, mults, shifts, layer.params[0]!);
  const packed = k('alloc')(k('gemm_packed_bytes')(form, depth, units));
  k('pack_gemm')(packed, form, w, depth, units, bias, mults, shifts);
  const blockRows = k('sparse_block_rows')(depth, batches);
  const simdSparse = batches >= 16 && blockRows > 0;
  const nonzeros = layer.dense.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  const picksSparse = simdSparse && batches < 48 && nonzeros * ((batches + 15) & ~15) <= 0.3 * units * depth * batches;
  const sparsePacked = simdSparse ? k('alloc')(Number(k('sparse_packed_bytes')(ws, depth, units))) : 0;
  if (simdSparse) k('sparse_pack')(sparsePacked, ws, depth, units, blockRows);
  const common = [bias, mults, shifts, batches, depth, units, ...layer.params];
  const run = {
    denseRef: () => k('fully_connected_i8_ref')(out[0]!, inp, w, ...common),
    sparseRef: () => k('fully_connected_sparse_i8_ref')(out[1]!, inp, ws, ...common),
    denseSimd: () => k('fully_connected_i8_simd')(out[2]!, inp, w, ...common, packed),
    sparseSimd: () => simdSparse ? k('fully_connected_sparse_i8_simd')(out[3]!, inp, ...common, sparsePacked) : run.denseSimd(),
  };
  Object.values(run).forEach((f) => f());
  const view = (p: number) => new Int8Array(memory.buffer, p, batches * units);
  const exact = (simdSparse ? [1, 2, 3] : [1, 2]).every((i) => view(out[i]!).every((v, j) => v === view(out[0]!)[j]));
  for (const [task, f] of Object.entries(run)) bench.add(`${layer.name}|${task}`, f);
  rows.push({ layer, simdSparse, picksSparse, exact });
}
const perRound = await timeInRounds(bench, ROUNDS);
const p50 = (name: string) => median(perRound.get(name) ?? []);
const speedUp = (name: string, dense: string, sparse: string) => ratio(perRound, `${name}|${dense}`, `${name}|${sparse}`);
console.log('\nsparse (80 % zeros) against dense on the same pruned weights: median µs per call, one thread\n');
console.log('| layer | nonzeros | ref dense | ref sparse | ref speed-up | simd dense | simd sparse | simd speed-up | SIMD build runs | exact |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const { layer, simdSparse, picksSparse, exact } of rows) {
  const t = (task: string) => 1000 * p50(`${layer.name}|${task}`);
  const nz = layer.dense.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  console.log(`| ${layer.name} | ${(100 * nz / layer.dense.length).toFixed(0)} % | ${t('denseRef').toFixed(1)} | ${t('sparseRef').toFixed(1)} | ${speedUp(layer.name, 'denseRef', 'sparseRef').toFixed(2)}x | ` +
    `${t('denseSimd').toFixed(1)} | ${simdSparse ? t('sparseSimd').toFixed(1) : 'dense (rows < 16)'} | ${simdSparse ? `${speedUp(layer.name, 'denseSimd', 'sparseSimd').toFixed(2)}x` : '1x'} | ${picksSparse ? 'sparse' : 'dense'} | ${exact ? 'yes' : 'NO'} |`);
}

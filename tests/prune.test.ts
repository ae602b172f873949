// Magnitude pruning (models/compress/prune.ts) on the MLPerf Tiny int8 models: the share of zeros
// asked for, the smallest real magnitudes chosen (per layer or over all layers), depthwise filters
// and the source graph untouched, and the pruned model converting and running.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLPERF } from './golden.js';
import { readTflite } from '../models/tflite/import.js';
import { convertGraph } from '../models/convert.js';
import { pruneGraph } from '../models/compress/prune.js';
import { ConvertError, elementCount, type Graph, type Tensor } from '../models/graph.js';
import { loadModel } from '../host/index.js';

const read = (name: string): Graph => readTflite(new Uint8Array(readFileSync(join(MLPERF, `${name}.tflite`))), `${name}.tflite`);

// Real magnitudes of an int8 weight tensor, per element.
function magnitudes(t: Tensor): number[] {
  const { scale, zeroPoint, axis } = t.quant!;
  const inner = elementCount(t.shape.slice(axis + 1));
  const q = new Int8Array(t.data!.buffer, t.data!.byteOffset, elementCount(t.shape));
  return Array.from(q, (v, i) => {
    const c = scale.length === 1 ? 0 : Math.floor(i / inner) % t.shape[axis]!;
    return Math.abs((v - zeroPoint[c]!) * scale[c]!);
  });
}

const weightsOf = (g: Graph, type: string) => g.ops.filter((op) => op.type === type).map((op) => g.tensors[op.inputs[1]!]!);

test('per-layer pruning zeroes the smallest 80 % of each conv and FC layer and nothing else', async () => {
  for (const name of ['ad01_int8', 'kws_ref_model']) {
    const graph = read(name);
    const before = graph.tensors.map((t) => t.data?.slice());
    const { graph: pruned, layers } = pruneGraph(graph, { sparsity: 0.8 });
    assert.ok(layers.length >= 3, `${name}: ${layers.length} layers pruned`);
    graph.tensors.forEach((t, i) => assert.deepEqual(t.data, before[i], `${name}: source tensor ${i} changed`));
    for (const type of ['CONV_2D', 'FULLY_CONNECTED']) {
      const original = weightsOf(graph, type), after = weightsOf(pruned, type);
      original.forEach((t, j) => {
        const m = magnitudes(t), q = new Int8Array(after[j]!.data!.buffer, after[j]!.data!.byteOffset, m.length);
        const zeroed = m.map((_, i) => q[i] === 0);
        const newly = zeroed.filter((z, i) => z && m[i] !== 0).length;
        assert.ok(zeroed.filter(Boolean).length >= Math.round(0.8 * m.length), `${name} ${type} ${j}: zeros`);
        assert.ok(newly <= Math.round(0.8 * m.length), `${name} ${type} ${j}: ${newly} pruned`);
        const maxPruned = Math.max(0, ...m.filter((_, i) => zeroed[i]));
        const minKept = Math.min(...m.filter((_, i) => !zeroed[i]));
        assert.ok(maxPruned <= minKept, `${name} ${type} ${j}: pruned ${maxPruned} > kept ${minKept}`);
        // Kept weights are unchanged.
        const q0 = new Int8Array(t.data!.buffer, t.data!.byteOffset, m.length);
        q.forEach((v, i) => { if (v !== 0) assert.equal(v, q0[i]); });
      });
    }
    const dw = weightsOf(graph, 'DEPTHWISE_CONV_2D'), dwAfter = weightsOf(pruned, 'DEPTHWISE_CONV_2D');
    dw.forEach((t, j) => assert.deepEqual(dwAfter[j]!.data, t.data, `${name}: depthwise ${j} pruned`));
    // The pruned model converts and runs.
    const model = await loadModel(convertGraph(pruned).bytes, { name });
    const [out] = model.run(new Int8Array(model.inputs[0]!.bytes));
    assert.equal(out!.length, model.outputs[0]!.bytes);
  }
});

test('global pruning uses one magnitude cut over all layers, so layers end at different shares', () => {
  const graph = read('kws_ref_model');
  const { graph: pruned, layers } = pruneGraph(graph, { sparsity: 0.8, scope: 'global' });
  const total = layers.reduce((a, l) => a + l.weights, 0), zeros = layers.reduce((a, l) => a + l.zeros, 0);
  assert.ok(zeros >= Math.round(0.8 * total) && zeros < 0.81 * total, `${zeros} of ${total} zero`);
  const shares = layers.map((l) => l.zeros / l.weights);
  assert.ok(Math.max(...shares) - Math.min(...shares) > 0.1, `shares ${shares.map((s) => s.toFixed(2)).join(' ')}`);
  let maxPruned = 0, minKept = Infinity;
  for (const type of ['CONV_2D', 'FULLY_CONNECTED']) {
    weightsOf(graph, type).forEach((t, j) => {
      const m = magnitudes(t), after = weightsOf(pruned, type)[j]!;
      const q = new Int8Array(after.data!.buffer, after.data!.byteOffset, m.length);
      m.forEach((v, i) => { if (q[i] === 0) maxPruned = Math.max(maxPruned, v); else minKept = Math.min(minKept, v); });
    });
  }
  assert.ok(maxPruned <= minKept, `pruned ${maxPruned} > kept ${minKept}`);
});

test('sparsity 0 changes nothing; a sparsity outside [0, 1) is refused by name', () => {
  const graph = read('ad01_int8');
  const { graph: same } = pruneGraph(graph, { sparsity: 0 });
  graph.tensors.forEach((t, i) => assert.deepEqual(same.tensors[i]!.data, t.data));
  for (const bad of [1, -0.1, Number.NaN, 1.5]) {
    assert.throws(() => pruneGraph(graph, { sparsity: bad }), (e: unknown) => e instanceof ConvertError
      && e.message === `ad01_int8.tflite: sparsity ${bad}: it must be at least 0 and below 1`);
  }
});

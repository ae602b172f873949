// Structured pruning (models/compress/structured.ts) on the MLPerf Tiny models: removing half of each
// prunable layer's output channels, with the surgery downstream, computes exactly what the same
// model with those channels zeroed computes (their weights and biases; a zeroed channel's int8
// output is its zero point, real 0, which adds nothing downstream), on both builds; the model gets
// fewer MACs and bytes; layers whose output meets a residual ADD or the graph's output stay whole.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLPERF, mlperfCase, sample } from './golden.js';
import { readTflite } from '../models/tflite/import.js';
import { convertGraph } from '../models/convert.js';
import { pruneChannels } from '../models/compress/structured.js';
import { loadModel, readEwm } from '../host/index.js';
import { opMacs } from '../host/inspect.js';

const macs = (ewm: Uint8Array) => readEwm(ewm).ops.reduce((n, op) => n + opMacs(op.code, readEwm(ewm).tensors, op.inputs, op.outputs), 0);

for (const [name, minLayers] of [['vww_96_int8', 14], ['kws_ref_model', 4], ['ad01_int8', 9], ['pretrainedResnet_quant', 3]] as const) {
  test(`structured pruning of ${name}: removed channels compute what zeroed channels compute`, async () => {
    const graph = readTflite(new Uint8Array(readFileSync(join(MLPERF, `${name}.tflite`))), `${name}.tflite`);
    const removed = pruneChannels(graph, 0.5);
    const zeroed = pruneChannels(graph, 0.5, 'zero');
    assert.ok(removed.layers.length >= minLayers, `${removed.layers.length} layers pruned`);
    assert.deepEqual(zeroed.layers, removed.layers);
    const small = convertGraph(removed.graph).bytes, same = convertGraph(zeroed.graph).bytes, full = convertGraph(graph).bytes;
    assert.ok(macs(small) < 0.75 * macs(full), `MACs ${macs(small)} of ${macs(full)}`);
    assert.ok(small.length < full.length, `${small.length} of ${full.length} bytes`);
    const c = mlperfCase(name);
    for (const build of ['simd', 'mvp'] as const) {
      const a = await loadModel(small, { build, name }), b = await loadModel(same, { build, name });
      assert.equal(a.outputs[0]!.bytes, b.outputs[0]!.bytes);
      for (const i of [0, 7]) {
        const { data, bytesPerSample, dtype } = c.inputs[0]!;
        const x = sample(data, bytesPerSample, i, dtype);
        assert.deepEqual(a.run(x)[0], b.run(x)[0], `${name} ${build} sample ${i}`);
      }
    }
  });
}

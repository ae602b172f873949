// The float32 reference executor (models/float/executor.ts) against TensorFlow Lite Micro's float
// kernels: every golden sample of the three float MLPerf Tiny models within 1e-6 relative (it
// rounds each product and sum to float32 as they do; measured here: VWW 2e-9, ResNet-8 1.2e-7, AD
// 0). The hybrid KWS model's goldens come from TFLite + XNNPACK, whose hybrid kernels quantize
// activations on the fly: top-1 agrees and no output is off by more than 0.13 (0.123 measured).
// Plus a graph computed by hand, and refusals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLPERF, mlperfCase, sample } from './golden.js';
import { readTflite } from '../models/tflite/import.js';
import { runFloat } from '../models/float/executor.js';
import { ConvertError, type Graph } from '../models/graph.js';

const argmax = (v: Float32Array) => v.reduce((best, x, i) => (x > v[best]! ? i : best), 0);

for (const [name, tolerance] of [['vww_96_float', 1e-6], ['pretrainedResnet', 1e-6], ['ad01_fp32', 1e-6], ['kws_ref_model_float32', 0.13]] as const) {
  test(`runFloat: ${name} on its 16 golden samples`, () => {
    const graph = readTflite(new Uint8Array(readFileSync(join(MLPERF, `${name}.tflite`))), name);
    const c = mlperfCase(name);
    for (let i = 0; i < c.n; i++) {
      const x = sample(c.inputs[0]!.data, c.inputs[0]!.bytesPerSample, i, 'float32') as Float32Array;
      const want = sample(c.output.data, c.output.bytesPerSample, i, 'float32') as Float32Array;
      const [y] = runFloat(graph, [x]);
      assert.equal(y!.length, want.length);
      for (let j = 0; j < want.length; j++) {
        const err = Math.abs(y![j]! - want[j]!) / Math.max(1, Math.abs(want[j]!));
        assert.ok(err <= tolerance, `${name} sample ${i} output ${j}: ${y![j]} against ${want[j]}`);
      }
      assert.equal(argmax(y!), argmax(want), `${name} sample ${i}: top-1`);
    }
  });
}

const f32Bytes = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

// A 3x3 one-channel input, a 2x2 VALID conv with bias and RELU, then ADD of a constant scalar.
function tinyGraph(): Graph {
  return {
    tensors: [
      { name: 'x', dtype: 'float32', shape: [1, 3, 3, 1] },
      { name: 'w', dtype: 'float32', shape: [1, 2, 2, 1], data: f32Bytes([1, -1, 2, 0.5]) },
      { name: 'b', dtype: 'float32', shape: [1], data: f32Bytes([-3]) },
      { name: 'c', dtype: 'float32', shape: [1, 2, 2, 1] },
      { name: 'k', dtype: 'float32', shape: [1], data: f32Bytes([0.25]) },
      { name: 'y', dtype: 'float32', shape: [1, 2, 2, 1] },
    ],
    ops: [
      { type: 'CONV_2D', index: 0, inputs: [0, 1, 2], outputs: [3], options: { padding: 'VALID', strideH: 1, strideW: 1, fusedActivationFunction: 'RELU' } },
      { type: 'ADD', index: 1, inputs: [3, 4], outputs: [5], options: { fusedActivationFunction: 'NONE' } },
    ],
    inputs: [0],
    outputs: [5],
  };
}

test('runFloat: a conv and a broadcast ADD computed by hand; every activation observed', () => {
  // x = 1..9 row-major; window at (0,0): 1*1 - 2 + 2*4 + 0.5*5 = 9.5, minus 3 = 6.5; (0,1): 2 - 3 + 10 + 3 - 3 = 9;
  // (1,0): 4 - 5 + 14 + 4 - 3 = 14; (1,1): 5 - 6 + 16 + 4.5 - 3 = 16.5; then + 0.25.
  const seen: number[] = [];
  const [y] = runFloat(tinyGraph(), [Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])], (t) => seen.push(t));
  assert.deepEqual(Array.from(y!), [6.75, 9.25, 14.25, 16.75]);
  assert.deepEqual(seen, [0, 3, 5]);
  // RELU clamps a negative window: all inputs 0 gives bias -3 -> 0, then + 0.25.
  assert.deepEqual(Array.from(runFloat(tinyGraph(), [new Float32Array(9)])[0]!), [0.25, 0.25, 0.25, 0.25]);
});

test('runFloat: an unsupported op and a wrong input size are refused by name', () => {
  const g = tinyGraph();
  g.ops[1] = { ...g.ops[1]!, type: 'TANH' };
  assert.throws(() => runFloat(g, [new Float32Array(9)]), (e: unknown) => e instanceof ConvertError && e.message === 'op 1 (TANH): operator not supported by the float executor');
  assert.throws(() => runFloat(tinyGraph(), [new Float32Array(8)]), (e: unknown) => e instanceof ConvertError && /input 0 \('x'\) has 8 values, expected 9/.test(e.message));
});

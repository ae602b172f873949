// Pruned models end to end: AD (10 fully connected) and KWS (4 1x1 convs, rewritten as fully connected, and one FC)
// pruned to 80 % convert with their pruned layers in the sparse encoding, smaller, and run on both
// builds to exactly the outputs of the same pruned weights written dense. A malformed sparse
// tensor is refused at load by name, and mutated sparse models are fuzzed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as F from '../host/format.js';
import { GOLDEN, MLPERF, mlperfCase, sample } from './golden.js';
import { runCase, runtimeModule } from './fuzz.js';
import { readTflite } from '../models/tflite/import.js';
import { convertGraph } from '../models/convert.js';
import { pruneGraph } from '../models/compress/prune.js';
import { loadModel, EwmError } from '../host/index.js';

const pruned = (name: string) => pruneGraph(readTflite(new Uint8Array(readFileSync(join(MLPERF, `${name}.tflite`))), `${name}.tflite`), { sparsity: 0.8 });

// The tensor records of an .ewm whose encoding is sparse: [record offset, bytes, dims].
function sparseTensors(ewm: Uint8Array): { rec: number; bytes: number; elements: number }[] {
  const v = new DataView(ewm.buffer, ewm.byteOffset);
  const found = [];
  for (let i = 0; i < v.getUint32(F.H_TENSOR_COUNT, true); i++) {
    const rec = v.getUint32(F.H_TENSOR_TABLE, true) + i * F.TENSOR_RECORD_SIZE;
    if (v.getUint8(rec + F.T_ENCODING) !== F.ENCODING_SPARSE) continue;
    found.push({ rec, bytes: v.getUint32(rec + F.T_BYTES, true), elements: v.getInt32(rec + F.T_DIMS, true) * v.getInt32(rec + F.T_DIMS + 4, true) });
  }
  return found;
}

test('AD and KWS pruned to 80 % run sparse, 3x smaller weights, exactly as dense on both builds', async () => {
  for (const [name, layers] of [['ad01_int8', 10], ['kws_ref_model', 5]] as const) {
    const { graph } = pruned(name);
    const sparse = convertGraph(graph).bytes;
    const dense = convertGraph(graph, { sparse: false }).bytes;
    const tensors = sparseTensors(sparse);
    assert.equal(tensors.length, layers, `${name}: sparse layers`);
    for (const t of tensors) assert.ok(t.elements / t.bytes >= 3, `${name}: ${t.elements} weights in ${t.bytes} bytes`);
    assert.ok(sparse.length < dense.length, `${name}: ${sparse.length} vs ${dense.length} bytes`);
    const c = mlperfCase(name);
    for (const build of ['simd', 'mvp'] as const) {
      const a = await loadModel(sparse, { build, name }), b = await loadModel(dense, { build, name });
      for (const i of [0, 5, 11]) {
        const { data, bytesPerSample, dtype } = c.inputs[0]!;
        const x = sample(data, bytesPerSample, i, dtype);
        assert.deepEqual(a.run(x)[0], b.run(x)[0], `${name} ${build} sample ${i}`);
      }
    }
  }
});

test('a malformed sparse tensor is refused at load, naming the tensor and the value', async () => {
  const ewm = convertGraph(pruned('ad01_int8').graph).bytes;
  const [t] = sparseTensors(ewm);
  const index = (t!.rec - F.HEADER_SIZE) / F.TENSOR_RECORD_SIZE;
  const refusal = async (change: (v: DataView, b: Uint8Array) => void) => {
    const b = ewm.slice();
    const v = new DataView(b.buffer);
    change(v, b);
    v.setUint32(F.H_CRC32, crc32(b.subarray(F.CRC_START)), true);
    await assert.rejects(loadModel(b, { name: 'p.ewm' }), (e: unknown) => e instanceof EwmError && /^p\.ewm: /.test(e.message) ? (lastMessage = e.message, true) : false);
    return lastMessage;
  };
  let lastMessage = '';
  const at = (v: DataView) => v.getUint32(t!.rec + F.T_OFFSET, true);
  // More bits than values: the bitmap's count and the bytes disagree.
  const bits = await refusal((v, b) => { assert.notEqual(b[at(v)], 0xff); b[at(v)] = 0xff; });
  assert.match(bits, new RegExp(`^p\\.ewm: tensor ${index}: bytes ${t!.bytes} does not match its shape and dtype$`));
  // Fewer bytes than the bitmap alone.
  assert.match(await refusal((v) => v.setUint32(t!.rec + F.T_BYTES, 3, true)), new RegExp(`^p\\.ewm: tensor ${index}: bytes 3 does not match`));
  // Sparse on a tensor that is not a weight matrix (rank 4), and sparse weights fed to an op other than FULLY_CONNECTED.
  assert.match(await refusal((v) => v.setUint8(t!.rec + F.T_RANK, 4)), new RegExp(`tensor ${index}: (encoding 1 is not supported|dimension)`));
  const firstOp = (v: DataView) => v.getUint32(F.H_OP_TABLE, true);
  assert.match(await refusal((v) => {
    const args = v.getUint32(firstOp(v) + F.O_ARGS, true);
    v.setInt32(args, index, true); // the first op's input 0 is now the sparse weights
  }), new RegExp(`^p\\.ewm: (op 0: )?tensor ${index}: encoding 1 is not supported by this runtime$`));
});

// The fuzzer (tests/fuzz.ts) on sparse seeds: the pruned AD model and pruned one-layer FC models, so
// the sparse checks (bitmap counts, tail bits, which op may read sparse weights) and kernels meet
// mutated files. Every case loads and runs, or is refused by name; nothing else.
test('fuzz: 1,500 mutated sparse models per build are run or refused by name, nothing else', async () => {
  const seeds = ['fc_640x128_relu', 'fc_37x11', 'fc_3d_keepdims'].map((n) => {
    const tflite = new Uint8Array(readFileSync(join(GOLDEN, 'ops', `${n}.tflite`)));
    return { name: `${n}.ewm`, tflite, ewm: convertGraph(pruneGraph(readTflite(tflite, `${n}.ewm`), { sparsity: 0.8 }).graph).bytes };
  });
  seeds.push({ name: 'ad01_int8.ewm', tflite: new Uint8Array(0), ewm: convertGraph(pruned('ad01_int8').graph).bytes });
  for (const s of seeds) assert.ok(sparseTensors(s.ewm).length > 0, `${s.name} has sparse weights`);
  for (const build of ['simd', 'mvp'] as const) {
    const runtime = await runtimeModule(build);
    const counts = { loaded: 0, refused: 0 };
    for (let seed = 1; seed <= 1500; seed++) {
      const outcome = await runCase(seeds, 'ewm', seed, runtime);
      if (typeof outcome === 'object') assert.fail(`${build} seed ${seed}: ${outcome.failure}`);
      counts[outcome]++;
    }
    assert.ok(counts.loaded > 50 && counts.refused > 500, `${build}: ${JSON.stringify(counts)}`);
  }
});

// The TFLite importer against what TensorFlow itself reports about the same files: every golden
// one-op model (ops, options, per-op tensors and graph I/O from ../shared/golden/ops/*.json), the
// eight MLPerf Tiny models (op lists of their README, I/O of ../shared/golden/NAME.json), small
// hand-built FlatBuffers for the corners the real files do not reach (codes ≥ 127, custom ops,
// missing options, data stored after the FlatBuffer), and broken files, whose ConvertError must name
// the file, the field and the value. Corrupted copies of a real model (seeded, seed printed) must
// only ever give a Graph or a ConvertError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, ByteBuffer } from 'flatbuffers';
import { readTflite } from '../models/tflite/import.js';
import { ConvertError, type Graph, type Tensor } from '../models/graph.js';
import { mulberry32 } from '../models/prng.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN = join(ROOT, '..', 'shared', 'golden');
const OPS = join(GOLDEN, 'ops');
const MLPERF = join(ROOT, '..', 'shared', 'models', 'mlperf-tiny');

const read = (path: string) => new Uint8Array(readFileSync(path));
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

interface TensorInfo {
  index?: number; name: string; shape: number[]; dtype: string; const?: boolean;
  scale?: number | null; zero_point?: number | null; per_channel?: { n: number; axis: number; zero_points_all_zero: boolean };
}

function checkTensor(t: Tensor | undefined, want: TensorInfo, where: string): void {
  assert.ok(t, `${where}: tensor missing`);
  assert.equal(t.name, want.name, `${where} name`);
  assert.deepEqual(t.shape, want.shape, `${where} shape`);
  assert.equal(t.dtype, want.dtype, `${where} dtype`);
  if (want.const !== undefined) assert.equal(t.data !== undefined, want.const, `${where} const`);
  if (want.per_channel) {
    const q = t.quant;
    assert.ok(q, `${where}: per-channel quantization missing`);
    assert.equal(q.scale.length, want.per_channel.n, `${where} scale count`);
    assert.equal(q.axis, want.per_channel.axis, `${where} axis`);
    assert.equal(q.zeroPoint.every((z) => z === 0), want.per_channel.zero_points_all_zero, `${where} zero points`);
  } else if (want.scale) {
    assert.deepEqual(t.quant, { scale: [want.scale], zeroPoint: [want.zero_point], axis: 0 }, `${where} quantization`);
  } else {
    assert.equal(t.quant, undefined, `${where}: unquantized tensor has quantization`);
  }
}

function checkIo(g: Graph, which: 'inputs' | 'outputs', want: TensorInfo[], where: string): void {
  assert.equal(g[which].length, want.length, `${where} ${which} count`);
  want.forEach((w, i) => checkTensor(g.tensors[g[which][i]!], w, `${where} ${which}[${i}]`));
}

for (const file of readdirSync(OPS).filter((f) => f.endsWith('.json')).sort()) {
  const name = file.replace(/\.json$/, '');
  test(`golden op model ${name}`, () => {
    const meta = json(join(OPS, file));
    const g = readTflite(read(join(OPS, meta.model)), meta.model);
    assert.equal(g.source, meta.model);
    assert.deepEqual(g.ops.map((op) => op.type), meta.ops);
    meta.op_details.forEach((d: { options: object | null; inputs: TensorInfo[]; outputs: TensorInfo[] }, i: number) => {
      const op = g.ops[i]!;
      assert.equal(op.index, i);
      if (d.options !== null) assert.deepEqual(op.options, d.options, `${name} op ${i} ${op.type} options`);
      for (const side of ['inputs', 'outputs'] as const) {
        assert.deepEqual(op[side], d[side].map((t) => t.index), `${name} op ${i} ${side}`);
        d[side].forEach((t) => checkTensor(g.tensors[t.index!], t, `${name} op ${i} ${side} tensor ${t.index}`));
      }
    });
    checkIo(g, 'inputs', meta.inputs, name);
    checkIo(g, 'outputs', meta.outputs, name);
  });
}

/** Op lists of the README's table (`same` = the row above), parenthetical remarks dropped. */
function readmeOps(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  let previous: string[] = [];
  for (const line of readFileSync(join(MLPERF, 'README.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (!cells[1]?.endsWith('.tflite')) continue;
    const ops = cells[5] === 'same' ? previous : cells[5]!.replace(/\([^)]*\)/g, '').split(',').map((s) => s.trim());
    rows.set(cells[1].replace(/\.tflite$/, ''), ops);
    previous = ops;
  }
  return rows;
}

const MLPERF_OPS = readmeOps();
test('the README lists the eight MLPerf Tiny models', () => assert.equal(MLPERF_OPS.size, 8));

for (const [name, ops] of MLPERF_OPS) {
  test(`MLPerf Tiny ${name}`, () => {
    const meta = json(join(GOLDEN, `${name}.json`));
    const g = readTflite(read(join(MLPERF, `${name}.tflite`)), `${name}.tflite`);
    assert.deepEqual([...new Set(g.ops.map((op) => op.type))].sort(), [...ops].sort());
    checkIo(g, 'inputs', [meta.input], name);
    checkIo(g, 'outputs', [meta.output], name);
    if (meta.input.dtype !== 'int8') return;
    // The README's measured facts about the int8 models.
    for (const op of g.ops) {
      const w = g.tensors[op.inputs[1]!];
      const bias = g.tensors[op.inputs[2]!];
      const where = `${name} op ${op.index} ${op.type}`;
      if (op.type === 'CONV_2D' || op.type === 'DEPTHWISE_CONV_2D') {
        const axis = op.type === 'CONV_2D' ? 0 : 3;
        assert.equal(w?.quant?.axis, axis, `${where} weight axis`);
        assert.equal(w?.quant?.scale.length, w?.shape[axis], `${where} per-channel scales`);
        assert.equal(op.options.padding, 'SAME', `${where} padding`);
      }
      if (op.type === 'FULLY_CONNECTED') assert.equal(w?.quant?.scale.length, 1, `${where} per-tensor weights`);
      if (bias) assert.equal(bias.dtype, 'int32', `${where} bias dtype`);
      if (op.type === 'SOFTMAX') {
        assert.deepEqual(g.tensors[op.outputs[0]!]?.quant, { scale: [1 / 256], zeroPoint: [-128], axis: 0 }, where);
      }
    }
  });
}

// ---- Hand-built FlatBuffers ----

interface Spec {
  version?: number;
  codes: { deprecated?: number; builtin?: number; custom?: string }[];
  tensors: { name: string; type: number; shape: number[]; buffer?: number; scale?: number[]; zeroPoint?: number[] }[];
  buffers: { data?: number[]; after?: number[] }[]; // after: stored behind the FlatBuffer (Buffer.offset/size)
  ops: { code: number; inputs: number[]; outputs: number[]; optionsType?: number; options?: (b: Builder) => number }[];
  inputs: number[];
  outputs: number[];
  noSubgraph?: boolean;
}

function buildOnce(s: Spec, afterOffset: number): Uint8Array {
  const b = new Builder(256);
  const vec = (size: number, xs: number[], add: (x: number) => void, align = size) => {
    b.startVector(size, xs.length, align);
    for (let i = xs.length - 1; i >= 0; i--) add(xs[i]!);
    return b.endVector();
  };
  const ints = (xs: number[]) => vec(4, xs, (x) => b.addInt32(x));
  const refs = (xs: number[]) => vec(4, xs, (x) => b.addOffset(x));
  const table = (fields: (() => void)[]) => {
    b.startObject(fields.length);
    fields.forEach((f) => f());
    return b.endObject();
  };
  const codes = s.codes.map((c) => {
    const custom = c.custom === undefined ? 0 : b.createString(c.custom);
    return table([() => b.addFieldInt8(0, c.deprecated ?? 0, 0), () => custom && b.addFieldOffset(1, custom, 0), () => {},
      () => b.addFieldInt32(3, c.builtin ?? 0, 0)]);
  });
  const tensors = s.tensors.map((t) => {
    const name = b.createString(t.name);
    const shape = ints(t.shape);
    let quant = 0;
    if (t.scale) {
      const scale = vec(4, t.scale, (x) => b.addFloat32(x));
      const zp = vec(8, t.zeroPoint ?? [], (x) => b.addInt64(BigInt(x)));
      quant = table([() => {}, () => {}, () => b.addFieldOffset(2, scale, 0), () => b.addFieldOffset(3, zp, 0)]);
    }
    return table([() => b.addFieldOffset(0, shape, 0), () => b.addFieldInt8(1, t.type, 0), () => b.addFieldInt32(2, t.buffer ?? 0, 0),
      () => b.addFieldOffset(3, name, 0), () => quant && b.addFieldOffset(4, quant, 0)]);
  });
  const ops = s.ops.map((o) => {
    const options = o.options ? o.options(b) : 0;
    const inputs = ints(o.inputs);
    const outputs = ints(o.outputs);
    return table([() => b.addFieldInt32(0, o.code, 0), () => b.addFieldOffset(1, inputs, 0), () => b.addFieldOffset(2, outputs, 0),
      () => b.addFieldInt8(3, o.optionsType ?? 0, 0), () => options && b.addFieldOffset(4, options, 0)]);
  });
  const tensorVec = refs(tensors);
  const opVec = refs(ops);
  const inputs = ints(s.inputs);
  const outputs = ints(s.outputs);
  const subgraph = table([() => b.addFieldOffset(0, tensorVec, 0), () => b.addFieldOffset(1, inputs, 0),
    () => b.addFieldOffset(2, outputs, 0), () => b.addFieldOffset(3, opVec, 0)]);
  const buffers = s.buffers.map((buf) => {
    const data = buf.data ? vec(1, buf.data, (x) => b.addInt8(x), 16) : 0;
    return table([() => data && b.addFieldOffset(0, data, 0),
      () => buf.after && b.addFieldInt64(1, BigInt(afterOffset), 0n), () => buf.after && b.addFieldInt64(2, BigInt(buf.after.length), 0n)]);
  });
  const codeVec = refs(codes);
  const subgraphVec = refs(s.noSubgraph ? [] : [subgraph]);
  const bufferVec = refs(buffers);
  const model = table([() => b.addFieldInt32(0, s.version ?? 3, 0), () => b.addFieldOffset(1, codeVec, 0),
    () => b.addFieldOffset(2, subgraphVec, 0), () => {}, () => b.addFieldOffset(4, bufferVec, 0)]);
  b.finish(model, 'TFL3');
  return b.asUint8Array();
}

/** A .tflite built from `s`; `after` buffers (one at most) go 16-aligned behind the FlatBuffer. */
function build(s: Spec): Uint8Array {
  const after = s.buffers.find((buf) => buf.after)?.after;
  if (!after) return buildOnce(s, 0);
  const offset = Math.ceil(buildOnce(s, 1 << 20).length / 16) * 16; // offsets are fixed-width: same length
  const fb = buildOnce(s, offset);
  const file = new Uint8Array(offset + after.length);
  file.set(fb);
  file.set(after, offset);
  return file;
}

const INT8 = 9;
const GELU = 150;
const CONV_2D = 3;

function tiny(): Spec {
  return {
    codes: [{ deprecated: 127, builtin: GELU }, { deprecated: 32, custom: 'MyOp' }, { deprecated: 127, builtin: 250 }, { deprecated: CONV_2D }],
    tensors: [
      { name: 'x', type: INT8, shape: [1, 4], scale: [0.5], zeroPoint: [-3] },
      { name: 'w', type: INT8, shape: [2, 2], buffer: 1, scale: [0.25, 0.125], zeroPoint: [0, 0] },
      { name: 'y', type: INT8, shape: [1, 4] },
      { name: 'v', type: 0, shape: [2], buffer: 2 },
    ],
    buffers: [{}, { data: [1, 2, 3, 4] }, { after: [0, 0, 128, 63, 0, 0, 0, 64] }],
    ops: [
      { code: 0, inputs: [0], outputs: [2] },
      { code: 1, inputs: [0, -1], outputs: [2] },
      { code: 2, inputs: [0], outputs: [2] },
      { code: 3, inputs: [0, 1, -1], outputs: [2] },
    ],
    inputs: [0],
    outputs: [2],
  };
}

test('hand-built model: codes ≥ 127, custom ops, unknown codes, default options, data behind the FlatBuffer', () => {
  const g = readTflite(build(tiny()), 'tiny.tflite');
  assert.deepEqual(g.ops.map((op) => op.type), ['GELU', 'CUSTOM:MyOp', 'BUILTIN_250', 'CONV_2D']);
  assert.deepEqual(g.ops.map((op) => op.options), [
    { approximate: false }, {}, {},
    { padding: 'SAME', strideW: 0, strideH: 0, fusedActivationFunction: 'NONE', dilationWFactor: 1, dilationHFactor: 1, quantizedBiasType: 0 },
  ]);
  assert.deepEqual(g.ops[1]!.inputs, [0, -1]);
  assert.deepEqual(g.tensors[0]!.quant, { scale: [0.5], zeroPoint: [-3], axis: 0 });
  assert.deepEqual(g.tensors[1]!.quant, { scale: [0.25, 0.125], zeroPoint: [0, 0], axis: 0 });
  assert.deepEqual([...g.tensors[1]!.data!], [1, 2, 3, 4]);
  assert.equal(g.tensors[2]!.data, undefined);
  assert.deepEqual([...new Float32Array(g.tensors[3]!.data!.buffer)], [1, 2]);
});

test('hand-built model: options table present is read, wrong table type refused', () => {
  const s = tiny();
  const pool = (b: Builder) => { b.startObject(6); b.addFieldInt8(0, 1, 0); b.addFieldInt32(1, 2, 0); return b.endObject(); };
  s.ops[3] = { code: 3, inputs: [0, 1, -1], outputs: [2], optionsType: 1, options: pool }; // Conv2DOptions laid out like Pool2D's prefix
  assert.deepEqual(readTflite(build(s), 't.tflite').ops[3]!.options,
    { padding: 'VALID', strideW: 2, strideH: 0, fusedActivationFunction: 'NONE', dilationWFactor: 1, dilationHFactor: 1, quantizedBiasType: 0 });
  s.ops[3]!.optionsType = 5;
  assert.match(refusal(() => readTflite(build(s), 't.tflite')),
    /^t\.tflite: operator 3 \(CONV_2D\): builtin_options_type 5 \(Pool2DOptions\), expected 1 \(Conv2DOptions\)$/);
});

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConvertError, `expected a ConvertError, got ${e instanceof Error ? e.stack : e}`);
    return e.message;
  }
  assert.fail('expected a ConvertError, nothing was thrown');
}

test('refuses malformed hand-built models, naming field and value', () => {
  const cases: [string, (s: Spec) => void, RegExp][] = [
    ['version', (s) => { s.version = 2; }, /^m\.tflite: Model\.version 2, expected 3$/],
    ['no subgraphs', (s) => { s.noSubgraph = true; }, /^m\.tflite: Model\.subgraphs is empty/],
    ['buffer index', (s) => { s.tensors[1]!.buffer = 99; }, /^m\.tflite: tensor 1 buffer 99 out of range \(3 buffers\)$/],
    ['opcode index', (s) => { s.ops[0]!.code = 7; }, /^m\.tflite: operator 0 opcode_index 7 out of range \(4 operator codes\)$/],
    ['op input', (s) => { s.ops[2]!.inputs = [12]; }, /^m\.tflite: operator 2 \(BUILTIN_250\) input 0 tensor 12 out of range \(4 tensors\)$/],
    ['graph output', (s) => { s.outputs = [-1]; }, /^m\.tflite: subgraph 0 output 0 tensor -1 out of range \(4 tensors\)$/],
    ['data size', (s) => { s.buffers[1]!.data = [1, 2, 3]; }, /^m\.tflite: tensor 1 \(w\) buffer 1 holds 3 bytes, shape \[2,2\] int8 needs 4$/],
    ['negative dim', (s) => { s.tensors[2]!.shape = [1, -1]; }, /^m\.tflite: tensor 2 \(y\) shape \[1,-1\] has a negative dimension$/],
    ['zero points', (s) => { s.tensors[0]!.zeroPoint = [1, 2]; }, /^m\.tflite: tensor 0 \(x\) quantization has 1 scales but 2 zero points$/],
    ['channel count', (s) => { s.tensors[1]!.scale = [1, 2, 3]; s.tensors[1]!.zeroPoint = [0, 0, 0]; },
      /^m\.tflite: tensor 1 \(w\) quantized_dimension 0: 3 scales for shape \[2,2\]$/],
  ];
  for (const [what, edit, message] of cases) {
    const s = tiny();
    edit(s);
    assert.match(refusal(() => readTflite(build(s), 'm.tflite')), message, what);
  }
});

// ---- Broken real files ----

const KWS = read(join(MLPERF, 'kws_ref_model.tflite'));

test('refuses a file too short to hold the header', () => {
  assert.equal(refusal(() => readTflite(KWS.slice(0, 5), 'short.tflite')),
    'short.tflite: file size 5 bytes, too short for a TFLite flatbuffer (identifier at bytes 4..8)');
});

test('refuses a wrong file identifier', () => {
  const bytes = KWS.slice();
  bytes.set([0x41, 0x42, 0x43, 0x44], 4);
  assert.equal(refusal(() => readTflite(bytes, 'bad.tflite')), 'bad.tflite: file identifier "ABCD", expected "TFL3"');
});

test('refuses a truncated file, naming the field that points outside it', () => {
  for (const size of [8, 64, 1000, KWS.length >> 1, KWS.length - 1]) {
    const message = refusal(() => readTflite(KWS.slice(0, size), 'cut.tflite'));
    assert.match(message, new RegExp(`^cut\\.tflite: .*outside the file \\(${size} bytes\\)|^cut\\.tflite: .*past the end of the file \\(${size} bytes\\)`), `${size} bytes: ${message}`);
  }
});

test('random bytes are refused with a ConvertError naming the file', () => {
  const seed = 20240611;
  console.log(`random-bytes seed ${seed}`);
  const rand = mulberry32(seed);
  for (let i = 0; i < 300; i++) {
    const bytes = Uint8Array.from({ length: Math.floor(rand() * 2048) }, () => Math.floor(rand() * 256));
    if (i % 2 && bytes.length >= 8) bytes.set([0x54, 0x46, 0x4c, 0x33], 4); // past the identifier check
    assert.match(refusal(() => readTflite(bytes, 'noise.tflite')), /^noise\.tflite: /, `sample ${i} (seed ${seed})`);
  }
});

test('corrupted copies of a real model give a Graph or a ConvertError, never another error', () => {
  const seed = 77;
  console.log(`corruption seed ${seed}`);
  const rand = mulberry32(seed);
  const original = read(join(OPS, 'relu.tflite')); // no weights: most bytes are structure
  const bb = new ByteBuffer(original);
  assert.equal(bb.getBufferIdentifier(), 'TFL3');
  for (let i = 0; i < 2000; i++) {
    const bytes = original.slice();
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    try {
      readTflite(bytes, 'flip.tflite');
    } catch (e) {
      assert.ok(e instanceof ConvertError && e.message.startsWith('flip.tflite: '), `case ${i} (seed ${seed}): ${e instanceof Error ? e.stack : e}`);
    }
  }
});

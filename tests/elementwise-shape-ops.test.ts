// ADD, SUB, MUL, MEAN, QUANTIZE/REQUANTIZE/DEQUANTIZE, CONCATENATION, SPLIT and PAD on shapes,
// axes and values the golden one-op models do not reach (two-sided broadcasts, ranks 2 and 3,
// other reduction axes, halves and non-finite floats), each converted from a small graph, run in
// wasm and compared with an independent BigInt formulation of TensorFlow Lite Micro's reference
// kernels. Then the load-time checks: a model whose params would read outside a tensor is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import * as F from '../host/format.js';
import * as S from '../assembly/status.js';
import { loadModel, EwmError, type TypedArray } from '../host/index.js';
import { convertGraph } from '../models/convert.js';
import { quantizeMultiplier } from '../models/quantize-multiplier.js';
import type { Graph, Tensor, Op, DType } from '../models/graph.js';
import { mulberry32 } from '../models/prng.js';

const SEED = 20240611;
console.log(`seed ${SEED}`);

const rand = mulberry32(SEED);
const randomInt8 = (n: number) => Int8Array.from({ length: n }, () => Math.floor(rand() * 256) - 128);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

// ---- TFLM's fixed point, in BigInt

const i32 = (v: bigint) => BigInt.asIntN(32, v);
function mbqm(x: number, multiplier: number, shift: number): number {
  const left = BigInt(Math.max(shift, 0));
  const right = BigInt(Math.max(-shift, 0));
  const a = i32(BigInt(x) << left);
  const b = BigInt(multiplier);
  let high: bigint;
  if (a === -(2n ** 31n) && b === a) high = 2n ** 31n - 1n;
  else high = (a * b + (a * b >= 0n ? 1n << 30n : 1n - (1n << 30n))) / 2n ** 31n; // BigInt / truncates
  const mask = (1n << right) - 1n;
  const threshold = (mask >> 1n) + (high < 0n ? 1n : 0n);
  return Number((high >> right) + ((high & mask) > threshold ? 1n : 0n));
}
const clamp = (v: number, lo = -128, hi = 127) => Math.min(hi, Math.max(lo, v));

// ---- graphs

interface Spec { shape: number[]; dtype?: DType; scale?: number; zp?: number; data?: ArrayBufferView }
function tensor(name: string, s: Spec): Tensor {
  const t: Tensor = { name, dtype: s.dtype ?? 'int8', shape: s.shape };
  if (s.scale !== undefined) t.quant = { scale: [s.scale], zeroPoint: [s.zp ?? 0], axis: 0 };
  if (s.data) t.data = new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength).slice();
  return t;
}

/** One op over the given tensors; graph inputs are the non-constant inputs. */
function oneOp(type: string, options: Op['options'], ins: Spec[], outs: Spec[]): Graph {
  const tensors = [...ins.map((s, i) => tensor(`in${i}`, s)), ...outs.map((s, i) => tensor(`out${i}`, s))];
  const inputs = ins.map((_, i) => i);
  const outputs = outs.map((_, i) => ins.length + i);
  return {
    tensors, ops: [{ type, index: 0, inputs, outputs, options }],
    inputs: inputs.filter((i) => !tensors[i]!.data), outputs,
  };
}

async function run(graph: Graph, ...xs: TypedArray[]): Promise<TypedArray[]> {
  const model = await loadModel(convertGraph(graph).bytes, { name: 'test.ewm' });
  return model.run(...xs);
}

/** Row-major index → coordinates, and a broadcast operand's flat index for those coordinates. */
function coords(i: number, shape: number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { c[d] = i % shape[d]!; i = Math.floor(i / shape[d]!); }
  return c;
}
function broadcastIndex(c: number[], shape: number[]): number {
  const lead = c.length - shape.length;
  return shape.reduce((acc, dim, d) => acc * dim + (dim === 1 ? 0 : c[lead + d]!), 0);
}

function assertBytes(label: string, expected: ArrayLike<number>, actual: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i], expected[i], `${label}: index ${i}: expected ${expected[i]}, got ${actual[i]}`);
  }
}

// ---- ADD / SUB / MUL

const BINARY_CASES: { type: string; a: number[]; b: number[]; y: number[]; act: string }[] = [
  { type: 'ADD', a: [2, 1, 3, 4], b: [1, 5, 1, 4], y: [2, 5, 3, 4], act: 'NONE' },
  { type: 'ADD', a: [3, 1], b: [3, 7], y: [3, 7], act: 'RELU' },
  { type: 'SUB', a: [3, 4], b: [2, 3, 4], y: [2, 3, 4], act: 'NONE' },
  { type: 'SUB', a: [1, 6, 1, 5], b: [1, 1, 4, 1], y: [1, 6, 4, 5], act: 'RELU6' },
  { type: 'MUL', a: [4], b: [2, 3, 4], y: [2, 3, 4], act: 'RELU6' },
  { type: 'MUL', a: [2, 1, 5], b: [1, 3, 1], y: [2, 3, 5], act: 'NONE' },
];

function binaryReference(type: string, a: Int8Array, b: Int8Array, c: (typeof BINARY_CASES)[number], q: number[][], act: [number, number]): Int8Array {
  const [[sa, za], [sb, zb], [sy, zy]] = q as [[number, number], [number, number], [number, number]];
  const out = new Int8Array(size(c.y));
  if (type === 'MUL') {
    const [m, s] = quantizeMultiplier((sa * sb) / sy);
    for (let i = 0; i < out.length; i++) {
      const k = coords(i, c.y);
      const prod = (a[broadcastIndex(k, c.a)]! - za) * (b[broadcastIndex(k, c.b)]! - zb);
      out[i] = clamp(mbqm(prod, m, s) + zy, ...act);
    }
    return out;
  }
  const f = type === 'SUB' ? Math.fround : (x: number) => x; // SUB's Prepare works in float32
  const twice = f(2 * Math.max(sa, sb));
  const [m1, s1] = quantizeMultiplier(f(sa / twice));
  const [m2, s2] = quantizeMultiplier(f(sb / twice));
  const [mo, so] = quantizeMultiplier(f(twice / f(2 ** 20 * sy)));
  for (let i = 0; i < out.length; i++) {
    const k = coords(i, c.y);
    const x1 = mbqm((a[broadcastIndex(k, c.a)]! - za) * 2 ** 20, m1, s1);
    const x2 = mbqm((b[broadcastIndex(k, c.b)]! - zb) * 2 ** 20, m2, s2);
    out[i] = clamp(mbqm(type === 'SUB' ? x1 - x2 : x1 + x2, mo, so) + zy, ...act);
  }
  return out;
}

for (const c of BINARY_CASES) {
  test(`${c.type} [${c.a}] , [${c.b}] -> [${c.y}] ${c.act}: equals TFLM's formulation`, async () => {
    const q = [[0.0123, -7], [0.0371, 12], [c.type === 'MUL' ? 0.0029 : 0.0418, -3]].map(([s, z]) => [Math.fround(s!), z!]);
    const graph = oneOp(c.type, { fusedActivationFunction: c.act },
      [{ shape: c.a, scale: q[0]![0], zp: q[0]![1] }, { shape: c.b, scale: q[1]![0], zp: q[1]![1] }],
      [{ shape: c.y, scale: q[2]![0], zp: q[2]![1] }]);
    const a = randomInt8(size(c.a));
    const b = randomInt8(size(c.b));
    const [sy, zy] = q[2] as [number, number];
    const relu = Math.max(-128, zy + Math.round(0 / sy));
    const act: [number, number] = c.act === 'RELU' ? [relu, 127] : c.act === 'RELU6'
      ? [relu, Math.min(127, zy + Math.round(Math.fround(6 / sy)))] : [-128, 127];
    const [y] = await run(graph, a, b);
    assertBytes(`${c.type} ${c.act}`, binaryReference(c.type, a, b, c, q, act), y!);
  });
}

// ---- MEAN

const MEAN_CASES: { x: number[]; axes: number[]; y: number[] }[] = [
  { x: [2, 3, 4, 5], axes: [3], y: [2, 3, 4] },
  { x: [2, 3, 4, 5], axes: [0, -2, 2], y: [1, 3, 1, 5] },
  { x: [2, 3, 4, 5], axes: [0, 1, 2, 3], y: [] },
  { x: [6, 7], axes: [1], y: [6] },
  { x: [3, 40, 5], axes: [-2], y: [3, 1, 5] },
];

for (const c of MEAN_CASES) {
  test(`MEAN [${c.x}] over [${c.axes}] -> [${c.y}]: equals TFLM's QuantizedMeanOrSum`, async () => {
    const [sx, zx, sy, zy] = [Math.fround(0.0117), -43, Math.fround(0.0036), -100];
    const graph = oneOp('MEAN', { keepDims: c.y.length === c.x.length },
      [{ shape: c.x, scale: sx, zp: zx }, { shape: [c.axes.length], dtype: 'int32', data: Int32Array.from(c.axes) }],
      [{ shape: c.y, scale: sy, zp: zy }]);
    const x = randomInt8(size(c.x));
    const rank = c.x.length;
    const reduced = new Set(c.axes.map((a) => (a < 0 ? a + rank : a)));
    const count = [...reduced].reduce((n, a) => n * c.x[a]!, 1);
    const keptShape = c.x.map((d, k) => (reduced.has(k) ? 1 : d));
    const sums = new Array<number>(size(keptShape)).fill(0);
    for (let i = 0; i < x.length; i++) sums[broadcastIndex(coords(i, c.x), keptShape)]! += x[i]!;
    let [m, s] = quantizeMultiplier(sx / sy);
    const k = Math.min(Math.floor(Math.log2(count) + 1e-9), 32, 31 + s);
    m = Number((BigInt(m) << BigInt(k)) / BigInt(count));
    s -= k;
    const expected = sums.map((sum) => clamp(mbqm(sum - zx * count, m, s) + zy));
    const [y] = await run(graph, x);
    assertBytes('MEAN', expected, y!);
  });
}

// ---- QUANTIZE, REQUANTIZE, DEQUANTIZE

test('QUANTIZE float32 -> int8: float32 division, halves away from zero, NaN and infinities as x86 TFLM', async () => {
  const values = [1.25, -1.25, 0.75, -0.75, 0.25, -0.25, 63.5, -64.5, 1e10, -1e10, NaN, Infinity, -Infinity, 0.1, -0.1];
  for (const zp of [3, -128]) {
    const x = Float32Array.from(values);
    const graph = oneOp('QUANTIZE', {}, [{ shape: [x.length], dtype: 'float32' }], [{ shape: [x.length], scale: 0.5, zp }]);
    // int32(round(x / 0.5)) with out-of-range and NaN as INT32_MIN, then + zp wrapping, then clamp.
    const expected = values.map((v) => {
      const r = Math.fround(v / 0.5);
      const rounded = r < 0 ? -Math.round(-r) : Math.round(r);
      const int = Number.isFinite(rounded) && Math.abs(rounded) < 2 ** 31 ? rounded : -(2 ** 31);
      return clamp((int + zp) | 0);
    });
    const [y] = await run(graph, x);
    assertBytes(`QUANTIZE zp ${zp}`, expected, y!);
  }
});

test('QUANTIZE int8 -> int8 (REQUANTIZE) and DEQUANTIZE: equal TFLM\'s Requantize and Dequantize', async () => {
  const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  const [si, zi, so, zo] = [Math.fround(0.00390625), -128, Math.fround(0.0078422), -1];
  const [m, s] = quantizeMultiplier(si / so);
  const [requantized] = await run(oneOp('QUANTIZE', {}, [{ shape: [256], scale: si, zp: zi }], [{ shape: [256], scale: so, zp: zo }]), x);
  assertBytes('REQUANTIZE', Array.from(x, (v) => clamp(mbqm(v - zi, m, s) + zo)), requantized!);
  const [copied] = await run(oneOp('QUANTIZE', {}, [{ shape: [256], scale: si, zp: zi }], [{ shape: [256], scale: si, zp: zi }]), x);
  assertBytes('QUANTIZE to the same quantization', x, copied!);
  const [floats] = await run(oneOp('DEQUANTIZE', {}, [{ shape: [256], scale: so, zp: zo }], [{ shape: [256], dtype: 'float32' }]), x);
  assertBytes('DEQUANTIZE', Float32Array.from(x, (v) => so * (v - zo)), floats!);
});

// ---- CONCATENATION, SPLIT, PAD

test('CONCATENATION of three rank-3 operands along axis 1 places each one\'s rows', async () => {
  const shapes = [[2, 1, 3], [2, 4, 3], [2, 2, 3]];
  const q = { scale: 0.05, zp: 4 };
  const graph = oneOp('CONCATENATION', { axis: 1, fusedActivationFunction: 'NONE' },
    shapes.map((shape) => ({ shape, ...q })), [{ shape: [2, 7, 3], ...q }]);
  const xs = shapes.map((s) => randomInt8(size(s)));
  const expected: number[] = [];
  for (let b = 0; b < 2; b++) xs.forEach((x, i) => expected.push(...x.subarray(b * shapes[i]![1]! * 3, (b + 1) * shapes[i]![1]! * 3)));
  const [y] = await run(graph, ...xs);
  assertBytes('CONCATENATION', expected, y!);
});

test('CONCATENATION refuses operands with another scale (TFLM does not rescale)', () => {
  const graph = oneOp('CONCATENATION', { axis: -1 },
    [{ shape: [1, 2], scale: 0.05, zp: 0 }, { shape: [1, 2], scale: 0.06, zp: 0 }], [{ shape: [1, 4], scale: 0.05, zp: 0 }]);
  assert.throws(() => convertGraph(graph), /op 0 \(CONCATENATION\): input 'in1' .* does not rescale/);
});

test('SPLIT into three along the last axis is the inverse of CONCATENATION', async () => {
  const q = { scale: 0.05, zp: 4 };
  const graph = oneOp('SPLIT', { numSplits: 3 },
    [{ shape: [], dtype: 'int32', data: Int32Array.of(-1) }, { shape: [2, 2, 6], ...q }],
    [0, 1, 2].map(() => ({ shape: [2, 2, 2], ...q })));
  const x = randomInt8(24);
  const parts = await run(graph, x);
  parts.forEach((part, p) => assertBytes(`SPLIT part ${p}`, Array.from({ length: 8 }, (_, i) => x[Math.floor(i / 2) * 6 + p * 2 + (i % 2)]!), part));
});

test('PAD of a rank-2 tensor writes the output zero point around the input', async () => {
  const graph = oneOp('PAD', {},
    [{ shape: [3, 4], scale: 0.1, zp: -9 }, { shape: [2, 2], dtype: 'int64', data: BigInt64Array.of(1n, 0n, 2n, 3n) }],
    [{ shape: [4, 9], scale: 0.1, zp: -9 }]);
  const x = randomInt8(12);
  const expected = Array.from({ length: 36 }, (_, i) => {
    const [r, c] = [Math.floor(i / 9) - 1, (i % 9) - 2];
    return r >= 0 && c >= 0 && c < 4 ? x[r * 4 + c]! : -9;
  });
  const [y] = await run(graph, x);
  assertBytes('PAD', expected, y!);
});

// ---- load-time checks

function opParamOffset(bytes: Uint8Array, k: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const op = v.getUint32(F.H_OP_TABLE, true);
  const words = v.getUint8(op + F.O_INPUTS) + v.getUint8(op + F.O_OUTPUTS) + k;
  return v.getUint32(op + F.O_ARGS, true) + 4 * words;
}

async function refusedStatus(bytes: Uint8Array, k: number, value: number): Promise<number> {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  v.setInt32(opParamOffset(b, k), value, true);
  v.setUint32(F.H_CRC32, crc32(b.subarray(F.CRC_START)), true);
  try {
    await loadModel(b, { name: 'm.ewm' });
  } catch (e) {
    assert.ok(e instanceof EwmError);
    return e.status;
  }
  return assert.fail('the model loaded');
}

test('load: a broadcast stride, a pad or a mean axis set that reaches outside a tensor is refused', async () => {
  const add = convertGraph(oneOp('ADD', {}, [{ shape: [1, 4, 4, 8], scale: 0.1 }, { shape: [8], scale: 0.1 }], [{ shape: [1, 4, 4, 8], scale: 0.2 }])).bytes;
  assert.equal(await refusedStatus(add, 6, 1), S.ERR_OP_PARAM); // operand 2 stepped along W: [8] has 8 elements
  assert.equal(await refusedStatus(add, 3, -1), S.ERR_OP_PARAM);
  const pad = convertGraph(oneOp('PAD', {},
    [{ shape: [1, 2, 2, 1], scale: 0.1 }, { shape: [4, 2], dtype: 'int32', data: Int32Array.of(0, 0, 1, 1, 1, 1, 0, 0) }],
    [{ shape: [1, 4, 4, 1], scale: 0.1 }])).bytes;
  assert.equal(await refusedStatus(pad, 1, 2), S.ERR_OP_PARAM);
  const mean = convertGraph(oneOp('MEAN', { keepDims: false },
    [{ shape: [1, 3, 3, 2], scale: 0.1 }, { shape: [2], dtype: 'int32', data: Int32Array.of(1, 2) }], [{ shape: [1, 2], scale: 0.1 }])).bytes;
  assert.equal(await refusedStatus(mean, 0, 2), S.ERR_OP_SHAPE);
});

// The float executor's data-movement and reduction ops, as TFLite's float reference kernels compute
// them on row-major (NHWC) tensors of rank up to 4: CONCATENATION along an axis, PAD with zeros from
// a constant (rank, 2) paddings tensor, MEAN over constant axes (a float32 sum in row-major order,
// then one division by the count).

import { elementCount } from '../graph.js';
import { refuse } from '../lower/common.js';
import type { OpArgs } from './ops.js';

const fr = Math.fround;

function input(a: OpArgs, k: number) {
  const v = a.values[k], t = a.tensors[k];
  if (!v || !t) refuse(a.op, `input ${k} is missing`);
  return { v, shape: t.shape };
}

// Row-major strides of a shape.
const stridesOf = (shape: number[]) => shape.map((_, i) => elementCount(shape.slice(i + 1)));

export function concatenation(a: OpArgs): Float32Array {
  const out = a.output.shape;
  const rank = out.length;
  const raw = typeof a.op.options.axis === 'number' ? a.op.options.axis : 0;
  const axis = raw < 0 ? raw + rank : raw;
  const outer = elementCount(out.slice(0, axis));
  const y = new Float32Array(elementCount(out));
  const rowOut = elementCount(out.slice(axis));
  let at = 0;
  for (let k = 0; k < a.op.inputs.length; k++) {
    const { v, shape } = input(a, k);
    if (shape.length !== rank || shape.some((d, i) => i !== axis && d !== out[i])) refuse(a.op, `input ${k} [${shape}] does not fit output [${out}] along axis ${axis}`);
    const row = elementCount(shape.slice(axis));
    for (let o = 0; o < outer; o++) y.set(v.subarray(o * row, (o + 1) * row), o * rowOut + at);
    at += row;
  }
  return y;
}

export function pad(a: OpArgs): Float32Array {
  const { v, shape } = input(a, 0);
  const paddings = input(a, 1).v;
  const out = a.output.shape;
  if (paddings.length !== 2 * shape.length || shape.some((d, i) => d + paddings[2 * i]! + paddings[2 * i + 1]! !== out[i])) {
    refuse(a.op, `paddings [${Array.from(paddings)}] do not take [${shape}] to [${out}]`);
  }
  const y = new Float32Array(elementCount(out));
  const [si, so] = [stridesOf(shape), stridesOf(out)];
  for (let i = 0; i < v.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o += (Math.floor(i / si[d]!) % shape[d]! + paddings[2 * d]!) * so[d]!;
    y[o] = v[i]!;
  }
  return y;
}

export function mean(a: OpArgs): Float32Array {
  const { v, shape } = input(a, 0);
  const axes = new Set(Array.from(input(a, 1).v, (x) => (x < 0 ? x + shape.length : x)));
  const kept = shape.map((d, i) => (axes.has(i) ? 1 : d));
  const count = elementCount(shape) / elementCount(kept);
  if (elementCount(a.output.shape) !== elementCount(kept)) refuse(a.op, `output [${a.output.shape}] does not hold the kept elements of [${shape}]`);
  const sums = new Float32Array(elementCount(kept));
  const [si, sk] = [stridesOf(shape), stridesOf(kept)];
  for (let i = 0; i < v.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.has(d)) o += (Math.floor(i / si[d]!) % shape[d]!) * sk[d]!;
    sums[o] = fr(sums[o]! + v[i]!);
  }
  return sums.map((s) => fr(s / count));
}

// Lowerings of layout-only ops, as TensorFlow Lite Micro runs them:
// - RESHAPE becomes OP_COPY, a byte copy (reshape.cc memcpy's; the shape input is not needed once
//   the output tensor's shape is known).
// - CONCATENATION (int8) keeps its axis. TFLM's Prepare requires every int8 operand to have
//   exactly the output's scale (compared as doubles) and zero point, at most 10 operands and no
//   fused activation; it never rescales, so neither do we, and anything else is refused.
// - SPLIT (int8) keeps its axis, read from the constant int32 axis input as split.cc reads it.
//   TFLM sizes every part like the first output, so all outputs must have one shape; it copies
//   bytes and never rescales.
// - PAD (int8) takes its paddings from the constant paddings tensor now; the pad value is the
//   output zero point (or PADV2's constant, which TFLM requires to share the output's
//   quantization). TFLM insists the paddings are constant.
// Layouts: assembly/ops/shape.ts and docs/FORMAT.md.

import { OP_COPY, OP_CONCATENATION, OP_PAD, OP_SPLIT } from '../../host/format.js';
import type { Op, Tensor } from '../graph.js';
import { elementCount } from '../graph.js';
import { refuse, tensorOf, expectDtype, perTensorQuant, type Lowering, type LoweredOp } from './common.js';
import { activationQuant } from './conv.js';
import { view4 } from './elementwise.js';

const MAX_CONCAT_INPUTS = 10; // TFLM's kMaxInputNum

/** The integer values of a constant int32 or int64 tensor, refused if not constant or out of i32. */
export function constantInts(op: Op, t: Tensor, what: string): number[] {
  if (!t.data) refuse(op, `${what} '${t.name}' is not a constant`);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const n = elementCount(t.shape);
  if (t.dtype === 'int32' && t.data.byteLength >= n * 4) {
    return Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true));
  }
  if (t.dtype === 'int64' && t.data.byteLength >= n * 8) {
    return Array.from({ length: n }, (_, i) => {
      const v = view.getBigInt64(i * 8, true);
      if (v < -(2n ** 31n) || v >= 2n ** 31n) refuse(op, `${what} '${t.name}' holds ${v}`);
      return Number(v);
    });
  }
  return refuse(op, `${what} '${t.name}' is ${t.dtype} with ${t.data.byteLength} bytes, expected ${n} int32 or int64 values`);
}

export const lowerReshape: Lowering = (op, ctx): LoweredOp => {
  if (op.inputs.length < 1 || op.inputs.length > 2 || op.outputs.length !== 1) {
    refuse(op, `expected 1 or 2 inputs and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const y = tensorOf(op, ctx, 'output', 0);
  if (x.dtype !== y.dtype) refuse(op, `input is ${x.dtype}, output is ${y.dtype}`);
  view4(op, y);
  if (elementCount(x.shape) !== elementCount(y.shape)) {
    refuse(op, `input '${x.name}' [${x.shape}] and output '${y.name}' [${y.shape}] differ in size`);
  }
  return { code: OP_COPY, inputs: [op.inputs[0]!], outputs: [op.outputs[0]!], params: [] };
};

export const lowerConcatenation: Lowering = (op, ctx): LoweredOp => {
  const n = op.inputs.length;
  if (n < 1 || n > MAX_CONCAT_INPUTS || op.outputs.length !== 1) {
    refuse(op, `expected 1 to ${MAX_CONCAT_INPUTS} inputs and 1 output, got ${n} and ${op.outputs.length}`);
  }
  if ((op.options.fusedActivationFunction ?? 'NONE') !== 'NONE') {
    refuse(op, `fused activation ${String(op.options.fusedActivationFunction)} (TFLM allows none)`);
  }
  const y = tensorOf(op, ctx, 'output', 0);
  expectDtype(op, y, 'int8');
  view4(op, y);
  const rank = y.shape.length;
  const rawAxis = op.options.axis ?? 0;
  if (typeof rawAxis !== 'number' || !Number.isInteger(rawAxis)) refuse(op, `axis ${String(rawAxis)}`);
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (axis < 0 || axis >= rank) refuse(op, `axis ${rawAxis} is outside output rank ${rank}`);
  const qy = activationQuant(op, y);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = tensorOf(op, ctx, 'input', i);
    expectDtype(op, x, 'int8');
    const qx = perTensorQuant(op, x);
    if (qx.scale !== qy.scale || qx.zeroPoint !== qy.zeroPoint) {
      refuse(op, `input '${x.name}' (scale ${qx.scale}, zero point ${qx.zeroPoint}) differs from the output's `
        + `(${qy.scale}, ${qy.zeroPoint}); TFLM's int8 concatenation does not rescale`);
    }
    if (x.shape.length !== rank || x.shape.some((d, k) => k !== axis && d !== y.shape[k])) {
      refuse(op, `input '${x.name}' [${x.shape}] does not fit output '${y.name}' [${y.shape}] along axis ${axis}`);
    }
    total += x.shape[axis]!;
  }
  if (total !== y.shape[axis]) refuse(op, `inputs sum to ${total} along axis ${axis}, output has ${y.shape[axis]}`);
  return { code: OP_CONCATENATION, inputs: [...op.inputs], outputs: [op.outputs[0]!], params: [axis] };
};

export const lowerSplit: Lowering = (op, ctx): LoweredOp => {
  const n = op.outputs.length;
  if (op.inputs.length !== 2 || n < 1) refuse(op, `expected 2 inputs and 1 or more outputs, got ${op.inputs.length} and ${n}`);
  const axisTensor = tensorOf(op, ctx, 'input', 0);
  expectDtype(op, axisTensor, 'int32');
  const x = tensorOf(op, ctx, 'input', 1);
  expectDtype(op, x, 'int8');
  view4(op, x);
  const rank = x.shape.length;
  const [rawAxis] = constantInts(op, axisTensor, 'axis');
  const axis = rawAxis! < 0 ? rawAxis! + rank : rawAxis!;
  if (axis < 0 || axis >= rank) refuse(op, `axis ${rawAxis} is outside input rank ${rank}`);
  const first = tensorOf(op, ctx, 'output', 0);
  for (let i = 0; i < n; i++) {
    const y = tensorOf(op, ctx, 'output', i);
    expectDtype(op, y, 'int8');
    if (y.shape.join() !== first.shape.join()) refuse(op, `output '${y.name}' [${y.shape}] differs from [${first.shape}]`);
  }
  if (first.shape.length !== rank || first.shape.some((d, k) => (k === axis ? d * n : d) !== x.shape[k])) {
    refuse(op, `${n} outputs of [${first.shape}] do not split input '${x.name}' [${x.shape}] along axis ${axis}`);
  }
  return { code: OP_SPLIT, inputs: [op.inputs[1]!], outputs: [...op.outputs], params: [axis] };
};

export const lowerPad: Lowering = (op, ctx): LoweredOp => {
  if (op.inputs.length < 2 || op.inputs.length > 3 || op.outputs.length !== 1) {
    refuse(op, `expected 2 or 3 inputs and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const y = tensorOf(op, ctx, 'output', 0);
  expectDtype(op, x, 'int8');
  expectDtype(op, y, 'int8');
  const rank = x.shape.length;
  view4(op, x);
  view4(op, y);
  if (y.shape.length !== rank) refuse(op, `input rank ${rank} and output rank ${y.shape.length} differ`);
  const paddings = constantInts(op, tensorOf(op, ctx, 'input', 1), 'paddings');
  if (paddings.length !== 2 * rank) refuse(op, `${paddings.length} paddings for rank ${rank}`);
  const before = [0, 0, 0, 0];
  const after = [0, 0, 0, 0];
  for (let d = 0; d < rank; d++) {
    const [lo, hi] = [paddings[2 * d]!, paddings[2 * d + 1]!];
    if (lo < 0 || hi < 0) refuse(op, `negative padding [${lo}, ${hi}] on dimension ${d}`);
    if (x.shape[d]! + lo + hi !== y.shape[d]) {
      refuse(op, `output dimension ${d} is ${y.shape[d]}, input ${x.shape[d]} padded by [${lo}, ${hi}] gives ${x.shape[d]! + lo + hi}`);
    }
    before[4 - rank + d] = lo;
    after[4 - rank + d] = hi;
  }
  const qy = activationQuant(op, y);
  let padValue = qy.zeroPoint;
  if (op.inputs.length === 3 && op.inputs[2]! >= 0) {
    const c = tensorOf(op, ctx, 'input', 2);
    expectDtype(op, c, 'int8');
    if (!c.data || elementCount(c.shape) !== 1) refuse(op, `constant_values '${c.name}' is not a constant scalar`);
    const qc = perTensorQuant(op, c);
    if (qc.scale !== qy.scale || qc.zeroPoint !== qy.zeroPoint) {
      refuse(op, `constant_values '${c.name}' is quantized differently from the output`);
    }
    padValue = new Int8Array(c.data.buffer, c.data.byteOffset, 1)[0]!;
  }
  return { code: OP_PAD, inputs: [op.inputs[0]!], outputs: [op.outputs[0]!], params: [...before, ...after, padValue] };
};

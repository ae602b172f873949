// Lowering of MEAN (int8), as TensorFlow Lite Micro's reduce_common.cc and
// reference_ops::QuantizedMeanOrSum compute it. TFLM takes that one path for every int8 axis set
// (its 4-D axes-{1,2} special case is float only), with or without keep_dims:
// - axes from the constant int32 axis tensor (TFLM requires int32), negatives wrapped, duplicates
//   dropped; count = the product of the reduced dimensions;
// - [m, s] = QuantizeMultiplier(double(s_in) / double(s_out));
// - 1/count folded in: k = min(floor(log2(count)), 32, 31 + s); m' = (int64(m) << k) / count
//   (truncating), s' = s - k.
// The kernel sums in i32, subtracts zp_in * count and requantizes with [m', s'].
// Layout: assembly/ops/mean.ts and docs/FORMAT.md.

import { OP_MEAN } from '../../host/format.js';
import { elementCount } from '../graph.js';
import { refuse, tensorOf, expectDtype, type Lowering, type LoweredOp } from './common.js';
import { activationQuant, multiplierOf } from './conv.js';
import { view4 } from './elementwise.js';
import { constantInts } from './shape.js';

/** The multiplier and shift with 1/count folded in, as QuantizedMeanOrSum adapts them. */
export function meanMultiplier(multiplier: number, shift: number, count: number): [number, number] {
  // floor(log2(count)) from the bit length: Math.log2 may round up just below a power of two.
  const log2 = count.toString(2).length - 1;
  const k = Math.min(log2, 32, 31 + shift);
  const folded = (BigInt(multiplier) << BigInt(k)) / BigInt(count);
  return [Number(folded), shift - k];
}

export const lowerMean: Lowering = (op, ctx): LoweredOp => {
  if (op.inputs.length !== 2 || op.outputs.length !== 1) {
    refuse(op, `expected 2 inputs and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const y = tensorOf(op, ctx, 'output', 0);
  expectDtype(op, x, 'int8');
  expectDtype(op, y, 'int8');
  const dims = view4(op, x);
  view4(op, y);
  const rank = x.shape.length;
  const axisTensor = tensorOf(op, ctx, 'input', 1);
  expectDtype(op, axisTensor, 'int32');
  let mask = 0;
  for (const a of constantInts(op, axisTensor, 'axis')) {
    const axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank) refuse(op, `axis ${a} is outside rank ${rank}`);
    mask |= 1 << (4 - rank + axis);
  }
  let count = 1;
  let kept = 1;
  for (let k = 0; k < 4; k++) {
    if (mask & (1 << k)) count *= dims[k]!;
    else kept *= dims[k]!;
  }
  if (elementCount(y.shape) !== kept) {
    refuse(op, `output '${y.name}' [${y.shape}] does not hold the ${kept} kept elements of [${x.shape}]`);
  }
  const qx = activationQuant(op, x);
  const qy = activationQuant(op, y);
  const [m, s] = multiplierOf(op, qx.scale / qy.scale);
  const [mm, ss] = meanMultiplier(m, s, count);
  return { code: OP_MEAN, inputs: [op.inputs[0]!], outputs: [op.outputs[0]!], params: [mask, qx.zeroPoint, mm, ss, qy.zeroPoint] };
};

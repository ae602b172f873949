// Lowerings of QUANTIZE and DEQUANTIZE, as TensorFlow Lite Micro's quantize_common.cc and
// dequantize_common.cc prepare them:
// - QUANTIZE float32 -> int8 becomes OP_QUANTIZE with the output's float32 scale and zero point
//   (the kernel divides by the scale in float32, as AffineQuantize does).
// - QUANTIZE int8 -> int8 becomes OP_REQUANTIZE with QuantizeMultiplier(double(s_in) /
//   double(s_out)) and both zero points; with equal scales and zero points that multiplier is
//   exactly the identity, so the op becomes OP_COPY.
// - DEQUANTIZE int8 -> float32 becomes OP_DEQUANTIZE with the input's scale and zero point.
// TFLM supports per-tensor quantization only here (one scale). Layouts: assembly/ops/quantize.ts.

import { OP_QUANTIZE, OP_REQUANTIZE, OP_DEQUANTIZE, OP_COPY } from '../../host/format.js';
import type { Op, Tensor } from '../graph.js';
import { elementCount } from '../graph.js';
import { refuse, tensorOf, expectDtype, type Lowering, type LoweredOp, type LowerContext } from './common.js';
import { activationQuant, multiplierOf } from './conv.js';

/** The bits of a float32, as an i32 param. */
export function f32Bits(x: number): number {
  return new Int32Array(new Float32Array([x]).buffer)[0]!;
}

/** One per-tensor scale and an int8 zero point, refused otherwise. */
function singleQuant(op: Op, t: Tensor): { scale: number; zeroPoint: number } {
  if (t.quant && t.quant.scale.length > 1) refuse(op, `tensor '${t.name}' is quantized per channel`);
  return activationQuant(op, t);
}

function unaryOperands(op: Op, ctx: LowerContext): [Tensor, Tensor] {
  if (op.inputs.length !== 1 || op.outputs.length !== 1) {
    refuse(op, `expected 1 input and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const y = tensorOf(op, ctx, 'output', 0);
  if (elementCount(x.shape) !== elementCount(y.shape)) {
    refuse(op, `input '${x.name}' [${x.shape}] and output '${y.name}' [${y.shape}] differ in size`);
  }
  return [x, y];
}

export const lowerQuantize: Lowering = (op, ctx): LoweredOp => {
  const [x, y] = unaryOperands(op, ctx);
  expectDtype(op, x, 'float32', 'int8');
  expectDtype(op, y, 'int8');
  const qy = singleQuant(op, y);
  const io = { inputs: [op.inputs[0]!], outputs: [op.outputs[0]!] };
  if (x.dtype === 'float32') return { code: OP_QUANTIZE, ...io, params: [f32Bits(qy.scale), qy.zeroPoint] };
  const qx = singleQuant(op, x);
  if (qx.scale === qy.scale && qx.zeroPoint === qy.zeroPoint) return { code: OP_COPY, ...io, params: [] };
  const [m, shift] = multiplierOf(op, qx.scale / qy.scale);
  return { code: OP_REQUANTIZE, ...io, params: [qx.zeroPoint, qy.zeroPoint, m, shift] };
};

export const lowerDequantize: Lowering = (op, ctx): LoweredOp => {
  const [x, y] = unaryOperands(op, ctx);
  expectDtype(op, x, 'int8');
  expectDtype(op, y, 'float32');
  const qx = singleQuant(op, x);
  return { code: OP_DEQUANTIZE, inputs: [op.inputs[0]!], outputs: [op.outputs[0]!], params: [f32Bits(qx.scale), qx.zeroPoint] };
};

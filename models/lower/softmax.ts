// Lowering of SOFTMAX int8 -> int8: TensorFlow Lite Micro's CalculateSoftmaxParams, computed once at
// convert time. The beta-scaled input difference is taken to Q5 (kScaledDiffIntegerBits = 5) with
// a multiplier from beta * input_scale * 2^26 (double, capped at 2^31 - 1), and differences below
// -CalculateInputRadius(5, shift) are treated as exp = 0. The output must be scale 1/256, zero
// point -128, as TFLM requires. Param layout: assembly/ops/softmax.ts and docs/FORMAT.md.

import { OP_SOFTMAX } from '../../host/format.js';
import { f32, quantizeMultiplier } from '../quantize-multiplier.js';
import { refuse, tensorOf, type Lowering } from './common.js';
import { unaryInt8 } from './activation.js';

const SCALED_DIFF_INTEGER_BITS = 5;

export const lowerSoftmax: Lowering = (op, ctx) => {
  const q = unaryInt8(op, ctx);
  const x = tensorOf(op, ctx, 'input', 0);
  const y = tensorOf(op, ctx, 'output', 0);
  if (x.shape.length < 1 || x.shape.at(-1) !== y.shape.at(-1)) {
    refuse(op, `input [${x.shape}] and output [${y.shape}] must share their last dimension`);
  }
  if (q.outScale !== 1 / 256 || q.outZp !== -128) {
    refuse(op, `output quantization must be scale 1/256, zero point -128; got ${q.outScale}, ${q.outZp}`);
  }
  const beta = op.options.beta ?? 0; // the schema's default, as TFLite reads an absent field
  if (typeof beta !== 'number' || !Number.isFinite(beta)) refuse(op, `beta ${String(beta)} is not a number`);
  const real = Math.min(f32(beta) * q.inScale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  if (!(real > 1)) refuse(op, `beta * input scale = ${f32(beta) * q.inScale} is too small to quantize`);
  const [mult, shift] = quantizeMultiplier(real);
  const radius = Math.floor((((1 << SCALED_DIFF_INTEGER_BITS) - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** shift);
  return { code: OP_SOFTMAX, inputs: [q.input], outputs: [q.output], params: [mult, shift, -radius] };
};

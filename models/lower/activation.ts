// Lowerings of the elementwise int8 activations: LOGISTIC, TANH, HARD_SWISH, RELU, RELU6 and
// LEAKY_RELU. Each precomputes its multipliers, shifts, radii and clamps exactly as TensorFlow Lite
// Micro's Prepare does (float32 where it divides floats, double where it casts), so the wasm kernel
// only does integer math. RELU6 follows desktop TFLite's reference kernel, which rescales; TFLM's
// int8 RELU6 copies without rescaling, wrong whenever the output scale differs from the input's.
// Param layouts: assembly/ops/activation.ts and docs/FORMAT.md.

import { OP_LOGISTIC, OP_TANH, OP_HARD_SWISH, OP_RELU, OP_LEAKY_RELU } from '../../host/format.js';
import { elementCount, type Op } from '../graph.js';
import { f32, frexp, quantizeMultiplier, roundHalfAway } from '../quantize-multiplier.js';
import {
  refuse, tensorOf, perTensorQuant, expectDtype, INT8_MIN, INT8_MAX,
  type Lowering, type LowerContext, type LoweredOp,
} from './common.js';

export interface UnaryQuant {
  input: number;
  output: number;
  inScale: number;
  inZp: number;
  outScale: number;
  outZp: number;
}

/** One int8 input and one int8 output of as many elements, both quantized per tensor. */
export function unaryInt8(op: Op, ctx: LowerContext): UnaryQuant {
  if (op.inputs.length !== 1 || op.outputs.length !== 1) {
    refuse(op, `expected 1 input and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const y = tensorOf(op, ctx, 'output', 0);
  expectDtype(op, x, 'int8');
  expectDtype(op, y, 'int8');
  if (elementCount(x.shape) !== elementCount(y.shape)) {
    refuse(op, `output '${y.name}' [${y.shape}] does not match input '${x.name}' [${x.shape}]`);
  }
  const qx = perTensorQuant(op, x);
  const qy = perTensorQuant(op, y);
  for (const [t, q] of [[x, qx], [y, qy]] as const) {
    if (!(q.scale > 0) || !Number.isFinite(q.scale)) refuse(op, `tensor '${t.name}' has scale ${q.scale}`);
  }
  return {
    input: op.inputs[0]!, output: op.outputs[0]!,
    inScale: qx.scale, inZp: qx.zeroPoint, outScale: qy.scale, outZp: qy.zeroPoint,
  };
}

/** QuantizeMultiplier, refusing a shift the int32 kernels cannot apply. */
function multiplier(op: Op, real: number, what: string): [number, number] {
  const [m, shift] = quantizeMultiplier(real);
  if (shift < -31 || shift > 30) refuse(op, `${what} ${real} is out of range (shift ${shift})`);
  return [m, shift];
}

function lowered(code: number, q: UnaryQuant, params: number[]): LoweredOp {
  return { code, inputs: [q.input], outputs: [q.output], params };
}

// LOGISTIC and TANH: the input relative to its zero point goes to Q4 through a multiplier from
// frexp(input_scale * 2^27) (double; no 2^31 adjustment, as TFLM), and inputs beyond the radius
// floor(15 * 2^27 / 2^shift) saturate.
function sigmoidLike(code: number, outScale: number, outZp: number, name: string): Lowering {
  return (op, ctx) => {
    const q = unaryInt8(op, ctx);
    if (q.outScale !== outScale || q.outZp !== outZp) {
      refuse(op, `output quantization must be scale ${outScale}, zero point ${outZp} (TFLite's fixed ${name} output); got ${q.outScale}, ${q.outZp}`);
    }
    const [mantissa, shift] = frexp(q.inScale * 2 ** 27);
    const mult = roundHalfAway(mantissa * 2 ** 31);
    if (shift < 0 || shift > 30 || mult >= 2 ** 31) refuse(op, `input scale ${q.inScale} is out of range`);
    const radius = Math.floor((15 * 2 ** 27) / 2 ** shift);
    return lowered(code, q, [q.inZp, radius, mult, shift]);
  };
}

export const lowerLogistic: Lowering = sigmoidLike(OP_LOGISTIC, 1 / 256, -128, 'logistic');
export const lowerTanh: Lowering = sigmoidLike(OP_TANH, 1 / 128, 0, 'tanh');

// DownScaleInt32ToInt16Multiplier: a Q0.31 multiplier rounded to Q0.15.
function toInt16Multiplier(m: number): number {
  return m >= 2 ** 31 - 1 - 2 ** 15 ? 32767 : Math.floor((m + 2 ** 15) / 2 ** 16);
}

export const lowerHardSwish: Lowering = (op, ctx) => {
  const q = unaryInt8(op, ctx);
  const hiresInputScale = f32(f32(1 / 128) * q.inScale);
  const reluishScale = f32(3 / 32768);
  const [outMult, outExp] = quantizeMultiplier(f32(hiresInputScale / q.outScale));
  if (outExp > 0 || outExp < -31) refuse(op, `output scale ${q.outScale} is too small for input scale ${q.inScale}`);
  const [reluishMult, reluishExp] = quantizeMultiplier(f32(hiresInputScale / reluishScale));
  if (reluishExp > 31 || reluishExp < -31) refuse(op, `input scale ${q.inScale} is out of range`);
  return lowered(OP_HARD_SWISH, q, [
    q.inZp, q.outZp, toInt16Multiplier(reluishMult), reluishExp, toInt16Multiplier(outMult), outExp,
  ]);
};

// ReluX: rescale by float32 input_scale / output_scale, clamp to the quantized [min, max].
function reluX(max: number): Lowering {
  return (op, ctx) => {
    const q = unaryInt8(op, ctx);
    const [mult, shift] = multiplier(op, f32(q.inScale / q.outScale), 'scale ratio');
    const actMin = Math.max(INT8_MIN, q.outZp); // the quantized 0
    const actMax = max === Infinity ? INT8_MAX : Math.min(INT8_MAX, q.outZp + roundHalfAway(f32(f32(max) / q.outScale)));
    if (actMin > actMax) refuse(op, `empty output range [${actMin}, ${actMax}]`);
    return lowered(OP_RELU, q, [q.inZp, q.outZp, mult, shift, actMin, actMax]);
  };
}

export const lowerRelu: Lowering = reluX(Infinity);
export const lowerRelu6: Lowering = reluX(6);

export const lowerLeakyRelu: Lowering = (op, ctx) => {
  const q = unaryInt8(op, ctx);
  const alpha = op.options.alpha;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) refuse(op, `alpha ${String(alpha)} is not a number`);
  const [alphaMult, alphaShift] = multiplier(op, f32(f32(q.inScale * f32(alpha)) / q.outScale), 'alpha multiplier');
  const [idMult, idShift] = multiplier(op, f32(q.inScale / q.outScale), 'scale ratio');
  return lowered(OP_LEAKY_RELU, q, [
    q.inZp, q.outZp, idMult, idShift, Math.abs(alphaMult), alphaShift, alphaMult < 0 ? 1 : 0,
  ]);
};

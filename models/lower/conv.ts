// Lowerings of CONV_2D and DEPTHWISE_CONV_2D (int8): everything TensorFlow Lite Micro's Prepare
// computes is computed here, the same way, so the wasm kernels only do integer math.
// - Padding: ComputePaddingHeightWidth (output size from SAME/VALID with dilation, then half the
//   total padding, rounded down, on the top/left).
// - Requantization: PopulateConvolutionQuantizationParams, one multiplier and shift per output
//   channel from double(input_scale) * double(filter_scale) / double(output_scale); a per-tensor
//   filter scale is repeated for every channel. They become two int32 constant inputs.
// - The input zero point is not folded into the bias: TFLM skips taps in the padding instead of
//   reading them as the zero point, so a folded bias would be wrong at the borders.
// Param layouts: assembly/ops/conv.ts and docs/FORMAT.md. The window helpers are shared with the
// pooling and fully-connected lowerings.

import { OP_CONV_2D, OP_DEPTHWISE_CONV_2D } from '../../host/format.js';
import type { Op, Tensor } from '../graph.js';
import { f32, quantizeMultiplier } from '../quantize-multiplier.js';
import {
  refuse, tensorOf, perTensorQuant, expectDtype, activationRange, int32Bytes,
  type Lowering, type LowerContext, type LoweredOp,
} from './common.js';

/** An integer option, the schema default when absent; refused unless within [min, max]. */
export function intOption(op: Op, name: string, fallback: number, min: number, max = 2 ** 31 - 1): number {
  const v = op.options[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    refuse(op, `option ${name} = ${String(v)} is not an integer in [${min}, ${max}]`);
  }
  return v;
}

export interface Window {
  out: number; // output size TFLite derives from the input size
  pad: number; // padding before the first element (top or left)
}

/**
 * One axis of TFLite's ComputePaddingHeightWidth: out = ceil(in / stride) for SAME,
 * floor((in - effective_filter) / stride) + 1 for VALID; pad = max(0, total) / 2, rounded down.
 */
export function windowAxis(op: Op, padding: unknown, inSize: number, filter: number, stride: number, dilation: number): Window {
  const effective = (filter - 1) * dilation + 1;
  let out: number;
  if (padding === 'SAME') out = Math.floor((inSize + stride - 1) / stride);
  else if (padding === 'VALID') out = Math.floor((inSize + stride - effective) / stride);
  else return refuse(op, `padding ${String(padding)} is not supported`);
  if (out < 1) refuse(op, `a window of ${effective} over ${inSize} elements with ${padding} padding leaves no output`);
  const total = Math.max(0, (out - 1) * stride + effective - inSize);
  return { out, pad: Math.floor(total / 2) };
}

/** The spatial output size must be what TFLite derives from the options; a model that disagrees is refused. */
export function expectOutputSize(op: Op, y: Tensor, axis: number, w: Window): void {
  if (y.shape[axis] !== w.out) {
    refuse(op, `output '${y.name}' dimension ${axis} is ${y.shape[axis]}, the options give ${w.out}`);
  }
}

export function expectRank(op: Op, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) refuse(op, `tensor '${t.name}' has shape [${t.shape}], expected rank ${rank}`);
}

/** Validated scale of a per-tensor-quantized activation. */
export function activationQuant(op: Op, t: Tensor): { scale: number; zeroPoint: number } {
  const q = perTensorQuant(op, t);
  if (!(q.scale > 0) || !Number.isFinite(q.scale)) refuse(op, `tensor '${t.name}' has scale ${q.scale}`);
  if (!Number.isInteger(q.zeroPoint) || q.zeroPoint < -128 || q.zeroPoint > 127) {
    refuse(op, `tensor '${t.name}' has zero point ${q.zeroPoint}`);
  }
  return q;
}

/**
 * The filter's float32 scales: one (per tensor) or one per channel along `axis`. Filter zero points
 * must be 0: TFLM's int8 kernels ignore them (conv) or assume them (fully connected).
 */
export function filterScales(op: Op, w: Tensor, axis: number, channels: number): number[] {
  const q = w.quant;
  if (!q || q.scale.length < 1) refuse(op, `weights '${w.name}' have no quantization parameters`);
  if (q.zeroPoint.some((z) => z !== 0)) refuse(op, `weights '${w.name}' have a nonzero zero point`);
  if (q.scale.length > 1 && (q.scale.length !== channels || q.axis !== axis)) {
    refuse(op, `weights '${w.name}' have ${q.scale.length} scales along axis ${q.axis}; expected ${channels} along axis ${axis}`);
  }
  const scales = q.scale.map(f32);
  if (scales.some((s) => !(s >= 0) || !Number.isFinite(s))) refuse(op, `weights '${w.name}' have a negative or non-finite scale`);
  return scales;
}

/** QuantizeMultiplier, refusing a shift the int32 kernels cannot apply. */
export function multiplierOf(op: Op, real: number): [number, number] {
  const [m, shift] = quantizeMultiplier(real);
  if (shift > 30) refuse(op, `effective scale ${real} is too large to requantize`);
  return [m, shift];
}

/** The per-channel multipliers and shifts as two new int32 constant tensors: [multipliers, shifts]. */
export function channelQuantInputs(ctx: LowerContext, y: Tensor, pairs: [number, number][]): [number, number] {
  const n = pairs.length;
  return [
    ctx.addConstant(`${y.name}/multipliers`, 'int32', [n], int32Bytes(pairs.map((p) => p[0]))),
    ctx.addConstant(`${y.name}/shifts`, 'int32', [n], int32Bytes(pairs.map((p) => p[1]))),
  ];
}

/** The optional int32 bias input: its index, or -1; `channels` values. */
export function biasInput(op: Op, ctx: LowerContext, channels: number): number {
  const b = op.inputs[2] ?? -1;
  if (b < 0) return -1;
  const t = ctx.graph.tensors[b]!;
  expectDtype(op, t, 'int32');
  if (t.shape.reduce((a, c) => a * c, 1) !== channels) refuse(op, `bias '${t.name}' [${t.shape}] does not have ${channels} values`);
  return b;
}

interface ConvLike {
  x: Tensor;
  w: Tensor;
  y: Tensor;
  window: number[]; // strideH, strideW, dilationH, dilationW, padTop, padLeft
  quant: [number, number, number, number]; // inputOffset, outputZeroPoint, actMin, actMax
}

// What CONV_2D and DEPTHWISE_CONV_2D share: tensors, window and requantization. The channels are
// the filter's dimension `axis`, which is also its quantized dimension.
function convLike(op: Op, ctx: LowerContext, axis: number): ConvLike & { inputs: number[] } {
  if (op.inputs.length < 2 || op.inputs.length > 3 || op.outputs.length !== 1) {
    refuse(op, `expected 2 or 3 inputs and 1 output, got ${op.inputs.length} and ${op.outputs.length}`);
  }
  const x = tensorOf(op, ctx, 'input', 0);
  const w = tensorOf(op, ctx, 'input', 1);
  const y = tensorOf(op, ctx, 'output', 0);
  for (const t of [x, w, y]) {
    expectDtype(op, t, 'int8');
    expectRank(op, t, 4);
  }
  if (!w.data) refuse(op, `weights '${w.name}' are not constant`);
  if (y.shape[0] !== x.shape[0]) refuse(op, `output '${y.name}' [${y.shape}] and input '${x.name}' [${x.shape}] differ in batch`);
  const channels = w.shape[axis]!;
  if (y.shape[3] !== channels) refuse(op, `output '${y.name}' [${y.shape}] does not have the ${channels} channels of '${w.name}'`);

  const strideH = intOption(op, 'strideH', 0, 1);
  const strideW = intOption(op, 'strideW', 0, 1);
  const dilationH = intOption(op, 'dilationHFactor', 1, 1);
  const dilationW = intOption(op, 'dilationWFactor', 1, 1);
  const rows = windowAxis(op, op.options.padding, x.shape[1]!, w.shape[1]!, strideH, dilationH);
  const cols = windowAxis(op, op.options.padding, x.shape[2]!, w.shape[2]!, strideW, dilationW);
  expectOutputSize(op, y, 1, rows);
  expectOutputSize(op, y, 2, cols);

  const qx = activationQuant(op, x);
  const qy = activationQuant(op, y);
  const scales = filterScales(op, w, axis, channels);
  const pairs = Array.from({ length: channels }, (_, c) =>
    multiplierOf(op, (qx.scale * (scales.length > 1 ? scales[c]! : scales[0]!)) / qy.scale));
  const [actMin, actMax] = activationRange(op, op.options.fusedActivationFunction, qy.scale, qy.zeroPoint);
  if (actMin > actMax) refuse(op, `empty output range [${actMin}, ${actMax}]`);
  const [mults, shifts] = channelQuantInputs(ctx, y, pairs);
  return {
    x, w, y,
    inputs: [op.inputs[0]!, op.inputs[1]!, biasInput(op, ctx, channels), mults, shifts],
    window: [strideH, strideW, dilationH, dilationW, rows.pad, cols.pad],
    quant: [-qx.zeroPoint, qy.zeroPoint, actMin, actMax],
  };
}

export const lowerConv2d: Lowering = (op, ctx): LoweredOp => {
  const c = convLike(op, ctx, 0);
  const inC = c.x.shape[3]!;
  const fC = c.w.shape[3]!;
  const outC = c.w.shape[0]!;
  // TFLM's kernel supports grouped convolution: the filter's depth divides the input's.
  if (inC % fC !== 0 || outC % (inC / fC) !== 0) {
    refuse(op, `weights '${c.w.name}' [${c.w.shape}] do not fit input '${c.x.name}' [${c.x.shape}]`);
  }
  return { code: OP_CONV_2D, inputs: c.inputs, outputs: [op.outputs[0]!], params: [...c.window, ...c.quant] };
};

export const lowerDepthwiseConv2d: Lowering = (op, ctx): LoweredOp => {
  const c = convLike(op, ctx, 3);
  if (c.w.shape[0] !== 1) refuse(op, `weights '${c.w.name}' [${c.w.shape}] must have a leading 1`);
  const depthMultiplier = intOption(op, 'depthMultiplier', 0, 1);
  if (c.x.shape[3]! * depthMultiplier !== c.w.shape[3]) {
    refuse(op, `input depth ${c.x.shape[3]} times depth multiplier ${depthMultiplier} is not the ${c.w.shape[3]} output channels`);
  }
  return {
    code: OP_DEPTHWISE_CONV_2D, inputs: c.inputs, outputs: [op.outputs[0]!],
    params: [...c.window, depthMultiplier, ...c.quant],
  };
};

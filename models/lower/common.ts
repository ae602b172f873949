// What every lowering shares: the shape of a lowered op, the context that lets a lowering add
// precomputed constants (per-channel multipliers, shifts, folded biases), and the quantization
// helpers that must match TensorFlow Lite Micro bit for bit (float32 where it computes in float).

import { ConvertError, type DType, type Graph, type Op, type Tensor } from '../graph.js';
import { f32, roundHalfAway } from '../quantize-multiplier.js';

/** One .ewm op: code from host/format.ts, tensor indices, i32 params (layout per op in docs/FORMAT.md). */
export interface LoweredOp {
  code: number;
  inputs: number[];
  outputs: number[];
  params: number[];
}

export interface LowerContext {
  graph: Graph;
  /** Add a constant tensor to the graph and return its index. */
  addConstant(name: string, dtype: DType, shape: number[], data: Uint8Array): number;
}

export type Lowering = (op: Op, ctx: LowerContext) => LoweredOp;

/** Refuse an op: the message names the op, its index in the source model, and what is wrong. */
export function refuse(op: Op, what: string): never {
  throw new ConvertError(`op ${op.index} (${op.type}): ${what}`);
}

export function tensorOf(op: Op, ctx: LowerContext, which: 'input' | 'output', k: number): Tensor {
  const list = which === 'input' ? op.inputs : op.outputs;
  const t = list[k];
  if (t === undefined || t < 0) refuse(op, `${which} ${k} is missing`);
  return ctx.graph.tensors[t]!;
}

/**
 * The per-tensor scale and zero point of a quantized tensor, or a refusal naming it: the scale
 * positive and finite, an int8 tensor's zero point an int8 value.
 */
export function perTensorQuant(op: Op, t: Tensor): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length < 1) refuse(op, `tensor '${t.name}' has no quantization parameters`);
  const scale = f32(q.scale[0]!);
  const zeroPoint = q.zeroPoint[0] ?? 0;
  if (!(scale > 0) || !Number.isFinite(scale)) refuse(op, `tensor '${t.name}' has scale ${scale}`);
  if (t.dtype === 'int8' && !(zeroPoint >= INT8_MIN && zeroPoint <= INT8_MAX)) refuse(op, `tensor '${t.name}' has zero point ${zeroPoint}, outside int8`);
  return { scale, zeroPoint };
}

export function expectDtype(op: Op, t: Tensor, ...dtypes: DType[]): void {
  if (!dtypes.includes(t.dtype)) refuse(op, `tensor '${t.name}' is ${t.dtype}, expected ${dtypes.join(' or ')}`);
}

export const INT8_MIN = -128;
export const INT8_MAX = 127;

/**
 * CalculateActivationRangeQuantized: the int8 clamp a fused activation implies, computed as TFLite
 * does (quantize(f) = zp + round(f / scale) in float32).
 */
export function activationRange(op: Op, act: unknown, scale: number, zeroPoint: number): [number, number] {
  const quantize = (x: number) => zeroPoint + roundHalfAway(f32(f32(x) / f32(scale)));
  const lo = INT8_MIN;
  const hi = INT8_MAX;
  switch (act ?? 'NONE') {
    case 'NONE': return [lo, hi];
    case 'RELU': return [Math.max(lo, quantize(0)), hi];
    case 'RELU6': return [Math.max(lo, quantize(0)), Math.min(hi, quantize(6))];
    case 'RELU_N1_TO_1': return [Math.max(lo, quantize(-1)), Math.min(hi, quantize(1))];
    default: return refuse(op, `fused activation ${String(act)} is not supported`);
  }
}

export function int32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

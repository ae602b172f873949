// The converter's in-memory graph: what an importer (TFLite today, ONNX later) produces and what the
// lowering, planning and writing stages consume. Tensors and ops follow TFLite's conventions:
// NHWC activations, OHWI conv weights, 1HWO depthwise weights, (O, I) fully-connected weights.

export type DType = 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'float32' | 'bool' | 'other';

export interface Quantization {
  scale: number[]; // one entry per tensor, or one per channel along `axis`
  zeroPoint: number[];
  axis: number; // quantized dimension for per-channel quantization
}

export interface Tensor {
  name: string;
  dtype: DType;
  shape: number[];
  quant?: Quantization; // absent for unquantized tensors
  data?: Uint8Array; // raw little-endian bytes of a constant tensor; absent for activations
  encoding?: 'sparse'; // data in the sparse encoding of pruned weights (models/compress/sparse.ts)
}

export interface Op {
  type: string; // TFLite builtin name, e.g. 'CONV_2D'
  index: number; // position in the source model's operator list, for error messages
  inputs: number[]; // tensor indices, -1 for an absent optional input
  outputs: number[];
  options: Record<string, number | boolean | string | number[]>; // names as in TFLite's schema, camelCase
}

export interface Graph {
  tensors: Tensor[];
  ops: Op[];
  inputs: number[];
  outputs: number[];
  labels?: string[]; // class names of the (first) output, when known
  source?: string; // the file it came from, for messages
}

export const DTYPE_BYTES: Record<DType, number> = {
  int8: 1, uint8: 1, bool: 1, int16: 2, int32: 4, float32: 4, int64: 8, other: 0,
};

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * DTYPE_BYTES[t.dtype];
}

/** A conversion refused for a reason the user can act on; the CLI prints its message without a trace. */
export class ConvertError extends Error {
  override name = 'ConvertError';
}

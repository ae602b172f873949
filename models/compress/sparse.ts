// The sparse encoding of pruned weights (docs/FORMAT.md, encoding 1): for each of a FULLY_CONNECTED
// layer's units, a bitmap of its depth weights (bit d % 8 of byte d / 8 set where the weight is not
// zero), then all units' nonzero weights in row order. At 80 % zeros that is 0.325 bytes a weight
// (3.1x smaller than dense). The converter encodes a layer so when it saves at least a quarter of
// its bytes; a 1x1, stride-1, unpadded, ungrouped CONV_2D with such weights is first rewritten as
// the FULLY_CONNECTED layer over its pixels that it is (NHWC: pixels are rows), since the runtime's
// sparse kernels serve FULLY_CONNECTED only. Which kernel then runs is the runtime's choice, per
// build (assembly/ops/fully_connected.ts).

import { OP_CONV_2D, OP_FULLY_CONNECTED } from '../../host/format.js';
import { elementCount, type Graph, type Tensor } from '../graph.js';
import type { LoweredOp } from '../lower/common.js';

/** Encode when the sparse form is at most this share of the dense bytes. */
const MAX_SHARE = 0.75;

/** The (units, depth) int8 weights as bitmaps then values. */
export function encodeSparse(dense: Int8Array, units: number, depth: number): Uint8Array {
  const rowBytes = (depth + 7) >> 3;
  const nonzero = dense.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  const out = new Uint8Array(units * rowBytes + nonzero);
  let v = units * rowBytes;
  for (let u = 0; u < units; u++) {
    for (let d = 0; d < depth; d++) {
      const w = dense[u * depth + d]!;
      if (w === 0) continue;
      out[u * rowBytes + (d >> 3)]! |= 1 << (d & 7);
      out[v++] = w & 0xff;
    }
  }
  return out;
}

/**
 * encodeSparse's inverse: the (units, depth) int8 weights the bitmaps and values stand for, or
 * undefined when the bitmaps' set bits are not exactly the values that follow them.
 */
export function decodeSparse(data: Uint8Array, units: number, depth: number): Int8Array | undefined {
  const rowBytes = (depth + 7) >> 3;
  const dense = new Int8Array(units * depth);
  let v = units * rowBytes;
  for (let u = 0; u < units; u++) {
    for (let d = 0; d < depth; d++) {
      if (((data[u * rowBytes + (d >> 3)] ?? 0) >> (d & 7)) & 1) dense[u * depth + d] = ((data[v++] ?? 0) << 24) >> 24;
    }
  }
  return v === data.length ? dense : undefined;
}

const int8Of = (t: Tensor) => new Int8Array(t.data!.buffer, t.data!.byteOffset, t.data!.length);

/**
 * Rewrites the lowered ops in place where pruned weights pay: sparse-encoded FULLY_CONNECTED
 * weights (new tensors appended to graph.tensors), 1x1 convs turned into FULLY_CONNECTED first.
 */
export function sparsify(ops: LoweredOp[], graph: Graph): void {
  for (const op of ops) {
    const isFc = op.code === OP_FULLY_CONNECTED;
    if (!isFc && !(op.code === OP_CONV_2D && isPointwise(op, graph))) continue;
    const w = graph.tensors[op.inputs[1]!]!;
    if (w.dtype !== 'int8' || !w.data || w.encoding) continue;
    const units = w.shape[0]!;
    const depth = elementCount(w.shape) / units;
    const encoded = encodeSparse(int8Of(w), units, depth);
    if (encoded.length > MAX_SHARE * w.data.length) continue;
    graph.tensors.push({ ...w, shape: [units, depth], data: encoded, encoding: 'sparse' });
    op.inputs[1] = graph.tensors.length - 1;
    if (!isFc) {
      op.code = OP_FULLY_CONNECTED;
      op.params = op.params.slice(6); // input offset, output zero point, act min, act max
    }
  }
}

// A CONV_2D that is a fully connected layer over its pixels: 1x1 filter, stride 1, no padding,
// weights covering all input channels (params: docs/FORMAT.md).
function isPointwise(op: LoweredOp, graph: Graph): boolean {
  const w = graph.tensors[op.inputs[1]!]!;
  const x = graph.tensors[op.inputs[0]!]!;
  const [strideH, strideW, , , padTop, padLeft] = op.params;
  return w.shape[1] === 1 && w.shape[2] === 1 && w.shape[3] === x.shape[3]
    && strideH === 1 && strideW === 1 && padTop === 0 && padLeft === 0;
}

// An .ewm read back into the converter's terms — its tensors (constants with their data and
// quantization, sparse weights decoded) and its lowered ops — so `compress` can prune a model that
// is already converted and write it again (convert.ts's writeLowered). The graph's ops mirror the
// lowered ones, named by op code, for the passes that select layers by name (prune.ts). Checks
// what it reads (host/ewm.ts's readEwm, then each constant's bytes and quantization inside the
// file); the runtime's loader checks the rest of the model when it loads the result.

import * as F from '../host/format.js';
import { readEwm, DTYPE_SIZES } from '../host/ewm.js';
import { EwmError } from '../host/errors.js';
import { OP_NAMES } from '../host/inspect.js';
import { elementCount, type Graph, type Quantization, type Tensor } from './graph.js';
import type { LoweredOp } from './lower/common.js';
import { decodeSparse } from './compress/sparse.js';

export interface LoweredModel {
  graph: Graph;
  ops: LoweredOp[];
}

/** Whether these bytes start with the .ewm magic. */
export function isEwm(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === F.EWM_MAGIC;
}

export function readLowered(bytes: Uint8Array, file: string): LoweredModel {
  const info = readEwm(bytes, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensorTable = view.getUint32(F.H_TENSOR_TABLE, true);
  const inside = (what: string, offset: number, length: number) => {
    if (offset + length > bytes.length) throw new EwmError(`${file}: ${what} at ${offset} (${length} bytes) runs past the end of the file (${bytes.length} bytes)`);
  };
  const tensors: Tensor[] = info.tensors.map((t, i) => {
    const rec = tensorTable + i * F.TENSOR_RECORD_SIZE;
    const bad = t.shape.find((d) => !(d >= 1));
    if (bad !== undefined) throw new EwmError(`${file}: tensor ${i} ('${t.name}'): dimension ${bad} in [${t.shape}]`);
    const denseBytes = elementCount(t.shape) * DTYPE_SIZES[t.dtype];
    if (t.constant && !t.sparse && t.bytes !== denseBytes) throw new EwmError(`${file}: tensor ${i} ('${t.name}'): bytes ${t.bytes}, its shape [${t.shape}] holds ${denseBytes}`);
    if (t.sparse && (t.shape.length !== 2 || t.dtype !== 'int8')) throw new EwmError(`${file}: tensor ${i} ('${t.name}'): sparse, but ${t.dtype} of rank ${t.shape.length} (int8 of rank 2 expected)`);
    let quant: Quantization | undefined;
    if (t.channels > 0) {
      const at = view.getUint32(rec + F.T_QUANT_OFFSET, true);
      inside(`tensor ${i} quant_offset`, at, 8 * t.channels);
      quant = {
        scale: Array.from({ length: t.channels }, (_, c) => view.getFloat32(at + 4 * c, true)),
        zeroPoint: Array.from({ length: t.channels }, (_, c) => view.getInt32(at + 4 * (t.channels + c), true)),
        axis: view.getInt32(rec + F.T_QUANT_AXIS, true),
      };
    } else if (t.scale !== 0 || t.zeroPoint !== 0) {
      quant = { scale: [t.scale], zeroPoint: [t.zeroPoint], axis: 0 };
    }
    const tensor: Tensor = { name: t.name, dtype: t.dtype, shape: t.shape, ...(quant ? { quant } : {}) };
    if (!t.constant) return tensor;
    inside(`tensor ${i} offset`, t.offset, t.bytes);
    const data = bytes.slice(t.offset, t.offset + t.bytes);
    if (!t.sparse) return { ...tensor, data };
    const [units = 1] = t.shape;
    const dense = decodeSparse(data, units, elementCount(t.shape) / units);
    if (!dense) throw new EwmError(`${file}: tensor ${i} ('${t.name}'): its sparse bitmaps do not match its ${t.bytes} bytes`);
    return { ...tensor, data: new Uint8Array(dense.buffer) };
  });
  info.ops.forEach((op, i) => {
    // The layout the passes read (docs/FORMAT.md): conv and FC ops x, weights, bias, multipliers,
    // shifts; every op an output.
    const layered = op.code === F.OP_CONV_2D || op.code === F.OP_DEPTHWISE_CONV_2D || op.code === F.OP_FULLY_CONNECTED;
    if (op.outputs.length === 0 || (layered && (op.inputs.length !== 5 || op.inputs[1]! < 0 || !info.tensors[op.inputs[1]!]?.constant))) {
      throw new EwmError(`${file}: op ${i} (${OP_NAMES[op.code] ?? `code ${op.code}`}) has ${op.inputs.length} inputs and ${op.outputs.length} outputs, not the layout its code has`);
    }
    for (const [k, t] of [...op.inputs, ...op.outputs].entries()) {
      if (t === F.NO_TENSOR && k < op.inputs.length) continue;
      if (!(t >= 0 && t < tensors.length)) throw new EwmError(`${file}: op ${i} ${k < op.inputs.length ? `input ${k}` : `output ${k - op.inputs.length}`} names tensor ${t}, the model has ${tensors.length}`);
    }
  });
  const ops: LoweredOp[] = info.ops.map((op) => ({ code: op.code, inputs: [...op.inputs], outputs: [...op.outputs], params: [...op.params] }));
  const graph: Graph = {
    tensors,
    ops: ops.map((op, index) => ({ type: OP_NAMES[op.code] ?? `op ${op.code}`, index, inputs: op.inputs, outputs: op.outputs, options: {} })),
    inputs: info.inputs,
    outputs: info.outputs,
    source: info.meta.source ?? file,
    ...(info.meta.outputs?.[0]?.labels ? { labels: info.meta.outputs[0].labels } : {}),
  };
  return { graph, ops };
}

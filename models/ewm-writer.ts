// Serializes a lowered, planned model to .ewm bytes (docs/FORMAT.md). Pure layout: every number it
// writes was decided by the lowering and the planner.

import { crc32 } from 'node:zlib';
import * as F from '../host/format.js';
import { ConvertError, tensorBytes, type DType, type Tensor } from './graph.js';
import type { LoweredOp } from './lower/common.js';
import { alignUp } from './planner.js';

export interface EwmModel {
  tensors: Tensor[]; // only the tensors the model uses, indexed as ops refer to them
  ops: LoweredOp[];
  inputs: number[];
  outputs: number[];
  arenaOffsets: Map<number, number>; // activation tensor → arena offset
  arenaSize: number;
  metadata: object;
}

const DTYPE_CODE: Partial<Record<DType, number>> = {
  int8: F.DTYPE_INT8, uint8: F.DTYPE_UINT8, int16: F.DTYPE_INT16, int32: F.DTYPE_INT32, float32: F.DTYPE_FLOAT32,
};

export function dtypeCode(t: Tensor): number {
  const code = DTYPE_CODE[t.dtype];
  if (code === undefined) throw new ConvertError(`tensor '${t.name}': dtype ${t.dtype} cannot be stored in .ewm`);
  return code;
}

/** Bytes of the constant data section: each constant tensor, then each per-channel quantization block. */
function layoutData(tensors: Tensor[], start: number) {
  const dataOffset = new Map<number, number>();
  const quantOffset = new Map<number, number>();
  let at = start;
  tensors.forEach((t, i) => {
    if (t.data) {
      dataOffset.set(i, at);
      at = alignUp(at + t.data.length);
    }
  });
  tensors.forEach((t, i) => {
    if (t.quant && t.quant.scale.length > 1) {
      quantOffset.set(i, at);
      at = alignUp(at + 8 * t.quant.scale.length);
    }
  });
  return { dataOffset, quantOffset, end: at };
}

export function writeEwm(m: EwmModel): Uint8Array {
  for (const t of m.tensors) {
    if (t.shape.length > F.MAX_RANK) throw new ConvertError(`tensor '${t.name}': rank ${t.shape.length}, at most ${F.MAX_RANK} is supported`);
    // The runtime's limits (assembly/executor.ts checkTensor): dimensions >= 1, under 2^31 elements.
    const bad = t.shape.find((d) => !(Number.isInteger(d) && d >= 1));
    if (bad !== undefined) throw new ConvertError(`tensor '${t.name}': dimension ${bad} in [${t.shape}] is not a positive integer`);
    if (t.shape.reduce((a, b) => a * b, 1) > 0x7fffffff) throw new ConvertError(`tensor '${t.name}': [${t.shape}] has 2^31 elements or more`);
  }
  const meta = new TextEncoder().encode(JSON.stringify(m.metadata));
  const argWords = m.ops.reduce((n, op) => n + op.inputs.length + op.outputs.length + op.params.length, 0);
  const tensorTable = F.HEADER_SIZE;
  const opTable = alignUp(tensorTable + m.tensors.length * F.TENSOR_RECORD_SIZE);
  const args = alignUp(opTable + m.ops.length * F.OP_RECORD_SIZE);
  const ioList = alignUp(args + argWords * 4);
  const metaOffset = alignUp(ioList + (m.inputs.length + m.outputs.length) * 4);
  const dataStart = alignUp(metaOffset + meta.length);
  const data = layoutData(m.tensors, dataStart);
  const size = data.end;

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const u32 = (off: number, v: number) => view.setUint32(off, v, true);
  const i32 = (off: number, v: number) => view.setInt32(off, v, true);

  u32(F.H_MAGIC, F.EWM_MAGIC);
  view.setUint16(F.H_VERSION, F.EWM_VERSION, true);
  view.setUint16(F.H_VERSION + 2, F.HEADER_SIZE, true);
  u32(F.H_FILE_SIZE, size);
  u32(F.H_TENSOR_COUNT, m.tensors.length);
  u32(F.H_TENSOR_TABLE, tensorTable);
  u32(F.H_OP_COUNT, m.ops.length);
  u32(F.H_OP_TABLE, opTable);
  u32(F.H_INPUT_COUNT, m.inputs.length);
  u32(F.H_OUTPUT_COUNT, m.outputs.length);
  u32(F.H_IO_LIST, ioList);
  u32(F.H_ARENA_SIZE, m.arenaSize);
  u32(F.H_META_OFFSET, metaOffset);
  u32(F.H_META_SIZE, meta.length);
  u32(F.H_DATA_OFFSET, dataStart);
  u32(F.H_DATA_SIZE, size - dataStart);

  m.tensors.forEach((t, i) => {
    const rec = tensorTable + i * F.TENSOR_RECORD_SIZE;
    view.setUint8(rec + F.T_DTYPE, dtypeCode(t));
    view.setUint8(rec + F.T_RANK, t.shape.length);
    view.setUint8(rec + F.T_KIND, t.data ? F.KIND_CONSTANT : F.KIND_ACTIVATION);
    view.setUint8(rec + F.T_ENCODING, t.encoding === 'sparse' ? F.ENCODING_SPARSE : F.ENCODING_DENSE);
    for (let d = 0; d < F.MAX_RANK; d++) i32(rec + F.T_DIMS + 4 * d, t.shape[d] ?? 1);
    const offset = t.data ? data.dataOffset.get(i) : m.arenaOffsets.get(i);
    if (offset === undefined) throw new ConvertError(`tensor '${t.name}' has no place in the arena plan`);
    u32(rec + F.T_OFFSET, offset);
    u32(rec + F.T_BYTES, t.data ? t.data.length : tensorBytes(t));
    const q = t.quant;
    view.setFloat32(rec + F.T_SCALE, q?.scale[0] ?? 0, true);
    i32(rec + F.T_ZERO_POINT, q?.zeroPoint[0] ?? 0);
    const qOff = data.quantOffset.get(i);
    u32(rec + F.T_QUANT_OFFSET, qOff ?? 0);
    i32(rec + F.T_QUANT_AXIS, qOff !== undefined ? q!.axis : -1);
    u32(rec + F.T_QUANT_COUNT, qOff !== undefined ? q!.scale.length : 0);
    if (t.data) bytes.set(t.data, offset);
    if (qOff !== undefined) {
      q!.scale.forEach((s, c) => view.setFloat32(qOff + 4 * c, s, true));
      q!.scale.forEach((_, c) => i32(qOff + 4 * (q!.scale.length + c), q!.zeroPoint[c] ?? 0));
    }
  });

  let word = args;
  m.ops.forEach((op, i) => {
    const rec = opTable + i * F.OP_RECORD_SIZE;
    view.setUint16(rec + F.O_CODE, op.code, true);
    view.setUint8(rec + F.O_INPUTS, op.inputs.length);
    view.setUint8(rec + F.O_OUTPUTS, op.outputs.length);
    u32(rec + F.O_ARGS, word);
    u32(rec + F.O_PARAMS, op.params.length);
    for (const v of [...op.inputs, ...op.outputs, ...op.params]) {
      i32(word, v);
      word += 4;
    }
  });
  [...m.inputs, ...m.outputs].forEach((t, k) => i32(ioList + 4 * k, t));
  bytes.set(meta, metaOffset);
  u32(F.H_CRC32, crc32(bytes.subarray(F.CRC_START)));
  return bytes;
}

// The loaded model as the kernels see it: the .ewm bytes stay where the host put them (weights are
// read in place, never copied) and the activation arena sits beside them. Accessors turn tensor and
// op indices into pointers, shapes and parameters. Layout: docs/FORMAT.md.

import {
  T_DTYPE, T_RANK, T_KIND, T_ENCODING, T_DIMS, T_OFFSET, T_BYTES, TENSOR_RECORD_SIZE, KIND_CONSTANT, ENCODING_SPARSE,
  OP_RECORD_SIZE, O_CODE, O_INPUTS, O_OUTPUTS, O_ARGS, O_PARAMS, NO_TENSOR,
} from '../host/format';

export let modelBase: usize = 0; // the .ewm bytes
export let modelSize: u32 = 0;
export let arenaBase: usize = 0; // activations
export let tensorTable: usize = 0;
export let tensorCount: i32 = 0;
export let opTable: usize = 0;
export let opCount: i32 = 0;
let packedTable: usize = 0; // per op, its kernel's data packed at load time (SIMD build), or 0

export function setModel(base: usize, size: u32, tensors: usize, nTensors: i32, ops: usize, nOps: i32): void {
  packedTable = 0;
  modelBase = base;
  modelSize = size;
  tensorTable = tensors;
  tensorCount = nTensors;
  opTable = ops;
  opCount = nOps;
}

/** Per-op packed data from now on: `table` holds opCount zeroed pointers (0: none). */
export function setPackedTable(table: usize): void {
  packedTable = table;
}

export function setArena(base: usize): void {
  arenaBase = base;
}

// ---- tensors

// @ts-ignore: decorator
@inline export function tensorRecord(t: i32): usize {
  return tensorTable + <usize>t * TENSOR_RECORD_SIZE;
}

export function tensorData(t: i32): usize {
  if (t == NO_TENSOR) return 0;
  const rec = tensorRecord(t);
  const base = load<u8>(rec, T_KIND) == KIND_CONSTANT ? modelBase : arenaBase;
  return base + <usize>load<u32>(rec, T_OFFSET);
}

export function tensorDtype(t: i32): i32 {
  return load<u8>(tensorRecord(t), T_DTYPE);
}

export function tensorRank(t: i32): i32 {
  return load<u8>(tensorRecord(t), T_RANK);
}

/** Dimension d counted from the front; dims past the rank read as 1. */
export function tensorDim(t: i32, d: i32): i32 {
  return load<i32>(tensorRecord(t) + T_DIMS + (<usize>d << 2));
}

/** Dimension counted from the back: tensorDimBack(t, 0) is the innermost (channels). */
export function tensorDimBack(t: i32, d: i32): i32 {
  const i = tensorRank(t) - 1 - d;
  return i < 0 ? 1 : tensorDim(t, i);
}

export function tensorBytes(t: i32): i32 {
  return load<i32>(tensorRecord(t), T_BYTES);
}

export function tensorElements(t: i32): i32 {
  let n = 1;
  const rank = tensorRank(t);
  for (let d = 0; d < rank; d++) n *= tensorDim(t, d);
  return n;
}

/** Whether t holds pruned weights in the sparse encoding (a bitmap per row, then the nonzero values). */
export function tensorIsSparse(t: i32): bool {
  return load<u8>(tensorRecord(t), T_ENCODING) == ENCODING_SPARSE;
}

export function tensorIsConstant(t: i32): bool {
  return load<u8>(tensorRecord(t), T_KIND) == KIND_CONSTANT;
}

// ---- ops: an op is addressed by its record pointer

// @ts-ignore: decorator
@inline export function opRecord(i: i32): usize {
  return opTable + <usize>i * OP_RECORD_SIZE;
}

export function opCode(op: usize): i32 {
  return load<u16>(op, O_CODE);
}

export function opInputCount(op: usize): i32 {
  return load<u8>(op, O_INPUTS);
}

export function opOutputCount(op: usize): i32 {
  return load<u8>(op, O_OUTPUTS);
}

export function opParamCount(op: usize): i32 {
  return load<i32>(op, O_PARAMS);
}

// @ts-ignore: decorator
@inline function opArgs(op: usize): usize {
  return modelBase + <usize>load<u32>(op, O_ARGS);
}

/** Tensor index of input i (NO_TENSOR when an optional input is absent). */
export function opIn(op: usize, i: i32): i32 {
  return load<i32>(opArgs(op) + (<usize>i << 2));
}

export function opOut(op: usize, i: i32): i32 {
  return load<i32>(opArgs(op) + (<usize>(opInputCount(op) + i) << 2));
}

export function opParam(op: usize, k: i32): i32 {
  return load<i32>(opArgs(op) + (<usize>(opInputCount(op) + opOutputCount(op) + k) << 2));
}

/** The data the op's SIMD kernel packed at load time, or 0. */
export function opPacked(op: usize): usize {
  return packedTable == 0 ? 0 : load<usize>(packedTable + ((op - opTable) / OP_RECORD_SIZE << 2));
}

export function setOpPacked(op: usize, packed: usize): void {
  store<usize>(packedTable + ((op - opTable) / OP_RECORD_SIZE << 2), packed);
}

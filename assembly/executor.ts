// Load validates the whole .ewm once: header, sections, every tensor record, every op record and its
// op-specific shapes and params (check_* in ops/). Run then only dispatches the op list to kernels.

import * as F from '../host/format';
import * as S from './status';
import { fail } from './errors';
import { crc32 } from './crc32';
import { alloc } from './alloc';
import {
  setModel, setArena, setPackedTable, tensorRecord, opRecord, opCode, opInputCount, opOutputCount, opParamCount,
  tensorCount, opCount, modelBase,
} from './model';
import { setCheckingOp } from './ops/check';
import { checkOp, execOp, prepareOp } from './ops/dispatch';
import { reserveScratch, PATCH_LANES } from './simd/scratch';

let loaded = false;
let ioList: usize = 0;
let inputCount: i32 = 0;
let outputCount: i32 = 0;

const DTYPE_SIZE: StaticArray<i32> = [0, 1, 1, 2, 4, 4];

function header(off: i32): u32 {
  return load<u32>(modelBase + <usize>off);
}

/** A section [offset, offset + bytes) must lie inside the file and start aligned. */
function checkSection(field: i32, offset: u32, bytes: u64, size: u32, align: u32): i32 {
  if (offset < <u32>F.HEADER_SIZE || offset % align != 0 || <u64>offset + bytes > <u64>size) {
    return fail(S.ERR_SECTION, field, offset);
  }
  return S.OK;
}

function checkTensor(t: i32, size: u32, arenaSize: u32): i32 {
  const rec = tensorRecord(t);
  const dtype = <i32>load<u8>(rec, F.T_DTYPE);
  if (dtype < 1 || dtype > 5) return fail(S.ERR_TENSOR_DTYPE, t, dtype);
  const rank = <i32>load<u8>(rec, F.T_RANK);
  if (rank > F.MAX_RANK) return fail(S.ERR_TENSOR_RANK, t, rank);
  let elements: u64 = 1;
  for (let d = 0; d < F.MAX_RANK; d++) {
    const dim = load<i32>(rec + F.T_DIMS + (<usize>d << 2));
    if (dim < 1 || (d >= rank && dim != 1)) return fail(S.ERR_TENSOR_DIM, t, dim);
    elements *= <u64>dim;
    if (elements > 0x7fffffff) return fail(S.ERR_TENSOR_DIM, t, dim);
  }
  const kind = <i32>load<u8>(rec, F.T_KIND);
  if (kind != F.KIND_ACTIVATION && kind != F.KIND_CONSTANT) return fail(S.ERR_TENSOR_KIND, t, kind);
  const encoding = <i32>load<u8>(rec, F.T_ENCODING);
  const sparse = encoding == F.ENCODING_SPARSE && kind == F.KIND_CONSTANT && dtype == F.DTYPE_INT8 && rank == 2;
  if (encoding != F.ENCODING_DENSE && !sparse) return fail(S.ERR_TENSOR_ENCODING, t, encoding);
  const bytes = load<u32>(rec, F.T_BYTES);
  // Sparse: a bitmap of ceil(depth / 8) bytes per row, then at most every element's value.
  const rows = <u64>load<i32>(rec, F.T_DIMS);
  const bitmap = rows * ((elements / rows + 7) >> 3);
  if (sparse ? <u64>bytes < bitmap || <u64>bytes > bitmap + elements : <u64>bytes != elements * <u64>DTYPE_SIZE[dtype]) {
    return fail(S.ERR_TENSOR_BYTES, t, bytes);
  }
  const offset = load<u32>(rec, F.T_OFFSET);
  const limit = kind == F.KIND_CONSTANT ? size : arenaSize;
  if (offset % F.ALIGN != 0 || <u64>offset + <u64>bytes > <u64>limit) return fail(S.ERR_TENSOR_OFFSET, t, offset);
  if (kind == F.KIND_CONSTANT && offset < <u32>F.HEADER_SIZE) return fail(S.ERR_TENSOR_OFFSET, t, offset);
  if (sparse && !checkBitmap(modelBase + <usize>offset, <i32>rows, <i32>(elements / rows), <u32>(<u64>bytes - bitmap))) {
    return fail(S.ERR_TENSOR_BYTES, t, bytes);
  }
  return S.OK;
}

// A sparse tensor's bitmaps: as many set bits as values follow them, none past each row's depth.
function checkBitmap(bits: usize, rows: i32, depth: i32, values: u32): bool {
  const rowBytes = (depth + 7) >> 3;
  const tail = depth & 7; // bits used in a row's last byte, 0 for all 8
  let set: u32 = 0;
  for (let r = 0; r < rows; r++) {
    const row = bits + <usize>r * rowBytes;
    for (let i = 0; i < rowBytes; i++) set += popcnt<u32>(load<u8>(row + i));
    if (tail != 0 && (<i32>load<u8>(row + rowBytes - 1) >> tail) != 0) return false;
  }
  return set == values;
}

function checkOpRecord(i: i32, size: u32): i32 {
  const op = opRecord(i);
  const code = opCode(op);
  if (code < 1 || code >= F.OP_COUNT) return fail(S.ERR_OP_CODE, i, code);
  if (load<u32>(op, F.O_RESERVED) != 0) return fail(S.ERR_RESERVED, i, load<u32>(op, F.O_RESERVED));
  const nIn = opInputCount(op);
  const nOut = opOutputCount(op);
  const nParams = opParamCount(op);
  const args = load<u32>(op, F.O_ARGS);
  if (nParams < 0 || nParams > 0xffff) return fail(S.ERR_OP_ARITY, i, nParams);
  const words = <u64>(nIn + nOut + nParams);
  if (args < <u32>F.HEADER_SIZE || args % 4 != 0 || <u64>args + words * 4 > <u64>size) return fail(S.ERR_OP_ARGS, i, args);
  const argPtr = modelBase + <usize>args;
  for (let k = 0; k < nIn + nOut; k++) {
    const t = load<i32>(argPtr + (<usize>k << 2));
    const isOutput = k >= nIn;
    if (t < F.NO_TENSOR || t >= tensorCount || (isOutput && t == F.NO_TENSOR)) return fail(S.ERR_OP_TENSOR, i, t);
    if (isOutput && load<u8>(tensorRecord(t), F.T_KIND) != F.KIND_ACTIVATION) return fail(S.ERR_OP_TENSOR, i, t);
    // Sparse weights: only a fully connected layer's weights (input 1) may be.
    const encoding = t == F.NO_TENSOR ? F.ENCODING_DENSE : <i32>load<u8>(tensorRecord(t), F.T_ENCODING);
    if (encoding != F.ENCODING_DENSE && !(code == F.OP_FULLY_CONNECTED && k == 1)) return fail(S.ERR_TENSOR_ENCODING, t, encoding);
  }
  setCheckingOp(i);
  return checkOp(op, code);
}

function checkIo(count: i32, first: i32): i32 {
  for (let k = 0; k < count; k++) {
    const t = load<i32>(ioList + (<usize>(first + k) << 2));
    if (t < 0 || t >= tensorCount || load<u8>(tensorRecord(t), F.T_KIND) != F.KIND_ACTIVATION) {
      return fail(S.ERR_IO, first + k, t);
    }
  }
  return S.OK;
}

// The SIMD kernels' weights packed once at load (ops/ prepare_*), recorded per op.
function prepareOps(nOps: i32): i32 {
  const table = alloc(<usize>nOps << 2);
  if (table == 0) return fail(S.ERR_NO_MEMORY, 0, nOps << 2);
  memory.fill(table, 0, <usize>nOps << 2);
  setPackedTable(table);
  for (let i = 0; i < nOps; i++) {
    const op = opRecord(i);
    setCheckingOp(i);
    const s = prepareOp(op, opCode(op));
    if (s != S.OK) return s;
  }
  return S.OK;
}

/** Validate the model at [base, base + size) and allocate its arena. */
export function load_model(base: usize, size: u32): i32 {
  loaded = false;
  setModel(base, size, 0, 0, 0, 0);
  if (size < <u32>F.HEADER_SIZE) return fail(S.ERR_SHORT_FILE, 0, size);
  if (header(F.H_MAGIC) != F.EWM_MAGIC) return fail(S.ERR_MAGIC, 0, header(F.H_MAGIC));
  const version = load<u16>(base, F.H_VERSION);
  if (version != F.EWM_VERSION) return fail(S.ERR_VERSION, 0, version);
  const headerSize = load<u16>(base, F.H_VERSION + 2);
  if (headerSize != F.HEADER_SIZE) return fail(S.ERR_HEADER_SIZE, 0, headerSize);
  if (header(F.H_FILE_SIZE) != size) return fail(S.ERR_FILE_SIZE, 0, header(F.H_FILE_SIZE));
  const crc = crc32(base + F.CRC_START, size - F.CRC_START);
  if (crc != header(F.H_CRC32)) return fail(S.ERR_CRC, 0, crc);

  const nTensors = header(F.H_TENSOR_COUNT);
  const nOps = header(F.H_OP_COUNT);
  inputCount = header(F.H_INPUT_COUNT);
  outputCount = header(F.H_OUTPUT_COUNT);
  const arenaSize = header(F.H_ARENA_SIZE);
  let s = checkSection(F.H_TENSOR_TABLE, header(F.H_TENSOR_TABLE), <u64>nTensors * F.TENSOR_RECORD_SIZE, size, F.ALIGN);
  if (s == S.OK) s = checkSection(F.H_OP_TABLE, header(F.H_OP_TABLE), <u64>nOps * F.OP_RECORD_SIZE, size, F.ALIGN);
  if (s == S.OK) s = checkSection(F.H_IO_LIST, header(F.H_IO_LIST), (<u64>inputCount + <u64>outputCount) * 4, size, F.ALIGN);
  if (s == S.OK) s = checkSection(F.H_META_OFFSET, header(F.H_META_OFFSET), header(F.H_META_SIZE), size, F.ALIGN);
  if (s == S.OK) s = checkSection(F.H_DATA_OFFSET, header(F.H_DATA_OFFSET), header(F.H_DATA_SIZE), size, F.ALIGN);
  if (s != S.OK) return s;
  if (inputCount < 1) return fail(S.ERR_SECTION, F.H_INPUT_COUNT, inputCount);
  if (outputCount < 1) return fail(S.ERR_SECTION, F.H_OUTPUT_COUNT, outputCount);

  setModel(base, size, base + header(F.H_TENSOR_TABLE), nTensors, base + header(F.H_OP_TABLE), nOps);
  ioList = base + header(F.H_IO_LIST);
  for (let t = 0; t < <i32>nTensors; t++) {
    s = checkTensor(t, size, arenaSize);
    if (s != S.OK) return s;
  }
  s = checkIo(inputCount, 0);
  if (s == S.OK) s = checkIo(outputCount, inputCount);
  if (s != S.OK) return s;
  for (let i = 0; i < <i32>nOps; i++) {
    s = checkOpRecord(i, size);
    if (s != S.OK) return s;
  }
  // The SIMD kernels' scratch, before the arena: a failure here names the scratch's size.
  if (ASC_FEATURE_SIMD) {
    if (!reserveScratch()) return fail(S.ERR_NO_MEMORY, 0, PATCH_LANES << 1);
    s = prepareOps(<i32>nOps);
    if (s != S.OK) return s;
  }
  const arena = alloc(<usize>arenaSize);
  if (arena == 0) return fail(S.ERR_NO_MEMORY, 0, arenaSize);
  setArena(arena);
  loaded = true;
  return S.OK;
}

export function run_model(): i32 {
  if (!loaded) return fail(S.ERR_NOT_LOADED, 0, 0);
  for (let i = 0; i < opCount; i++) {
    const op = opRecord(i);
    const s = execOp(op, opCode(op));
    if (s != S.OK) return fail(s, i, opCode(op));
  }
  return S.OK;
}

/** Runs op i alone (for per-op profiling); the ops before it must have run. */
export function run_op(i: i32): i32 {
  if (!loaded) return fail(S.ERR_NOT_LOADED, 0, 0);
  if (i < 0 || i >= opCount) return fail(S.ERR_OP_INDEX, i, opCount);
  const op = opRecord(i);
  const s = execOp(op, opCode(op));
  return s == S.OK ? s : fail(s, i, opCode(op));
}

export function io_tensor(isOutput: bool, k: i32): i32 {
  if (!loaded || k < 0 || k >= (isOutput ? outputCount : inputCount)) return F.NO_TENSOR;
  return load<i32>(ioList + (<usize>(isOutput ? inputCount + k : k) << 2));
}

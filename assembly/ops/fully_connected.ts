// FULLY_CONNECTED (int8) at load and run time. The converter precomputed the multipliers and shifts
// as TFLM's Prepare does (per channel, or the per-tensor one repeated per unit) and the clamp.
// Layout (docs/FORMAT.md):
//   inputs [x i8 (..., depth), w i8 (units, depth), bias i32 (units) | NO_TENSOR, mult i32 (units),
//           shift i32 (units)] | outputs [y i8 (..., units)] |
//   params [inputOffset, outputZeroPoint, actMin, actMax]
// As in TFLM, the batch count is the output's element count over units; the input must hold exactly
// that many rows of depth values. Pruned weights may come in the sparse encoding: the MVP build
// runs them with fully_connected_sparse_i8_ref; the SIMD build, at load, either packs them for its
// rows-in-lanes sparse kernel (few nonzeros for its rows: SPARSE_MAX_DENSITY, measured by
// bench/sparse.ts) or writes them out dense for the dense GEMM, whichever is faster.

import { OK, ERR_OP_SHAPE, ERR_NO_MEMORY } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, opPacked, tensorData, tensorDim, tensorDimBack, tensorRank, tensorElements, tensorIsSparse, tensorBytes } from '../model';
import { checkingOp, expectArity, expectDtype, expectElements } from './check';
import { checkChannelQuant, checkQuantParams, prepareGemm, packedFor } from './conv';
import { fully_connected_i8_ref } from '../ref/fully_connected_i8';
import { fully_connected_sparse_i8_ref } from '../ref/fully_connected_sparse_i8';
import { fully_connected_i8_simd } from '../simd/fully_connected_i8';
import {
  fully_connected_sparse_i8_simd, sparseBlockRows, sparsePackedBytes, sparsePack, PACKED_SPARSE,
} from '../simd/fully_connected_sparse_i8';
import { alloc } from '../alloc';
import { LANES_MIN_ROWS } from '../simd/gemm_lanes_i8';

// Where the SIMD build runs sparse weights with its sparse kernel rather than dense (bench/sparse.ts):
// at most this share of nonzero weights, counting a pass's idle lanes as nonzeros, and only in
// layers too short for the units-in-lanes GEMM (under LANES_MIN_ROWS rows): that GEMM (i16 weights)
// runs KWS's 125 x 64 -> 64 as fast as the sparse kernel at 5 % nonzeros, faster at 20 %.
const SPARSE_MAX_DENSITY: f64 = 0.3;

export function check_fully_connected(op: usize): i32 {
  let s = expectArity(op, 5, 1, 4);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(w, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(y, DTYPE_INT8)) != OK) return s;
  if (tensorRank(w) != 2) return fail(ERR_OP_SHAPE, checkingOp, w);
  const units = tensorDim(w, 0);
  const depth = tensorDim(w, 1);
  if (tensorRank(y) < 1 || tensorDimBack(y, 0) != units) return fail(ERR_OP_SHAPE, checkingOp, y);
  const batches = tensorElements(y) / units;
  if ((s = expectElements(x, batches * depth)) != OK) return s;
  if ((s = checkChannelQuant(op, units)) != OK) return s;
  return checkQuantParams(op, 0);
}

/** SIMD build, at load: the weights packed for the GEMM that serves the layer. */
export function prepare_fully_connected(op: usize): i32 {
  const w = opIn(op, 1);
  const units = tensorDim(w, 0);
  const depth = tensorDim(w, 1);
  const rows = tensorElements(opOut(op, 0)) / units;
  if (!tensorIsSparse(w)) return prepareGemm(op, rows, depth, units, 1, opParam(op, 0), tensorData(w));
  const values = tensorBytes(w) - units * ((depth + 7) >> 3);
  const blockRows = sparseBlockRows(depth, rows);
  // Its passes take 16 rows: a layer of fewer rows pays for the idle lanes as nonzeros would.
  const lanes = <f64>((rows + 15) & ~15);
  if (blockRows > 0 && rows < LANES_MIN_ROWS && <f64>values * lanes <= SPARSE_MAX_DENSITY * <f64>units * <f64>depth * <f64>rows) {
    const p = packedFor(op, sparsePackedBytes(tensorData(w), depth, units));
    if (p == 0) return ERR_NO_MEMORY;
    sparsePack(p, tensorData(w), depth, units, blockRows);
    return OK;
  }
  // Dense is faster here: the weights written out, then packed as any dense layer's.
  const dense = alloc(<usize>units * depth);
  if (dense == 0) return fail(ERR_NO_MEMORY, checkingOp, units * depth);
  densify(dense, tensorData(w), depth, units);
  return prepareGemm(op, rows, depth, units, 1, opParam(op, 0), dense);
}

// The sparse weights at w as (units, depth) dense int8 at dst.
function densify(dst: usize, w: usize, depth: i32, units: i32): void {
  const rowBytes = (depth + 7) >> 3;
  let v = w + <usize>units * rowBytes;
  for (let u = 0; u < units; u++) {
    const bits = w + <usize>u * rowBytes;
    for (let d = 0; d < depth; d++) {
      const set = (<i32>load<u8>(bits + (d >> 3)) >> (d & 7)) & 1;
      store<i8>(dst + <usize>u * depth + d, set ? load<i8>(v++) : 0);
    }
  }
}

export function exec_fully_connected(op: usize): i32 {
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  const units = tensorDim(w, 0);
  const sparse = tensorIsSparse(w);
  const packed = opPacked(op);
  if (ASC_FEATURE_SIMD && sparse && packed != 0 && load<i32>(packed) == PACKED_SPARSE) {
    fully_connected_sparse_i8_simd(
      tensorData(y), tensorData(opIn(op, 0)), tensorData(opIn(op, 2)), tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
      tensorElements(y) / units, tensorDim(w, 1), units, opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), packed,
    );
  } else if (ASC_FEATURE_SIMD && (!sparse || packed != 0)) fully_connected_i8_simd(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorElements(y) / units, tensorDim(w, 1), units,
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), packed,
  );
  else (sparse ? fully_connected_sparse_i8_ref : fully_connected_i8_ref)(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorElements(y) / units, tensorDim(w, 1), units,
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
  );
  return OK;
}

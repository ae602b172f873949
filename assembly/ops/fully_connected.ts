// FULLY_CONNECTED (int8) at load and run time. The converter precomputed the multipliers and shifts
// as TFLM's Prepare does (per channel, or the per-tensor one repeated per unit) and the clamp.
// Layout (docs/FORMAT.md):
//   inputs [x i8 (..., depth), w i8 (units, depth), bias i32 (units) | NO_TENSOR, mult i32 (units),
//           shift i32 (units)] | outputs [y i8 (..., units)] |
//   params [inputOffset, outputZeroPoint, actMin, actMax]
// As in TFLM, the batch count is the output's element count over units; the input must hold exactly
// that many rows of depth values.

import { OK, ERR_OP_SHAPE } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, opPacked, tensorData, tensorDim, tensorDimBack, tensorRank, tensorElements } from '../model';
import { checkingOp, expectArity, expectDtype, expectElements } from './check';
import { checkChannelQuant, checkQuantParams, prepareGemm } from './conv';
import { fully_connected_i8_ref } from '../ref/fully_connected_i8';
import { fully_connected_i8_simd } from '../simd/fully_connected_i8';

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
  return prepareGemm(op, tensorElements(opOut(op, 0)) / units, tensorDim(w, 1), units, 1, opParam(op, 0));
}

export function exec_fully_connected(op: usize): i32 {
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  const units = tensorDim(w, 0);
  if (ASC_FEATURE_SIMD) fully_connected_i8_simd(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorElements(y) / units, tensorDim(w, 1), units,
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opPacked(op),
  );
  else fully_connected_i8_ref(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorElements(y) / units, tensorDim(w, 1), units,
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
  );
  return OK;
}

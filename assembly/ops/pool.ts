// AVERAGE_POOL_2D and MAX_POOL_2D (int8) at load and run time. The converter computed the padding
// as TFLM's Prepare does and the clamp; input and output share one quantization. Layout
// (docs/FORMAT.md), for both:
//   inputs [x i8 NHWC] | outputs [y i8 NHWC] |
//   params [strideH, strideW, filterH, filterW, padTop, padLeft, actMin, actMax]
// The check proves every window overlaps the input, so the average never divides by zero.

import { OK, ERR_OP_SHAPE, ERR_OP_PARAM } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, tensorData, tensorDim, tensorRank } from '../model';
import { checkingOp, expectArity, expectDtype, expectRange } from './check';
import { average_pool_i8_ref, max_pool_i8_ref } from '../ref/pool_i8';
import { average_pool_i8_simd, max_pool_i8_simd } from '../simd/pool_i8';

const WINDOW_LIMIT: i64 = 1 << 30;

// One axis of the window geometry: OK when the first window reaches past its padding into the
// input, the last starts inside it, and every coordinate the kernel forms stays far inside i32;
// else the offending padding or stride.
function checkAxis(inSize: i32, outSize: i32, stride: i32, filter: i32, pad: i32): i32 {
  if (pad >= filter || <i64>inSize + pad > WINDOW_LIMIT) return fail(ERR_OP_PARAM, checkingOp, pad);
  const lastStart = <i64>(outSize - 1) * stride;
  if (lastStart - pad >= <i64>inSize || lastStart + filter > WINDOW_LIMIT) return fail(ERR_OP_PARAM, checkingOp, stride);
  return OK;
}

function checkPool(op: usize): i32 {
  let s = expectArity(op, 1, 1, 8);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(y, DTYPE_INT8)) != OK) return s;
  if (tensorRank(x) != 4) return fail(ERR_OP_SHAPE, checkingOp, x);
  if (tensorRank(y) != 4 || tensorDim(y, 0) != tensorDim(x, 0) || tensorDim(y, 3) != tensorDim(x, 3)) {
    return fail(ERR_OP_SHAPE, checkingOp, y);
  }
  for (let k = 0; k < 4 && s == OK; k++) s = expectRange(opParam(op, k), 1, i32.MAX_VALUE);
  for (let k = 4; k < 6 && s == OK; k++) s = expectRange(opParam(op, k), 0, i32.MAX_VALUE);
  if (s == OK) s = expectRange(opParam(op, 6), -128, 127);
  if (s == OK) s = expectRange(opParam(op, 7), opParam(op, 6), 127);
  if (s != OK) return s;
  s = checkAxis(tensorDim(x, 1), tensorDim(y, 1), opParam(op, 0), opParam(op, 2), opParam(op, 4));
  if (s != OK) return s;
  return checkAxis(tensorDim(x, 2), tensorDim(y, 2), opParam(op, 1), opParam(op, 3), opParam(op, 5));
}

export function check_average_pool_2d(op: usize): i32 {
  return checkPool(op);
}

export function exec_average_pool_2d(op: usize): i32 {
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  const kernel = ASC_FEATURE_SIMD ? average_pool_i8_simd : average_pool_i8_ref;
  kernel(
    tensorData(y), tensorData(x),
    tensorDim(x, 0), tensorDim(x, 1), tensorDim(x, 2), tensorDim(x, 3), tensorDim(y, 1), tensorDim(y, 2),
    opParam(op, 2), opParam(op, 3), opParam(op, 0), opParam(op, 1), opParam(op, 4), opParam(op, 5),
    opParam(op, 6), opParam(op, 7),
  );
  return OK;
}

export function check_max_pool_2d(op: usize): i32 {
  return checkPool(op);
}

export function exec_max_pool_2d(op: usize): i32 {
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  const kernel = ASC_FEATURE_SIMD ? max_pool_i8_simd : max_pool_i8_ref;
  kernel(
    tensorData(y), tensorData(x),
    tensorDim(x, 0), tensorDim(x, 1), tensorDim(x, 2), tensorDim(x, 3), tensorDim(y, 1), tensorDim(y, 2),
    opParam(op, 2), opParam(op, 3), opParam(op, 0), opParam(op, 1), opParam(op, 4), opParam(op, 5),
    opParam(op, 6), opParam(op, 7),
  );
  return OK;
}

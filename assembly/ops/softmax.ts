// SOFTMAX (int8 -> int8) at load and run time. Layout (docs/FORMAT.md):
//   inputs [x int8 (..., depth)] | outputs [y int8, same shape] |
//   params [inputMultiplier, inputLeftShift, diffMin], precomputed as TFLM's CalculateSoftmaxParams.

import { OK, ERR_OP_SHAPE } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, tensorData, tensorRank, tensorDimBack, tensorElements } from '../model';
import { checkingOp, expectArity, expectDtype, expectElements, expectRange } from './check';
import { softmax_i8_ref } from '../ref/softmax_i8';

export function check_softmax(op: usize): i32 {
  let s = expectArity(op, 1, 1, 3);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(y, DTYPE_INT8)) != OK) return s;
  if (tensorRank(x) < 1 || tensorDimBack(x, 0) < 1) return fail(ERR_OP_SHAPE, checkingOp, x);
  if (tensorRank(y) < 1 || tensorDimBack(y, 0) != tensorDimBack(x, 0)) return fail(ERR_OP_SHAPE, checkingOp, y);
  if ((s = expectElements(y, tensorElements(x))) != OK) return s;
  if ((s = expectRange(opParam(op, 0), 0, i32.MAX_VALUE)) != OK) return s;
  if ((s = expectRange(opParam(op, 1), 0, 31)) != OK) return s;
  return expectRange(opParam(op, 2), i32.MIN_VALUE, 0);
}

export function exec_softmax(op: usize): i32 {
  const x = opIn(op, 0);
  const depth = tensorDimBack(x, 0);
  softmax_i8_ref(
    tensorData(opOut(op, 0)), tensorData(x), tensorElements(x) / depth, depth,
    opParam(op, 0), opParam(op, 1), opParam(op, 2),
  );
  return OK;
}

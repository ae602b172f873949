// Load-time checks shared by the ops' check_* functions. Each returns OK or a status with the op
// index and offending value recorded, so that a model which loads cannot make a kernel read or write
// outside its tensors.

import { OK, ERR_OP_ARITY, ERR_OP_SHAPE, ERR_OP_PARAM } from '../status';
import { fail } from '../errors';
import { opInputCount, opOutputCount, opParamCount, opIn, tensorDtype, tensorElements } from '../model';
import { NO_TENSOR } from '../../host/format';

/** The op being checked, for error details. */
export let checkingOp: i32 = 0;
export function setCheckingOp(i: i32): void {
  checkingOp = i;
}

export function expectArity(op: usize, nIn: i32, nOut: i32, nParams: i32): i32 {
  if (opInputCount(op) != nIn) return fail(ERR_OP_ARITY, checkingOp, opInputCount(op));
  if (opOutputCount(op) != nOut) return fail(ERR_OP_ARITY, checkingOp, opOutputCount(op));
  if (opParamCount(op) != nParams) return fail(ERR_OP_ARITY, checkingOp, opParamCount(op));
  return OK;
}

export function expectDtype(t: i32, dtype: i32): i32 {
  if (t == NO_TENSOR || tensorDtype(t) != dtype) return fail(ERR_OP_SHAPE, checkingOp, t);
  return OK;
}

export function expectElements(t: i32, n: i32): i32 {
  if (t == NO_TENSOR || tensorElements(t) != n) return fail(ERR_OP_SHAPE, checkingOp, t);
  return OK;
}

/** A required input: present, not NO_TENSOR. */
export function expectPresent(op: usize, i: i32): i32 {
  const t = opIn(op, i);
  if (t == NO_TENSOR) return fail(ERR_OP_SHAPE, checkingOp, t);
  return OK;
}

export function expectRange(value: i32, lo: i32, hi: i32): i32 {
  if (value < lo || value > hi) return fail(ERR_OP_PARAM, checkingOp, value);
  return OK;
}

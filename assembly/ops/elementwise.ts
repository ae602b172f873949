// ADD, SUB and MUL (int8, broadcasting up to 4-D) at load and run time. The converter computed the
// broadcast strides and TFLM's requantization parameters (docs/FORMAT.md):
//   inputs [x1 i8, x2 i8] | outputs [y i8] | params, strides first:
//   [a0, a1, a2, a3, b0, b1, b2, b3, ...]   element strides of x1 and x2 over y's shape padded
//                                           in front to 4-D; 0 along a broadcast axis
//   ADD, SUB  ... in1Offset, in1Multiplier, in1Shift, in2Offset, in2Multiplier, in2Shift,
//                 outMultiplier, outShift, outZeroPoint, actMin, actMax
//   MUL       ... in1Offset, in2Offset, outMultiplier, outShift, outZeroPoint, actMin, actMax
// Offsets are minus the input zero points. The check proves the last element each stride set
// reaches lies inside its operand.

import { OK, ERR_OP_PARAM } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, tensorData, tensorDimBack, tensorElements } from '../model';
import { checkingOp, expectArity, expectDtype, expectRange } from './check';
import { add_i8_ref, sub_i8_ref, mul_i8_ref } from '../ref/elementwise_i8';
import { add_i8_simd } from '../simd/elementwise_i8';

const ADD_SUB_PARAMS = 19;
const MUL_PARAMS = 15;

// Output dimension k of the 4-D view (0 outermost).
// @ts-ignore: decorator
@inline function dim(y: i32, k: i32): i32 {
  return tensorDimBack(y, 3 - k);
}

// Operand t read with the strides in params base..base+3: every stride >= 0 and the furthest
// element inside t.
function checkStrides(op: usize, y: i32, t: i32, base: i32): i32 {
  let last: i64 = 0;
  for (let k = 0; k < 4; k++) {
    const stride = opParam(op, base + k);
    if (stride < 0) return fail(ERR_OP_PARAM, checkingOp, stride);
    last += <i64>(dim(y, k) - 1) * stride;
  }
  if (last >= <i64>tensorElements(t)) return fail(ERR_OP_PARAM, checkingOp, opParam(op, base));
  return OK;
}

// Arity, int8 dtypes and the strides shared by all three ops.
function checkBinary(op: usize, nParams: i32): i32 {
  let s = expectArity(op, 2, 1, nParams);
  if (s != OK) return s;
  const y = opOut(op, 0);
  for (let i = 0; i < 2; i++) {
    if ((s = expectDtype(opIn(op, i), DTYPE_INT8)) != OK) return s;
  }
  if ((s = expectDtype(y, DTYPE_INT8)) != OK) return s;
  if ((s = checkStrides(op, y, opIn(op, 0), 0)) != OK) return s;
  return checkStrides(op, y, opIn(op, 1), 4);
}

// The output zero point and the activation clamp at k, k+1, k+2.
function checkOutput(op: usize, k: i32): i32 {
  let s = expectRange(opParam(op, k), -128, 127);
  if (s == OK) s = expectRange(opParam(op, k + 1), -128, 127);
  if (s == OK) s = expectRange(opParam(op, k + 2), opParam(op, k + 1), 127);
  return s;
}

// A multiplier and shift pair at k: Q0.31, shift within [minShift, maxShift].
function checkMultiplier(op: usize, k: i32, minShift: i32, maxShift: i32): i32 {
  const s = expectRange(opParam(op, k), 0, i32.MAX_VALUE);
  return s != OK ? s : expectRange(opParam(op, k + 1), minShift, maxShift);
}

// TFLM's ADD/SUB multipliers all come from QuantizeMultiplierSmallerThanOneExp: shifts <= 0.
function checkAddSub(op: usize): i32 {
  let s = checkBinary(op, ADD_SUB_PARAMS);
  if (s == OK) s = expectRange(opParam(op, 8), -127, 128);
  if (s == OK) s = checkMultiplier(op, 9, -31, 0);
  if (s == OK) s = expectRange(opParam(op, 11), -127, 128);
  if (s == OK) s = checkMultiplier(op, 12, -31, 0);
  if (s == OK) s = checkMultiplier(op, 14, -31, 0);
  if (s == OK) s = checkOutput(op, 16);
  return s;
}

function execAddSub(op: usize, negate: bool): i32 {
  const y = opOut(op, 0);
  const kernel = negate ? sub_i8_ref : ASC_FEATURE_SIMD ? add_i8_simd : add_i8_ref;
  kernel(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(opIn(op, 1)), dim(y, 0), dim(y, 1), dim(y, 2), dim(y, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
    opParam(op, 4), opParam(op, 5), opParam(op, 6), opParam(op, 7),
    opParam(op, 8), opParam(op, 9), opParam(op, 10), opParam(op, 11), opParam(op, 12), opParam(op, 13),
    opParam(op, 14), opParam(op, 15), opParam(op, 16), opParam(op, 17), opParam(op, 18),
  );
  return OK;
}

export function check_add(op: usize): i32 {
  return checkAddSub(op);
}

export function exec_add(op: usize): i32 {
  return execAddSub(op, false);
}

export function check_sub(op: usize): i32 {
  return checkAddSub(op);
}

export function exec_sub(op: usize): i32 {
  return execAddSub(op, true);
}

export function check_mul(op: usize): i32 {
  let s = checkBinary(op, MUL_PARAMS);
  if (s == OK) s = expectRange(opParam(op, 8), -127, 128);
  if (s == OK) s = expectRange(opParam(op, 9), -127, 128);
  if (s == OK) s = checkMultiplier(op, 10, -31, 30);
  if (s == OK) s = checkOutput(op, 12);
  return s;
}

export function exec_mul(op: usize): i32 {
  const y = opOut(op, 0);
  mul_i8_ref(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(opIn(op, 1)), dim(y, 0), dim(y, 1), dim(y, 2), dim(y, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
    opParam(op, 4), opParam(op, 5), opParam(op, 6), opParam(op, 7),
    opParam(op, 8), opParam(op, 9), opParam(op, 10), opParam(op, 11), opParam(op, 12), opParam(op, 13), opParam(op, 14),
  );
  return OK;
}

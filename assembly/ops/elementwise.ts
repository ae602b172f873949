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

import { OK, ERR_OP_PARAM, ERR_NO_MEMORY } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, opPacked, setOpPacked, tensorData, tensorDimBack, tensorElements } from '../model';
import { alloc } from '../alloc';
import { lookup_i8, lookupGrid, LOOKUP_BYTES } from '../simd/lookup_i8';
import { PATCH } from '../simd/scratch';
import { checkingOp, expectArity, expectDtype, expectRange } from './check';
import { add_i8_ref, sub_i8_ref, mul_i8_ref } from '../ref/elementwise_i8';

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

// Outputs from which the SIMD build looks ADD, SUB and MUL up in a table built at load (64 KiB and
// 65,536 reference evaluations, about a millisecond); smaller ones run the reference kernel.
const LOOKUP_MIN_ELEMENTS = 1024;

/** SIMD build, at load: the op's table of all 65,536 results (simd/lookup_i8.ts), for large outputs. */
function prepareLookup(op: usize, code: i32): i32 {
  if (tensorElements(opOut(op, 0)) < LOOKUP_MIN_ELEMENTS) return OK;
  const table = alloc(LOOKUP_BYTES);
  if (table == 0) return fail(ERR_NO_MEMORY, checkingOp, LOOKUP_BYTES);
  lookupGrid(PATCH);
  // The op's own kernel over the operand grids: shape (1, 1, 256, 256), strides (0, 0, 1, 0) and (0, 0, 0, 1).
  if (code == MUL) mul_i8_ref(
    table, PATCH, PATCH + 256, 1, 1, 256, 256, 0, 0, 1, 0, 0, 0, 0, 1,
    opParam(op, 8), opParam(op, 9), opParam(op, 10), opParam(op, 11), opParam(op, 12), opParam(op, 13), opParam(op, 14),
  );
  else (code == SUB ? sub_i8_ref : add_i8_ref)(
    table, PATCH, PATCH + 256, 1, 1, 256, 256, 0, 0, 1, 0, 0, 0, 0, 1,
    opParam(op, 8), opParam(op, 9), opParam(op, 10), opParam(op, 11), opParam(op, 12), opParam(op, 13),
    opParam(op, 14), opParam(op, 15), opParam(op, 16), opParam(op, 17), opParam(op, 18),
  );
  setOpPacked(op, table);
  return OK;
}

const ADD = 0, SUB = 1, MUL = 2;

export function prepare_add(op: usize): i32 { return prepareLookup(op, ADD); }
export function prepare_sub(op: usize): i32 { return prepareLookup(op, SUB); }
export function prepare_mul(op: usize): i32 { return prepareLookup(op, MUL); }

// The SIMD build's table lookup, when prepareLookup built a table; false otherwise.
function execLookup(op: usize): bool {
  const table = opPacked(op);
  if (table == 0) return false;
  const y = opOut(op, 0);
  lookup_i8(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(opIn(op, 1)), dim(y, 0), dim(y, 1), dim(y, 2), dim(y, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
    opParam(op, 4), opParam(op, 5), opParam(op, 6), opParam(op, 7), table,
  );
  return true;
}

function execAddSub(op: usize, negate: bool): i32 {
  if (ASC_FEATURE_SIMD && execLookup(op)) return OK;
  const y = opOut(op, 0);
  const kernel = negate ? sub_i8_ref : add_i8_ref;
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
  if (ASC_FEATURE_SIMD && execLookup(op)) return OK;
  const y = opOut(op, 0);
  mul_i8_ref(
    tensorData(y), tensorData(opIn(op, 0)), tensorData(opIn(op, 1)), dim(y, 0), dim(y, 1), dim(y, 2), dim(y, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
    opParam(op, 4), opParam(op, 5), opParam(op, 6), opParam(op, 7),
    opParam(op, 8), opParam(op, 9), opParam(op, 10), opParam(op, 11), opParam(op, 12), opParam(op, 13), opParam(op, 14),
  );
  return OK;
}

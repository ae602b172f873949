// Layout ops at load and run time: COPY (RESHAPE, a byte copy), CONCATENATION, SPLIT and PAD
// (int8). Layouts (docs/FORMAT.md):
//   COPY           inputs [x] | outputs [y, same dtype and byte size] | params []
//   CONCATENATION  inputs [x0 .. xn-1 i8] | outputs [y i8] | params [axis]  (0 <= axis < rank(y))
//   SPLIT          inputs [x i8] | outputs [y0 .. yn-1 i8] | params [axis]  (0 <= axis < rank(x))
//   PAD            inputs [x i8] | outputs [y i8] |
//                  params [before0, before1, before2, before3, after0, after1, after2, after3, padValue]
//                  over x's shape padded in front to 4-D; y's 4-D view is x's plus before and after.
// The checks prove the kernels' row and box arithmetic matches the tensors' sizes.

import { OK, ERR_OP_ARITY, ERR_OP_SHAPE, ERR_OP_PARAM } from '../status';
import { fail } from '../errors';
import { DTYPE_INT8 } from '../../host/format';
import {
  opIn, opOut, opParam, opInputCount, opOutputCount, tensorData, tensorDim, tensorDimBack, tensorRank, tensorDtype, tensorBytes,
} from '../model';
import { checkingOp, expectArity, expectDtype, expectRange } from './check';
import { copy_bytes_ref, concatenation_i8_ref, split_i8_ref } from '../ref/concatenation_i8';
import { pad_i8_ref } from '../ref/pad_i8';

// ---- COPY

export function check_copy(op: usize): i32 {
  const s = expectArity(op, 1, 1, 0);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  if (x < 0) return fail(ERR_OP_SHAPE, checkingOp, x);
  if (tensorDtype(y) != tensorDtype(x) || tensorBytes(y) != tensorBytes(x)) return fail(ERR_OP_SHAPE, checkingOp, y);
  return OK;
}

export function exec_copy(op: usize): i32 {
  const x = opIn(op, 0);
  copy_bytes_ref(tensorData(opOut(op, 0)), tensorData(x), tensorBytes(x));
  return OK;
}

// ---- CONCATENATION and SPLIT: a whole tensor and its parts along one axis

// Part i: an input of CONCATENATION, an output of SPLIT.
// @ts-ignore: decorator
@inline function part(op: usize, split: bool, i: i32): i32 {
  return split ? opOut(op, i) : opIn(op, i);
}

// Every part int8, of the whole's rank, equal to it off the axis; the parts' extents along the
// axis add up to the whole's.
function checkParts(op: usize, whole: i32, n: i32, split: bool): i32 {
  let s = expectDtype(whole, DTYPE_INT8);
  if (s != OK) return s;
  if (n < 1) return fail(ERR_OP_ARITY, checkingOp, n);
  const rank = tensorRank(whole);
  const axis = opParam(op, 0);
  if ((s = expectRange(axis, 0, rank - 1)) != OK) return s;
  let total: i64 = 0;
  for (let i = 0; i < n; i++) {
    const x = part(op, split, i);
    if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
    if (tensorRank(x) != rank) return fail(ERR_OP_SHAPE, checkingOp, x);
    for (let d = 0; d < rank; d++) {
      if (d != axis && tensorDim(x, d) != tensorDim(whole, d)) return fail(ERR_OP_SHAPE, checkingOp, x);
    }
    total += tensorDim(x, axis);
  }
  if (total != <i64>tensorDim(whole, axis)) return fail(ERR_OP_SHAPE, checkingOp, whole);
  return OK;
}

function execParts(op: usize, whole: i32, n: i32, split: bool): void {
  const rank = tensorRank(whole);
  const axis = opParam(op, 0);
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= tensorDim(whole, d);
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= tensorDim(whole, d);
  const wholeRow = tensorDim(whole, axis) * inner;
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const x = part(op, split, i);
    const partRow = tensorDim(x, axis) * inner;
    if (split) split_i8_ref(tensorData(x), tensorData(whole), outer, partRow, wholeRow, offset);
    else concatenation_i8_ref(tensorData(whole), tensorData(x), outer, partRow, wholeRow, offset);
    offset += partRow;
  }
}

export function check_concatenation(op: usize): i32 {
  const n = opInputCount(op);
  const s = expectArity(op, n, 1, 1);
  return s != OK ? s : checkParts(op, opOut(op, 0), n, false);
}

export function exec_concatenation(op: usize): i32 {
  execParts(op, opOut(op, 0), opInputCount(op), false);
  return OK;
}

export function check_split(op: usize): i32 {
  const n = opOutputCount(op);
  const s = expectArity(op, 1, n, 1);
  return s != OK ? s : checkParts(op, opIn(op, 0), n, true);
}

export function exec_split(op: usize): i32 {
  execParts(op, opIn(op, 0), opOutputCount(op), true);
  return OK;
}

// ---- PAD

export function check_pad(op: usize): i32 {
  let s = expectArity(op, 1, 1, 9);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(y, DTYPE_INT8)) != OK) return s;
  for (let k = 0; k < 4; k++) {
    const before = opParam(op, k);
    const after = opParam(op, 4 + k);
    if ((s = expectRange(before, 0, i32.MAX_VALUE)) != OK) return s;
    if ((s = expectRange(after, 0, i32.MAX_VALUE)) != OK) return s;
    if (<i64>tensorDimBack(x, 3 - k) + before + after != <i64>tensorDimBack(y, 3 - k)) {
      return fail(ERR_OP_PARAM, checkingOp, before);
    }
  }
  return expectRange(opParam(op, 8), -128, 127);
}

export function exec_pad(op: usize): i32 {
  const x = opIn(op, 0);
  pad_i8_ref(
    tensorData(opOut(op, 0)), tensorData(x),
    tensorDimBack(x, 3), tensorDimBack(x, 2), tensorDimBack(x, 1), tensorDimBack(x, 0),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
    opParam(op, 4), opParam(op, 5), opParam(op, 6), opParam(op, 7), opParam(op, 8),
  );
  return OK;
}

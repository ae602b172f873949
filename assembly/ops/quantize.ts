// QUANTIZE (float32 -> int8), REQUANTIZE (TFLite's QUANTIZE from int8 to int8) and DEQUANTIZE
// (int8 -> float32) at load and run time. Layouts (docs/FORMAT.md); a scale is the f32's bits:
//   QUANTIZE    inputs [x f32] | outputs [y i8]  | params [scale, zeroPoint]  (output's)
//   REQUANTIZE  inputs [x i8]  | outputs [y i8]  | params [inZeroPoint, outZeroPoint, multiplier, shift]
//   DEQUANTIZE  inputs [x i8]  | outputs [y f32] | params [scale, zeroPoint]  (input's)
// Input and output have the same number of elements.

import { OK } from '../status';
import { DTYPE_INT8, DTYPE_FLOAT32 } from '../../host/format';
import { opIn, opOut, opParam, tensorData, tensorElements } from '../model';
import { expectArity, expectDtype, expectElements, expectRange } from './check';
import { quantize_f32_i8_ref, requantize_i8_ref, dequantize_i8_f32_ref } from '../ref/quantize_i8';

// One input of dtype inType, one output of dtype outType and as many elements.
function checkConvert(op: usize, inType: i32, outType: i32, nParams: i32): i32 {
  let s = expectArity(op, 1, 1, nParams);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  if ((s = expectDtype(x, inType)) != OK) return s;
  if ((s = expectDtype(y, outType)) != OK) return s;
  return expectElements(y, tensorElements(x));
}

export function check_quantize(op: usize): i32 {
  const s = checkConvert(op, DTYPE_FLOAT32, DTYPE_INT8, 2);
  return s != OK ? s : expectRange(opParam(op, 1), -128, 127);
}

export function exec_quantize(op: usize): i32 {
  const x = opIn(op, 0);
  quantize_f32_i8_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x), reinterpret<f32>(opParam(op, 0)), opParam(op, 1));
  return OK;
}

export function check_requantize(op: usize): i32 {
  let s = checkConvert(op, DTYPE_INT8, DTYPE_INT8, 4);
  if (s == OK) s = expectRange(opParam(op, 0), -128, 127);
  if (s == OK) s = expectRange(opParam(op, 1), -128, 127);
  if (s == OK) s = expectRange(opParam(op, 2), 0, i32.MAX_VALUE);
  if (s == OK) s = expectRange(opParam(op, 3), -31, 30);
  return s;
}

export function exec_requantize(op: usize): i32 {
  const x = opIn(op, 0);
  requantize_i8_ref(
    tensorData(opOut(op, 0)), tensorData(x), tensorElements(x),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
  );
  return OK;
}

export function check_dequantize(op: usize): i32 {
  const s = checkConvert(op, DTYPE_INT8, DTYPE_FLOAT32, 2);
  return s != OK ? s : expectRange(opParam(op, 1), -128, 127);
}

export function exec_dequantize(op: usize): i32 {
  const x = opIn(op, 0);
  dequantize_i8_f32_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x), reinterpret<f32>(opParam(op, 0)), opParam(op, 1));
  return OK;
}

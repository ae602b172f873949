// Elementwise int8 -> int8 activations at load and run time: LOGISTIC, TANH, HARD_SWISH, RELU
// (also RELU6) and LEAKY_RELU. Each has inputs [x int8] and outputs [y int8, as many elements];
// params are precomputed by the converter as TFLM's Prepare computes them (docs/FORMAT.md):
//   LOGISTIC, TANH  [inputZeroPoint, inputRangeRadius, inputMultiplier, inputShift]
//   HARD_SWISH      [inputZeroPoint, outputZeroPoint, reluishMultiplier16, reluishExponent,
//                    outputMultiplier16, outputExponent]
//   RELU            [inputZeroPoint, outputZeroPoint, multiplier, shift, actMin, actMax]
//   LEAKY_RELU      [inputZeroPoint, outputZeroPoint, identityMultiplier, identityShift,
//                    alphaMultiplier (magnitude), alphaShift, alphaNegative (0 or 1)]

import { OK } from '../status';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, tensorData, tensorElements } from '../model';
import { expectArity, expectDtype, expectElements, expectRange } from './check';
import { logistic_i8_ref } from '../ref/logistic_i8';
import { tanh_i8_ref } from '../ref/tanh_i8';
import { hard_swish_i8_ref } from '../ref/hard_swish_i8';
import { relu_i8_ref } from '../ref/relu_i8';
import { leaky_relu_i8_ref } from '../ref/leaky_relu_i8';

// One int8 input, one int8 output with the same number of elements, nParams params.
function checkUnary(op: usize, nParams: i32): i32 {
  let s = expectArity(op, 1, 1, nParams);
  if (s != OK) return s;
  const x = opIn(op, 0);
  if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(opOut(op, 0), DTYPE_INT8)) != OK) return s;
  return expectElements(opOut(op, 0), tensorElements(x));
}

// Params k .. k+n-1 each within [lo, hi].
function checkParams(op: usize, k: i32, n: i32, lo: i32, hi: i32): i32 {
  for (let i = k; i < k + n; i++) {
    const s = expectRange(opParam(op, i), lo, hi);
    if (s != OK) return s;
  }
  return OK;
}

// A Q0.31 multiplier and the shift TFLite's QuantizeMultiplier pairs it with.
function checkMultiplier(op: usize, k: i32): i32 {
  const s = expectRange(opParam(op, k), 0, i32.MAX_VALUE);
  return s != OK ? s : expectRange(opParam(op, k + 1), -31, 30);
}

// ---- LOGISTIC and TANH share their parameters

function checkSigmoidLike(op: usize): i32 {
  let s = checkUnary(op, 4);
  if (s != OK) return s;
  if ((s = checkParams(op, 0, 1, -128, 127)) != OK) return s;
  if ((s = expectRange(opParam(op, 1), 0, i32.MAX_VALUE)) != OK) return s;
  return checkMultiplier(op, 2);
}

export function check_logistic(op: usize): i32 {
  return checkSigmoidLike(op);
}

export function exec_logistic(op: usize): i32 {
  const x = opIn(op, 0);
  logistic_i8_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3));
  return OK;
}

export function check_tanh(op: usize): i32 {
  return checkSigmoidLike(op);
}

export function exec_tanh(op: usize): i32 {
  const x = opIn(op, 0);
  tanh_i8_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3));
  return OK;
}

// ---- HARD_SWISH

export function check_hard_swish(op: usize): i32 {
  let s = checkUnary(op, 6);
  if (s != OK) return s;
  if ((s = checkParams(op, 0, 2, -128, 127)) != OK) return s;
  if ((s = expectRange(opParam(op, 2), 0, 32767)) != OK) return s;
  if ((s = expectRange(opParam(op, 3), -31, 31)) != OK) return s;
  if ((s = expectRange(opParam(op, 4), 0, 32767)) != OK) return s;
  return expectRange(opParam(op, 5), -31, 0);
}

export function exec_hard_swish(op: usize): i32 {
  const x = opIn(op, 0);
  hard_swish_i8_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4), opParam(op, 5));
  return OK;
}

// ---- RELU, RELU6

export function check_relu(op: usize): i32 {
  let s = checkUnary(op, 6);
  if (s != OK) return s;
  if ((s = checkParams(op, 0, 2, -128, 127)) != OK) return s;
  if ((s = checkMultiplier(op, 2)) != OK) return s;
  if ((s = checkParams(op, 4, 2, -128, 127)) != OK) return s;
  return expectRange(opParam(op, 4), -128, opParam(op, 5));
}

export function exec_relu(op: usize): i32 {
  const x = opIn(op, 0);
  relu_i8_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4), opParam(op, 5));
  return OK;
}

// ---- LEAKY_RELU

export function check_leaky_relu(op: usize): i32 {
  let s = checkUnary(op, 7);
  if (s != OK) return s;
  if ((s = checkParams(op, 0, 2, -128, 127)) != OK) return s;
  if ((s = checkMultiplier(op, 2)) != OK) return s;
  if ((s = checkMultiplier(op, 4)) != OK) return s;
  return expectRange(opParam(op, 6), 0, 1);
}

export function exec_leaky_relu(op: usize): i32 {
  const x = opIn(op, 0);
  leaky_relu_i8_ref(tensorData(opOut(op, 0)), tensorData(x), tensorElements(x),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3),
    opParam(op, 4), opParam(op, 5), opParam(op, 6));
  return OK;
}

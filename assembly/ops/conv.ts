// CONV_2D and DEPTHWISE_CONV_2D (int8) at load and run time. The converter precomputed everything
// as TFLM's Prepare does (per-channel multipliers and shifts, padding, activation clamp); here the
// check proves the shapes consistent so the kernels stay inside their tensors. Layout
// (docs/FORMAT.md):
//   CONV_2D: inputs [x i8 NHWC, w i8 OHWI, bias i32 (O) | NO_TENSOR, mult i32 (O), shift i32 (O)]
//     outputs [y i8 NHWC]
//     params [strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint,
//             actMin, actMax]
//   DEPTHWISE_CONV_2D: inputs [x, w i8 (1, fH, fW, O), bias | NO_TENSOR, mult, shift] | outputs [y]
//     params [strideH, strideW, dilationH, dilationW, padTop, padLeft, depthMultiplier,
//             inputOffset, outputZeroPoint, actMin, actMax]

import { OK, ERR_OP_SHAPE, ERR_OP_PARAM, ERR_NO_MEMORY } from '../status';
import { fail } from '../errors';
import { alloc } from '../alloc';
import { DTYPE_INT8, DTYPE_INT32, NO_TENSOR } from '../../host/format';
import { opIn, opOut, opParam, opPacked, setOpPacked, tensorData, tensorDim, tensorRank, tensorIsConstant } from '../model';
import { checkingOp, expectArity, expectDtype, expectElements, expectRange } from './check';
import { conv2d_i8_ref } from '../ref/conv2d_i8';
import { conv2d_i8_simd } from '../simd/conv2d_i8';
import { depthwise_conv2d_i8_ref } from '../ref/depthwise_conv2d_i8';
import { depthwise_conv2d_i8_simd, depthwisePackedBytes, depthwisePack } from '../simd/depthwise_conv2d_i8';
import { patchStride, packedForm, packedBytes, packGemm, PACKED_NONE } from '../simd/gemm_i8';
import { PATCH_LANES } from '../simd/scratch';

function expectRank(t: i32, rank: i32): i32 {
  return tensorRank(t) == rank ? OK : fail(ERR_OP_SHAPE, checkingOp, t);
}

function expectDim(t: i32, d: i32, n: i32): i32 {
  return tensorDim(t, d) == n ? OK : fail(ERR_OP_SHAPE, checkingOp, t);
}

/**
 * Inputs 2..4 of a conv-like op: an optional int32 bias and constant int32 multipliers and shifts,
 * `channels` each, every multiplier a Q0.31 value and every shift one assembly/quant.ts applies.
 */
export function checkChannelQuant(op: usize, channels: i32): i32 {
  let s: i32;
  const bias = opIn(op, 2);
  if (bias != NO_TENSOR) {
    if ((s = expectDtype(bias, DTYPE_INT32)) != OK) return s;
    if ((s = expectElements(bias, channels)) != OK) return s;
  }
  const mults = opIn(op, 3);
  const shifts = opIn(op, 4);
  for (let k = 3; k <= 4; k++) {
    const t = opIn(op, k);
    if ((s = expectDtype(t, DTYPE_INT32)) != OK) return s;
    if ((s = expectElements(t, channels)) != OK) return s;
    if (!tensorIsConstant(t)) return fail(ERR_OP_SHAPE, checkingOp, t);
  }
  const m = tensorData(mults);
  const sh = tensorData(shifts);
  for (let c = 0; c < channels; c++) {
    if ((s = expectRange(load<i32>(m + (<usize>c << 2)), 0, i32.MAX_VALUE)) != OK) return s;
    if ((s = expectRange(load<i32>(sh + (<usize>c << 2)), -31, 30)) != OK) return s;
  }
  return OK;
}

/** The zero points and clamp at params k..k+3: inputOffset, outputZeroPoint, actMin, actMax. */
export function checkQuantParams(op: usize, k: i32): i32 {
  let s = expectRange(opParam(op, k), -127, 128);
  if (s == OK) s = expectRange(opParam(op, k + 1), -128, 127);
  if (s == OK) s = expectRange(opParam(op, k + 2), -128, 127);
  if (s == OK) s = expectRange(opParam(op, k + 3), opParam(op, k + 2), 127);
  return s;
}

const REACH_LIMIT: i64 = 1 << 30;

// Params 0..5: strides and dilations at least 1, paddings not negative, and on each axis the last
// window's far tap ((out - 1) * stride + (filter - 1) * dilation) and the padding below 2^30, so
// no coordinate or extent a kernel forms overflows i32 (taps outside the input are padding).
function checkWindowParams(op: usize): i32 {
  let s = OK;
  for (let k = 0; k < 4 && s == OK; k++) s = expectRange(opParam(op, k), 1, i32.MAX_VALUE);
  for (let k = 4; k < 6 && s == OK; k++) s = expectRange(opParam(op, k), 0, <i32>REACH_LIMIT - 1);
  if (s != OK) return s;
  const y = opOut(op, 0);
  const w = opIn(op, 1);
  for (let a = 0; a < 2; a++) {
    const reach = <i64>(tensorDim(y, 1 + a) - 1) * opParam(op, a) + <i64>(tensorDim(w, 1 + a) - 1) * opParam(op, 2 + a);
    if (reach >= REACH_LIMIT) return fail(ERR_OP_PARAM, checkingOp, opParam(op, 2 + a));
  }
  return OK;
}

// Input, weights and output int8 of rank 4, one batch count.
function checkConvTensors(op: usize): i32 {
  let s: i32;
  const x = opIn(op, 0);
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  for (let k = 0; k < 3; k++) {
    const t = k == 0 ? x : k == 1 ? w : y;
    if ((s = expectDtype(t, DTYPE_INT8)) != OK) return s;
    if ((s = expectRank(t, 4)) != OK) return s;
  }
  return expectDim(y, 0, tensorDim(x, 0));
}

export function check_conv_2d(op: usize): i32 {
  let s = expectArity(op, 5, 1, 10);
  if (s == OK) s = checkConvTensors(op);
  if (s != OK) return s;
  const inC = tensorDim(opIn(op, 0), 3);
  const w = opIn(op, 1);
  const outC = tensorDim(opOut(op, 0), 3);
  // Grouped convolution: the weights' input depth divides the input's; groups divide the outputs.
  const fC = tensorDim(w, 3);
  if (inC % fC != 0 || outC % (inC / fC) != 0) return fail(ERR_OP_SHAPE, checkingOp, w);
  if ((s = expectDim(w, 0, outC)) != OK) return s;
  if ((s = checkChannelQuant(op, outC)) != OK) return s;
  if ((s = checkWindowParams(op)) != OK) return s;
  return checkQuantParams(op, 6);
}

// Memory from alloc for an op's packed data, recorded as the op's; 0 (and the status set) if
// memory cannot grow.
export function packedFor(op: usize, bytes: u64): usize {
  const p = bytes <= 0x7fff0000 ? alloc(<usize>bytes) : 0;
  if (p == 0) fail(ERR_NO_MEMORY, checkingOp, <i32>min(bytes, <u64>i32.MAX_VALUE));
  else setOpPacked(op, p);
  return p;
}

/**
 * SIMD build, at load: the weights of a conv (K = fH fW fC per group) or fully connected layer with
 * `rows` output rows packed for the GEMM that serves it (simd/gemm_i8.ts's packedForm, gemmPacked).
 */
export function prepareGemm(op: usize, rows: i32, K: i32, units: i32, groups: i32, inputOffset: i32, w: usize): i32 {
  if (patchStride(K) > PATCH_LANES) return OK; // the reference kernel serves it
  const bias = tensorData(opIn(op, 2));
  const mults = tensorData(opIn(op, 3));
  const shifts = tensorData(opIn(op, 4));
  const form = packedForm(w, K, units, rows, groups, bias, mults, shifts, inputOffset);
  if (form == PACKED_NONE) return OK; // so does it here
  const p = packedFor(op, packedBytes(form, K, units));
  if (p == 0) return ERR_NO_MEMORY;
  packGemm(p, form, w, K, units, bias, mults, shifts);
  return OK;
}

export function prepare_conv_2d(op: usize): i32 {
  const x = opIn(op, 0);
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  const rows = tensorDim(y, 0) * tensorDim(y, 1) * tensorDim(y, 2);
  const K = tensorDim(w, 1) * tensorDim(w, 2) * tensorDim(w, 3);
  return prepareGemm(op, rows, K, tensorDim(y, 3), tensorDim(x, 3) / tensorDim(w, 3), opParam(op, 6), tensorData(w));
}

export function exec_conv_2d(op: usize): i32 {
  const x = opIn(op, 0);
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  if (ASC_FEATURE_SIMD) conv2d_i8_simd(
    tensorData(y), tensorData(x), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorDim(x, 0), tensorDim(x, 1), tensorDim(x, 2), tensorDim(x, 3),
    tensorDim(y, 1), tensorDim(y, 2), tensorDim(y, 3),
    tensorDim(w, 1), tensorDim(w, 2), tensorDim(w, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4), opParam(op, 5),
    opParam(op, 6), opParam(op, 7), opParam(op, 8), opParam(op, 9), opPacked(op),
  );
  else conv2d_i8_ref(
    tensorData(y), tensorData(x), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorDim(x, 0), tensorDim(x, 1), tensorDim(x, 2), tensorDim(x, 3),
    tensorDim(y, 1), tensorDim(y, 2), tensorDim(y, 3),
    tensorDim(w, 1), tensorDim(w, 2), tensorDim(w, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4), opParam(op, 5),
    opParam(op, 6), opParam(op, 7), opParam(op, 8), opParam(op, 9),
  );
  return OK;
}

export function check_depthwise_conv_2d(op: usize): i32 {
  let s = expectArity(op, 5, 1, 11);
  if (s == OK) s = checkConvTensors(op);
  if (s != OK) return s;
  const inC = tensorDim(opIn(op, 0), 3);
  const w = opIn(op, 1);
  const outC = tensorDim(opOut(op, 0), 3);
  if ((s = expectDim(w, 0, 1)) != OK) return s;
  if ((s = expectDim(w, 3, outC)) != OK) return s;
  if ((s = checkChannelQuant(op, outC)) != OK) return s;
  if ((s = checkWindowParams(op)) != OK) return s;
  const depthMultiplier = opParam(op, 6);
  if ((s = expectRange(depthMultiplier, 1, outC)) != OK) return s;
  if (<i64>inC * depthMultiplier != <i64>outC) return fail(ERR_OP_PARAM, checkingOp, depthMultiplier);
  return checkQuantParams(op, 7);
}

/** SIMD build, at load: the weights and constants packed for depthwise_conv2d_i8_simd. */
export function prepare_depthwise_conv_2d(op: usize): i32 {
  const x = opIn(op, 0);
  const w = opIn(op, 1);
  const inC = tensorDim(x, 3);
  const fH = tensorDim(w, 1);
  const fW = tensorDim(w, 2);
  const bytes = depthwisePackedBytes(inC, fH, fW, opParam(op, 6));
  if (bytes == 0) return OK;
  const p = packedFor(op, bytes);
  if (p == 0) return ERR_NO_MEMORY;
  depthwisePack(
    p, tensorData(w), tensorData(opIn(op, 2)), tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    inC, tensorDim(x, 2), fH, fW, opParam(op, 2), opParam(op, 3), opParam(op, 7),
  );
  return OK;
}

export function exec_depthwise_conv_2d(op: usize): i32 {
  const x = opIn(op, 0);
  const w = opIn(op, 1);
  const y = opOut(op, 0);
  if (ASC_FEATURE_SIMD) depthwise_conv2d_i8_simd(
    tensorData(y), tensorData(x), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorDim(x, 0), tensorDim(x, 1), tensorDim(x, 2), tensorDim(x, 3),
    tensorDim(y, 1), tensorDim(y, 2),
    tensorDim(w, 1), tensorDim(w, 2), opParam(op, 6),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4), opParam(op, 5),
    opParam(op, 7), opParam(op, 8), opParam(op, 9), opParam(op, 10), opPacked(op),
  );
  else depthwise_conv2d_i8_ref(
    tensorData(y), tensorData(x), tensorData(w), tensorData(opIn(op, 2)),
    tensorData(opIn(op, 3)), tensorData(opIn(op, 4)),
    tensorDim(x, 0), tensorDim(x, 1), tensorDim(x, 2), tensorDim(x, 3),
    tensorDim(y, 1), tensorDim(y, 2),
    tensorDim(w, 1), tensorDim(w, 2), opParam(op, 6),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4), opParam(op, 5),
    opParam(op, 7), opParam(op, 8), opParam(op, 9), opParam(op, 10),
  );
  return OK;
}

// MEAN (int8) at load and run time. The converter resolved the axes and folded 1/count into the
// multiplier as TFLM's QuantizedMeanOrSum does (docs/FORMAT.md):
//   inputs [x i8] | outputs [y i8] |
//   params [axes, inputZeroPoint, multiplier, shift, outputZeroPoint]
// axes: bit k set = dimension k of x's shape padded in front to 4-D is reduced. y holds the kept
// dimensions (with or without keep_dims: the same bytes), so it has their product of elements.

import { OK } from '../status';
import { DTYPE_INT8 } from '../../host/format';
import { opIn, opOut, opParam, tensorData, tensorDimBack } from '../model';
import { expectArity, expectDtype, expectElements, expectRange } from './check';
import { mean_i8_ref } from '../ref/mean_i8';

// Dimension k of x's 4-D view (0 outermost).
// @ts-ignore: decorator
@inline function dim(x: i32, k: i32): i32 {
  return tensorDimBack(x, 3 - k);
}

export function check_mean(op: usize): i32 {
  let s = expectArity(op, 1, 1, 5);
  if (s != OK) return s;
  const x = opIn(op, 0);
  const y = opOut(op, 0);
  if ((s = expectDtype(x, DTYPE_INT8)) != OK) return s;
  if ((s = expectDtype(y, DTYPE_INT8)) != OK) return s;
  const axes = opParam(op, 0);
  if ((s = expectRange(axes, 0, 15)) != OK) return s;
  let kept = 1;
  for (let k = 0; k < 4; k++) {
    if (!(axes & (1 << k))) kept *= dim(x, k);
  }
  if ((s = expectElements(y, kept)) != OK) return s;
  if ((s = expectRange(opParam(op, 1), -128, 127)) != OK) return s;
  if ((s = expectRange(opParam(op, 2), 0, i32.MAX_VALUE)) != OK) return s;
  if ((s = expectRange(opParam(op, 3), -31, 30)) != OK) return s;
  return expectRange(opParam(op, 4), -128, 127);
}

export function exec_mean(op: usize): i32 {
  const x = opIn(op, 0);
  mean_i8_ref(
    tensorData(opOut(op, 0)), tensorData(x), dim(x, 0), dim(x, 1), dim(x, 2), dim(x, 3),
    opParam(op, 0), opParam(op, 1), opParam(op, 2), opParam(op, 3), opParam(op, 4),
  );
  return OK;
}

// ADD, SUB and MUL int8 x int8 -> int8 with broadcasting, as TensorFlow Lite Micro's reference
// kernels compute them (reference_integer_ops::AddFunc, reference_ops::SubElementwise /
// BroadcastQuantSubSlow, reference_integer_ops::MulElementwise / BroadcastMul6DSlow). TFLM's
// same-shape and broadcast paths apply the same per-element function, so one strided loop serves
// both: every element depends only on its two operands.
// Layout: out is row-major over the output shape (d0, d1, d2, d3) (rank < 4 padded in front with 1).
// Element (i0, i1, i2, i3) of operand 1 is at in1 + i0*a0 + i1*a1 + i2*a2 + i3*a3; a stride is 0
// along a broadcast axis. Operand 2 likewise with b0..b3.
// Offsets are minus the input zero points (TFLM's input*_offset).
// Accumulators: ADD/SUB: |x + offset| <= 255, shifted left by 20 stays under 2^28, each rescaled
// term keeps that bound, so the sum or difference is under 2^29. MUL: |product| <= 255 * 255.

import { multiplyByQuantizedMultiplier, requantize } from '../quant';

// int8 inputs are scaled up by 2^20 before rescaling so the rescale keeps 20 fractional bits
// (TFLM's left_shift for int8; 15 is its int16 value).
const ADD_LEFT_SHIFT = 20;

// ADD (negate = false) or SUB (negate = true) of one pair of raw int8 values; also the SIMD ADD
// kernel's scalar tail.
// @ts-ignore: decorator
@inline export function addSubOne(
  x: i32, y: i32, negate: bool,
  in1Offset: i32, in1Multiplier: i32, in1Shift: i32, in2Offset: i32, in2Multiplier: i32, in2Shift: i32,
  outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): i32 {
  const scaled1 = multiplyByQuantizedMultiplier((x + in1Offset) << ADD_LEFT_SHIFT, in1Multiplier, in1Shift);
  const scaled2 = multiplyByQuantizedMultiplier((y + in2Offset) << ADD_LEFT_SHIFT, in2Multiplier, in2Shift);
  const raw = negate ? scaled1 - scaled2 : scaled1 + scaled2;
  return requantize(raw, outMultiplier, outShift, outZeroPoint, actMin, actMax);
}

function addSub(
  out: usize, in1: usize, in2: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32, negate: bool,
  in1Offset: i32, in1Multiplier: i32, in1Shift: i32, in2Offset: i32, in2Multiplier: i32, in2Shift: i32,
  outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  let o = out;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const p = in1 + <usize>(i0 * a0 + i1 * a1 + i2 * a2);
        const q = in2 + <usize>(i0 * b0 + i1 * b1 + i2 * b2);
        for (let i3 = 0; i3 < d3; i3++) {
          const x = <i32>load<i8>(p + <usize>(i3 * a3));
          const y = <i32>load<i8>(q + <usize>(i3 * b3));
          store<i8>(o, <i8>addSubOne(
            x, y, negate, in1Offset, in1Multiplier, in1Shift, in2Offset, in2Multiplier, in2Shift,
            outMultiplier, outShift, outZeroPoint, actMin, actMax,
          ));
          o++;
        }
      }
    }
  }
}

export function add_i8_ref(
  out: usize, in1: usize, in2: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32,
  in1Offset: i32, in1Multiplier: i32, in1Shift: i32, in2Offset: i32, in2Multiplier: i32, in2Shift: i32,
  outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  addSub(
    out, in1, in2, d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3, false,
    in1Offset, in1Multiplier, in1Shift, in2Offset, in2Multiplier, in2Shift,
    outMultiplier, outShift, outZeroPoint, actMin, actMax,
  );
}

export function sub_i8_ref(
  out: usize, in1: usize, in2: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32,
  in1Offset: i32, in1Multiplier: i32, in1Shift: i32, in2Offset: i32, in2Multiplier: i32, in2Shift: i32,
  outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  addSub(
    out, in1, in2, d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3, true,
    in1Offset, in1Multiplier, in1Shift, in2Offset, in2Multiplier, in2Shift,
    outMultiplier, outShift, outZeroPoint, actMin, actMax,
  );
}

export function mul_i8_ref(
  out: usize, in1: usize, in2: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32,
  in1Offset: i32, in2Offset: i32, outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  let o = out;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const p = in1 + <usize>(i0 * a0 + i1 * a1 + i2 * a2);
        const q = in2 + <usize>(i0 * b0 + i1 * b1 + i2 * b2);
        for (let i3 = 0; i3 < d3; i3++) {
          const x = <i32>load<i8>(p + <usize>(i3 * a3)) + in1Offset;
          const y = <i32>load<i8>(q + <usize>(i3 * b3)) + in2Offset;
          store<i8>(o, <i8>requantize(x * y, outMultiplier, outShift, outZeroPoint, actMin, actMax));
          o++;
        }
      }
    }
  }
}

// CONCATENATION and SPLIT (int8) and the byte copy behind RESHAPE, as TensorFlow Lite Micro does
// them: TFLM requires every int8 concatenation operand to share the output's scale and zero point,
// and SPLIT never rescales, so both are pure data movement (reference_ops::Concatenation's memcpy
// per outer row; split.cc's copy loop is its mirror image).
// Layout: the whole tensor is `outer` rows of `wholeRow` bytes; one part is `outer` rows of
// `partRow` bytes, sitting at byte `offset` of each whole row (after the earlier parts' rows).
// outer = product of the dims before the axis; a row = dim(axis) * product of the dims after it.

/** Copy n bytes; the regions do not overlap (the planner never aliases an op's input and output). */
export function copy_bytes_ref(out: usize, inp: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(out + i, load<u8>(inp + i));
}

/** Place one concatenation operand `part` into the output `whole`. */
export function concatenation_i8_ref(whole: usize, part: usize, outer: i32, partRow: i32, wholeRow: i32, offset: i32): void {
  for (let k = 0; k < outer; k++) {
    copy_bytes_ref(whole + <usize>k * wholeRow + offset, part + <usize>k * partRow, partRow);
  }
}

/** Extract one split output `part` from the input `whole`. */
export function split_i8_ref(part: usize, whole: usize, outer: i32, partRow: i32, wholeRow: i32, offset: i32): void {
  for (let k = 0; k < outer; k++) {
    copy_bytes_ref(part + <usize>k * partRow, whole + <usize>k * wholeRow + offset, partRow);
  }
}

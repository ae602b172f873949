// The public wasm ABI of the edgewasm runtime. One model per instance:
//   p = ew_alloc(n); copy the .ewm bytes to p; s = ew_load(p, n)   (0 = OK, else assembly/status.ts)
//   write input k at ew_tensor_data(ew_input(k)); s = ew_run(); read ew_tensor_data(ew_output(k)).
// On a status other than OK, ew_error_index() and ew_error_value() say which item and what value.

import { load_model, run_model, run_op, io_tensor } from './executor';
import { tensorData, tensorBytes } from './model';
import { errorIndex, errorValue } from './errors';
import { alloc, heapTop } from './alloc';

/** Reserve n bytes (16-byte aligned) for the host, e.g. to place the model; 0 if memory cannot grow. */
export function ew_alloc(n: u32): usize {
  return alloc(<usize>n);
}

/** Where the heap ends: what ew_load allocates is the difference (the bundler sizes memory by it). */
export function ew_heap_top(): usize {
  return heapTop();
}

export function ew_load(model: usize, size: u32): i32 {
  return load_model(model, size);
}

export function ew_run(): i32 {
  return run_model();
}

/** Runs op i alone, for per-op timing; ops 0..i-1 must have run since the inputs were written. */
export function ew_run_op(i: i32): i32 {
  return run_op(i);
}

/** Tensor index of model input k, or -1. */
export function ew_input(k: i32): i32 {
  return io_tensor(false, k);
}

export function ew_output(k: i32): i32 {
  return io_tensor(true, k);
}

export function ew_tensor_data(t: i32): usize {
  return tensorData(t);
}

export function ew_tensor_bytes(t: i32): i32 {
  return tensorBytes(t);
}

export function ew_error_index(): i32 {
  return errorIndex;
}

export function ew_error_value(): i32 {
  return errorValue;
}

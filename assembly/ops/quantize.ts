// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_quantize(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_quantize(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_requantize(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_requantize(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_dequantize(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_dequantize(op: usize): i32 {
  return ERR_OP_CODE;
}


// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_copy(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_copy(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_concatenation(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_concatenation(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_pad(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_pad(op: usize): i32 {
  return ERR_OP_CODE;
}


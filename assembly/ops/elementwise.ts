// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_add(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_add(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_sub(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_sub(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_mul(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_mul(op: usize): i32 {
  return ERR_OP_CODE;
}


// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_average_pool_2d(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_average_pool_2d(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_max_pool_2d(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_max_pool_2d(op: usize): i32 {
  return ERR_OP_CODE;
}


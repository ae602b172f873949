// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_mean(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_mean(op: usize): i32 {
  return ERR_OP_CODE;
}


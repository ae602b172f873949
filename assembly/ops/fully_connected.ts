// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_fully_connected(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_fully_connected(op: usize): i32 {
  return ERR_OP_CODE;
}


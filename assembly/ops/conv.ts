// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_conv_2d(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_conv_2d(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_depthwise_conv_2d(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_depthwise_conv_2d(op: usize): i32 {
  return ERR_OP_CODE;
}


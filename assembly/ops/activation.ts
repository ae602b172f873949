// STUB: not implemented yet.
import { ERR_OP_CODE } from '../status';

export function check_logistic(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_logistic(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_tanh(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_tanh(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_hard_swish(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_hard_swish(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_relu(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_relu(op: usize): i32 {
  return ERR_OP_CODE;
}

export function check_leaky_relu(op: usize): i32 {
  return ERR_OP_CODE;
}

export function exec_leaky_relu(op: usize): i32 {
  return ERR_OP_CODE;
}


// The op dispatch: op code → its load-time check and its kernel. Each ops/ file reads its op's
// tensors and params (docs/FORMAT.md) and calls the kernel in ref/.

import * as F from '../../host/format';
import { OK, ERR_OP_CODE } from '../status';
import { check_conv_2d, exec_conv_2d, prepare_conv_2d, check_depthwise_conv_2d, exec_depthwise_conv_2d, prepare_depthwise_conv_2d } from './conv';
import { check_fully_connected, exec_fully_connected, prepare_fully_connected } from './fully_connected';
import { check_average_pool_2d, exec_average_pool_2d, check_max_pool_2d, exec_max_pool_2d } from './pool';
import { check_add, exec_add, check_sub, exec_sub, check_mul, exec_mul, prepare_add, prepare_sub, prepare_mul } from './elementwise';
import { check_copy, exec_copy, check_concatenation, exec_concatenation, check_pad, exec_pad, check_split, exec_split } from './shape';
import { check_softmax, exec_softmax } from './softmax';
import { check_quantize, exec_quantize, check_requantize, exec_requantize, check_dequantize, exec_dequantize } from './quantize';
import { check_mean, exec_mean } from './mean';
import { check_logistic, exec_logistic, check_tanh, exec_tanh, check_hard_swish, exec_hard_swish, check_relu, exec_relu, check_leaky_relu, exec_leaky_relu } from './activation';

export function checkOp(op: usize, code: i32): i32 {
  switch (code) {
    case F.OP_CONV_2D: return check_conv_2d(op);
    case F.OP_DEPTHWISE_CONV_2D: return check_depthwise_conv_2d(op);
    case F.OP_FULLY_CONNECTED: return check_fully_connected(op);
    case F.OP_AVERAGE_POOL_2D: return check_average_pool_2d(op);
    case F.OP_MAX_POOL_2D: return check_max_pool_2d(op);
    case F.OP_ADD: return check_add(op);
    case F.OP_SUB: return check_sub(op);
    case F.OP_MUL: return check_mul(op);
    case F.OP_COPY: return check_copy(op);
    case F.OP_SOFTMAX: return check_softmax(op);
    case F.OP_QUANTIZE: return check_quantize(op);
    case F.OP_REQUANTIZE: return check_requantize(op);
    case F.OP_DEQUANTIZE: return check_dequantize(op);
    case F.OP_CONCATENATION: return check_concatenation(op);
    case F.OP_PAD: return check_pad(op);
    case F.OP_MEAN: return check_mean(op);
    case F.OP_LOGISTIC: return check_logistic(op);
    case F.OP_TANH: return check_tanh(op);
    case F.OP_HARD_SWISH: return check_hard_swish(op);
    case F.OP_RELU: return check_relu(op);
    case F.OP_LEAKY_RELU: return check_leaky_relu(op);
    case F.OP_SPLIT: return check_split(op);
    default: return ERR_OP_CODE;
  }
}

/** SIMD build, after every check: the op's kernel data packed once, for every run (OK or a status). */
export function prepareOp(op: usize, code: i32): i32 {
  switch (code) {
    case F.OP_CONV_2D: return prepare_conv_2d(op);
    case F.OP_DEPTHWISE_CONV_2D: return prepare_depthwise_conv_2d(op);
    case F.OP_FULLY_CONNECTED: return prepare_fully_connected(op);
    case F.OP_ADD: return prepare_add(op);
    case F.OP_SUB: return prepare_sub(op);
    case F.OP_MUL: return prepare_mul(op);
    default: return OK;
  }
}

export function execOp(op: usize, code: i32): i32 {
  switch (code) {
    case F.OP_CONV_2D: return exec_conv_2d(op);
    case F.OP_DEPTHWISE_CONV_2D: return exec_depthwise_conv_2d(op);
    case F.OP_FULLY_CONNECTED: return exec_fully_connected(op);
    case F.OP_AVERAGE_POOL_2D: return exec_average_pool_2d(op);
    case F.OP_MAX_POOL_2D: return exec_max_pool_2d(op);
    case F.OP_ADD: return exec_add(op);
    case F.OP_SUB: return exec_sub(op);
    case F.OP_MUL: return exec_mul(op);
    case F.OP_COPY: return exec_copy(op);
    case F.OP_SOFTMAX: return exec_softmax(op);
    case F.OP_QUANTIZE: return exec_quantize(op);
    case F.OP_REQUANTIZE: return exec_requantize(op);
    case F.OP_DEQUANTIZE: return exec_dequantize(op);
    case F.OP_CONCATENATION: return exec_concatenation(op);
    case F.OP_PAD: return exec_pad(op);
    case F.OP_MEAN: return exec_mean(op);
    case F.OP_LOGISTIC: return exec_logistic(op);
    case F.OP_TANH: return exec_tanh(op);
    case F.OP_HARD_SWISH: return exec_hard_swish(op);
    case F.OP_RELU: return exec_relu(op);
    case F.OP_LEAKY_RELU: return exec_leaky_relu(op);
    case F.OP_SPLIT: return exec_split(op);
    default: return ERR_OP_CODE;
  }
}

// Errors the host reports: the wasm executor returns a status code with an index and a value
// (assembly/status.ts); this turns them into a message naming the field and the value it saw.

import * as S from '../assembly/status.js';
import * as F from './format.js';

/** A model or input the runtime refuses. The CLI prints its message without a stack trace. */
export class EwmError extends Error {
  override name = 'EwmError';
  constructor(message: string, readonly status = -1) {
    super(message);
  }
}

const HEADER_FIELDS: Record<number, string> = {
  [F.H_TENSOR_TABLE]: 'tensor_table', [F.H_OP_TABLE]: 'op_table', [F.H_IO_LIST]: 'io_list',
  [F.H_META_OFFSET]: 'meta_offset', [F.H_DATA_OFFSET]: 'data_offset', [F.H_INPUT_COUNT]: 'input_count',
  [F.H_OUTPUT_COUNT]: 'output_count',
};

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export function statusMessage(status: number, index: number, value: number): string {
  const u = value >>> 0;
  switch (status) {
    case S.ERR_SHORT_FILE: return `file is ${u} bytes, shorter than the ${F.HEADER_SIZE}-byte header`;
    case S.ERR_MAGIC: return `magic ${hex(value)}, expected ${hex(F.EWM_MAGIC)} ("EWM0"): not an .ewm file`;
    case S.ERR_VERSION: return `version ${value}, this runtime reads ${F.EWM_VERSION}`;
    case S.ERR_HEADER_SIZE: return `header_size ${value}, expected ${F.HEADER_SIZE}`;
    case S.ERR_FILE_SIZE: return `file_size field says ${u} bytes but the file has a different length (truncated or trailing bytes)`;
    case S.ERR_CRC: return `crc32 mismatch (computed ${hex(value)}): the file is corrupt`;
    case S.ERR_SECTION: return `${HEADER_FIELDS[index] ?? `header field at ${index}`} ${u} is out of range or misaligned`;
    case S.ERR_TENSOR_DTYPE: return `tensor ${index}: dtype ${value} is unknown`;
    case S.ERR_TENSOR_RANK: return `tensor ${index}: rank ${value}, at most ${F.MAX_RANK}`;
    case S.ERR_TENSOR_DIM: return `tensor ${index}: dimension ${value} is invalid`;
    case S.ERR_TENSOR_KIND: return `tensor ${index}: kind ${value} is unknown`;
    case S.ERR_TENSOR_ENCODING: return `tensor ${index}: encoding ${value} is not supported by this runtime`;
    case S.ERR_TENSOR_BYTES: return `tensor ${index}: bytes ${u} does not match its shape and dtype`;
    case S.ERR_TENSOR_OFFSET: return `tensor ${index}: offset ${u} is misaligned or out of range`;
    case S.ERR_OP_CODE: return `op ${index}: op code ${value} is unknown`;
    case S.ERR_OP_ARITY: return `op ${index}: wrong number of inputs, outputs or params (${value})`;
    case S.ERR_OP_TENSOR: return `op ${index}: tensor index ${value} is out of range or not writable`;
    case S.ERR_OP_ARGS: return `op ${index}: args offset ${u} is misaligned or out of range`;
    case S.ERR_OP_PARAM: return `op ${index}: parameter value ${value} is out of range`;
    case S.ERR_OP_SHAPE: return `op ${index}: tensor ${value} has a shape or dtype the op cannot take`;
    case S.ERR_IO: return `io_list entry ${index}: tensor ${value} is not an activation tensor of the model`;
    case S.ERR_NO_MEMORY: return `cannot allocate ${u} bytes of memory`;
    case S.ERR_NOT_LOADED: return 'no model is loaded';
    case S.ERR_OP_INDEX: return `op ${index} does not exist (the model has ${value} ops)`;
    case S.ERR_RESERVED: return `op ${index}: reserved field is ${value}, expected 0`;
    default: return `status ${status} (index ${index}, value ${value})`;
  }
}

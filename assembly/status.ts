// Status codes returned by the wasm executor. No strings in wasm: the host maps each code to a
// message naming the field, using ew_error_index() (which tensor / op / header field) and
// ew_error_value() (the value that was rejected). Plain constants: the host imports this file too.

export const OK = 0;
export const ERR_SHORT_FILE = 1; // value: file size
export const ERR_MAGIC = 2; // value: magic read
export const ERR_VERSION = 3; // value: version read
export const ERR_HEADER_SIZE = 4; // value: header size read
export const ERR_FILE_SIZE = 5; // value: file size the header declares
export const ERR_CRC = 6; // value: CRC computed
export const ERR_SECTION = 7; // index: header field byte offset; value: its value
export const ERR_TENSOR_DTYPE = 8; // index: tensor; value: dtype code
export const ERR_TENSOR_RANK = 9; // index: tensor; value: rank
export const ERR_TENSOR_DIM = 10; // index: tensor; value: dimension
export const ERR_TENSOR_KIND = 11; // index: tensor; value: kind
export const ERR_TENSOR_ENCODING = 12; // index: tensor; value: encoding
export const ERR_TENSOR_BYTES = 13; // index: tensor; value: byte size
export const ERR_TENSOR_OFFSET = 14; // index: tensor; value: offset
export const ERR_OP_CODE = 15; // index: op; value: op code
export const ERR_OP_ARITY = 16; // index: op; value: number of inputs or outputs
export const ERR_OP_TENSOR = 17; // index: op; value: tensor index
export const ERR_OP_ARGS = 18; // index: op; value: args offset
export const ERR_OP_PARAM = 19; // index: op; value: the parameter
export const ERR_OP_SHAPE = 20; // index: op; value: tensor index whose shape or dtype does not fit
export const ERR_IO = 21; // index: position in the input/output list; value: tensor index
export const ERR_NO_MEMORY = 22; // value: bytes requested
export const ERR_NOT_LOADED = 23;
export const ERR_RESERVED = 24; // index: op; value: the reserved field
export const ERR_OP_INDEX = 25; // index: op index asked for; value: number of ops
export const STATUS_COUNT = 26;

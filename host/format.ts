// The .ewm binary format's constants, written down once. Imported by the converter (models/), the
// host loader (host/) and the AssemblyScript executor (assembly/), so this file holds only plain
// numeric constants that compile unchanged as TypeScript and as AssemblyScript.
// The layout they describe is specified in docs/FORMAT.md.

export const EWM_MAGIC = 0x304d5745; // "EWM0" read as a little-endian u32
export const EWM_VERSION = 1;
export const ALIGN = 16; // every section and every constant tensor starts on a 16-byte boundary

// Fixed header: byte offsets of its u32 fields.
export const HEADER_SIZE = 64;
export const H_MAGIC = 0;
export const H_VERSION = 4; // u16 version, then u16 header size
export const H_FILE_SIZE = 8;
export const H_CRC32 = 12; // CRC-32 (IEEE) of bytes [CRC_START, file_size)
export const CRC_START = 16;
export const H_TENSOR_COUNT = 16;
export const H_TENSOR_TABLE = 20;
export const H_OP_COUNT = 24;
export const H_OP_TABLE = 28;
export const H_INPUT_COUNT = 32;
export const H_OUTPUT_COUNT = 36;
export const H_IO_LIST = 40; // i32 tensor indices: inputs, then outputs
export const H_ARENA_SIZE = 44;
export const H_META_OFFSET = 48; // UTF-8 JSON, read by the host only
export const H_META_SIZE = 52;
export const H_DATA_OFFSET = 56; // constant data section
export const H_DATA_SIZE = 60;

// Tensor record: byte offsets of its fields.
export const TENSOR_RECORD_SIZE = 48;
export const T_DTYPE = 0; // u8
export const T_RANK = 1; // u8, 0..MAX_RANK
export const T_KIND = 2; // u8
export const T_ENCODING = 3; // u8
export const T_DIMS = 4; // i32 x MAX_RANK, unused dims are 1
export const T_OFFSET = 20; // u32: arena offset (activation) or file offset (constant)
export const T_BYTES = 24; // u32
export const T_SCALE = 28; // f32, 0 when not quantized
export const T_ZERO_POINT = 32; // i32
export const T_QUANT_OFFSET = 36; // u32 file offset of per-channel f32 scales then i32 zero points, 0 if none
export const T_QUANT_AXIS = 40; // i32, -1 if per-tensor
export const T_QUANT_COUNT = 44; // u32 number of per-channel entries
export const MAX_RANK = 4;

export const KIND_ACTIVATION = 0;
export const KIND_CONSTANT = 1;

export const ENCODING_DENSE = 0;
export const ENCODING_SPARSE = 1; // pruned weights: bitmaps, then the nonzero values (docs/FORMAT.md)
export const ENCODING_BITPACKED = 2; // reserved: binary weights

export const DTYPE_INT8 = 1;
export const DTYPE_UINT8 = 2;
export const DTYPE_INT16 = 3;
export const DTYPE_INT32 = 4;
export const DTYPE_FLOAT32 = 5;

// Op record: byte offsets of its fields. args points at i32 words: inputs, outputs, then params.
export const OP_RECORD_SIZE = 16;
export const O_CODE = 0; // u16
export const O_INPUTS = 2; // u8
export const O_OUTPUTS = 3; // u8
export const O_ARGS = 4; // u32 file offset
export const O_PARAMS = 8; // u32 number of i32 params
export const O_RESERVED = 12; // u32, must be 0
export const NO_TENSOR = -1; // an absent optional input (e.g. a bias)

// Op codes. Each op's inputs, outputs and params are listed in docs/FORMAT.md.
export const OP_CONV_2D = 1;
export const OP_DEPTHWISE_CONV_2D = 2;
export const OP_FULLY_CONNECTED = 3;
export const OP_AVERAGE_POOL_2D = 4;
export const OP_MAX_POOL_2D = 5;
export const OP_ADD = 6;
export const OP_SUB = 7;
export const OP_MUL = 8;
export const OP_COPY = 9; // RESHAPE and other layout-only ops: a byte copy
export const OP_SOFTMAX = 10;
export const OP_QUANTIZE = 11; // float32 -> int8
export const OP_REQUANTIZE = 12; // int8 -> int8 with another scale / zero point
export const OP_DEQUANTIZE = 13; // int8 -> float32
export const OP_CONCATENATION = 14;
export const OP_PAD = 15;
export const OP_MEAN = 16;
export const OP_LOGISTIC = 17;
export const OP_TANH = 18;
export const OP_HARD_SWISH = 19;
export const OP_RELU = 20; // RELU, RELU6, RELU_N1_TO_1: rescale then clamp
export const OP_LEAKY_RELU = 21;
export const OP_SPLIT = 22; // one tensor cut into parts along an axis: the mirror of CONCATENATION
export const OP_COUNT = 23; // one past the largest op code

// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerQuantize: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerDequantize: Lowering = (op) => refuse(op, 'not implemented yet');

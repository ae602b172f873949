// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerConv2d: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerDepthwiseConv2d: Lowering = (op) => refuse(op, 'not implemented yet');

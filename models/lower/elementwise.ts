// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerAdd: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerSub: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerMul: Lowering = (op) => refuse(op, 'not implemented yet');

// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerAveragePool2d: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerMaxPool2d: Lowering = (op) => refuse(op, 'not implemented yet');

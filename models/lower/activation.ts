// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerLogistic: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerTanh: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerHardSwish: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerRelu: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerRelu6: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerLeakyRelu: Lowering = (op) => refuse(op, 'not implemented yet');

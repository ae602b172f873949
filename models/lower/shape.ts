// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerReshape: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerConcatenation: Lowering = (op) => refuse(op, 'not implemented yet');
export const lowerPad: Lowering = (op) => refuse(op, 'not implemented yet');

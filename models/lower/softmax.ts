// STUB: not implemented yet.
import { refuse, type Lowering } from './common.js';

export const lowerSoftmax: Lowering = (op) => refuse(op, 'not implemented yet');

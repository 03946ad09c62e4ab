import type { KernelRegistration } from './kernel.js';

export const shapeKernels: KernelRegistration[] = [];

import type { KernelRegistration } from './kernel.js';

export const elementwiseKernels: KernelRegistration[] = [];

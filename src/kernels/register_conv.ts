import type { KernelRegistration } from './kernel.js';

export const convKernels: KernelRegistration[] = [];

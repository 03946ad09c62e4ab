/** The generated kernels_wasm.ts source for the kernels.wat text (scripts/gen-wasm.mjs). */
export function generate(watText: string): Promise<string>;

/** The generated shaders/index.ts text for the .wgsl files in `dir` (default: shaders/). */
export function renderIndex(dir?: string): string;

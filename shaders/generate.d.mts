/** The generated shaders/sources.json text for the .wgsl files in `dir` (default: shaders/). */
export function renderIndex(dir?: string): string;

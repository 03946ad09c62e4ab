// The WGSL sources by name. shaders/sources.json is generated from the .wgsl files next to it by
// `node shaders/generate.mjs` (test/delegate/units.test.ts checks it is current): edit the .wgsl.
import sources from './sources.json' with { type: 'json' };

export const WGSL_SOURCES: Readonly<typeof sources> = sources;

export type ShaderName = keyof typeof sources;

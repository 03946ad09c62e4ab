// WebGPU in Node comes from Dawn (npm `webgpu`), which needs a Vulkan driver. On a machine without
// a GPU, Debian's chromium ships SwiftShader's Vulkan ICD: point the loader at it (before Dawn
// starts) so an adapter appears. Machines with a GPU keep their own drivers.
import { existsSync, readdirSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Sets VK_ICD_FILENAMES to SwiftShader when nothing is set and no GPU device exists; says what it did. */
export function configureNodeWebGpu(): string {
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // silences a harmless loader warning
  if (process.env.VK_ICD_FILENAMES) return `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES} (given)`;
  if (hasGpuDevice()) return 'a GPU device is present: using the system Vulkan drivers';
  if (!existsSync(SWIFTSHADER_ICD)) return `no GPU and no SwiftShader at ${SWIFTSHADER_ICD} (install Debian chromium: scripts/setup.sh)`;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return `no GPU device: using SwiftShader (${SWIFTSHADER_ICD})`;
}

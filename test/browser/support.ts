// Browser tests need Debian's Chromium; without it they skip, loudly.
import { chromiumAvailable, chromiumPath } from '../../harness/browser/driver.js';

export const hasChromium = chromiumAvailable();
if (!hasChromium) {
  console.warn(
    `\n[tflite-webgpu tests] ${chromiumPath()} is absent: browser tests are SKIPPED (install Debian chromium: scripts/setup.sh).\n`,
  );
}

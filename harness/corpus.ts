// The model corpus: ../shared/models (when this checkout sits beside it) plus the real fp16
// models that the @mediapipe npm packages ship (face detection, selfie segmentation, hands, pose,
// objectron), so a fresh clone always has some.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// harness/ sits at the repo root in source and under dist/ when compiled.
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
  .replace(/\/dist\/?$/, '')
  .replace(/\/$/, '');
/** Where the shared corpus lives; TFLITE_WEBGPU_MODELS overrides it. */
export const SHARED_MODELS_DIR = process.env.TFLITE_WEBGPU_MODELS ?? join(REPO_ROOT, '../shared/models');
/**
 * The @mediapipe packages that ship .tflite files (devDependencies). @mediapipe/holistic ships the
 * same three pose_landmark files as @mediapipe/pose (its other models are packed in a .data file),
 * @mediapipe/face_mesh none: both are left out.
 */
const NPM_MODEL_PACKAGES = ['face_detection', 'selfie_segmentation', 'hands', 'pose', 'objectron'];

export interface CorpusModel {
  /** "shared:<file>" or "npm:<package>/<file>". */
  key: string;
  /** File name without .tflite. */
  name: string;
  path: string;
  source: 'shared' | 'npm';
}

export function sharedModelsAvailable(): boolean {
  return existsSync(SHARED_MODELS_DIR);
}

function tflites(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.tflite'))
        .sort()
    : [];
}

export function corpusModels(): CorpusModel[] {
  const shared = tflites(SHARED_MODELS_DIR).map((f) => ({
    key: `shared:${f}`,
    name: basename(f, '.tflite'),
    path: join(SHARED_MODELS_DIR, f),
    source: 'shared' as const,
  }));
  const npm = NPM_MODEL_PACKAGES.flatMap((pkg) => {
    const dir = join(REPO_ROOT, 'node_modules/@mediapipe', pkg);
    return tflites(dir).map((f) => ({ key: `npm:${pkg}/${f}`, name: basename(f, '.tflite'), path: join(dir, f), source: 'npm' as const }));
  });
  return [...shared, ...npm];
}

/** The model the README's main job runs: real, small, and shipped by an npm dependency. */
export const DEFAULT_MODEL = join(REPO_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite');

import { readFileSync } from 'node:fs';

/** A file the CLI was asked to read but cannot. */
export class FileError extends Error {
  override name = 'FileError';
}

export function readBytes(path: string, what = 'model'): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new FileError(`cannot read ${what} file '${path}': ${why}`);
  }
}

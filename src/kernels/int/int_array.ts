/** Integer activation arrays the quantized kernels read and write (int8, legacy uint8, int16). */
export type IntArray = Int8Array | Uint8Array | Int16Array;

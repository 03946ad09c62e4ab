// What verify --culprit reports, and the options it takes.

import type { Delegate, InterpreterOptions } from '../src/index.js';
import type { Backend, Precision } from './backends.js';
import type { OutputComparison, Tolerance } from './compare.js';
import type { SkippedTensor } from './culprit_rewrite.js';
import type { OracleResult, RunOracleOptions } from './oracle/run_oracle.js';
import type { OracleName } from './oracle/types.js';

/** Golden outputs of a model (subgraph-0 output order) on the given inputs. */
export type CulpritOracle = (bytes: Uint8Array, inputs: readonly ArrayBufferView[], options: RunOracleOptions) => Promise<OracleResult>;

export interface CulpritOptions {
  backend?: Backend;
  precision?: Precision;
  /** Input seed (makeModelInputs), as in verify. Default 1. */
  seed?: number;
  /** Inputs (subgraph-0 order) instead of the seed's. */
  inputs?: readonly ArrayBufferView[];
  /** Default: runOracle, uncached (the exposed model's goldens are large). */
  oracle?: CulpritOracle;
  /** Default: TOLERANCE[precision]. */
  tolerance?: Tolerance;
  /**
   * Delegates for our run instead of the backend's (a fresh list per call). Values computed by
   * a delegate are read with its `debugTensor(index)` when it has one, else from the tensor.
   */
  delegates?: () => Promise<Delegate[]> | Delegate[];
  /**
   * fp16: also run the f16 storage reference (CulpritNode.f16Reference). Default: on for an fp16
   * run on a delegate, unless interpreterOptions set an observer.
   */
  f16Reference?: boolean;
  /** More interpreter options for our run (integerRounding...). */
  interpreterOptions?: Pick<InterpreterOptions, 'integerRounding' | 'observer'>;
  /**
   * Which nodes also run alone on TFLite's own values of their inputs (see CulpritNode.isolated):
   * 'divergent' (default: the culprit and every node that diverges itself, at most 16), 'all', 'none'.
   */
  isolate?: 'divergent' | 'all' | 'none';
  /**
   * Our model outputs from an ordinary run (no preserveAllTensors), in subgraph-0 order: the
   * report then says whether this run reproduced them bit for bit (`reproduced`).
   */
  reference?: readonly Values[];
}

export interface TensorCheck {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  /** e.g. "scale 0.0235 zp -128", "per-channel axis 3: 32 scales 1.2e-3..4.5e-2, zp 0". */
  quantization?: string;
  /** Set when the tensor could not be compared. */
  skip?: string;
  /** verify's comparison of ours with the golden (absent when skipped). */
  comparison?: OutputComparison;
  /** The other TFLite runtime against the same golden: maxRel (float) or max LSB (integer). */
  other?: number;
}

export interface NodeInput {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  quantization?: string;
  /** 'input' (a model input: the same bytes on both sides), 'constant', 'node' (an earlier node's output). */
  source: 'input' | 'constant' | 'node' | 'omitted';
  /** The producing node, for source 'node'. */
  node?: number;
  /** The producer's comparison of this tensor (absent when it was skipped). */
  check?: TensorCheck;
}

export interface CulpritNode {
  node: number;
  op: string;
  version: number;
  /** Where our run computed it: 'cpu', a delegate's name, or 'folded' at prepare. */
  backend: string;
  inputs: NodeInput[];
  outputs: TensorCheck[];
  /** The worst float maxRel over the compared outputs (0 when none is float). */
  maxRel: number;
  /** The worst LSB error over the compared integer outputs, when there are any. */
  maxLsb?: number;
  /** The worst maxRel over the inputs' comparisons (float), and max LSB (integer). */
  inputRel: number;
  inputLsb?: number;
  /** The other runtime's worst error at the node's outputs (its spread from the golden). */
  other?: number;
  /**
   * fp16 runs: the worst error at the node's outputs of the f16 storage reference (our CPU
   * kernels with every activation rounded to f16, as verify's fp16 judgement uses) against the
   * same golden: what f16 storage alone costs at this node.
   */
  f16Reference?: number;
  /**
   * 'ok'; 'diverges': an output misses the bar while every compared input meets it (the node
   * itself); 'inherits': an output misses it and so does an input; 'skipped': nothing compared.
   */
  status: 'ok' | 'diverges' | 'inherits' | 'skipped';
  /** Inputs from earlier nodes that could not be compared (the verdict then rests on fewer facts). */
  uncheckedInputs: number;
  /**
   * The node run alone (a one-node copy of the model) on TFLite's values of its inputs, its
   * outputs compared with TFLite's: within the bar, the node computes what TFLite computes and
   * its divergence is its inputs' (in-bar) error amplified; beyond it, the node itself differs.
   */
  isolated?: { maxRel: number; maxLsb?: number; pass: boolean; backend: string } | { skip: string };
}

export interface CulpritReport {
  model: string;
  backend: Backend;
  precision: Precision;
  seed: number;
  tolerance: Tolerance;
  oracle: OracleName;
  /** The other runtime, and whether it ran on the exposed model. */
  other?: { oracle: OracleName; error?: string };
  /** Intermediates exposed (outputs added); node outputs skipped, with reasons. */
  exposed: number;
  skipped: SkippedTensor[];
  /**
   * How far the oracle's model outputs on the exposed model are from its outputs on the
   * unmodified model (max over outputs of maxRel / LSB): what exposing changed in the runtime.
   */
  rewriteShift?: { maxRel: number; maxLsb?: number; oracle: OracleName };
  /** Our placement summary. */
  placement: string;
  /** Every node in execution order, constant-only nodes left out. */
  nodes: CulpritNode[];
  /** The first node whose outputs miss the bar; null when none. */
  culprit: CulpritNode | null;
  /** The model outputs compared as verify compares them (same golden source, exposed model). */
  outputs: OutputComparison[];
  /** With options.reference: whether our outputs here equal the reference bit for bit. */
  reproduced?: boolean;
}

export type Values = ArrayLike<number> | ArrayLike<bigint>;

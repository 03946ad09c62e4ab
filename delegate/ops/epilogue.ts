// The epilogue of the convolution family (shaders/epilogue.wgsl): the nodes plan/fusion.ts lets
// a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED absorb (an activation, a same-shape residual
// ADD, an activation after it), as shader constants and bindings spliced into its one dispatch.
import { DelegateError, type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { PRELU_INPUTS } from '../../src/kernels/activations.js';
import { addKernel, BINARY_INPUTS } from '../../src/kernels/binary.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { PAD_INPUTS } from '../../src/kernels/pad.js';
import { sliceLayout } from '../layout.js';
import type { BindingSource, NodeProgram } from '../program.js';
import type { TemplateValue } from '../runtime/wgsl_template.js';
import { activationConstant } from './common.js';
import { padPlanOf } from './pad.js';

/** An activation node as an epilogue step. */
export interface EpilogueActivation {
  /** The shader's EPI_* constant. */
  readonly op: string;
  /** Its name in reports, e.g. 'relu6'. */
  readonly name: string;
  /** PRELU's constant alpha (one per channel, stored as one row of slices). */
  readonly alpha?: RuntimeTensor;
}

/** A same-shape ADD of `tensor` to the producer's output, with ADD's fused activation. */
export interface EpilogueResidual {
  readonly tensor: RuntimeTensor;
  readonly activation: number;
  /**
   * The PAD that made `tensor` the output's shape from fewer channels (zeros after them), folded
   * in: the epilogue reads the PAD's input and treats the missing channels as 0.
   */
  readonly pad?: { readonly node: DelegateNode; readonly input: RuntimeTensor };
}

export interface Epilogue {
  readonly pre: EpilogueActivation | null;
  readonly residual: EpilogueResidual | null;
  readonly post: EpilogueActivation | null;
}

export const NO_EPILOGUE: Epilogue = { pre: null, residual: null, post: null };

const ACTIVATIONS: Readonly<Record<string, Omit<EpilogueActivation, 'alpha'>>> = {
  RELU: { op: 'EPI_RELU', name: 'relu' },
  RELU6: { op: 'EPI_RELU6', name: 'relu6' },
  RELU_N1_TO_1: { op: 'EPI_RELU_N1_TO_1', name: 'relu_n1_to_1' },
  RELU_0_TO_1: { op: 'EPI_RELU_0_TO_1', name: 'relu_0_to_1' },
  LOGISTIC: { op: 'EPI_LOGISTIC', name: 'logistic' },
  HARD_SWISH: { op: 'EPI_HARD_SWISH', name: 'hard_swish' },
  PRELU: { op: 'EPI_PRELU', name: 'prelu' },
};

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

const isFloat = (t: RuntimeTensor | null | undefined): t is RuntimeTensor => t?.dtype === 'float32';

/** `node`, which reads `input` (the producer's output), as an epilogue activation, or why not. */
export function epilogueActivation(node: DelegateNode, input: RuntimeTensor): EpilogueActivation | string {
  const known = ACTIVATIONS[node.op.op];
  if (!known) return `${node.op.op} is not an epilogue activation`;
  const y = node.outputs[0];
  if (node.outputs.length !== 1 || !isFloat(y) || !sameShape(y.shape, input.shape)) return 'output is not float32 of the same shape';
  if (node.op.op !== 'PRELU') return node.inputs.length === 1 ? known : 'expected 1 input';
  if (node.inputs[PRELU_INPUTS.input] !== input) return 'the producer output is not the PRELU input';
  const alpha = node.inputs[PRELU_INPUTS.alpha];
  // One alpha per channel, every other dimension 1: its slice os is the row's slice os.
  if (!isFloat(alpha) || !isKnown(alpha)) return 'alpha is not a float32 constant';
  const c = input.shape[input.shape.length - 1];
  const ones = alpha.shape.slice(0, -1).every((d) => d === 1);
  if (!ones || alpha.shape[alpha.shape.length - 1] !== c || alpha.shape.length > input.shape.length) {
    return `alpha shape [${alpha.shape}] is not one value per channel`;
  }
  return { ...known, alpha };
}

/** `node` as an ADD of a same-shape tensor to `input` (the producer's output), or why not. */
export function epilogueResidual(node: DelegateNode, input: RuntimeTensor): EpilogueResidual | string {
  if (node.op.op !== 'ADD') return 'not an ADD';
  const p = preparedBy(node, addKernel);
  if (p?.dtype !== 'float32') return 'not prepared by the float32 ADD kernel';
  const a = node.inputs[BINARY_INPUTS.lhs];
  const b = node.inputs[BINARY_INPUTS.rhs];
  const other = a === input ? b : b === input ? a : null;
  if (!isFloat(other) || other === input) return 'the other operand is not a different float32 tensor';
  const y = node.outputs[0] as RuntimeTensor;
  if (!sameShape(other.shape, input.shape) || !sameShape(y.shape, input.shape)) return 'the ADD broadcasts';
  return { tensor: other, activation: p.activation };
}

/**
 * `pad` as a zero PAD of the last dimension only, after the channels (what residual blocks that
 * widen the channels do), so the epilogue can read its input directly; or why not.
 */
export function channelPad(pad: DelegateNode): { readonly node: DelegateNode; readonly input: RuntimeTensor } | string {
  if (pad.op.op !== 'PAD' && pad.op.op !== 'PADV2') return 'not a PAD';
  const plan = padPlanOf(pad);
  if (typeof plan === 'string') return plan;
  const x = pad.inputs[PAD_INPUTS.input];
  const y = pad.outputs[0];
  if (!isFloat(x) || !isFloat(y) || x.shape.length < 1) return 'not float32';
  const r = x.shape.length;
  if (plan.mode !== 'MODE_CONSTANT' || !Object.is(plan.value, 0)) return 'not a zero constant PAD';
  if (plan.before.some((b) => b !== 0) || !sameShape(x.shape.slice(0, r - 1), y.shape.slice(0, r - 1))) {
    return 'pads more than the channels after the last one';
  }
  return { node: pad, input: x };
}

/** The template values of shaders/epilogue.wgsl. */
export function epilogueConstants(e: Epilogue): Record<string, TemplateValue> {
  return {
    EPI_PRE: e.pre?.op ?? 'EPI_NONE',
    EPI_RESIDUAL: e.residual !== null,
    // As binary.wgsl: float ADD clamps to +-FLT_MAX even without an activation.
    EPI_RESIDUAL_ACT: e.residual ? activationConstant(e.residual.activation, 'ACT_FINITE') : 'ACT_NONE',
    EPI_POST: e.post?.op ?? 'EPI_NONE',
    EPI_RESIDUAL_NARROW: e.residual?.pad !== undefined,
    EPI_ALPHA: (e.pre?.alpha ?? e.post?.alpha) !== undefined,
  };
}

/** The steps' names, e.g. '+add+relu' (empty without any). */
export function epilogueName(e: Epilogue): string {
  const steps = [e.pre?.name, e.residual?.pad ? 'pad' : undefined, e.residual ? 'add' : undefined, e.post?.name].filter(Boolean);
  return steps.map((s) => `+${s}`).join('');
}

/**
 * The producer's program with the epilogue spliced in: its one dispatch gets the epilogue's
 * constants and bindings, and writes `output` (the last absorbed node's) instead of its own.
 */
export function withEpilogue(program: NodeProgram, e: Epilogue, output: RuntimeTensor, where: string): NodeProgram {
  const d = program.kind === 'dispatch' && program.dispatches.length === 1 ? program.dispatches[0] : undefined;
  if (!d || !('y' in d.bindings) || !('EPI_PRE' in d.shader.constants)) {
    throw new DelegateError(`${where}: the program is not one dispatch storing through the epilogue`);
  }
  const bindings: Record<string, BindingSource> = { ...d.bindings, y: { kind: 'tensor', tensor: output } };
  let uniforms = d.uniforms;
  if (e.residual) {
    const pad = e.residual.pad;
    bindings.residual = { kind: 'tensor', tensor: pad ? pad.input : e.residual.tensor };
    if (pad) uniforms = { ...uniforms, residual_slices: sliceLayout(pad.input.shape).slices };
  }
  const alpha = e.pre?.alpha ?? e.post?.alpha;
  if (alpha) bindings.prelu_alpha = { kind: 'tensor', tensor: alpha };
  const shader = { ...d.shader, constants: { ...d.shader.constants, ...epilogueConstants(e) } };
  return { kind: 'dispatch', dispatches: [{ ...d, shader, bindings, uniforms }] };
}

// Full-integer modes: int8 (activations asymmetric int8) and 16x8 (activations symmetric int16),
// weights symmetric int8, integer biases (quantization_utils.h ConvertStatsToQDQs, the legacy
// quantize_model.cc for 16x8). The float model is calibrated first; then every op with a rule
// (op_rules.ts) runs on integers, QUANTIZE / DEQUANTIZE sit at the float edges (model I/O and
// ops left float by allowFloatFallback), and requantizing QUANTIZEs where a same-scale op's
// inputs differ from its output.
import * as fb from '../model/schema/tflite_generated.js';
import { packModel } from '../model/writer.js';
import { calibrate, type TensorRange } from './calibration.js';
import { QuantizeError } from './errors.js';
import {
  addTensor,
  constantFloats,
  describeNode,
  isConstant,
  type ModelT,
  type OperatorT,
  opcodeFor,
  opName,
  quantParams,
  raiseVersion,
  type SubGraphT,
  setConstant,
  type TensorT,
  tensorName,
  topologicalOrder,
} from './graph.js';
import { dataSlots, INTEGER_RULES, type OpRule } from './op_rules.js';
import type { QuantizeOptions } from './quantize.js';
import type { NodeReport, QuantizeReport } from './report.js';
import {
  type AffineParams,
  asymmetricInt8Params,
  quantizeAffine,
  quantizeBiasInt32,
  quantizeBiasInt64,
  quantizeSymmetricInt8,
  symmetricInt16Params,
} from './weights.js';

interface Scheme {
  sixteen: boolean;
  type: fb.TensorType;
  qmin: number;
  qmax: number;
  params(range: TensorRange): AffineParams;
}

const INT8: Scheme = { sixteen: false, type: fb.TensorType.INT8, qmin: -128, qmax: 127, params: (r) => asymmetricInt8Params(r.min, r.max) };
const INT16: Scheme = {
  sixteen: true,
  type: fb.TensorType.INT16,
  qmin: -32768,
  qmax: 32767,
  params: (r) => symmetricInt16Params(r.min, r.max),
};

const QUANTIZE_VERSION = { fromFloat: 1, requantize: 2, int16: 3 };
const DEQUANTIZE_VERSION = { int8: 2, int16: 3, uint8: 1 };

export async function quantizeInteger(
  model: ModelT,
  report: QuantizeReport,
  options: QuantizeOptions & { perChannel: boolean },
): Promise<void> {
  const scheme = report.mode === '16x8' ? INT16 : INT8;
  if (!options.representativeDataset) {
    throw new QuantizeError(
      `mode '${report.mode}' needs a representativeDataset to calibrate activation ranges (the CLI makes a seeded synthetic one with --samples)`,
    );
  }
  const inputType = options.inferenceInputType ?? 'float32';
  const outputType = options.inferenceOutputType ?? 'float32';
  const allowed = scheme.sixteen ? ['float32', 'int16'] : ['float32', 'int8', 'uint8'];
  for (const [what, t] of [
    ['inferenceInputType', inputType],
    ['inferenceOutputType', outputType],
  ] as const) {
    if (!allowed.includes(t))
      throw new QuantizeError(`${what} '${t}' is not allowed in mode '${report.mode}' (allowed: ${allowed.join(', ')})`);
  }
  // Calibrate the graph being rewritten (fp16 constants already folded), so tensor indices match.
  const calibration = await calibrate(packModel(model), options.representativeDataset, options.onCalibrationSample);
  report.calibrationSamples = calibration.samples;
  const sg = model.subgraphs[0] as SubGraphT;
  new IntegerRewrite(model, sg, scheme, calibration.ranges, report, options, inputType, outputType).run();
}

class IntegerRewrite {
  /** Parameters of every tensor that has (or gets) an integer form, by original tensor index. */
  private readonly params = new Map<number, AffineParams>();
  /** Tensor index → its integer view (itself when it became integer in place). */
  private readonly intView = new Map<number, number>();
  /** Tensor index → its float view. */
  private readonly floatView = new Map<number, number>();
  /** Original float activations, before any type change. */
  private readonly activations: Set<number>;
  private readonly added: OperatorT[] = [];
  private readonly quantizedNodes = new Set<OperatorT>();

  constructor(
    private readonly model: ModelT,
    private readonly sg: SubGraphT,
    private readonly scheme: Scheme,
    private readonly ranges: Map<number, TensorRange>,
    private readonly report: QuantizeReport,
    private readonly options: QuantizeOptions & { perChannel: boolean },
    private readonly inputType: string,
    private readonly outputType: string,
  ) {
    this.activations = new Set(
      sg.tensors.map((t, i) => (t.type === fb.TensorType.FLOAT32 && !isConstant(model, t) ? i : -1)).filter((i) => i >= 0),
    );
  }

  run(): void {
    const { model, sg } = this;
    const ops = [...sg.operators];
    // Graph inputs: float32 by default (QUANTIZE inside); int8 / int16 in place; uint8 → QUANTIZE.
    for (const t of sg.inputs) {
      if (!this.activations.has(t)) continue;
      this.params.set(t, this.calibrated(t, `input tensor ${t} '${tensorName(sg.tensors[t] as TensorT)}'`));
      if (this.inputType === 'int8' || this.inputType === 'int16') this.toIntegerInPlace(t);
      else this.floatView.set(t, t);
    }
    ops.forEach((op, node) => {
      const name = opName(model, op);
      const entry: NodeReport = { subgraph: 0, node, op: name, action: 'float' };
      this.report.nodes.push(entry);
      const touchesFloat = [...op.inputs, ...op.outputs].some((t) => t >= 0 && (sg.tensors[t] as TensorT).type === fb.TensorType.FLOAT32);
      if (!touchesFloat) {
        entry.detail = 'no float tensors';
        return;
      }
      const rule = INTEGER_RULES[name];
      const version = rule
        ? this.scheme.sixteen
          ? 'int16Version' in rule
            ? rule.int16Version
            : rule.int16
          : 'int8Version' in rule
            ? rule.int8Version
            : rule.int8
        : 0;
      const where = describeNode(model, 0, node, op);
      const reason = !rule
        ? `${name} has no ${this.scheme.sixteen ? '16x8' : 'int8'} kernel in TFLite's quantizer`
        : version === 0
          ? `${name} cannot run with int16 activations`
          : this.blocker(op);
      if (reason) {
        if (!this.options.allowFloatFallback)
          throw new QuantizeError(`cannot be quantized: ${reason} (allowFloatFallback keeps it float)`, where);
        entry.action = 'float-fallback';
        entry.detail = reason;
        this.keepFloat(op);
        return;
      }
      this.quantizeOp(op, rule as OpRule, where);
      raiseVersion(model, op, version);
      this.quantizedNodes.add(op);
      entry.action = 'quantized';
    });
    // Graph outputs: float32 by default (DEQUANTIZE inside); integer in place; uint8 → QUANTIZE.
    sg.outputs = sg.outputs.map((t) => this.outputView(t));
    sg.operators = topologicalOrder(sg, [...sg.operators, ...this.added]);
    this.report.addedNodes.quantize = this.added.filter((o) => opName(model, o) === 'QUANTIZE').length;
    this.report.addedNodes.dequantize = this.added.filter((o) => opName(model, o) === 'DEQUANTIZE').length;
    this.fixInputType();
  }

  /** Why an op with a rule still cannot be quantized (non-float data, unsupported shape), or null. */
  private blocker(op: OperatorT): string | null {
    for (const t of op.inputs) {
      if (t < 0) continue;
      const tensor = this.sg.tensors[t] as TensorT;
      if (this.activations.has(t) && !this.ranges.has(t) && !this.params.has(t))
        return `input tensor ${t} '${tensorName(tensor)}' has no calibrated range`;
    }
    for (const t of op.outputs) {
      if (this.activations.has(t) && !this.ranges.has(t))
        return `output tensor ${t} '${tensorName(this.sg.tensors[t] as TensorT)}' has no calibrated range`;
    }
    return null;
  }

  private calibrated(t: number, what: string): AffineParams {
    const r = this.ranges.get(t);
    if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max)) throw new QuantizeError(`${what} has no finite calibrated range`);
    return this.scheme.params(r);
  }

  private setQuant(t: TensorT, p: AffineParams): void {
    t.quantization = quantParams([p.scale], [p.zeroPoint]);
  }

  private toIntegerInPlace(t: number): void {
    const tensor = this.sg.tensors[t] as TensorT;
    tensor.type = this.scheme.type;
    this.setQuant(tensor, this.params.get(t) as AffineParams);
    this.intView.set(t, t);
  }

  /** The integer form of activation `t` for a quantized consumer (adds a QUANTIZE from its float form if needed). */
  private integerInput(t: number): number {
    const have = this.intView.get(t);
    if (have !== undefined) return have;
    const p = this.params.get(t) ?? this.calibrated(t, `tensor ${t} '${tensorName(this.sg.tensors[t] as TensorT)}'`);
    this.params.set(t, p);
    const source = this.sg.tensors[t] as TensorT;
    const q = addTensor(this.model, this.sg, {
      name: `${tensorName(source)}_quantized`,
      shape: [...source.shape],
      shapeSignature: [...source.shapeSignature],
      type: this.scheme.type,
    });
    this.setQuant(this.sg.tensors[q] as TensorT, p);
    this.added.push(
      new fb.OperatorT(
        opcodeFor(this.model, fb.BuiltinOperator.QUANTIZE, this.scheme.sixteen ? QUANTIZE_VERSION.int16 : QUANTIZE_VERSION.fromFloat),
        [this.floatInput(t)],
        [q],
      ),
    );
    this.intView.set(t, q);
    return q;
  }

  /** The float form of activation `t` for a float consumer (adds a DEQUANTIZE if it became integer). */
  private floatInput(t: number): number {
    const have = this.floatView.get(t);
    if (have !== undefined) return have;
    const q = this.intView.get(t);
    if (q === undefined) {
      this.floatView.set(t, t);
      return t;
    }
    const source = this.sg.tensors[q] as TensorT;
    const f = addTensor(this.model, this.sg, {
      name: `${tensorName(source)}_dequantized`,
      shape: [...source.shape],
      shapeSignature: [...source.shapeSignature],
      type: fb.TensorType.FLOAT32,
    });
    this.added.push(
      new fb.OperatorT(
        opcodeFor(this.model, fb.BuiltinOperator.DEQUANTIZE, this.scheme.sixteen ? DEQUANTIZE_VERSION.int16 : DEQUANTIZE_VERSION.int8),
        [q],
        [f],
      ),
    );
    this.floatView.set(t, f);
    return f;
  }

  /** A requantized copy of integer tensor `q` at parameters `p` (QUANTIZE integer → integer). */
  private requantized(q: number, p: AffineParams): number {
    const source = this.sg.tensors[q] as TensorT;
    const r = addTensor(this.model, this.sg, {
      name: `${tensorName(source)}_requantized`,
      shape: [...source.shape],
      shapeSignature: [...source.shapeSignature],
      type: this.scheme.type,
    });
    this.setQuant(this.sg.tensors[r] as TensorT, p);
    this.added.push(
      new fb.OperatorT(
        opcodeFor(this.model, fb.BuiltinOperator.QUANTIZE, this.scheme.sixteen ? QUANTIZE_VERSION.int16 : QUANTIZE_VERSION.requantize),
        [q],
        [r],
      ),
    );
    return r;
  }

  private keepFloat(op: OperatorT): void {
    op.inputs = op.inputs.map((t) => (t >= 0 && this.activations.has(t) ? this.floatInput(t) : t));
    for (const t of op.outputs) if (this.activations.has(t)) this.floatView.set(t, t);
  }

  /** An output of a quantized op: integer in place, with parameters `p`. */
  private integerOutput(t: number, p: AffineParams): void {
    this.params.set(t, p);
    this.toIntegerInPlace(t);
  }

  /** A constant data input of a non-weighted op: quantized from its own values, per tensor. */
  private constantInput(op: OperatorT, slot: number, p?: AffineParams): AffineParams | null {
    const t = op.inputs[slot] ?? -1;
    const tensor = this.sg.tensors[t];
    const values = tensor ? constantFloats(this.model, tensor) : null;
    if (!tensor || !values) return null;
    let min = 0;
    let max = 0;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const params = p ?? this.scheme.params({ min, max });
    const copy = addTensor(this.model, this.sg, { name: tensorName(tensor), shape: [...tensor.shape], type: this.scheme.type });
    const target = this.sg.tensors[copy] as TensorT;
    const q = quantizeAffine(values, params, this.scheme.qmin, this.scheme.qmax);
    setConstant(this.model, target, this.scheme.type, this.scheme.sixteen ? Int16Array.from(q) : Int8Array.from(q));
    this.setQuant(target, params);
    op.inputs[slot] = copy;
    return params;
  }

  private quantizeOp(op: OperatorT, rule: OpRule, where: string): void {
    const name = opName(this.model, op);
    const out = op.outputs[0] as number;
    switch (rule.kind) {
      case 'weighted': {
        const input = op.inputs[0] as number;
        op.inputs[0] = this.integerInput(input);
        const inputScale = (this.params.get(input) as AffineParams).scale;
        const w = this.sg.tensors[op.inputs[1] ?? -1];
        const wValues = w ? constantFloats(this.model, w) : null;
        if (!w || !wValues) throw new QuantizeError('the weights are not a float32 constant', where);
        const axis = this.options.perChannel ? rule.axis : null;
        const q = quantizeSymmetricInt8(wValues, w.shape, axis);
        const wi = addTensor(this.model, this.sg, { name: tensorName(w), shape: [...w.shape], type: fb.TensorType.INT8 });
        const wt = this.sg.tensors[wi] as TensorT;
        setConstant(this.model, wt, fb.TensorType.INT8, q.values);
        wt.quantization = quantParams(
          q.scales,
          q.scales.map(() => 0),
          q.axis,
        );
        op.inputs[1] = wi;
        const biasIndex = op.inputs[rule.biasSlot] ?? -1;
        const b = biasIndex >= 0 ? this.sg.tensors[biasIndex] : undefined;
        if (b) {
          const bValues = constantFloats(this.model, b);
          if (!bValues) throw new QuantizeError('the bias is not a float32 constant', where);
          const bias64 = this.scheme.sixteen;
          const qb = bias64 ? quantizeBiasInt64(bValues, inputScale, q.scales) : quantizeBiasInt32(bValues, inputScale, q.scales);
          const type = bias64 ? fb.TensorType.INT64 : fb.TensorType.INT32;
          const bi = addTensor(this.model, this.sg, { name: tensorName(b), shape: [...b.shape], type });
          const bt = this.sg.tensors[bi] as TensorT;
          setConstant(this.model, bt, type, qb.values);
          bt.quantization = quantParams(
            qb.scales,
            qb.scales.map(() => 0),
            0,
          );
          op.inputs[rule.biasSlot] = bi;
          if (bias64) setQuantizedBiasType(op, fb.TensorType.INT64);
        }
        this.integerOutput(out, this.calibrated(out, where));
        return;
      }
      case 'fixed': {
        op.inputs[0] = this.integerInput(op.inputs[0] as number);
        const [scale, zeroPoint] = this.scheme.sixteen ? rule.int16 : rule.int8;
        this.integerOutput(out, { scale: Math.fround(scale), zeroPoint });
        return;
      }
      case 'same-scale': {
        const slot = dataSlots(name, op.inputs.length)[0] as number;
        const data = op.inputs[slot] as number;
        let shared: AffineParams | null;
        if (this.activations.has(data)) {
          op.inputs[slot] = this.integerInput(data);
          shared = this.params.get(data) as AffineParams;
        } else shared = this.constantInput(op, slot);
        if (!shared) throw new QuantizeError(`input ${slot} is neither a float activation nor a float32 constant`, where);
        for (const o of op.outputs) if (this.activations.has(o)) this.integerOutput(o, shared);
        return;
      }
      case 'same-scale-multi': {
        const p = this.calibrated(out, where);
        op.inputs = op.inputs.map((t, slot) => {
          if (t < 0) return t;
          if (!this.activations.has(t)) {
            this.constantInput(op, slot, p);
            return op.inputs[slot] as number;
          }
          const q = this.integerInput(t);
          const have = this.params.get(t) as AffineParams;
          return have.scale === p.scale && have.zeroPoint === p.zeroPoint ? q : this.requantized(q, p);
        });
        this.integerOutput(out, p);
        return;
      }
      case 'shape-only': {
        const t = op.inputs[0] as number;
        if (this.activations.has(t)) op.inputs[0] = this.intView.get(t) ?? this.floatInput(t);
        return;
      }
      case 'independent': {
        op.inputs.forEach((t, slot) => {
          if (t < 0) return;
          if (this.activations.has(t)) op.inputs[slot] = this.integerInput(t);
          else this.constantInput(op, slot);
        });
        for (const o of op.outputs) if (this.activations.has(o)) this.integerOutput(o, this.calibrated(o, where));
        if (this.scheme.sixteen && (name === 'ADD' || name === 'SUB')) {
          const o = op.builtinOptions as { potScaleInt16?: boolean } | null;
          if (o && 'potScaleInt16' in o) o.potScaleInt16 = false;
        }
        return;
      }
    }
  }

  /** The tensor a graph output slot ends up naming; adds DEQUANTIZE (float) or QUANTIZE (uint8). */
  private outputView(t: number): number {
    if (!this.activations.has(t) || !this.intView.has(t)) return t;
    if (this.outputType === 'int8' || this.outputType === 'int16') return t;
    // The original tensor keeps its name and index for the caller: the producer writes a new integer tensor.
    const tensor = this.sg.tensors[t] as TensorT;
    const inner = addTensor(this.model, this.sg, {
      name: `${tensorName(tensor)}_int`,
      shape: [...tensor.shape],
      shapeSignature: [...tensor.shapeSignature],
      type: tensor.type,
      quantization: tensor.quantization,
    });
    for (const op of [...this.sg.operators, ...this.added]) {
      op.outputs = op.outputs.map((o) => (o === t ? inner : o));
      op.inputs = op.inputs.map((i) => (i === t ? inner : i));
    }
    const p = this.params.get(t) as AffineParams;
    if (this.outputType === 'uint8') {
      tensor.type = fb.TensorType.UINT8;
      tensor.quantization = quantParams([p.scale], [p.zeroPoint + 128]);
      this.added.push(new fb.OperatorT(opcodeFor(this.model, fb.BuiltinOperator.QUANTIZE, QUANTIZE_VERSION.requantize), [inner], [t]));
    } else {
      tensor.type = fb.TensorType.FLOAT32;
      tensor.quantization = null;
      this.added.push(
        new fb.OperatorT(
          opcodeFor(this.model, fb.BuiltinOperator.DEQUANTIZE, this.scheme.sixteen ? DEQUANTIZE_VERSION.int16 : DEQUANTIZE_VERSION.int8),
          [inner],
          [t],
        ),
      );
    }
    return t;
  }

  /** uint8 inputs: the input tensor becomes uint8 (zero point + 128) and its QUANTIZE goes uint8 → int8. */
  private fixInputType(): void {
    if (this.inputType !== 'uint8') return;
    for (const t of this.sg.inputs) {
      const p = this.params.get(t);
      if (!p || !this.activations.has(t)) continue;
      const tensor = this.sg.tensors[t] as TensorT;
      tensor.type = fb.TensorType.UINT8;
      tensor.quantization = quantParams([p.scale], [p.zeroPoint + 128]);
      for (const op of this.sg.operators) {
        if (opName(this.model, op) === 'QUANTIZE' && op.inputs[0] === t) raiseVersion(this.model, op, QUANTIZE_VERSION.requantize);
        else if (op.inputs.includes(t) && !this.quantizedNodes.has(op)) {
          throw new QuantizeError(`input tensor ${t} '${tensorName(tensor)}' is read by a float node, so it cannot be uint8`);
        }
      }
    }
  }
}

function setQuantizedBiasType(op: OperatorT, type: fb.TensorType): void {
  const o = op.builtinOptions as { quantizedBiasType?: fb.TensorType } | null;
  if (o && 'quantizedBiasType' in o) o.quantizedBiasType = type;
}

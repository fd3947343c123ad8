/**
 * A small model of what CloudWatch and Application Auto Scaling do with the alarms and scaling policies the library
 * synthesizes: a metric-math evaluator, an alarm evaluator and a scaling simulator. Everything is read from the
 * synthesized template, never from constructor inputs.
 *
 * Sources (the rules each part follows):
 * - Metric math: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 *   "Missing values in a time series are treated as 0. If the value of a data point causes a function to attempt
 *   to divide by zero, the data point is dropped." Comparisons: "only one of the time series has a value ... the
 *   missing value in the other time series [is treated] as 0". IF: a missing condition point is dropped; a true
 *   condition with a missing true-value gives 0; a false condition with a missing false-value is dropped.
 *   FILL(m, value) "fills the missing values of a time series" over the whole queried range.
 *   Reviews of the library assumed the stricter rule "a point exists only where every operand has one"; the
 *   evaluator runs in both modes ('documented' and 'strict') so that a proof holds whichever rule CloudWatch applies.
 * - Alarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 *   (evaluation range, M out of N, treatMissingData: missing points are used "as few times as possible").
 *   Auto Scaling actions run "for every period that the alarm remains in" ALARM.
 * - Step scaling: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-step-scaling-policies.html
 *   (bounds relative to the threshold, lower inclusive above it; ChangeInCapacity/ExactCapacity/PercentChangeInCapacity;
 *   scale-out cooldown counts the capacity already added, scale-in blocked during its cooldown).
 * - Target tracking: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html
 *   (scale out if any policy wants to, scale in only if all scale-in-enabled policies want to, the largest capacity
 *   wins, no scale-in on INSUFFICIENT_DATA).
 * - Predictive scaling: https://docs.aws.amazon.com/autoscaling/application/userguide/aas-predictive-scaling-how-it-works.html
 *   (hourly forecasts; forecast only mode does not scale; forecast and scale "will increase the capacity" and "will not
 *   scale in"), https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPolicyConfiguration.html
 *   (SchedulingBufferTime advances the start; HonorMaxCapacity / IncreaseMaxCapacity with MaxCapacityBuffer, a
 *   percentage of the forecast capacity: forecast 50, maximum 40, buffer 10 → effective maximum 55).
 *
 * Approximations (documented, deliberate):
 * - Predictive scaling: the scenario gives the forecast load of each hour (what AWS learns from 14 days of history is
 *   not modelled); the forecast capacity is ceil(load ÷ target) and holds for its hour as a floor that target tracking
 *   cannot scale in below; a raised maximum stays raised. Its proposal competes with the others: the largest wins.
 * - One grid per evaluation: one-minute periods, or 20-second periods for a high-resolution alarm whose metrics are all
 *   read every 20 seconds (the scenario supplies the series on that grid); the alarm's evaluation range is evaluationPeriods + 2
 *   datapoints (the documentation's example retrieves 5 for 3).
 * - Target tracking: AWS's managed alarms are modelled as "high" = the last 3 datapoints above the target and
 *   "low" = the last 15 datapoints below 90 % of the target; the new capacity is ceil(current × metric ÷ target),
 *   so from zero capacity target tracking proposes nothing (a wake-up policy must start the first task).
 * - A step policy's metric value is the latest datapoint of its alarm's metric (the aggregation of a single point).
 * - The MISSING treatment's documented oddity "X - - - -" → ALARM (3 of 3) is not modelled: such an alarm stays
 *   INSUFFICIENT_DATA here. The library's alarms use notBreaching.
 */

export type Mode = 'documented' | 'strict';
/** A time series on a one-minute grid: undefined = no datapoint in that minute. */
export type Series = (number | undefined)[];
type Value = { kind: 'scalar'; v: number } | { kind: 'ts'; v: Series } | { kind: 'array'; v: Series[] };

// ---------------------------------------------------------------------------------------------------------------
// Metric math
// ---------------------------------------------------------------------------------------------------------------

type Node =
  | { t: 'num'; v: number }
  | { t: 'id'; name: string }
  | { t: 'kw'; name: string }
  | { t: 'neg'; e: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'call'; fn: string; args: Node[] }
  | { t: 'arr'; items: Node[] };

const FUNCTIONS = new Set(['IF', 'FILL', 'MAX', 'MIN', 'SUM', 'AVG', 'CEIL', 'FLOOR', 'ABS']);
const KEYWORDS = new Set(['REPEAT', 'LINEAR']);

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|&&|\|\||==|!=|<=|>=|[-+*/^()<>,[\]])/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s+$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new Error(`metric math: cannot read '${src.slice(pos)}' in '${src}'`);
    tokens.push(m[1]);
    pos = re.lastIndex;
  }
  return tokens;
}

/** Parse a CloudWatch metric math expression (the subset the library emits). */
export function parseExpression(src: string): Node {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (tok: string) => {
    if (next() !== tok) throw new Error(`metric math: expected '${tok}' in '${src}'`);
  };
  const binary = (ops: string[], sub: () => Node): Node => {
    let l = sub();
    while (ops.includes(peek())) {
      const op = next();
      l = { t: 'bin', op: op === '&&' ? 'AND' : op === '||' ? 'OR' : op, l, r: sub() };
    }
    return l;
  };
  const or = (): Node => binary(['OR', '||'], and);
  const and = (): Node => binary(['AND', '&&'], cmp);
  const cmp = (): Node => binary(['==', '!=', '<=', '>=', '<', '>'], add);
  const add = (): Node => binary(['+', '-'], mul);
  const mul = (): Node => binary(['*', '/'], pow);
  const pow = (): Node => binary(['^'], unary);
  const unary = (): Node => (peek() === '-' ? (next(), { t: 'neg', e: unary() }) : primary());
  const primary = (): Node => {
    const tok = next();
    if (tok === undefined) throw new Error(`metric math: unexpected end of '${src}'`);
    if (tok === '(') {
      const e = or();
      expect(')');
      return e;
    }
    if (tok === '[') {
      const items = [or()];
      while (peek() === ',') {
        next();
        items.push(or());
      }
      expect(']');
      return { t: 'arr', items };
    }
    if (/^\d/.test(tok)) return { t: 'num', v: Number(tok) };
    if (FUNCTIONS.has(tok)) {
      expect('(');
      const args = [or()];
      while (peek() === ',') {
        next();
        args.push(or());
      }
      expect(')');
      return { t: 'call', fn: tok, args };
    }
    if (KEYWORDS.has(tok)) return { t: 'kw', name: tok };
    if (/^[a-z]/.test(tok)) return { t: 'id', name: tok };
    throw new Error(`metric math: unsupported token '${tok}' in '${src}' (the evaluator knows ${[...FUNCTIONS].join(', ')})`);
  };
  const node = or();
  if (i !== tokens.length) throw new Error(`metric math: trailing '${tokens.slice(i).join(' ')}' in '${src}'`);
  return node;
}

const isNum = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

function arith(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : a / b; // "divide by zero, the data point is dropped"
    case '^': return a ** b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case 'AND': return a !== 0 && b !== 0 ? 1 : 0;
    case 'OR': return a !== 0 || b !== 0 ? 1 : 0;
    default: throw new Error(`metric math: unknown operator ${op}`);
  }
}

/** Evaluate an expression over a grid of `length` minutes, with named inputs (metrics or other expressions). */
export function evaluate(src: string, inputs: Record<string, Series>, length: number, mode: Mode = 'documented'): Series {
  const value = evalNode(parseExpression(src), inputs, length, mode);
  if (value.kind === 'ts') return value.v;
  if (value.kind === 'scalar') throw new Error(`metric math: '${src}' yields a scalar; an alarm or policy needs a time series`);
  throw new Error(`metric math: '${src}' yields an array of time series; an alarm or policy needs one`);
}

function evalNode(node: Node, inputs: Record<string, Series>, n: number, mode: Mode): Value {
  const ts = (v: Series): Value => ({ kind: 'ts', v });
  switch (node.t) {
    case 'num': return { kind: 'scalar', v: node.v };
    case 'kw': throw new Error(`metric math: ${node.name} outside FILL`);
    case 'id': {
      const series = inputs[node.name];
      if (!series) throw new Error(`metric math: no metric or expression with id '${node.name}'`);
      return ts(series);
    }
    case 'arr': return { kind: 'array', v: node.items.map(item => asSeries(evalNode(item, inputs, n, mode), n)) };
    case 'neg': {
      const e = evalNode(node.e, inputs, n, mode);
      if (e.kind === 'scalar') return { kind: 'scalar', v: -e.v };
      return ts(asSeries(e, n).map(x => (isNum(x) ? -x : undefined)));
    }
    case 'bin': {
      const l = evalNode(node.l, inputs, n, mode);
      const r = evalNode(node.r, inputs, n, mode);
      if (l.kind === 'scalar' && r.kind === 'scalar') {
        const v = arith(node.op, l.v, r.v);
        if (v === undefined) throw new Error('metric math: scalar division by zero');
        return { kind: 'scalar', v };
      }
      if (l.kind === 'array' || r.kind === 'array') throw new Error('metric math: operators on arrays of time series are not used by the library');
      const out: Series = [];
      for (let i = 0; i < n; i++) {
        const a = l.kind === 'scalar' ? l.v : l.v[i];
        const b = r.kind === 'scalar' ? r.v : r.v[i];
        if (!isNum(a) && !isNum(b)) {
          out.push(undefined);
        } else if (!isNum(a) || !isNum(b)) {
          // Documented: the missing operand counts as 0. Strict: no point.
          out.push(mode === 'strict' || (l.kind === 'scalar' || r.kind === 'scalar') ? undefined : arith(node.op, a ?? 0, b ?? 0));
        } else {
          out.push(arith(node.op, a, b));
        }
      }
      return ts(out);
    }
    case 'call': return call(node.fn, node.args, inputs, n, mode);
  }
}

function asSeries(v: Value, n: number): Series {
  if (v.kind === 'ts') return v.v;
  if (v.kind === 'scalar') return Array.from({ length: n }, () => v.v);
  throw new Error('metric math: expected a time series, got an array');
}

function call(fn: string, args: Node[], inputs: Record<string, Series>, n: number, mode: Mode): Value {
  const arg = (k: number) => evalNode(args[k], inputs, n, mode);
  switch (fn) {
    case 'IF': {
      const cond = arg(0);
      const yes = arg(1);
      const no = args[2] ? arg(2) : undefined;
      if (cond.kind !== 'ts') throw new Error('metric math: IF over a scalar condition is not used by the library');
      const out: Series = cond.v.map((c, i) => {
        if (!isNum(c)) return undefined;
        if (c !== 0) {
          const y = yes.kind === 'scalar' ? yes.v : asSeries(yes, n)[i];
          return isNum(y) ? y : (mode === 'strict' ? undefined : 0);
        }
        if (!no) return undefined;
        const f = no.kind === 'scalar' ? no.v : asSeries(no, n)[i];
        return isNum(f) ? f : undefined;
      });
      return { kind: 'ts', v: out };
    }
    case 'FILL': {
      const target = arg(0);
      const fillArg = args[1];
      const fillOne = (s: Series): Series => {
        if (fillArg.t === 'kw' && fillArg.name === 'REPEAT') {
          // The most recent earlier value; before the first value, the first value.
          const first = s.find(isNum);
          let last = first;
          return s.map(x => (isNum(x) ? (last = x) : last));
        }
        if (fillArg.t === 'kw') throw new Error(`metric math: FILL(${fillArg.name}) is not used by the library`);
        const with_ = evalNode(fillArg, inputs, n, mode);
        return s.map((x, i) => (isNum(x) ? x : (with_.kind === 'scalar' ? with_.v : asSeries(with_, n)[i])));
      };
      if (target.kind === 'array') return { kind: 'array', v: target.v.map(fillOne) };
      return { kind: 'ts', v: fillOne(asSeries(target, n)) };
    }
    case 'MAX': case 'MIN': case 'SUM': case 'AVG': {
      const a = arg(0);
      const reduce = (xs: number[]) => (fn === 'MAX' ? Math.max(...xs) : fn === 'MIN' ? Math.min(...xs)
        : fn === 'SUM' ? xs.reduce((p, c) => p + c, 0) : xs.reduce((p, c) => p + c, 0) / xs.length);
      if (a.kind === 'ts') {
        const xs = a.v.filter(isNum);
        return { kind: 'scalar', v: xs.length ? reduce(xs) : 0 };
      }
      if (a.kind !== 'array') throw new Error(`metric math: ${fn} needs a time series or an array`);
      const out: Series = [];
      for (let i = 0; i < n; i++) {
        const points = a.v.map(s => s[i]);
        const present = points.filter(isNum);
        // No series has a point: no point. Strict: every series must have one. Documented: missing values count as 0.
        const none = present.length === 0 || (mode === 'strict' && present.length < points.length);
        out.push(none ? undefined : reduce(points.map(x => (isNum(x) ? x : 0))));
      }
      return { kind: 'ts', v: out };
    }
    case 'CEIL': case 'FLOOR': case 'ABS': {
      const f = fn === 'CEIL' ? Math.ceil : fn === 'FLOOR' ? Math.floor : Math.abs;
      const a = arg(0);
      if (a.kind === 'scalar') return { kind: 'scalar', v: f(a.v) };
      return { kind: 'ts', v: asSeries(a, n).map(x => (isNum(x) ? f(x) : undefined)) };
    }
    default: throw new Error(`metric math: unknown function ${fn}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading metrics from the template
// ---------------------------------------------------------------------------------------------------------------

/** A metric as the template names it; `refs` are the logical IDs its dimensions reference. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
  readonly refs: string[];
  /** The period the template reads the metric at, in seconds (60 unless it says otherwise). */
  readonly period?: number;
}

/** Where a scenario's metric data comes from: undefined = the metric has no datapoint at all. */
export type MetricSource = (metric: MetricRef) => Series | undefined;

/** Logical IDs referenced (Ref, Fn::GetAtt) anywhere in a template fragment. */
export function referencedIds(fragment: unknown): string[] {
  const ids = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      x.forEach(walk);
    } else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
        if (k === 'Ref' && typeof v === 'string') ids.add(v);
        else if (k === 'Fn::GetAtt' && Array.isArray(v)) ids.add(String(v[0]));
        else walk(v);
      }
    }
  };
  walk(fragment);
  return [...ids].sort();
}

/** A series of a metric, or all-missing when the source has none. */
function seriesOf(source: MetricSource, metric: MetricRef, length: number): Series {
  return source(metric) ?? Array.from({ length }, () => undefined);
}

/** The MetricDataQuery list of an alarm or a customized target-tracking metric, evaluated to its returned series. */
export function evaluateQueries(queries: any[], source: MetricSource, length: number, mode: Mode, period = 60): Series {
  const inputs: Record<string, Series> = {};
  for (const q of queries.filter(x => x.MetricStat)) {
    const m = q.MetricStat.Metric;
    // One grid per evaluation: every metric of the query list is read at the evaluation's period (one-minute, or
    // 20 seconds for a high-resolution alarm over 20-second metrics).
    if ((q.MetricStat.Period ?? 60) !== period) throw new Error(`metric '${q.Id}' is read every ${q.MetricStat.Period} s, the evaluation every ${period} s`);
    const ref = { namespace: m.Namespace, metricName: m.MetricName, stat: q.MetricStat.Stat, refs: referencedIds(m.Dimensions), period };
    inputs[q.Id] = seriesOf(source, ref, length);
  }
  const expressions = queries.filter(x => x.Expression);
  // Expressions may use each other: evaluate until all resolve (the library uses at most one level).
  for (let pass = 0; pass < expressions.length; pass++) {
    for (const e of expressions) {
      if (inputs[e.Id]) continue;
      try {
        inputs[e.Id] = evaluate(e.Expression, inputs, length, mode);
      } catch (err) {
        if (!/no metric or expression with id/.test(String(err))) throw err;
      }
    }
  }
  const returned = queries.filter(x => x.ReturnData !== false);
  if (returned.length !== 1) throw new Error(`exactly one query must return data (got ${returned.length})`);
  const series = inputs[returned[0].Id];
  if (!series) throw new Error(`query '${returned[0].Id}' could not be evaluated`);
  return series;
}

// ---------------------------------------------------------------------------------------------------------------
// Alarms
// ---------------------------------------------------------------------------------------------------------------

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** An alarm as synthesized (AWS::CloudWatch::Alarm properties). */
export interface AlarmResource {
  readonly logicalId: string;
  readonly props: any;
}

/** The alarm's metric (single metric or metric math) as a series. */
export function alarmSeries(alarm: AlarmResource, source: MetricSource, length: number, mode: Mode): Series {
  const p = alarm.props;
  if (p.Metrics) return evaluateQueries(p.Metrics, source, length, mode, alarmPeriod(alarm));
  if (p.Period !== 60) throw new Error(`only one-minute periods are modelled (got ${p.Period})`);
  const ref = { namespace: p.Namespace, metricName: p.MetricName, stat: p.Statistic ?? p.ExtendedStatistic, refs: referencedIds(p.Dimensions) };
  return seriesOf(source, ref, length);
}

/** The alarm's period in seconds: its own, or that of its metric-math metrics. */
export function alarmPeriod(alarm: AlarmResource): number {
  const p = alarm.props;
  return p.Period ?? p.Metrics?.find((q: any) => q.MetricStat)?.MetricStat.Period ?? 60;
}

function breaches(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'GreaterThanThreshold': return value > threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`comparison ${op} is not modelled`);
  }
}

/**
 * The alarm's state after each minute, following the documented evaluation: the most recent existing datapoints
 * in the evaluation range; when fewer than N exist, missing ones are filled by treatMissingData, as few as possible.
 */
export function alarmStates(alarm: AlarmResource, series: Series): AlarmState[] {
  const p = alarm.props;
  const n: number = p.EvaluationPeriods;
  const m: number = p.DatapointsToAlarm ?? n;
  const treat: string = p.TreatMissingData ?? 'missing';
  const range = n + 2;
  const states: AlarmState[] = [];
  let state: AlarmState = 'INSUFFICIENT_DATA';
  for (let t = 0; t < series.length; t++) {
    const window = series.slice(Math.max(0, t - range + 1), t + 1);
    const existing = window.filter(isNum).map(v => breaches(p.ComparisonOperator, v, p.Threshold));
    let evaluated: (boolean | undefined)[];
    if (existing.length >= n) {
      evaluated = existing.slice(-n);
    } else {
      const fill = treat === 'breaching' ? true : treat === 'notBreaching' ? false : undefined;
      evaluated = [...existing, ...Array.from({ length: n - existing.length }, () => fill)];
    }
    const breaching = evaluated.filter(x => x === true).length;
    const fine = evaluated.filter(x => x === false).length;
    if (breaching >= m) state = 'ALARM';
    else if (fine > 0) state = 'OK';
    else if (treat !== 'ignore') state = 'INSUFFICIENT_DATA';
    states.push(state);
  }
  return states;
}

/** Minutes (indices) at which the alarm entered ALARM. */
export function alarmFirings(states: AlarmState[]): number[] {
  return states.flatMap((s, i) => (s === 'ALARM' && (i === 0 || states[i - 1] !== 'ALARM') ? [i] : []));
}

// ---------------------------------------------------------------------------------------------------------------
// Scaling
// ---------------------------------------------------------------------------------------------------------------

interface StepPolicy {
  readonly kind: 'step';
  readonly logicalId: string;
  readonly adjustmentType: string;
  readonly cooldown: number;
  readonly steps: { lower?: number; upper?: number; adjustment: number }[];
  readonly alarm: AlarmResource;
}

interface TrackingPolicy {
  readonly kind: 'tracking';
  readonly logicalId: string;
  readonly target: number;
  readonly disableScaleIn: boolean;
  readonly scaleInCooldown: number;
  readonly scaleOutCooldown: number;
  readonly metric: (source: MetricSource, length: number, mode: Mode) => Series;
}

/**
 * A predictive scaling policy: each hour's forecast capacity is the forecast load of that hour divided by the target
 * per task, scheduled `schedulingBuffer` seconds before the hour starts.
 */
interface PredictivePolicy {
  readonly kind: 'predictive';
  readonly logicalId: string;
  readonly mode: 'ForecastOnly' | 'ForecastAndScale';
  readonly target: number;
  /** The predefined metric pair, or 'custom' for customized load and scaling metrics. */
  readonly metricPair: string;
  readonly schedulingBufferSeconds: number;
  readonly breach: 'HonorMaxCapacity' | 'IncreaseMaxCapacity';
  readonly maxCapacityBuffer?: number;
}

type Policy = StepPolicy | TrackingPolicy | PredictivePolicy;

/** The scalable target and its policies, read from a synthesized template. */
export interface ScalingModel {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly roleArn: unknown;
  readonly policies: Policy[];
}

/** Translate a predefined target-tracking metric into the metric it stands for. */
function predefinedMetric(spec: any, targetRefs: string[]): MetricRef {
  switch (spec.PredefinedMetricType) {
    case 'ECSServiceAverageCPUUtilization': return { namespace: 'AWS/ECS', metricName: 'CPUUtilization', stat: 'Average', refs: targetRefs };
    case 'ECSServiceAverageMemoryUtilization': return { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', stat: 'Average', refs: targetRefs };
    case 'ECSServiceAverageCPUUtilizationHighResolution': return { namespace: 'AWS/ECS', metricName: 'CPUUtilization', stat: 'Average', refs: targetRefs, period: 20 };
    case 'ECSServiceAverageMemoryUtilizationHighResolution': return { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', stat: 'Average', refs: targetRefs, period: 20 };
    case 'ALBRequestCountPerTarget': return { namespace: 'AWS/ApplicationELB', metricName: 'RequestCountPerTarget', stat: 'Sum', refs: referencedIds(spec.ResourceLabel) };
    default: throw new Error(`predefined metric ${spec.PredefinedMetricType} is not modelled`);
  }
}

/** Read the scalable target whose resource ID references `serviceLogicalId`, its policies and their alarms. */
export function readScaling(template: any, serviceLogicalId: string): ScalingModel {
  const resources: Record<string, any> = template.Resources;
  const targets = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget'
    && referencedIds(r.Properties.ResourceId).includes(serviceLogicalId));
  if (targets.length !== 1) throw new Error(`expected one scalable target for ${serviceLogicalId}, found ${targets.length}`);
  const [targetId, target] = targets[0];
  const targetRefs = referencedIds(target.Properties.ResourceId);
  const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  const policies: Policy[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::ApplicationAutoScaling::ScalingPolicy') continue;
    if (!referencedIds(r.Properties.ScalingTargetId).includes(targetId)) continue;
    const p = r.Properties;
    if (p.PolicyType === 'PredictiveScaling') {
      const c = p.PredictiveScalingPolicyConfiguration;
      if (c.MetricSpecifications.length !== 1) throw new Error(`predictive policy ${id}: AWS supports one metric specification`);
      const spec = c.MetricSpecifications[0];
      policies.push({
        kind: 'predictive',
        logicalId: id,
        mode: c.Mode ?? 'ForecastOnly',
        target: spec.TargetValue,
        metricPair: spec.PredefinedMetricPairSpecification?.PredefinedMetricType ?? 'custom',
        schedulingBufferSeconds: c.SchedulingBufferTime ?? 300,
        breach: c.MaxCapacityBreachBehavior ?? 'HonorMaxCapacity',
        maxCapacityBuffer: c.MaxCapacityBuffer,
      });
      continue;
    }
    if (p.PolicyType === 'StepScaling') {
      const c = p.StepScalingPolicyConfiguration;
      const alarm = alarms.find(([, a]) => referencedIds(a.Properties.AlarmActions ?? []).includes(id));
      if (!alarm) throw new Error(`step policy ${id} has no alarm`);
      policies.push({
        kind: 'step',
        logicalId: id,
        adjustmentType: c.AdjustmentType,
        cooldown: c.Cooldown ?? 300,
        steps: c.StepAdjustments.map((s: any) => ({
          lower: s.MetricIntervalLowerBound, upper: s.MetricIntervalUpperBound, adjustment: s.ScalingAdjustment,
        })),
        alarm: { logicalId: alarm[0], props: alarm[1].Properties },
      });
    } else {
      const c = p.TargetTrackingScalingPolicyConfiguration;
      let metric: TrackingPolicy['metric'];
      if (c.PredefinedMetricSpecification) {
        const ref = predefinedMetric(c.PredefinedMetricSpecification, targetRefs);
        metric = (source, length) => seriesOf(source, ref, length);
      } else if (c.CustomizedMetricSpecification?.Metrics) {
        const queries = c.CustomizedMetricSpecification.Metrics;
        metric = (source, length, mode) => evaluateQueries(queries, source, length, mode);
      } else {
        const s = c.CustomizedMetricSpecification;
        const ref = { namespace: s.Namespace, metricName: s.MetricName, stat: s.Statistic, refs: referencedIds(s.Dimensions) };
        metric = (source, length) => seriesOf(source, ref, length);
      }
      policies.push({
        kind: 'tracking',
        logicalId: id,
        target: c.TargetValue,
        disableScaleIn: c.DisableScaleIn ?? false,
        scaleInCooldown: c.ScaleInCooldown ?? 300,
        scaleOutCooldown: c.ScaleOutCooldown ?? 300,
        metric,
      });
    }
  }
  return { minCapacity: target.Properties.MinCapacity, maxCapacity: target.Properties.MaxCapacity, roleArn: target.Properties.RoleARN, policies };
}

/** The world a scenario runs in: it turns the desired count into running tasks and metrics, minute by minute. */
export interface World {
  /** Metric data so far (series of length minute + 1). */
  readonly source: MetricSource;
  /** Advance one minute with this desired count; record the metrics of that minute. */
  step(minute: number, desired: number): void;
  /**
   * The load predictive scaling forecast for each hour from the metric's history, in the load metric's units (for
   * the CPU pair: the service's total CPU utilization, the sum over its tasks), if the scenario has one.
   */
  forecastLoad?(hour: number): number | undefined;
}

/** What the simulator saw. */
export interface ScalingTrace {
  readonly desired: number[];
  /** Each capacity change: minute, from, to, which policies proposed the winning capacity. */
  readonly changes: { minute: number; from: number; to: number; by: string[] }[];
  /** The scalable target's maximum in each minute (predictive scaling with IncreaseMaxCapacity raises it). */
  readonly maxCapacity: number[];
  /** The forecast capacity in force in each minute, in both modes (undefined without a forecast). */
  readonly forecast: (number | undefined)[];
}

/**
 * Run the policies over `minutes` minutes. Each minute: the world runs with the current desired count and publishes
 * metrics; each policy proposes a capacity; the largest scale-out proposal wins, else (when every scale-in-enabled
 * target-tracking policy is ready to scale in, and no policy wants out) the largest scale-in proposal.
 */
export function simulateScaling(model: ScalingModel, world: World, minutes: number, initial: number, mode: Mode = 'documented'): ScalingTrace {
  let desired = initial;
  let maxCapacity = model.maxCapacity;
  const trace: ScalingTrace = { desired: [], changes: [], maxCapacity: [], forecast: [] };
  const lastOut = new Map<string, { minute: number; base: number }>();
  const lastIn = new Map<string, number>();
  const clamp = (c: number) => Math.min(maxCapacity, Math.max(model.minCapacity, c));
  for (let t = 0; t < minutes; t++) {
    world.step(t, desired);
    const length = t + 1;
    const outs: { by: string; capacity: number }[] = [];
    const ins: { by: string; capacity: number }[] = [];
    let trackingReadyIn = true;
    let anyTrackingIn = false;
    // The forecast capacity in force: the hour whose scheduled action has started (the buffer moves it earlier).
    let floor = model.minCapacity;
    let forecastNow: number | undefined;
    for (const p of model.policies) {
      if (p.kind === 'predictive') {
        const hour = Math.floor((t * 60 + p.schedulingBufferSeconds) / 3600);
        const load = world.forecastLoad?.(hour);
        if (load === undefined) continue;
        const capacity = Math.ceil(load / p.target);
        forecastNow = capacity;
        if (p.mode !== 'ForecastAndScale') continue;
        if (p.breach === 'IncreaseMaxCapacity' && capacity > maxCapacity) {
          // "if the buffer is 10 ... the forecast capacity is 50, and the maximum capacity is 40, then the effective
          // maximum capacity is 55"; the raised maximum stays.
          maxCapacity = Math.ceil(capacity * (1 + (p.maxCapacityBuffer ?? 0) / 100));
        }
        const proposal = clamp(capacity);
        floor = Math.max(floor, proposal);
        // Predictive scaling only adds capacity: a forecast below the current count proposes nothing.
        if (proposal > desired) outs.push({ by: p.logicalId, capacity: proposal });
        continue;
      }
      if (p.kind === 'step') {
        const series = alarmSeries(p.alarm, world.source, length, mode);
        const states = alarmStates(p.alarm, series);
        if (states[t] !== 'ALARM') continue;
        const value = [...series].reverse().find(isNum);
        if (value === undefined) continue;
        const delta = value - p.alarm.props.Threshold;
        const step = p.steps.find(s => (delta >= 0
          ? (s.lower === undefined || delta >= s.lower) && (s.upper === undefined || delta < s.upper)
          : (s.lower === undefined || delta > s.lower) && (s.upper === undefined || delta <= s.upper)));
        if (!step) continue;
        const cooling = lastOut.get(p.logicalId);
        const inCooldown = cooling !== undefined && (t - cooling.minute) * 60 < p.cooldown;
        const base = inCooldown ? cooling.base : desired;
        const proposal = clamp(adjust(p.adjustmentType, base, step.adjustment));
        if (proposal > desired) {outs.push({ by: p.logicalId, capacity: proposal });} else if (proposal < desired) {
          const lastScaleIn = lastIn.get(p.logicalId);
          if (lastScaleIn === undefined || (t - lastScaleIn) * 60 >= p.cooldown) ins.push({ by: p.logicalId, capacity: proposal });
        }
      } else {
        const series = p.metric(world.source, length, mode);
        const last = (k: number) => series.slice(-k);
        const high = series.length >= 3 && last(3).every(v => isNum(v) && v > p.target);
        const low = series.length >= 15 && last(15).every(v => isNum(v) && v < 0.9 * p.target);
        const value = series[t];
        if (!p.disableScaleIn) {
          anyTrackingIn = true;
          if (!low) trackingReadyIn = false;
        }
        if (high && isNum(value) && desired > 0) {
          const cooling = lastOut.get(p.logicalId);
          const inCooldown = cooling !== undefined && (t - cooling.minute) * 60 < p.scaleOutCooldown;
          const proposal = clamp(Math.ceil((inCooldown ? cooling.base : desired) * value / p.target));
          if (proposal > desired) outs.push({ by: p.logicalId, capacity: proposal });
        } else if (low && !p.disableScaleIn && isNum(value)) {
          const lastScaleIn = lastIn.get(p.logicalId);
          const cooled = lastScaleIn === undefined || (t - lastScaleIn) * 60 >= p.scaleInCooldown;
          const proposal = clamp(Math.ceil(desired * value / p.target));
          if (cooled && proposal < desired) ins.push({ by: p.logicalId, capacity: proposal });
        }
      }
    }
    let next = desired;
    let by: string[] = [];
    if (outs.length > 0) {
      next = Math.max(...outs.map(o => o.capacity));
      by = outs.filter(o => o.capacity === next).map(o => o.by);
      for (const id of by) {
        const cooling = lastOut.get(id);
        const cooldown = cooldownOf(model, id, 'out');
        // A scale-out during the cooldown keeps the cooldown's base: the capacity already added counts.
        lastOut.set(id, cooling && (t - cooling.minute) * 60 < cooldown ? cooling : { minute: t, base: desired });
      }
    } else if (ins.length > 0 && (!anyTrackingIn || trackingReadyIn || ins.every(i => model.policies.find(p => p.logicalId === i.by)?.kind === 'step'))) {
      // Not below the forecast capacity in force (predictive scaling holds it for its hour).
      next = Math.max(floor, ...ins.map(i => i.capacity));
      by = ins.filter(i => i.capacity === next).map(i => i.by);
      for (const id of by) lastIn.set(id, t);
    }
    const clamped = clamp(next);
    if (clamped !== desired) {
      trace.changes.push({ minute: t, from: desired, to: clamped, by });
      desired = clamped;
    }
    trace.desired.push(desired);
    trace.maxCapacity.push(maxCapacity);
    trace.forecast.push(forecastNow);
  }
  return trace;
}

function cooldownOf(model: ScalingModel, id: string, direction: 'in' | 'out'): number {
  const p = model.policies.find(x => x.logicalId === id)!;
  if (p.kind === 'predictive') return 0;
  if (p.kind === 'step') return p.cooldown;
  return direction === 'out' ? p.scaleOutCooldown : p.scaleInCooldown;
}

function adjust(type: string, current: number, adjustment: number): number {
  switch (type) {
    case 'ChangeInCapacity': return current + adjustment;
    case 'ExactCapacity': return adjustment;
    case 'PercentChangeInCapacity': {
      const raw = current * adjustment / 100;
      const rounded = raw > 1 ? Math.floor(raw) : raw > 0 ? 1 : raw > -1 ? (raw < 0 ? -1 : 0) : Math.ceil(raw);
      return current + rounded;
    }
    default: throw new Error(`adjustment type ${type} is not modelled`);
  }
}

/** Number of times the capacity changed direction (up then down, or down then up). */
export function directionChanges(trace: ScalingTrace): number {
  let changes = 0;
  let last = 0;
  for (const c of trace.changes) {
    const dir = Math.sign(c.to - c.from);
    if (last !== 0 && dir !== last) changes++;
    last = dir;
  }
  return changes;
}

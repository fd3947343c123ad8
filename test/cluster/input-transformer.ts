/**
 * Render an EventBridge input transformer against a sample event the way EventBridge documents it, for the unit
 * tests (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):
 * - each `InputPathsMap` entry is a JSON path (dot notation, array indices) into the event; a path that does not
 *   exist creates no variable, and its placeholder does not appear in the output;
 * - a template that is JSON (an object, array or string literal) gets each placeholder outside a string literal
 *   replaced by the value as JSON, and each placeholder inside a string literal replaced by the raw value:
 *   "EventBridge does not escape values extracted by Input Path, when populating the Input Template";
 * - any other template is text, and values are inserted as they are (strings without quotes).
 *
 * `json` tells whether the template was JSON; `valid` whether the output is still valid JSON then.
 */
export interface RenderedInput {
  readonly text: string;
  readonly json: boolean;
  readonly valid: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value at a JSON path such as `$.detail.containers[0].name` (undefined when absent). */
export function valueAtPath(event: Json, path: string): Json | undefined {
  if (!path.startsWith('$')) throw new Error(`not a JSON path: ${path}`);
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  let current: Json | undefined = event;
  for (const step of steps) {
    if (current === undefined || current === null || typeof current !== 'object') return undefined;
    if (step.startsWith('[')) {
      current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
    } else {
      current = Array.isArray(current) ? undefined : (current as { [key: string]: Json })[step.slice(1)];
    }
  }
  return current;
}

/** Whether the template, with placeholders stubbed out, is a JSON value. */
function isJsonTemplate(template: string): boolean {
  const trimmed = template.trim();
  if (!/^[{["]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed.replace(/"(?:[^"\\]|\\.)*"|<[^<>\s]+>/g, m => (m.startsWith('"') ? m : 'null')));
    return true;
  } catch {
    return false;
  }
}

export function renderInputTransformer(transformer: { InputPathsMap?: Record<string, string>; InputTemplate: string }, event: object): RenderedInput {
  const values: Record<string, Json> = {};
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    const value = valueAtPath(event as Json, path);
    if (value !== undefined) values[name] = value;
  }
  values['aws.events.event'] = event as Json;
  const template = transformer.InputTemplate;
  const json = isJsonTemplate(template);
  const raw = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));
  let text: string;
  if (json) {
    // Walk the template, tracking whether we are inside a JSON string literal.
    let out = '';
    let inString = false;
    for (let i = 0; i < template.length; i++) {
      const c = template[i];
      if (c === '\\' && inString) {
        out += c + template[i + 1];
        i++;
        continue;
      }
      if (c === '"') inString = !inString;
      const placeholder = c === '<' ? /^<([^<>\s]+)>/.exec(template.slice(i)) : null;
      if (placeholder) {
        const value = values[placeholder[1]];
        out += value === undefined ? '' : inString ? raw(value) : JSON.stringify(value);
        i += placeholder[0].length - 1;
        continue;
      }
      out += c;
    }
    text = out;
  } else {
    text = template.replace(/<([^<>\s]+)>/g, (_m, name: string) => (values[name] === undefined ? '' : raw(values[name])));
  }
  let valid = true;
  if (json) {
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
  }
  return { text, json, valid };
}

import type { SyntaxNode } from '../../src/engine/types.js';
import { calleeName, lastSegment, stringValue } from './syntax.js';

/**
 * Reading durations written in code, for rules about lifetimes and timeouts: `'7d'` (the `ms`
 * package format used by jsonwebtoken, jose and NestJS), `60 * 60 * 24 * 7`, `timedelta(days=7)`.
 * Everything returns seconds, or undefined when the value is not a literal we can evaluate.
 */

const MS_UNITS: Record<string, number> = {
  ms: 0.001,
  msec: 0.001,
  msecs: 0.001,
  millisecond: 0.001,
  milliseconds: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
  y: 31557600,
  yr: 31557600,
  yrs: 31557600,
  year: 31557600,
  years: 31557600,
};

/**
 * `'7d'`, `'2 days'`, `'12h'` → seconds. A string without a unit is milliseconds, as the `ms`
 * package (and so jsonwebtoken) reads it.
 */
export function parseDurationString(text: string): number | undefined {
  const m = /^\s*(\d*\.?\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (!unit) return value / 1000;
  const factor = MS_UNITS[unit];
  return factor === undefined ? undefined : value * factor;
}

/** A numeric literal or arithmetic on literals: `60 * 60 * 24 * 7`, `7 * DAY` when `DAY` resolves. */
export function numericValue(node: SyntaxNode | null | undefined, resolve?: (name: string) => SyntaxNode | undefined, depth = 0): number | undefined {
  if (!node || depth > 8) return undefined;
  switch (node.type) {
    case 'number':
    case 'integer':
    case 'float': {
      const n = Number(node.text.replace(/_/g, '').replace(/n$/, ''));
      return Number.isFinite(n) ? n : undefined;
    }
    case 'parenthesized_expression':
      return numericValue(node.namedChildren.find((c) => c.type !== 'comment'), resolve, depth + 1);
    case 'binary_expression':
    case 'binary_operator': {
      const left = numericValue(node.childForFieldName('left'), resolve, depth + 1);
      const right = numericValue(node.childForFieldName('right'), resolve, depth + 1);
      if (left === undefined || right === undefined) return undefined;
      switch (node.childForFieldName('operator')?.text ?? node.children[1]?.text) {
        case '*':
          return left * right;
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '/':
        case '//':
          return right === 0 ? undefined : left / right;
        default:
          return undefined;
      }
    }
    case 'identifier': {
      const value = resolve?.(node.text);
      return value ? numericValue(value, resolve, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

const TIMEDELTA_SECONDS: Record<string, number> = {
  weeks: 604800,
  days: 86400,
  hours: 3600,
  minutes: 60,
  seconds: 1,
  milliseconds: 0.001,
  microseconds: 0.000001,
};
const TIMEDELTA_POSITIONAL = [86400, 1, 0.000001, 0.001, 60, 3600, 604800];

/** `timedelta(days=7)`, `datetime.timedelta(hours=48)`, `timedelta(7)` → seconds. */
export function timedeltaSeconds(call: SyntaxNode, resolve?: (name: string) => SyntaxNode | undefined): number | undefined {
  if (call.type !== 'call' || lastSegment(calleeName(call)) !== 'timedelta') return undefined;
  let total = 0;
  let position = 0;
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const unit = TIMEDELTA_SECONDS[arg.childForFieldName('name')?.text ?? ''];
      const value = numericValue(arg.childForFieldName('value'), resolve);
      if (unit === undefined || value === undefined) return undefined;
      total += unit * value;
    } else {
      const unit = TIMEDELTA_POSITIONAL[position++];
      const value = numericValue(arg, resolve);
      if (unit === undefined || value === undefined) return undefined;
      total += unit * value;
    }
  }
  return total;
}

/** A string duration (`'7d'`) or a number of `unitSeconds` each. */
export function durationValue(node: SyntaxNode | null | undefined, unitSeconds: number, resolve?: (name: string) => SyntaxNode | undefined): number | undefined {
  if (!node) return undefined;
  const text = stringValue(node);
  if (text !== undefined) return parseDurationString(text);
  const n = numericValue(node, resolve);
  return n === undefined ? undefined : n * unitSeconds;
}

/** `604800` → "7 days", `129600` → "36 hours". */
export function describeSeconds(seconds: number): string {
  const days = seconds / 86400;
  if (days >= 365 && days % 365 < 1) return plural(Math.floor(days / 365), 'year');
  if (days >= 2) return plural(Math.round(days * 10) / 10, 'day');
  return plural(Math.round((seconds / 3600) * 10) / 10, 'hour');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

import { enclosingFunction, PY_METHOD_CALL, TS_METHOD_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A value read from a shared store, compared, and then deleted or overwritten by a separate
 * command: between the read and the write another request can read the same value and pass the
 * same check. One-time codes become reusable, counters lose updates.
 *
 * Kept narrow for precision: the value must be compared with something (equality, an ordering,
 * or a constant-time compare), not just tested for presence, which is the harmless cache-aside
 * pattern (`if (cached) return cached; … set(key, fresh)`).
 */

const STORE_OBJECT_TS = /(redis|cache|cacheManager|store|kv|keyv|upstash|memcached?)$/i;
const STORE_OBJECT_PY = /(redis|cache|caches\[[^\]]*\]|store|kv|memcache|^r|^rds|^mc)$/i;
const READ_METHODS = new Set(['get', 'hget', 'getBuffer']);
const DELETE_METHODS = new Set(['del', 'unlink', 'hdel', 'delete', 'delete_many']);
const WRITE_METHODS = new Set(['set', 'setex', 'psetex', 'hset', 'hmset', 'mset']);
const COMPARE_FUNCTIONS = /^(timingSafeEqual|safeCompare|constantTimeCompare|compare|compare_digest|constant_time_compare|isEqual|equals|verify|check_password|checkpw)$/;
/** Conversions that keep the value the value: `Number(v)`, `int(v)`, `v.decode()`, `v.toString()`. */
const CONVERSIONS = /^(Number|parseInt|parseFloat|String|int|float|str|bytes|from|decode|toString|strip|trim)$/;
/** Guards that make the read-then-write atomic or serialised. */
const ATOMIC_GUARDS_TS = /\.(watch|eval|evalsha|lock|acquire|using)\s*\(|\bredlock\b|\bRedlock\b/;
const ATOMIC_GUARDS_PY = /\.(watch|eval|evalsha|register_script)\s*\(|\.lock\s*\(|\bRedlock\b|select_for_update\s*\(/;

/**
 * The gate's words. A finding needs a read `OBJECT.get(…)` (or `hget`, `getBuffer`: all start
 * with "get") on an object the STORE_OBJECT patterns accept. Long store names are in the text
 * whatever follows them. The short ones (TS `…kv`; Python `…kv`, `r`, `rds`, `mc`) are too short
 * to be words alone, so the words are taken around the dot instead:
 * - nothing before the dot: `kv.`, `kv?` (`kv?.get`), `rds.`, `mc.`, and `r.get`/`r.hget`;
 * - whitespace or a comment before the dot (a chain broken over lines): GAP + `.get`/`.hget`
 *   (and `?.` in TS). A TS gap ends in whitespace or a block comment's closing star-slash; a
 *   Python one in whitespace (comments and line continuations end with a newline).
 * Assumed: nothing between the dot and `get`. The grammars allow `r. get(…)`, but no formatter
 * writes it, and covering it takes ` get`, which is in most files (TS getters, prose): the gate
 * would let in 57% of Python files instead of ~25%.
 */
const WHITESPACE = ['\t', '\n', '\v', '\f', '\r', ' ', '\u0085', '\u00a0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u2060', '\u200b'];
const READS = ['get', 'hget'];
const TS_GAP_ENDS = [...WHITESPACE, '*/'];
const REQUIRES_TS = ['redis', 'cache', 'store', 'keyv', 'upstash', 'kv.', 'kv?', ...TS_GAP_ENDS.flatMap((gap) => READS.flatMap((read) => [`${gap}.${read}`, `${gap}?.${read}`]))];
const REQUIRES_PY = ['redis', 'cache', 'store', 'kv.', 'rds.', 'mc.', 'r.get', 'r.hget', ...WHITESPACE.flatMap((gap) => READS.map((read) => `${gap}.${read}`))];

interface Read {
  readonly call: SyntaxNode;
  readonly object: string;
  readonly key: string;
  /** The variable the value went into, when it did. */
  readonly value?: string;
}

function normalise(text: string): string {
  return text.replace(/\s+/g, '').replace(/"/g, "'");
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const call = match.captures.read!;
    const method = match.captures.method!.text;
    const object = match.captures.object!;
    if (!READ_METHODS.has(method)) return;
    if (!(python ? STORE_OBJECT_PY : STORE_OBJECT_TS).test(ctx.text(object))) return;
    // In TS a store read is awaited; a synchronous `map.get()` cannot interleave with another request.
    // (tree-sitter-typescript parses `await kv.get<T>(k)` as `(await kv.get)<T>(k)`.)
    const awaited = call.parent?.type === 'await_expression' || call.parent?.type === 'await' || call.childForFieldName('function')?.type === 'await_expression';
    if (!python && !awaited) return;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    if (!args[0]) return;
    const fn = enclosingFunction(call);
    if (!fn) return;
    const read: Read = { call, object: normalise(ctx.text(object)), key: normalise(ctx.text(args[0])), ...valueOf(call, python) };
    if ((python ? ATOMIC_GUARDS_PY : ATOMIC_GUARDS_TS).test(ctx.text(fn))) return;

    const comparison = comparisonOf(read, fn, python);
    if (!comparison) return;
    const act = actOf(read, fn, python, ctx);
    if (!act) return;
    const compareLine = comparison.startPosition.row + 1;
    const actLine = act.node.startPosition.row + 1;
    const message =
      act.kind === 'delete'
        ? `\`${ctx.text(call)}\` is read, compared (line ${compareLine}) and deleted (line ${actLine}) in separate steps: two concurrent requests can both pass the check before either deletes it, so the value can be used twice.`
        : `\`${ctx.text(call)}\` is read, compared (line ${compareLine}) and written back (line ${actLine}) in separate steps: concurrent requests all pass the check on the same old value and overwrite each other's write.`;
    ctx.report({ node: call, message });
  };
}

/** `const stored = await redis.get(key)`, `stored = cache.get(key)`, `count = int(r.get(key) or 0)`. */
function valueOf(call: SyntaxNode, python: boolean): { value?: string } {
  let expression: SyntaxNode = call;
  for (let guard = 0; guard < 6 && expression.parent; guard++) {
    const p = expression.parent;
    if (p.type === 'await_expression' || p.type === 'await' || p.type === 'parenthesized_expression' || p.type === 'as_expression' || p.type === 'non_null_expression') expression = p;
    else if (p.type === 'boolean_operator' || (p.type === 'binary_expression' && /^(\?\?|\|\|)$/.test(p.childForFieldName('operator')?.text ?? ''))) expression = p;
    else if ((p.type === 'arguments' || p.type === 'argument_list') && CONVERSIONS.test(p.parent?.childForFieldName('function')?.text ?? '')) expression = p.parent!;
    else break;
  }
  const parent = expression.parent;
  if (!python && parent?.type === 'variable_declarator' && parent.childForFieldName('value')?.startIndex === expression.startIndex) {
    const name = parent.childForFieldName('name');
    return name?.type === 'identifier' ? { value: name.text } : {};
  }
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.startIndex === expression.startIndex) {
    const left = parent.childForFieldName('left');
    return left?.type === 'identifier' ? { value: left.text } : {};
  }
  return {};
}

/** Whether `node` is the read value itself, possibly converted: `stored`, `Number(stored)`, `stored.decode()`. */
function isTheValue(node: SyntaxNode | null | undefined, read: Read): boolean {
  let n = node ?? undefined;
  for (let guard = 0; n && guard < 6; guard++) {
    if (n.startIndex === read.call.startIndex && n.endIndex === read.call.endIndex) return true;
    if (n.type === 'identifier') return n.text === read.value;
    if (n.type === 'await_expression' || n.type === 'await' || n.type === 'parenthesized_expression' || n.type === 'non_null_expression') {
      n = n.namedChild(0) ?? undefined;
      continue;
    }
    if (n.type === 'unary_expression' && n.text.startsWith('+')) {
      n = n.namedChild(0) ?? undefined;
      continue;
    }
    if (n.type === 'call_expression' || n.type === 'call') {
      const fn = n.childForFieldName('function');
      const name = fn?.type === 'member_expression' || fn?.type === 'attribute' ? fn.childForFieldName(fn.type === 'attribute' ? 'attribute' : 'property')?.text : fn?.text;
      if (!name || !CONVERSIONS.test(name)) return false;
      // `stored.decode()` converts its object; `Number(stored)` and `Buffer.from(stored)` their argument.
      const member = fn?.type === 'member_expression' || fn?.type === 'attribute';
      const onType = member && /^[A-Z]/.test(fn!.childForFieldName('object')?.text ?? '');
      n = member && !onType ? (fn!.childForFieldName('object') ?? undefined) : (n.childForFieldName('arguments')?.namedChildren[0] ?? undefined);
      continue;
    }
    return false;
  }
  return false;
}

const NULLISH = new Set(['null', 'undefined', 'none', 'None']);
const COMPARE_OPERATORS = new Set(['===', '!==', '==', '!=', '<', '<=', '>', '>=']);

/** The first comparison of the value with something that is not null/None, after the read. */
function comparisonOf(read: Read, fn: SyntaxNode, python: boolean): SyntaxNode | undefined {
  for (const node of fn.descendantsOfType(['binary_expression', 'comparison_operator', 'call_expression', 'call'])) {
    if (node.startIndex < read.call.startIndex) continue;
    if (node.type === 'binary_expression' || node.type === 'comparison_operator') {
      const operator = python ? node.children.find((c) => !c.isNamed)?.text : node.childForFieldName('operator')?.text;
      if (!operator || !COMPARE_OPERATORS.has(operator)) continue;
      const [left, right] = python ? [node.namedChildren[0], node.namedChildren[1]] : [node.childForFieldName('left'), node.childForFieldName('right')];
      if (!left || !right) continue;
      const other = isTheValue(left, read) ? right : isTheValue(right, read) ? left : undefined;
      if (other && !NULLISH.has(other.type) && !NULLISH.has(other.text)) return node;
    }
    if (node.type === 'call_expression' || node.type === 'call') {
      const fn2 = node.childForFieldName('function');
      const name = fn2?.type === 'member_expression' || fn2?.type === 'attribute' ? fn2.childForFieldName(fn2.type === 'attribute' ? 'attribute' : 'property')?.text : fn2?.text;
      if (!name || !COMPARE_FUNCTIONS.test(name)) continue;
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      if (args.some((a) => isTheValue(a, read))) return node;
    }
  }
  return undefined;
}

/** A delete or write of the same key on the same store, after the read, that is not itself atomic. */
function actOf(read: Read, fn: SyntaxNode, python: boolean, ctx: RuleContext): { node: SyntaxNode; kind: 'delete' | 'write' } | undefined {
  for (const node of fn.descendantsOfType(['call_expression', 'call'])) {
    if (node.startIndex <= read.call.startIndex) continue;
    const callee = node.childForFieldName('function');
    if (callee?.type !== 'member_expression' && callee?.type !== 'attribute') continue;
    const method = callee.childForFieldName(python ? 'attribute' : 'property')?.text ?? '';
    const isDelete = DELETE_METHODS.has(method);
    if (!isDelete && !WRITE_METHODS.has(method)) continue;
    if (normalise(ctx.text(callee.childForFieldName('object')!)) !== read.object) continue;
    const args = node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    if (!args[0] || normalise(ctx.text(args[0])) !== read.key) continue;
    // `delete` on a Map is synchronous; on a store it is awaited.
    if (!python && method === 'delete' && node.parent?.type !== 'await_expression') continue;
    // `SET key value NX` only writes when nobody did: that is the atomic form.
    if (!isDelete && args.some((a) => /^['"]NX['"]$|\bNX\s*:\s*true|^nx\s*=\s*True$/i.test(ctx.text(a)))) continue;
    return { node, kind: isDelete ? 'delete' : 'write' };
  }
  return undefined;
}

const rule: Rule = {
  meta: {
    id: 'check-then-act-race',
    title: 'Read, compare, then delete/write as separate steps',
    severity: 'P1',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'Between the read and the delete (or write) another request can read the same value and pass the same check: a one-time code, reset token or nonce verified this way can be used twice by two concurrent requests, and a counter checked then set loses increments, so limits are exceeded.',
      fix: 'Make the check and the change one atomic step: `GETDEL` (or a Lua script / `MULTI` with `WATCH`) to consume a one-time value, `SET key value NX` to claim one, `INCR` to count, or a database row locked with `SELECT … FOR UPDATE` / `select_for_update()` inside the transaction.',
      example: {
        bad: "const stored = await redis.get(`otp:${userId}`);\nif (stored !== code) throw new UnauthorizedException();\nawait redis.del(`otp:${userId}`);",
        good: "const stored = await redis.getdel(`otp:${userId}`);\nif (!stored || !timingSafeEqual(Buffer.from(stored), Buffer.from(code))) throw new UnauthorizedException();",
      },
    },
  },
  requires: { ts: REQUIRES_TS, py: REQUIRES_PY },
  ts: {
    query: `
      ${TS_METHOD_CALL} @read
      (call_expression function: (await_expression (member_expression object: (_) @object property: (property_identifier) @method))) @read`,
    onMatch: check(false),
  },
  py: {
    // Every method call (a call always has arguments: the unused @args makes this the shape other
    // rules write, matched once for all of them).
    query: `${PY_METHOD_CALL} @read`,
    onMatch: check(true),
  },
};

export default rule;

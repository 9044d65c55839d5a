import { accessField, accessKey, accessRoot, isPayloadField, isPayloadValue, unwrap } from '../support/payload.js';
import { calleeName, enclosingFunction, lastSegment, objectProperty } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';
import { fileMentions } from '../support/file-hints.js';

/**
 * External payload fields used as if their shape were guaranteed: arithmetic on a field of the
 * request body (`req.body.amount * 100`, `intent["amount_received"] / 100`) or a fixed index
 * into a list from it (`request.data["items"][0]`, `.get("emails", [""])[0]`, which still fails
 * on an empty list).
 *
 * What a payload is lives in `support/payload.ts`. On top of it, a use is clean when:
 * - the field was checked before, in the same function: an `if`/ternary/`assert`/`&&` guard
 *   that mentions it (`if (typeof body.amount !== 'number')`, `if "amount" in data`), or a
 *   validation call on the payload (`schema.parse(req.body)`, `serializer.is_valid()`);
 * - Python: the use sits in a `try` whose handler catches the failure (`except (KeyError,
 *   ValueError)`); TS: a `try` covers indexing only (arithmetic gives `NaN`, it never throws),
 *   and `x * 100 || fallback` covers arithmetic (`NaN` is falsy);
 * - the route validates: Fastify route options with a `schema`, Express validation middleware
 *   (`validate(schema)`, `celebrate(...)`, `body('amount').isInt()`) before the handler;
 * - it is optional-chained (`body.items?.[0]`): the author expects it to be missing;
 * - `+` is only arithmetic when the other side is a number (otherwise it is concatenation), and
 *   a string literal on the other side means formatting or repetition (`"page %s" % page`).
 * Casts (`Number(x)`, `int(x)`) state the expected type and are not reported, though a bad value
 * still raises: the rule is about values used as if their shape were guaranteed.
 */

const TS_ARITHMETIC = new Set(['*', '/', '%', '-', '**']);
const PY_ARITHMETIC = new Set(['*', '/', '//', '%', '-', '**', '@']);

/** Exceptions a Python handler can catch that cover a bad payload field. */
const PY_COVERING = /^(Exception|BaseException|KeyError|IndexError|TypeError|ValueError|LookupError|AttributeError|ArithmeticError|ZeroDivisionError|decimal\.InvalidOperation|InvalidOperation|ValidationError|\w+\.ValidationError)$/;

/** Calls that validate what they are given. */
const VALIDATING_CALL =
  /^(parse|safeParse|parseAsync|safeParseAsync|validate|validateSync|validateAsync|validateOrReject|assert|assertValid|is|check|decode|cast|plainToInstance|plainToClass|model_validate|model_validate_json|parse_obj|parse_raw|is_valid|full_clean|load|validate_json|validate_python|isValid|invariant)$/;

/** Express middleware names that validate the request before the handler. */
const VALIDATION_MIDDLEWARE = /valid|schema|celebrate|zod|joi|yup|sanitiz|checkSchema|(^|\W)(body|query|param|check)\s*\(/i;

const GUARD_NODES_TS = ['if_statement', 'ternary_expression', 'while_statement', 'binary_expression', 'call_expression', 'switch_statement'];
const GUARD_NODES_PY = ['if_statement', 'elif_clause', 'conditional_expression', 'while_statement', 'boolean_operator', 'assert_statement', 'call'];

function operatorOf(node: SyntaxNode): string | undefined {
  return node.childForFieldName('operator')?.text;
}

function isNumber(node: SyntaxNode): boolean {
  const n = unwrap(node);
  return n.type === 'number' || n.type === 'integer' || n.type === 'float';
}

function isTextLiteral(node: SyntaxNode): boolean {
  const n = unwrap(node);
  return ['string', 'concatenated_string', 'template_string'].includes(n.type);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The parts of a guard that state a condition (not the branch it guards). */
function conditionOf(guard: SyntaxNode, python: boolean): SyntaxNode | undefined {
  switch (guard.type) {
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
    case 'ternary_expression':
      return guard.childForFieldName('condition') ?? undefined;
    case 'switch_statement':
      return guard.childForFieldName('value') ?? undefined;
    case 'conditional_expression':
      // `a if cond else b`
      return guard.namedChild(1) ?? undefined;
    case 'binary_expression':
      return ['&&', '||', '??'].includes(operatorOf(guard) ?? '') ? (guard.childForFieldName('left') ?? undefined) : undefined;
    case 'boolean_operator':
      return guard.childForFieldName('left') ?? undefined;
    case 'assert_statement':
      return guard;
    case 'call':
    case 'call_expression': {
      const name = lastSegment(calleeName(guard));
      if (!name) return undefined;
      if (VALIDATING_CALL.test(name) || /^(isinstance|isFinite|isInteger|isNaN|isArray|isSafeInteger|hasattr|len)$/.test(name)) {
        return guard.childForFieldName('arguments') ?? undefined;
      }
      return undefined;
    }
    default:
      return python ? undefined : undefined;
  }
}

/** Whether a condition before `use`, in the same function, looks at the field. */
function checkedBefore(field: SyntaxNode, use: SyntaxNode, python: boolean): boolean {
  const fn = enclosingFunction(use);
  const body = fn?.childForFieldName('body');
  if (!body) return false;
  const key = accessKey(unwrap(field));
  const root = accessRoot(field);
  const name = accessField(field);
  const mentionsKey = new RegExp(`(^|[^\\w.$])${escape(key)}(?![\\w$])`);
  const mentionsRoot = root ? new RegExp(`(^|[^\\w.$])${escape(root)}(?![\\w$])`) : undefined;
  const mentionsName = name ? new RegExp(`(^|[^\\w$])${escape(name)}(?![\\w$])`) : undefined;
  const mentions = (text: string): boolean => mentionsKey.test(text) || (!!mentionsRoot && !!mentionsName && mentionsRoot.test(text) && mentionsName.test(text));

  for (const guard of body.descendantsOfType(python ? GUARD_NODES_PY : GUARD_NODES_TS)) {
    if (guard.startIndex >= use.startIndex) break;
    const condition = conditionOf(guard, python);
    if (!condition || condition.startIndex >= use.startIndex) continue;
    // The use itself is not its own guard: `a && a.b * 2` guards, `x.y * 2 && z` does not.
    if (use.startIndex >= condition.startIndex && use.endIndex <= condition.endIndex) continue;
    const text = condition.text.replace(/\?\./g, '.').replace(/'/g, '"');
    if (mentions(text)) return true;
    // A validation call on the payload's root: `schema.parse(req.body)`, `serializer.is_valid()`.
    if ((guard.type === 'call' || guard.type === 'call_expression') && mentionsRoot?.test(text)) return true;
    if ((guard.type === 'call' || guard.type === 'call_expression') && /^(is_valid|full_clean)$/.test(lastSegment(calleeName(guard)) ?? '')) return true;
  }
  return false;
}

/** Inside a `try` whose handler catches what a bad field raises. */
function insideCoveringTry(use: SyntaxNode, python: boolean): boolean {
  for (let node: SyntaxNode | null = use.parent, child: SyntaxNode = use; node; child = node, node = node.parent) {
    if (['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition', 'lambda'].includes(node.type)) return false;
    if (node.type !== 'try_statement' || child !== node.childForFieldName('body')) continue;
    if (!python) return node.childForFieldName('handler') !== null;
    for (const clause of node.namedChildren.filter((c) => c.type === 'except_clause')) {
      const value = clause.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
      if (!value) return true;
      const typeNode = value.type === 'as_pattern' ? value.namedChild(0) : value;
      const names = typeNode?.type === 'tuple' ? typeNode.namedChildren.map((c) => c.text) : [typeNode?.text ?? ''];
      if (names.some((n) => PY_COVERING.test(n))) return true;
    }
  }
  return false;
}

/** A route whose framework validates the request before the handler runs. */
function routeValidates(use: SyntaxNode): boolean {
  for (let fn = enclosingFunction(use); fn; fn = enclosingFunction(fn)) {
    const parent = fn.parent;
    // fastify.route({ method: 'POST', url, schema, handler })
    if (parent?.type === 'pair' && parent.parent?.type === 'object' && objectProperty(parent.parent, 'schema')) return true;
    if (parent?.type !== 'arguments') continue;
    for (const arg of parent.namedChildren) {
      if (arg === fn) continue;
      if (arg.type === 'object' && objectProperty(arg, 'schema')) return true;
      if (arg.type !== 'string' && arg.type !== 'template_string' && VALIDATION_MIDDLEWARE.test(arg.text)) return true;
    }
  }
  return false;
}

/**
 * In TS a bad field does not throw in arithmetic (it gives `NaN`), so a surrounding `try` covers
 * only indexing; `x * 1000 || fallback` covers arithmetic, since `NaN` is falsy.
 */
function validated(field: SyntaxNode, use: SyntaxNode, python: boolean, arithmetic: boolean): boolean {
  if (checkedBefore(field, use, python) || (!python && routeValidates(use))) return true;
  if (python || !arithmetic) return insideCoveringTry(use, python);
  return defaultedWhenNaN(use);
}

function defaultedWhenNaN(use: SyntaxNode): boolean {
  let node = use;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  const parent = node.parent;
  return parent?.type === 'binary_expression' && operatorOf(parent) === '||' && parent.childForFieldName('left') === node;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 50 ? `${flat.slice(0, 47)}…` : flat;
}

/**
 * Cheap gate before any data-flow work: a file that never touches a request body, a query string,
 * a JSON response or a webhook event has no payload to misuse.
 */
const PAYLOAD_HINT =
  /\b(req|request|ctx|c)\.(body|query|data|POST|GET|json|form|args|values|query_params|get_json|req)\b|\.json\(\)|JSON\.parse|json\.loads|construct_event|\.data\.object\b|\[["']data["']\]\s*\[["']object["']\]/;

function checkArithmetic(node: SyntaxNode, ctx: RuleContext, python: boolean): void {
  const operator = operatorOf(node);
  if (!operator) return;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return;
  const arithmetic = (python ? PY_ARITHMETIC : TS_ARITHMETIC).has(operator);
  for (const [operand, other] of [
    [left, right],
    [right, left],
  ] as const) {
    if (!arithmetic && !(operator === '+' && isNumber(other))) continue;
    // `"page %s" % page`, `"-" * width`: formatting and repetition of a literal, not arithmetic.
    if (isTextLiteral(other)) continue;
    if (!isPayloadField(operand, python)) continue;
    if (validated(operand, node, python, true)) continue;
    const text = shorten(ctx.text(operand));
    ctx.report({
      node: operand,
      key: ctx.text(node),
      message: python
        ? `\`${text}\` comes from an external payload unchecked and is used in arithmetic: a missing key, \`None\` or a string raises (or repeats the string) instead of being rejected as bad input.`
        : `\`${text}\` comes from the request unchecked and is used in arithmetic: a missing field gives \`NaN\`, and a string is silently coerced or concatenated.`,
    });
    return;
  }
}

function isListDefaultGet(node: SyntaxNode): boolean {
  const n = unwrap(node);
  if (n.type !== 'call') return false;
  const fn = n.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (method === 'getlist') return true;
  const args = n.childForFieldName('arguments')?.namedChildren ?? [];
  return method === 'get' && args[1]?.type === 'list';
}

function checkIndex(node: SyntaxNode, object: SyntaxNode, ctx: RuleContext, python: boolean): void {
  if (!python && node.children.some((c) => c.type === 'optional_chain')) return;
  if (!isPayloadValue(object, python)) return;
  if (validated(object, node, python, false)) return;
  const text = shorten(ctx.text(object));
  ctx.report({
    node,
    message: isListDefaultGet(object)
      ? `\`${shorten(ctx.text(node))}\` only covers a missing key: a payload that sends an empty list still raises IndexError.`
      : `\`${shorten(ctx.text(node))}\` assumes \`${text}\` from the payload is a non-empty list: a missing or empty one throws instead of being rejected as bad input.`,
  });
}

const rule: Rule = {
  meta: {
    id: 'unsafe-payload-access',
    title: 'External payload field used without validation',
    severity: 'P2',
    category: 'Reliability',
    languages: ['py', 'ts'],
    docs: {
      why: 'Request bodies, webhook events and API responses are whatever the sender chose to send. Doing arithmetic on a field or indexing a list from one without checking turns a malformed payload into a crash (a 500, a failed webhook that is retried for days) or, worse, a wrong amount: `"10" * 100` is 1000 in JavaScript and `"10" * 2` is `"1010"` in Python.',
      fix: 'Validate the payload at the edge with a schema (zod `parse`/`safeParse`, Fastify route `schema`, pydantic, a DRF serializer) and use the validated value; at minimum check the type and presence of the field and answer 400 when it is wrong.',
      example: {
        bad: "const { amount } = req.body;\nawait stripe.paymentIntents.create({ amount: amount * 100, currency: 'eur' });",
        good: "const { amount } = z.object({ amount: z.number().positive() }).parse(req.body);\nawait stripe.paymentIntents.create({ amount: Math.round(amount * 100), currency: 'eur' });",
      },
    },
  },
  // Both visitors return unless PAYLOAD_HINT matches the file, so these are its alternatives
  // spelled out: each `req|request|ctx|c` + `.` + field (`c.get` also covers `c.get_json`,
  // `c.query` `c.query_params`), `.json()`, `JSON.parse`, `json.loads`, `construct_event`,
  // `.data.object`, and `["data"]["object"]` with either quote.
  requires: [
    ...['req', 'request', 'ctx', 'c'].flatMap((root) => ['body', 'query', 'data', 'post', 'get', 'json', 'form', 'args', 'values', 'req'].map((field) => `${root}.${field}`)),
    '.json()',
    'json.parse',
    'json.loads',
    'construct_event',
    '.data.object',
    'data"]',
    "data']",
  ],
  ts: {
    // @left and @right are not used: they make the pattern global-tenant-fallback's, matched once for both.
    query: `
      (binary_expression left: (_) @left right: (_) @right) @arith
      (subscript_expression object: (_) @object index: (number)) @indexed
    `,
    onMatch(match: RuleMatch, ctx: RuleContext) {
      const { arith, indexed, object } = match.captures;
      if (!fileMentions(ctx, PAYLOAD_HINT)) return;
      if (arith) checkArithmetic(arith, ctx, false);
      else if (indexed && object) checkIndex(indexed, object, ctx, false);
    },
  },
  py: {
    query: `
      (binary_operator left: (_) right: (_)) @arith
      (subscript value: (_) @object subscript: [(integer) (unary_operator (integer))]) @indexed
    `,
    onMatch(match: RuleMatch, ctx: RuleContext) {
      const { arith, indexed, object } = match.captures;
      if (!fileMentions(ctx, PAYLOAD_HINT)) return;
      if (arith) checkArithmetic(arith, ctx, true);
      else if (indexed && object) checkIndex(indexed, object, ctx, true);
    },
  },
};

export default rule;

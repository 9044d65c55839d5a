import type { SyntaxNode } from '../../src/engine/types.js';
import { calleeName, dottedName, lastSegment, stringValue } from './syntax.js';

/**
 * Recognising external payloads: data that arrived from outside and has not been through a
 * schema. "External" means a request body or query string, a webhook event's object, or an
 * HTTP response's JSON; "not through a schema" means read straight off those objects, or off
 * local variables bound from them in the same function (`const body = await req.json()`,
 * `const { amount } = req.body`, `intent = event["data"]["object"]`, `for item in
 * payload["items"]`).
 *
 * What a schema produces is not a payload: `schema.parse(req.body)`, `serializer.validated_data`,
 * `form.cleaned_data`, a pydantic model or a NestJS DTO parameter. Casts (`Number(x)`,
 * `int(x)`) are not payloads either: the author stated the type they expect.
 *
 * Used by unsafe-payload-access; sensitive-payload-stored can ask the same question.
 */

/** TS: request bodies and query strings (Express, Fastify, Koa, Hono, Next.js pages/api). */
const TS_SOURCE = /^(req|request|ctx\.request|ctx\.req|c\.req|context\.request|this\.request)\.(body|query)$/;
/** Stripe-shaped events: `event.data.object`. */
const TS_EVENT_OBJECT = /^(event|evt|stripeEvent|webhookEvent|payload|body)\.data\.object$/;
/** Raw text that `JSON.parse` turns into a payload: `JSON.parse(event.body)`, `JSON.parse(rawBody)`. */
const RAW_BODY = /(^|\.)(body|rawBody|rawPayload|payload)$|\.text\(\)$/;

/** Python: Django/DRF/Flask/Starlette request data. */
const PY_SOURCE = /^(self\.)?request\.(data|POST|GET|json|form|args|values|query_params)$/;
const PY_SOURCE_CALL = /^(self\.)?request\.(get_json|json|form)$/;
const PY_RAW_BODY = /^(self\.)?request\.(body|data|get_data\(\))$|(^|\.)(body|raw_body|payload)$/;
const PY_EVENT_OBJECT = /^(event|evt|stripe_event|webhook_event|payload)\.data\.object$/;

const WRAPPERS = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression', 'type_assertion']);

/** The expression inside casts, parentheses and non-null assertions. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (WRAPPERS.has(current.type) && current.namedChild(0)) current = current.namedChild(0)!;
  return current;
}

/** `req.body?.items!` → `req.body.items`: the text used to compare accesses. */
export function accessKey(node: SyntaxNode): string {
  return node.text.replace(/\?\./g, '.').replace(/!(?=[.[])/g, '').replace(/\s+/g, '').replace(/'/g, '"');
}

function isJsonCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  const property = fn?.childForFieldName('property') ?? fn?.childForFieldName('attribute');
  const args = call.childForFieldName('arguments');
  return property?.text === 'json' && (args?.namedChildCount ?? 0) === 0;
}

/** Whether the expression is itself a payload (not a part of one). */
export function isPayloadSource(node: SyntaxNode, python: boolean): boolean {
  const n = unwrap(node);
  if (python) {
    if (n.type === 'attribute') {
      const name = dottedName(n);
      return !!name && (PY_SOURCE.test(name) || PY_EVENT_OBJECT.test(name));
    }
    if (n.type === 'subscript') {
      // event["data"]["object"]
      const inner = n.childForFieldName('value');
      return stringValue(n.childForFieldName('subscript')) === 'object' && inner?.type === 'subscript' && stringValue(inner.childForFieldName('subscript')) === 'data';
    }
    const call = n.type === 'await' ? n.namedChild(0) : n;
    if (call?.type !== 'call') return false;
    const name = calleeName(call) ?? '';
    if (PY_SOURCE_CALL.test(name)) return true;
    if (lastSegment(name) === 'construct_event') return true;
    // `resp.json()` (requests, httpx) and `await request.json()` (Starlette)
    if (isJsonCall(call)) return true;
    if (name === 'json.loads' || name === 'orjson.loads' || name === 'ujson.loads') {
      const arg = call.childForFieldName('arguments')?.namedChild(0);
      return !!arg && PY_RAW_BODY.test(accessKey(arg));
    }
    return false;
  }
  if (n.type === 'member_expression') {
    const key = accessKey(n);
    return TS_SOURCE.test(key) || TS_EVENT_OBJECT.test(key);
  }
  if (n.type === 'await_expression') {
    // `await req.json()`, `await res.json()`
    const call = unwrap(n.namedChild(0) ?? n);
    return call.type === 'call_expression' && isJsonCall(call);
  }
  if (n.type === 'call_expression' && calleeName(n) === 'JSON.parse') {
    const arg = n.childForFieldName('arguments')?.namedChild(0);
    return !!arg && RAW_BODY.test(accessKey(unwrap(arg.type === 'await_expression' ? arg.namedChild(0)! : arg)));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Local bindings

const FUNCTION_SCOPES = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition', 'lambda']);

/** The value a local name was last bound to before `use`, in the enclosing functions. */
export function bindingOf(name: string, use: SyntaxNode, python: boolean): { value: SyntaxNode; whole: boolean } | undefined {
  for (let scope = use.parent; scope; scope = scope.parent) {
    if (!FUNCTION_SCOPES.has(scope.type)) continue;
    const body = scope.childForFieldName('body');
    if (!body) continue;
    let best: { value: SyntaxNode; whole: boolean; at: number } | undefined;
    for (const node of bindingSites(body, python)) {
      if (node.startIndex >= use.startIndex) break;
      if (containsUse(node, use)) continue;
      const found = bindingIn(node, name, python);
      if (found && (!best || node.startIndex > best.at)) best = { ...found, at: node.startIndex };
    }
    if (best) return { value: best.value, whole: best.whole };
  }
  return undefined;
}

/**
 * The nodes that may bind a name in a function body, in document order: one native walk per body,
 * kept, as every name read in the function asks for them again (a tree is of one language, so the
 * body decides the types).
 */
const sitesByBody = new WeakMap<SyntaxNode, readonly SyntaxNode[]>();

function bindingSites(body: SyntaxNode, python: boolean): readonly SyntaxNode[] {
  let sites = sitesByBody.get(body);
  if (!sites) sitesByBody.set(body, (sites = body.descendantsOfType(python ? ['assignment', 'for_statement'] : ['variable_declarator', 'assignment_expression', 'for_in_statement'])));
  return sites;
}

/**
 * `amount = amount / 100` is not where `amount` came from; a loop is, for uses in its body, but
 * not for uses in what it iterates.
 */
function containsUse(binding: SyntaxNode, use: SyntaxNode): boolean {
  if (use.startIndex < binding.startIndex || use.endIndex > binding.endIndex) return false;
  if (binding.type === 'for_statement' || binding.type === 'for_in_statement') {
    const body = binding.childForFieldName('body');
    return !body || use.startIndex < body.startIndex;
  }
  return true;
}

/** `whole` is false when the name is one field of the value (destructuring, loop element). */
function bindingIn(node: SyntaxNode, name: string, python: boolean): { value: SyntaxNode; whole: boolean } | undefined {
  const left = node.childForFieldName(node.type === 'variable_declarator' ? 'name' : 'left');
  const right = node.childForFieldName(node.type === 'variable_declarator' ? 'value' : 'right');
  if (!left || !right) return undefined;
  const isLoop = node.type === 'for_in_statement' || node.type === 'for_statement';
  // `for (const item of body.items)`: only `of` loops walk the values. Asked once the name is
  // found: the children are a native call, and most sites bind other names.
  const walksValues = (): boolean => !isLoop || python || node.children.some((c) => c.type === 'of');
  if (left.type === 'identifier') return left.text === name && walksValues() ? { value: right, whole: !isLoop } : undefined;
  if (!python && left.type === 'object_pattern') {
    for (const part of left.namedChildren) {
      if (part.type === 'shorthand_property_identifier_pattern' && part.text === name) return walksValues() ? { value: right, whole: false } : undefined;
      if (part.type === 'pair_pattern') {
        const value = part.childForFieldName('value');
        const target = value?.type === 'assignment_pattern' ? value.childForFieldName('left') : value;
        if (target?.type === 'identifier' && target.text === name) return walksValues() ? { value: right, whole: false } : undefined;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

/**
 * Whether `node` is a payload or a part of one: a source, a property/key/`.get()` read off a
 * payload, or a local bound to one of those.
 */
export function isPayloadValue(node: SyntaxNode, python: boolean, depth = 0): boolean {
  if (depth > 8) return false;
  const n = unwrap(node);
  if (isPayloadSource(n, python)) return true;
  const next = depth + 1;
  switch (n.type) {
    case 'member_expression':
    case 'attribute':
      return isPayloadValue(n.childForFieldName('object')!, python, next);
    case 'subscript_expression':
      return isPayloadValue(n.childForFieldName('object')!, python, next);
    case 'subscript':
      return isPayloadValue(n.childForFieldName('value')!, python, next);
    case 'call': {
      // `payload.get("amount")`
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && ['get', 'getlist', 'pop'].includes(fn.childForFieldName('attribute')?.text ?? '')) {
        return isPayloadValue(fn.childForFieldName('object')!, python, next);
      }
      return false;
    }
    case 'identifier': {
      const binding = bindingOf(n.text, n, python);
      return !!binding && isPayloadValue(binding.value, python, next);
    }
    default:
      return false;
  }
}

/**
 * A single field read from a payload (not the payload as a whole): `req.body.amount`,
 * `intent["amount_received"]`, `data.get("qty")`, or a local destructured/assigned from one.
 */
export function isPayloadField(node: SyntaxNode, python: boolean): boolean {
  const n = unwrap(node);
  if (isPayloadSource(n, python)) return false;
  if (n.type === 'identifier') {
    const binding = bindingOf(n.text, n, python);
    if (!binding) return false;
    return binding.whole ? isPayloadField(binding.value, python) : isPayloadValue(binding.value, python);
  }
  return isPayloadValue(n, python);
}

/** The root local or `req`/`request` an access starts from: `intent["amount"]` → `intent`. */
export function accessRoot(node: SyntaxNode): string | undefined {
  let current: SyntaxNode | null = unwrap(node);
  while (current) {
    switch (current.type) {
      case 'identifier':
      case 'this':
        return current.text;
      case 'member_expression':
      case 'attribute':
      case 'subscript_expression':
        current = current.childForFieldName('object');
        break;
      case 'subscript':
        current = current.childForFieldName('value');
        break;
      case 'call':
      case 'call_expression':
        current = current.childForFieldName('function');
        break;
      default:
        current = WRAPPERS.has(current.type) || current.type === 'await' || current.type === 'await_expression' ? current.namedChild(0) : null;
    }
  }
  return undefined;
}

/** The last key or property an access reads: `intent["amount_received"]` → `amount_received`. */
export function accessField(node: SyntaxNode): string | undefined {
  const n = unwrap(node);
  switch (n.type) {
    case 'identifier':
      return n.text;
    case 'member_expression':
      return n.childForFieldName('property')?.text;
    case 'attribute':
      return n.childForFieldName('attribute')?.text;
    case 'subscript_expression':
      return stringValue(n.childForFieldName('index')) ?? n.childForFieldName('index')?.text;
    case 'subscript':
      return stringValue(n.childForFieldName('subscript')) ?? n.childForFieldName('subscript')?.text;
    case 'call': {
      const first = n.childForFieldName('arguments')?.namedChild(0);
      return stringValue(first);
    }
    default:
      return undefined;
  }
}

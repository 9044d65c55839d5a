import type { SyntaxNode } from '../../src/engine/types.js';
import { calleeName, dottedName, lastSegment, stringValue, visitPruned } from './syntax.js';

/**
 * Finding the HTTP handler a node runs in, and what that handler sends back. Used by rules that
 * only make sense for code answering a request (an unbounded list is a problem when it is a
 * response body, not in a nightly job).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

export interface HttpHandler {
  /** The function that answers the request. */
  readonly fn: SyntaxNode;
  readonly method: HttpMethod;
  readonly framework: 'express' | 'next' | 'nest' | 'trpc' | 'fastapi' | 'flask' | 'django';
}

const TS_FUNCTIONS = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration']);
const VERBS: Record<string, HttpMethod> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE', del: 'DELETE', all: 'ANY' };
const NEXT_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const NEXT_APP_ROUTE = /(^|\/)app\/(.+\/)?route\.[cm]?[jt]sx?$/;
const NEXT_PAGES_API = /(^|\/)pages\/api\//;

// ---------------------------------------------------------------------------------------------
// TypeScript

/** `app.get('/users', …)`, `router.get('/x', auth, handler)`, `fastify.get('/x', { schema }, handler)`, Hono `app.get`. */
function routeRegistrationMethod(call: SyntaxNode): HttpMethod | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined;
  const verb = VERBS[callee.childForFieldName('property')?.text ?? ''];
  if (!verb) return undefined;
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  const path = stringValue(first);
  if (path === undefined || !(path.startsWith('/') || path === '*' || path === '')) return undefined;
  return verb;
}

/** Fastify's `app.route({ method: 'GET', url, handler })`. */
function routeOptionsMethod(object: SyntaxNode): HttpMethod | undefined {
  for (const pair of object.namedChildren) {
    if (pair.type !== 'pair' || pair.childForFieldName('key')?.text !== 'method') continue;
    const value = pair.childForFieldName('value');
    const text = stringValue(value) ?? value?.text ?? '';
    return /GET/i.test(text) ? 'GET' : 'POST';
  }
  return undefined;
}

function decoratorsOf(method: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let prev = method.previousNamedSibling; prev?.type === 'decorator'; prev = prev.previousNamedSibling) out.push(prev);
  return [...out, ...method.namedChildren.filter((c) => c.type === 'decorator')];
}

function decoratorName(decorator: SyntaxNode): string | undefined {
  const inner = decorator.namedChild(0);
  if (!inner) return undefined;
  return lastSegment(inner.type === 'call_expression' || inner.type === 'call' ? calleeName(inner) : dottedName(inner));
}

function tsHandlerFor(fn: SyntaxNode, path: string): HttpHandler | undefined {
  const parent = fn.parent;
  // app.get('/x', async (req, res) => …)
  if (parent?.type === 'arguments' && parent.parent?.type === 'call_expression') {
    const call = parent.parent;
    const method = routeRegistrationMethod(call);
    if (method) return { fn, method, framework: 'express' };
    // tRPC: publicProcedure.input(...).query(async ({ ctx }) => …)
    const callee = call.childForFieldName('function');
    if (callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'query' && /procedure/i.test(callee.childForFieldName('object')?.text ?? '')) {
      return { fn, method: 'GET', framework: 'trpc' };
    }
  }
  // app.route({ method: 'GET', url: '/x', handler: async () => … })
  if (parent?.type === 'pair' && parent.childForFieldName('key')?.text === 'handler' && parent.parent?.type === 'object') {
    const method = routeOptionsMethod(parent.parent);
    if (method) return { fn, method, framework: 'express' };
  }
  // Next.js app router: export async function GET() / export const GET = async () => …
  if (NEXT_APP_ROUTE.test(path)) {
    const name = fn.type === 'function_declaration' ? fn.childForFieldName('name')?.text : parent?.type === 'variable_declarator' ? parent.childForFieldName('name')?.text : undefined;
    if (name && NEXT_EXPORTS.has(name)) return { fn, method: name as HttpMethod, framework: 'next' };
  }
  // Next.js pages/api: export default function handler(req, res)
  if (NEXT_PAGES_API.test(path) && (parent?.type === 'export_statement' || (fn.type === 'function_declaration' && fn.childForFieldName('name')?.text === 'handler'))) {
    return { fn, method: 'ANY', framework: 'next' };
  }
  // NestJS: @Get() list() { … }
  if (fn.type === 'method_definition') {
    for (const decorator of decoratorsOf(fn)) {
      const name = decoratorName(decorator);
      if (name && VERBS[name.toLowerCase()] && /^[A-Z]/.test(name)) return { fn, method: VERBS[name.toLowerCase()]!, framework: 'nest' };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python

const PY_ROUTE_VERBS: Record<string, HttpMethod> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' };

/** `def name(` / `async def name(` on one line: the name, read from the source without asking the tree. */
const DEF_HEADER = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(/;

function functionName(fn: SyntaxNode, source: string | undefined): string {
  const header = source === undefined ? null : DEF_HEADER.exec(source.slice(fn.startIndex, fn.startIndex + 120));
  return header ? header[1]! : (fn.childForFieldName('name')?.text ?? '');
}

/** `decorated`: the function's parent when that is a `decorated_definition`; `source`: the file's text, when known. */
function pyHandlerFor(fn: SyntaxNode, path: string, decorated: SyntaxNode | undefined, source?: string): HttpHandler | undefined {
  for (const decorator of decorated?.namedChildren.filter((c) => c.type === 'decorator') ?? []) {
    const call = decorator.namedChild(0);
    if (call?.type !== 'call') continue;
    const name = calleeName(call) ?? '';
    const method = lastSegment(name) ?? '';
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    const routePath = stringValue(args[0]);
    if (PY_ROUTE_VERBS[method] && routePath !== undefined && (routePath.startsWith('/') || routePath === '')) {
      return { fn, method: PY_ROUTE_VERBS[method]!, framework: /^(app|router|\w*router|api)$/i.test(name.split('.')[0] ?? '') && !/bp|blueprint/i.test(name) ? 'fastapi' : 'flask' };
    }
    if ((method === 'route' || method === 'api_route') && routePath !== undefined) {
      const methods = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'methods');
      const verbs = methods?.childForFieldName('value')?.text ?? '"GET"';
      return { fn, method: /GET/.test(verbs) ? 'GET' : 'POST', framework: 'flask' };
    }
    if (method === 'api_view') {
      const verbs = args[0]?.text ?? '"GET"';
      return { fn, method: /GET/.test(verbs) ? 'GET' : 'POST', framework: 'django' };
    }
  }
  // Django function views: `def orders(request): …` in a views module.
  if (/(^|\/)(views|api)(\.py$|\/)/.test(path)) {
    const first = fn.childForFieldName('parameters')?.namedChildren[0];
    const name = first?.type === 'identifier' ? first.text : first?.childForFieldName('name')?.text;
    if (name === 'request') return { fn, method: 'ANY', framework: 'django' };
  }
  // Class-based views: `def get(self, request)` on an APIView/View. The name first: it rules out
  // most functions with one lookup, where finding the class takes several.
  const fnName = functionName(fn, source);
  if (fnName !== 'get' && fnName !== 'list') return undefined;
  const up = fn.parent?.parent;
  const klass = up?.type === 'class_definition' ? up : up?.parent?.type === 'class_definition' ? up.parent : undefined;
  if (klass && /View|ViewSet|Resource|Endpoint/.test(klass.childForFieldName('superclasses')?.text ?? '')) {
    return { fn, method: 'GET', framework: 'django' };
  }
  return undefined;
}

/** Each function's answer, per tree (a tree is one file's, so one path): a function is judged once. */
const handlerByFunction = new WeakMap<object, { path: string; answers: Map<SyntaxNode, HttpHandler | null> }>();

/**
 * The HTTP handler whose body contains `node` (the nearest enclosing one), found by walking up
 * from the node; each function of the file is judged once, when a node inside it is first asked
 * about, so a caller asking about a few calls pays for the functions around them, not for all of
 * the file's (listing every handler of the file up front cost more, even for whole files).
 * `source`, the file's text, lets Python functions' names be read from it rather than from the tree.
 */
export function enclosingHandler(node: SyntaxNode, path: string, source?: string): HttpHandler | undefined {
  let memo = handlerByFunction.get(node.tree);
  if (!memo || memo.path !== path) {
    memo = { path, answers: new Map() };
    handlerByFunction.set(node.tree, memo);
  }
  for (let p = node.parent; p; p = p.parent) {
    const python = p.type === 'function_definition';
    if (!python && !TS_FUNCTIONS.has(p.type)) continue;
    let handler = memo.answers.get(p);
    if (handler === undefined) {
      handler = (python ? pyHandlerFor(p, path, p.parent?.type === 'decorated_definition' ? p.parent : undefined, source) : tsHandlerFor(p, path)) ?? null;
      memo.answers.set(p, handler);
    }
    if (handler) return handler;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What a handler answers with

/** Calls that send a body: `res.json(x)`, `reply.send(x)`, `NextResponse.json(x)`, `c.json(x)`, `JsonResponse(x)`, `jsonify(x)`. */
const RESPONSE_METHODS = new Set(['json', 'send', 'jsonp', 'end', 'write']);
const RESPONSE_CONSTRUCTORS = /^(Response|NextResponse|JsonResponse|HttpResponse|StreamingHttpResponse|ORJSONResponse|UJSONResponse|JSONResponse|jsonify|make_response)$/;

function isResponseCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  if (!fn) return false;
  if (fn.type === 'identifier') return RESPONSE_CONSTRUCTORS.test(fn.text);
  const property = fn.childForFieldName('property')?.text ?? fn.childForFieldName('attribute')?.text;
  if (!property) return false;
  if (RESPONSE_METHODS.has(property)) return true;
  const object = dottedName(fn.childForFieldName('object'));
  return !!object && RESPONSE_CONSTRUCTORS.test(lastSegment(object) ?? '') && property === 'json';
}

const NESTED_DEFINITIONS = new Set([...TS_FUNCTIONS, 'function_definition', 'lambda', 'class_definition']);
const RESPONSE_WALK_TYPES = [...NESTED_DEFINITIONS, 'return_statement', 'call_expression', 'call', 'new_expression', 'assignment_expression'];

const PAGE_RENDER = /(^|\.)(render|render_to_response|render_template|TemplateResponse|redirect|HttpResponseRedirect|RedirectResponse)$/;

function isPageRender(value: SyntaxNode): boolean {
  const call = value.type === 'await_expression' || value.type === 'await' ? value.namedChild(0) : value;
  if (!call || (call.type !== 'call_expression' && call.type !== 'call')) return false;
  return PAGE_RENDER.test(calleeName(call) ?? '');
}

/**
 * The expressions a handler answers with: returned values (and an arrow's concise body), the
 * arguments of response calls, `ctx.body = …` (Koa). Nested functions are not the handler's
 * answer, except callbacks inside a response expression.
 */
export function responseExpressions(fn: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const body = fn.childForFieldName('body');
  if (!body) return out;
  if (body.type !== 'statement_block' && body.type !== 'block') {
    out.push(body);
    return out;
  }
  // One native walk over the nodes decided on, in document order; what lies inside a nested
  // function, a return or a response is passed over whole.
  visitPruned(body.descendantsOfType(RESPONSE_WALK_TYPES), (node) => {
    if (NESTED_DEFINITIONS.has(node.type)) return 'skip';
    if (node.type === 'return_statement') {
      const value = node.namedChildren.find((c) => c.type !== 'comment');
      // A rendered template or a redirect is a page, not a list payload.
      if (value && !isPageRender(value)) out.push(value);
      return 'skip';
    }
    if ((node.type === 'call_expression' || node.type === 'call' || node.type === 'new_expression') && isResponseCall(node)) {
      const args = node.childForFieldName('arguments');
      if (args) out.push(args);
      return 'skip';
    }
    if (node.type === 'assignment_expression' && /^(ctx|context)\.body$/.test(node.childForFieldName('left')?.text ?? '')) {
      const right = node.childForFieldName('right');
      if (right) out.push(right);
      return 'skip';
    }
  });
  return out;
}

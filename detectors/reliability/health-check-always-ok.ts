import { words } from '../support/names.js';
import { pythonRoutePaths, routePathOfRegistration } from '../support/server-code.js';
import { calleeName, insertAfter, lastSegment, objectProperty, replaceNode, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * A health or readiness endpoint exists so that a load balancer or an orchestrator can stop
 * sending traffic to an instance that cannot serve it. One that reports its failure with a 200
 * tells them the opposite. This rule finds the handler, its failure path (a catch/except, or a
 * body that says the service is down) and the status that path answers with.
 */

// ---------------------------------------------------------------------------------------------
// Which functions are health handlers

/** Path segments of health endpoints. `status` only counts as the whole path (`/status`, `/api/status`). */
const HEALTH_SEGMENTS = new Set(['health', 'healthz', 'healthcheck', 'health-check', 'health_check', '_health', 'ready', 'readyz', 'readiness', 'livez', 'liveness', 'status', '_status']);
const PREFIX_SEGMENTS = /^(api|v\d+|internal|_|system|ops|meta|)$/;
const HEALTH_NAME_WORDS = new Set(['health', 'healthz', 'healthcheck', 'readiness', 'readyz', 'liveness', 'livez']);

function isHealthPath(path: string): boolean {
  const segments = path.split('?')[0]!.split('/').filter((s) => s !== '');
  let i = 0;
  while (i < segments.length - 1 && PREFIX_SEGMENTS.test(segments[i]!)) i++;
  const rest = segments.slice(i).map((s) => s.toLowerCase());
  if (rest.length === 1) return HEALTH_SEGMENTS.has(rest[0]!);
  // `/health/ready`, `/health/live`, `/healthz/db`.
  return rest.length === 2 && /^_?health(z|check)?$/.test(rest[0]!);
}

function isHealthName(name: string): boolean {
  return words(name).some((w) => HEALTH_NAME_WORDS.has(w));
}

/**
 * Where a file can be a health route by its location alone: a Next.js `app/` or `pages/` file
 * whose first segment past the prefixes (PREFIX_SEGMENTS, route groups) is a health segment. The
 * rule's `requiresUnlessPath` too: isHealthRouteFile holds only where this does, so the gate
 * reads every file the rule takes for a health route by its path.
 */
const HEALTH_ROUTE_FILE = /(?:^|\/)(?:app|pages)\/(?:(?:api|v\d+|internal|_|system|ops|meta|\([^)]*\))\/)*(?:_?health[\w-]*|read(?:yz?|iness)|live(?:z|ness)|_?status)(?:\/.*)?\.[cm]?[jt]sx?$/i;

/** A file that is a health route by location: `app/api/health/route.ts`, `pages/api/healthz.ts`. */
function isHealthRouteFile(path: string): boolean {
  if (!HEALTH_ROUTE_FILE.test(path)) return false;
  const m = /(?:^|\/)(?:app|pages)\/(.*?)(?:\/route|\/index)?\.[cm]?[jt]sx?$/.exec(path);
  return !!m && isHealthPath(m[1]!.replace(/\([^)]*\)\//g, ''));
}

const REQUEST_PARAMS = new Set(['req', 'request', '_req', '_request', 'ctx', 'c', 'context', 'res', 'reply', 'response', '_']);

function tsParams(fn: SyntaxNode): string[] {
  const single = fn.childForFieldName('parameter');
  if (single) return [single.text];
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.childForFieldName('pattern') ?? p).text);
}

/** What a TS handler's framework does with a returned value: answers with it (Fastify, Nest, Next, Hono) or ignores it (Express). */
interface HandlerShape {
  readonly returnsAnswer: boolean;
  /** The Fastify `reply` parameter, for suggestions. */
  readonly reply?: string;
}

function shapeOf(fn: SyntaxNode): HandlerShape {
  const params = tsParams(fn);
  const reply = params.find((p) => p === 'reply');
  // An Express handler has `res`; everything else that returns a value answers with it.
  return { returnsAnswer: !params.includes('res'), ...(reply ? { reply } : {}) };
}

// ---------------------------------------------------------------------------------------------
// TypeScript answers and their statuses

const RESPONSE_METHODS = new Set(['json', 'send', 'end', 'sendStatus', 'jsonp', 'text', 'body']);
const RESPONSE_OBJECTS = /^(res|response|reply|resp|c|h|ctx\.res|ctx\.response)$/;
const TS_FUNCTIONS = new Set(['arrow_function', 'function_expression', 'function', 'function_declaration', 'method_definition', 'class_declaration', 'class']);

interface Answer {
  /** The node reported: the responding call, or the returned expression. */
  readonly node: SyntaxNode;
  /** The body sent, to look for a "down" status in it. */
  readonly body?: SyntaxNode;
  /** The status it carries: a number, 'dynamic' when computed, undefined when none (200). */
  readonly status: number | 'dynamic' | undefined;
  readonly inFailurePath: boolean;
  readonly suggestion?: Suggestion;
}

function answersTs(fn: SyntaxNode, ctx: RuleContext): Answer[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  const shape = shapeOf(fn);
  const out: Answer[] = [];
  const stack: { node: SyntaxNode; failure: boolean }[] = [{ node: body, failure: false }];
  while (stack.length) {
    const { node, failure } = stack.pop()!;
    let inFailure = failure;
    if (node !== body && TS_FUNCTIONS.has(node.type)) {
      // Promise chains: `.catch(() => …)` and `.then(ok, fail)`'s second callback are the failure path.
      const role = promiseCallbackRole(node);
      if (role === 'other') continue;
      if (role === 'failure') inFailure = true;
    }
    if (node.type === 'catch_clause') inFailure = true;
    const answer = answerTs(node, shape, inFailure, ctx, node === body && fn.type === 'arrow_function');
    if (answer) out.push(answer);
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i)!;
      // A `finally` block runs on both paths; its answers are not the failure path's.
      stack.push({ node: child, failure: inFailure && child.type !== 'finally_clause' });
    }
  }
  return out;
}

function promiseCallbackRole(fn: SyntaxNode): 'success' | 'failure' | 'other' {
  const args = fn.parent;
  if (args?.type !== 'arguments') return 'other';
  const method = args.parent?.childForFieldName('function')?.childForFieldName('property')?.text;
  if (method === 'catch') return 'failure';
  if (method === 'then') return args.namedChildren[1]?.startIndex === fn.startIndex ? 'failure' : 'success';
  return 'other';
}

function answerTs(node: SyntaxNode, shape: HandlerShape, failure: boolean, ctx: RuleContext, isArrowBody: boolean): Answer | undefined {
  if (node.type === 'call_expression') {
    const callee = node.childForFieldName('function');
    if (callee?.type !== 'member_expression') return responseConstructorAnswer(node, failure, ctx);
    const method = callee.childForFieldName('property')!.text;
    if (!RESPONSE_METHODS.has(method)) return responseConstructorAnswer(node, failure, ctx);
    const { root, status, statusNode } = responseChain(callee.childForFieldName('object')!);
    if (!root || !RESPONSE_OBJECTS.test(root)) return responseConstructorAnswer(node, failure, ctx);
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    let answered = status ?? statusBefore(node);
    if (method === 'sendStatus') answered = numberOrDynamic(args[0]);
    // Hono: `c.json(body, 503)`.
    if (root === 'c' && args[1]) answered = numberOrDynamic(args[1]);
    const suggestion = method === 'sendStatus' || root === 'c' || root === 'h' ? undefined : suggestStatus(ctx, callee, root, statusNode);
    return { node, body: args[0], status: answered, inFailurePath: failure, ...(suggestion ? { suggestion } : {}) };
  }
  if (node.type === 'return_statement' && shape.returnsAnswer) {
    const value = node.namedChild(0);
    if (value?.type === 'object') {
      const suggestion = shape.reply ? replaceNode(ctx.file, value, `${shape.reply}.code(503).send(${ctx.text(value)})`) : undefined;
      return { node: value, body: value, status: statusBefore(node), inFailurePath: failure, ...(suggestion ? { suggestion } : {}) };
    }
  }
  // `async () => ({ status: 'down' })`
  const object = node.type === 'parenthesized_expression' ? node.namedChild(0) : node;
  if (isArrowBody && object?.type === 'object' && shape.returnsAnswer) {
    return { node: object, body: object, status: undefined, inFailurePath: failure };
  }
  // Koa: `ctx.body = { … }`.
  if (node.type === 'assignment_expression' && /^ctx\.body$/.test(node.childForFieldName('left')?.text ?? '')) {
    return { node, body: node.childForFieldName('right') ?? undefined, status: statusBefore(node), inFailurePath: failure };
  }
  return undefined;
}

/** `NextResponse.json(body, { status })`, `Response.json(body)`, `new Response(body, init)`, `new NextResponse(…)`. */
function responseConstructorAnswer(node: SyntaxNode, failure: boolean, ctx: RuleContext): Answer | undefined {
  const name = calleeName(node);
  if (name !== 'NextResponse.json' && name !== 'Response.json') return undefined;
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  const init = args[1];
  let status: number | 'dynamic' | undefined;
  if (init) status = init.type === 'object' ? statusProperty(init) : 'dynamic';
  const suggestion = !init && args[0] ? insertAfter(ctx.file, args[0], ', { status: 503 }') : undefined;
  return { node, body: args[0], status, inFailurePath: failure, ...(suggestion ? { suggestion } : {}) };
}

function statusProperty(init: SyntaxNode): number | 'dynamic' | undefined {
  const value = objectProperty(init, 'status');
  if (!value) return init.namedChildren.some((c) => c.type === 'spread_element') ? 'dynamic' : undefined;
  return numberOrDynamic(value);
}

function numberOrDynamic(node: SyntaxNode | null | undefined): number | 'dynamic' | undefined {
  if (!node) return undefined;
  if (node.type === 'number' || node.type === 'integer') return Number(node.text.replace(/_/g, ''));
  return statusFromConstantName(node.text) ?? 'dynamic';
}

/** `HttpStatus.SERVICE_UNAVAILABLE`, `status.HTTP_503_SERVICE_UNAVAILABLE`, `StatusCodes.OK`. */
function statusFromConstantName(text: string): number | undefined {
  const digits = /HTTP_(\d{3})_/.exec(text);
  if (digits) return Number(digits[1]);
  const name = text.slice(text.lastIndexOf('.') + 1);
  const known: Record<string, number> = { OK: 200, SERVICE_UNAVAILABLE: 503, INTERNAL_SERVER_ERROR: 500, BAD_GATEWAY: 502, GATEWAY_TIMEOUT: 504, NO_CONTENT: 204 };
  return known[name];
}

/** Walks `res.status(503).set(…)` down to `res`, noting a `.status()`/`.code()` on the way. */
function responseChain(object: SyntaxNode): { root?: string; status?: number | 'dynamic'; statusNode?: SyntaxNode } {
  let status: number | 'dynamic' | undefined;
  let statusNode: SyntaxNode | undefined;
  let n: SyntaxNode | null = object;
  while (n?.type === 'call_expression') {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'member_expression') return {};
    const method = fn.childForFieldName('property')?.text;
    if (method === 'status' || method === 'code' || method === 'statusCode' || method === 'writeHead') {
      statusNode = n.childForFieldName('arguments')?.namedChildren[0];
      status = numberOrDynamic(statusNode);
    }
    n = fn.childForFieldName('object');
  }
  if (!n) return {};
  return { root: n.text, ...(status !== undefined ? { status } : {}), ...(statusNode ? { statusNode } : {}) };
}

/**
 * A status set by an earlier statement of the same block or an enclosing one: `res.status(503);`,
 * `res.statusCode = 503`, `ctx.status = 503`, `reply.code(503)`, `response.status_code = 503`.
 */
function statusBefore(answer: SyntaxNode): number | 'dynamic' | undefined {
  let found: number | 'dynamic' | undefined;
  for (let statement: SyntaxNode | null = answer; statement; statement = statement.parent) {
    if (TS_FUNCTIONS.has(statement.type) || statement.type === 'function_definition') break;
    for (let s = statement.previousNamedSibling; s; s = s.previousNamedSibling) {
      const status = statusSetBy(s);
      if (status !== undefined && found === undefined) found = status;
    }
  }
  return found;
}

function statusSetBy(statement: SyntaxNode): number | 'dynamic' | undefined {
  if (statement.type !== 'expression_statement') return undefined;
  const expression = statement.namedChild(0);
  if (!expression) return undefined;
  if (expression.type === 'assignment_expression' || expression.type === 'assignment') {
    const left = expression.childForFieldName('left')?.text ?? '';
    if (/\.(statusCode|status|status_code)$/.test(left)) return numberOrDynamic(expression.childForFieldName('right'));
    return undefined;
  }
  if (expression.type === 'call_expression') {
    const callee = expression.childForFieldName('function');
    const method = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
    const root = callee?.type === 'member_expression' ? callee.childForFieldName('object')?.text : undefined;
    if ((method === 'status' || method === 'code') && root && RESPONSE_OBJECTS.test(root)) {
      return numberOrDynamic(expression.childForFieldName('arguments')?.namedChildren[0]);
    }
  }
  return undefined;
}

/** `res.json(…)` → `res.status(503).json(…)`; `reply.send(…)` → `reply.code(503).send(…)`; `.status(200)` → `.status(503)`. */
function suggestStatus(ctx: RuleContext, callee: SyntaxNode, root: string, statusNode: SyntaxNode | undefined): Suggestion | undefined {
  if (statusNode) return statusNode.type === 'number' ? replaceNode(ctx.file, statusNode, '503') : undefined;
  const object = callee.childForFieldName('object')!;
  if (object.type !== 'identifier' && object.type !== 'member_expression') return undefined;
  const setter = root === 'reply' ? 'code' : 'status';
  return insertAfter(ctx.file, object, `.${setter}(503)`);
}

// ---------------------------------------------------------------------------------------------
// Python answers and their statuses

const PY_RESPONSE_CALLS = new Set(['JSONResponse', 'JsonResponse', 'Response', 'HttpResponse', 'PlainTextResponse', 'ORJSONResponse', 'UJSONResponse', 'jsonify', 'make_response']);
const PY_SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

function answersPy(fn: SyntaxNode, ctx: RuleContext, flask: boolean): Answer[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  const out: Answer[] = [];
  const stack: { node: SyntaxNode; failure: boolean }[] = [{ node: body, failure: false }];
  while (stack.length) {
    const { node, failure } = stack.pop()!;
    if (node !== body && PY_SCOPES.has(node.type)) continue;
    const inFailure = failure || node.type === 'except_clause';
    if (node.type === 'return_statement') {
      const answer = answerPy(node, ctx, inFailure, flask);
      if (answer) out.push(answer);
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i)!;
      stack.push({ node: child, failure: inFailure && child.type !== 'finally_clause' });
    }
  }
  return out;
}

function answerPy(ret: SyntaxNode, ctx: RuleContext, failure: boolean, flask: boolean): Answer | undefined {
  let value = ret.namedChild(0);
  if (!value) return undefined;
  let status: number | 'dynamic' | undefined;
  // Flask's `return body, 503` (a tuple, written with or without parentheses).
  if (value.type === 'expression_list' || value.type === 'tuple') {
    const [body, code] = value.namedChildren;
    if (!body) return undefined;
    status = numberOrDynamic(code);
    value = body;
    return { node: ret, body: bodyOfPy(value), status, inFailurePath: failure };
  }
  status = statusBefore(ret);
  if (value.type === 'dictionary') {
    const suggestion = flask ? insertAfter(ctx.file, value, ', 503') : undefined;
    return { node: value, body: value, status, inFailurePath: failure, ...(suggestion ? { suggestion } : {}) };
  }
  if (value.type === 'call') {
    const name = lastSegment(calleeName(value));
    if (!name || !PY_RESPONSE_CALLS.has(name)) return undefined;
    const args = value.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    // `jsonify(status="down")`: jsonify's keywords are the body, not the response status.
    const keyword = name === 'jsonify' ? undefined : args.find((a) => a.type === 'keyword_argument' && /^(status|status_code)$/.test(a.childForFieldName('name')?.text ?? ''));
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    if (keyword) status = numberOrDynamic(keyword.childForFieldName('value'));
    // `Response(data, 503)` (DRF, Starlette, Flask) takes the status second; JsonResponse takes an encoder there.
    else if (positional[1] && name !== 'JsonResponse' && name !== 'jsonify') status = numberOrDynamic(positional[1]);
    if (args.some((a) => a.type === 'dictionary_splat')) status = 'dynamic';
    const suggestion = keyword || positional[1] ? undefined : suggestPy(ctx, value, name, flask);
    const body = name === 'jsonify' && !positional[0] ? value.childForFieldName('arguments') ?? undefined : bodyOfPy(positional[0] ?? null);
    return { node: value, body, status, inFailurePath: failure, ...(suggestion ? { suggestion } : {}) };
  }
  return undefined;
}

function bodyOfPy(node: SyntaxNode | null): SyntaxNode | undefined {
  if (!node) return undefined;
  if (node.type === 'call' && PY_RESPONSE_CALLS.has(lastSegment(calleeName(node)) ?? '')) return node.childForFieldName('arguments')?.namedChildren[0] ?? undefined;
  return node;
}

function suggestPy(ctx: RuleContext, call: SyntaxNode, name: string, flask: boolean): Suggestion | undefined {
  const args = call.childForFieldName('arguments')!;
  const last = args.namedChildren.filter((a) => a.type !== 'comment').pop();
  if (name === 'jsonify' || (flask && name === 'make_response')) return insertAfter(ctx.file, call, ', 503');
  const keyword = name === 'JSONResponse' || name === 'PlainTextResponse' || name === 'ORJSONResponse' || name === 'UJSONResponse' ? 'status_code' : name === 'Response' && flask ? undefined : 'status';
  if (!keyword || !last) return undefined;
  return insertAfter(ctx.file, last, `, ${keyword}=503`);
}

// ---------------------------------------------------------------------------------------------
// "Down" bodies

const FAILURE_WORDS = /^(down|unhealthy|error|errored|fail|failed|failing|failure|unavailable|not[ _-]?ok|not[ _-]?ready|critical|dead)$/i;
const STATUS_KEYS = new Set(['status', 'state', 'health', 'result']);
const FLAG_KEYS = new Set(['ok', 'healthy', 'up', 'ready', 'alive', 'success']);

/** The body says the service is down: `{ status: 'down' }`, `{ ok: false }`, `{"status": "ok" if ok else "error"}`. */
function saysDown(body: SyntaxNode | undefined): boolean {
  if (!body || (body.type !== 'object' && body.type !== 'dictionary' && body.type !== 'argument_list')) return false;
  for (const pair of body.namedChildren) {
    if (pair.type !== 'pair' && pair.type !== 'keyword_argument') continue;
    const keyNode = pair.childForFieldName('key') ?? pair.childForFieldName('name');
    const key = keyNode ? (stringValue(keyNode) ?? keyNode.text) : '';
    const value = pair.childForFieldName('value');
    if (!value) continue;
    if (STATUS_KEYS.has(key) && mayBeFailureWord(value)) return true;
    if (FLAG_KEYS.has(key) && isFalseOrMaybeFalse(value)) return true;
  }
  return false;
}

function isFalseOrMaybeFalse(value: SyntaxNode): boolean {
  if (value.type === 'false') return true;
  if (value.type === 'ternary_expression') return value.namedChildren.slice(1).some((c) => c.type === 'false');
  if (value.type === 'conditional_expression') return [value.namedChildren[0], value.namedChildren[2]].some((c) => c?.type === 'false');
  return false;
}

function mayBeFailureWord(value: SyntaxNode): boolean {
  const text = stringValue(value);
  if (text !== undefined) return FAILURE_WORDS.test(text.trim());
  if (value.type === 'ternary_expression' || value.type === 'conditional_expression') {
    return value.namedChildren.some((c) => FAILURE_WORDS.test(stringValue(c)?.trim() ?? ''));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Reporting

function isOk(status: number | 'dynamic' | undefined): boolean {
  return status === undefined || (typeof status === 'number' && status >= 200 && status < 300);
}

function reportAnswers(answers: readonly Answer[], ctx: RuleContext): void {
  for (const answer of answers) {
    if (!isOk(answer.status)) continue;
    const code = answer.status === undefined ? '200' : String(answer.status);
    let message: string | undefined;
    if (answer.inFailurePath) message = `This health check answers ${code} from its failure path: load balancers and orchestrators read the status code, so they keep sending traffic to an instance whose check just failed.`;
    else if (saysDown(answer.body)) message = `This health check can report the service as down with a ${code} status: load balancers and orchestrators read the status code, not the body, so they keep routing traffic here.`;
    if (!message) continue;
    ctx.report({ node: answer.node, message, ...(answer.suggestion ? { suggestion: answer.suggestion } : {}) });
  }
}

function checkTsHandler(fn: SyntaxNode, ctx: RuleContext): void {
  reportAnswers(answersTs(fn, ctx), ctx);
}

const TS_FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function']);

function onMatchTs(match: RuleMatch, ctx: RuleContext): void {
  const { route, fn, name } = match.captures;
  if (route) {
    const path = routePathOfRegistration(route);
    if (path === undefined || !isHealthPath(path)) return;
    for (const arg of route.childForFieldName('arguments')?.namedChildren ?? []) {
      if (TS_FUNCTION_VALUES.has(arg.type)) checkTsHandler(arg, ctx);
      else if (arg.type === 'identifier') {
        const declared = declaredFunction(route.tree.rootNode, arg.text);
        if (declared) checkTsHandler(declared, ctx);
      }
    }
    return;
  }
  if (!fn || !name) return;
  if (isTsHealthHandler(fn, name.text, ctx)) checkTsHandler(fn, ctx);
}

function isTsHealthHandler(fn: SyntaxNode, name: string, ctx: RuleContext): boolean {
  // Next.js: `export async function GET()` in `app/api/health/route.ts`, or `pages/api/health.ts`'s default export.
  if (isHealthRouteFile(ctx.file.path) && (/^(GET|HEAD)$/.test(name) || isDefaultExport(fn))) return true;
  if (fn.type === 'method_definition') {
    const route = nestRoute(fn);
    if (route === undefined) return false;
    return isHealthPath(route) || isHealthName(name);
  }
  if (!isHealthName(name)) return false;
  // A helper named `checkDatabaseHealth()` returns data to a handler; only request handlers answer.
  return tsParams(fn).some((p) => REQUEST_PARAMS.has(p.split(/[:?=\s]/)[0]!));
}

function isDefaultExport(fn: SyntaxNode): boolean {
  return fn.parent?.type === 'export_statement' && fn.parent.text.startsWith('export default');
}

/** The route of a NestJS handler method: `@Controller('health')` + `@Get()` → "health/". */
function nestRoute(method: SyntaxNode): string | undefined {
  const decorators: SyntaxNode[] = [];
  for (let s = method.previousNamedSibling; s?.type === 'decorator'; s = s.previousNamedSibling) decorators.push(s);
  let own: string | undefined;
  for (const d of decorators) {
    const call = d.namedChild(0);
    if (call?.type !== 'call_expression') continue;
    const verb = calleeName(call);
    if (verb !== 'Get' && verb !== 'Head' && verb !== 'All') continue;
    own = stringValue(call.childForFieldName('arguments')?.namedChildren[0]) ?? '';
  }
  if (own === undefined) return undefined;
  const controllerPath = controllerPathOf(method);
  return `/${controllerPath}/${own}`.replace(/\/+/g, '/');
}

function controllerPathOf(method: SyntaxNode): string {
  const cls = method.parent?.parent;
  if (!cls) return '';
  for (let s = cls.previousNamedSibling ?? cls.parent?.previousNamedSibling; s?.type === 'decorator'; s = s.previousNamedSibling) {
    const call = s.namedChild(0);
    if (call?.type === 'call_expression' && calleeName(call) === 'Controller') return stringValue(call.childForFieldName('arguments')?.namedChildren[0]) ?? '';
  }
  for (const d of cls.namedChildren.filter((c) => c.type === 'decorator')) {
    const call = d.namedChild(0);
    if (call?.type === 'call_expression' && calleeName(call) === 'Controller') return stringValue(call.childForFieldName('arguments')?.namedChildren[0]) ?? '';
  }
  return '';
}

function declaredFunction(root: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const statement of root.namedChildren) {
    const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
    if (declaration?.type === 'function_declaration' && declaration.childForFieldName('name')?.text === name) return declaration;
    if (declaration?.type === 'lexical_declaration' || declaration?.type === 'variable_declaration') {
      for (const d of declaration.namedChildren) {
        const value = d.childForFieldName('value');
        if (d.childForFieldName('name')?.text === name && value && TS_FUNCTION_VALUES.has(value.type)) return value;
      }
    }
  }
  return undefined;
}

function onMatchPy(match: RuleMatch, ctx: RuleContext): void {
  const fn = match.captures.fn!;
  const name = fn.childForFieldName('name')?.text ?? '';
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  const routes = decorated ? pythonRoutePaths(decorated) : [];
  let isHandler = false;
  if (routes.length > 0) isHandler = routes.some(isHealthPath);
  else {
    const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => p.text.split(/[:=]/)[0]!.trim());
    const cls = fn.parent?.type === 'block' ? fn.parent.parent : decorated?.parent?.type === 'block' ? decorated.parent.parent : undefined;
    if (cls?.type === 'class_definition') {
      // Django/DRF class-based views: `class HealthCheckView(APIView): def get(self, request)`.
      isHandler = /^(get|head)$/.test(name) && isHealthName(cls.childForFieldName('name')?.text ?? '') && params[1] === 'request';
    } else {
      // Django function views: `def healthz(request)`.
      isHandler = isHealthName(name) && params[0] === 'request';
    }
  }
  if (!isHandler) return;
  // Read only for a health handler: it scans the whole decorated function and the whole file.
  const flask = decorated ? /@\w+\.route\(/.test(decorated.text.split('\n').filter((l) => l.trim().startsWith('@')).join('\n')) || /^\s*(from flask|import flask)/m.test(ctx.file.source) : false;
  reportAnswers(answersPy(fn, ctx, flask), ctx);
}

const rule: Rule = {
  meta: {
    id: 'health-check-always-ok',
    title: 'Health check answers 200 when it fails',
    severity: 'P0',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'Load balancers, Kubernetes probes and uptime monitors only read the status code. A health or readiness endpoint that catches its failure and still answers 200 (or says "down" in a 200 body) keeps a broken instance in rotation: users get errors while every dashboard shows green, and nothing restarts or replaces it.',
      fix: 'Answer a non-2xx status, normally 503, from every failure path: `res.status(503).json(...)`, `reply.code(503).send(...)`, `NextResponse.json(body, { status: 503 })`, `JSONResponse(body, status_code=503)`, `JsonResponse(body, status=503)`. Keep liveness checks trivial and put dependency checks in readiness.',
      example: {
        bad: "app.get('/health', async (req, res) => {\n  try {\n    await db.raw('select 1');\n    res.json({ status: 'ok' });\n  } catch (err) {\n    res.json({ status: 'down', error: String(err) });\n  }\n});",
        good: "app.get('/health', async (req, res) => {\n  try {\n    await db.raw('select 1');\n    res.json({ status: 'ok' });\n  } catch (err) {\n    res.status(503).json({ status: 'down' });\n  }\n});",
      },
    },
  },
  // A handler is a health check by its route, its name, or (Next.js) its file's path:
  // - a route path (isHealthPath) has a health segment: `health…`, or `ready`/`readyz`/
  //   `readiness`, `livez`/`liveness`, `status`/`_status` only whole, so right after a `/` or, as
  //   the path's first segment, the string's opening quote. (Express-style registrations always
  //   start with `/`; Nest's `@Controller('status')` and Python's decorators need not.) Paths are
  //   raw literal text, never unescaped; only a word split across Python's implicit string
  //   concatenation (`"/sta" "tus"`) would escape this.
  // - a name (isHealthName) has the word `health…`, `readiness`, `readyz`, `liveness` or `livez`.
  // - a Next.js `app/**/health/route.ts`, `pages/api/healthz.ts`: requiresUnlessPath.
  // Python has no template strings, hence no backquote.
  requires: {
    ts: [
      'health', 'readiness', 'readyz', 'liveness', 'livez',
      '/ready', "'ready", '"ready', '`ready', '/status', "'status", '"status', '`status', '/_status', "'_status", '"_status', '`_status',
    ],
    py: [
      'health', 'readiness', 'readyz', 'liveness', 'livez',
      '/ready', "'ready", '"ready', '/status', "'status", '"status', '/_status', "'_status", '"_status',
    ],
  },
  requiresUnlessPath: HEALTH_ROUTE_FILE,
  ts: {
    query: `
      (call_expression function: (member_expression property: (property_identifier)) arguments: (arguments . [(string) (template_string)])) @route
      (function_declaration name: (identifier) @name) @fn
      (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @fn)
      (method_definition name: (property_identifier) @name) @fn`,
    onMatch: onMatchTs,
  },
  py: {
    // @name is not used: it makes the pattern gdpr-delete-unimplemented's, matched once for both.
    query: `(function_definition name: (identifier) @name) @fn`,
    onMatch: onMatchPy,
  },
};

export default rule;

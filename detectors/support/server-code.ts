import type { SyntaxNode } from '../../src/engine/types.js';
import { perTree } from './memo.js';
import { calleeName, lastSegment, stringValue } from './syntax.js';

/**
 * Deciding what kind of code a file is: request-handling server code (routes, views, webhook
 * receivers), serverless function code, or command-line tooling. Several reliability rules only
 * hold in one of these (in-memory state is wrong in a handler, harmless in a CLI).
 */

/** Folders that hold request handlers by convention. */
const HANDLER_FOLDER = /(^|\/)(routes?|api|apis|handlers?|webhooks?|controllers?|views|endpoints|functions|lambdas?|resolvers)\//;
/** Python modules that hold views/routes by convention. */
const HANDLER_PY_FILE = /(^|\/)(views|routes|routers|endpoints|webhooks?|api|handlers?)(\.py$|\/)/;
/** Tooling folders: scripts, CLIs, Django management commands, migrations. */
const CLI_FOLDER = /(^|\/)(cli|scripts?|bin|tools|commands|migrations|seeds?|fixtures)\//;

/** HTTP verbs that route registrations use as method names (`app.get`, `router.post`, `@app.get`). */
export const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'head', 'options', 'route', 'api_route', 'websocket', 'use']);
/** Next.js route handler exports. */
const NEXT_ROUTE_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function isCliPath(path: string): boolean {
  return CLI_FOLDER.test(path);
}

/**
 * A TS route registration: `app.get('/x', handler)`, `router.post('/x', mw, handler)`,
 * `fastify.get('/x', opts, handler)`. Returns the route path, or undefined.
 */
export function routePathOfRegistration(call: SyntaxNode): string | undefined {
  if (call.type !== 'call_expression') return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined;
  const method = callee.childForFieldName('property')?.text;
  if (!method || !ROUTE_METHODS.has(method.toLowerCase())) return undefined;
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  const path = stringValue(first);
  // `map.get('key')` also takes a string: a route path starts with `/` (or is `*`).
  if (path === undefined || !(path.startsWith('/') || path === '*')) return undefined;
  return path;
}

/** Whether a TS module serves requests: it registers routes, exports route handlers, or is a Nest controller. */
function isHandlerModuleTsUncached(root: SyntaxNode, path: string): boolean {
  if (isCliPath(path)) return false;
  if (isServerlessPathTs(path)) return true;
  if (HANDLER_FOLDER.test(path)) return true;
  for (const node of root.descendantsOfType(['call_expression', 'decorator', 'export_statement'])) {
    switch (node.type) {
      case 'call_expression':
        if (routePathOfRegistration(node) !== undefined) return true;
        break;
      case 'decorator': {
        const name = decoratorName(node);
        if (name === 'Controller' || name === 'Post' || name === 'Get' || name === 'Resolver') return true;
        break;
      }
      case 'export_statement':
        if (exportsRouteHandler(node)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

function decoratorName(decorator: SyntaxNode): string | undefined {
  const inner = decorator.namedChild(0);
  if (!inner) return undefined;
  const name = inner.type === 'call_expression' ? calleeName(inner) : inner.type === 'identifier' ? inner.text : undefined;
  return lastSegment(name);
}

/** `export async function POST(...)`, `export default function handler(req, res)`, `export const handler = …`. */
function exportsRouteHandler(exported: SyntaxNode): boolean {
  const declaration = exported.childForFieldName('declaration');
  if (declaration?.type === 'function_declaration') {
    const name = declaration.childForFieldName('name')?.text ?? '';
    return NEXT_ROUTE_EXPORTS.has(name) || name === 'handler';
  }
  if (declaration?.type === 'lexical_declaration') {
    return declaration.namedChildren.some((d) => {
      const name = d.childForFieldName('name')?.text ?? '';
      return NEXT_ROUTE_EXPORTS.has(name) || name === 'handler';
    });
  }
  const value = exported.childForFieldName('value');
  if (value && (value.type === 'function_expression' || value.type === 'arrow_function' || value.type === 'function_declaration')) {
    const params = value.childForFieldName('parameters')?.namedChildren.map((p) => p.text.split(/[:=]/)[0]!.trim()) ?? [];
    return params[0] === 'req' || params[0] === 'request' || params[0] === 'event';
  }
  return false;
}

/** Serverless function locations: Next.js route handlers and API routes, Vercel `api/`, Netlify functions. */
const SERVERLESS_PATH_TS = /(^|\/)app\/(.+\/)?route\.[cm]?[jt]sx?$|(^|\/)pages\/api\/|^api\/|(^|\/)netlify\/functions\/|(^|\/)lambdas?\//;
const SERVERLESS_PATH_PY = /^api\/|(^|\/)netlify\/functions\/|(^|\/)lambda_function\.py$|(^|\/)(lambdas?)\//;

export function isServerlessPathTs(path: string): boolean {
  return SERVERLESS_PATH_TS.test(path);
}

/**
 * Whether a TS module runs as a serverless function: by location, or because it exports an AWS
 * Lambda style `handler` (`export const handler = async (event) => …`, `exports.handler = …`).
 */
function isServerlessModuleTsUncached(root: SyntaxNode, path: string): boolean {
  if (isServerlessPathTs(path)) return true;
  for (const statement of root.namedChildren) {
    if (statement.type === 'export_statement') {
      const declaration = statement.childForFieldName('declaration');
      const names =
        declaration?.type === 'function_declaration'
          ? [declaration.childForFieldName('name')?.text]
          : declaration?.type === 'lexical_declaration'
            ? declaration.namedChildren.map((d) => d.childForFieldName('name')?.text)
            : [];
      if (names.includes('handler')) return true;
    }
    if (statement.type === 'expression_statement') {
      const expression = statement.namedChild(0);
      if (expression?.type === 'assignment_expression') {
        const left = expression.childForFieldName('left')?.text ?? '';
        if (/^(module\.)?exports\.handler$/.test(left)) return true;
      }
    }
  }
  return false;
}

/**
 * Whether a Python module runs as a serverless function: Vercel's `api/` folder, a Lambda
 * `handler(event, context)`, a Google Cloud Functions entry point, or an ASGI app wrapped by Mangum.
 */
function isServerlessModulePyUncached(root: SyntaxNode, path: string): boolean {
  if (SERVERLESS_PATH_PY.test(path)) return true;
  for (const statement of root.namedChildren) {
    const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (definition?.type === 'function_definition') {
      const params = definition.childForFieldName('parameters')?.namedChildren.map((p) => p.text) ?? [];
      if (params.length === 2 && params[0] === 'event' && params[1] === 'context') return true;
      if (statement.type === 'decorated_definition' && /functions_framework\.(http|cloud_event)/.test(statement.text.split('\n')[0] ?? '')) return true;
    }
    if (statement.type === 'expression_statement' && /^\w+\s*=\s*Mangum\(/.test(statement.text)) return true;
  }
  return false;
}

/** Whether a Python module serves requests: views, routers, route decorators, DRF views. */
function isHandlerModulePyUncached(root: SyntaxNode, path: string): boolean {
  if (isCliPath(path) || /(^|\/)management\/commands\//.test(path)) return false;
  if (HANDLER_PY_FILE.test(path)) return true;
  if (isServerlessModulePy(root, path)) return true;
  for (const statement of root.namedChildren) {
    if (statement.type === 'decorated_definition' && isPythonRouteDecorated(statement)) return true;
    if (statement.type === 'class_definition') {
      const bases = statement.childForFieldName('superclasses')?.text ?? '';
      if (/\b(APIView|GenericAPIView|ViewSet|ModelViewSet|GenericViewSet|View|MethodView|HTTPEndpoint)\b/.test(bases)) return true;
    }
  }
  return false;
}

/** The route decorators of a decorated Python definition: `@app.get("/x")`, `@router.post(...)`, `@bp.route(...)`. */
export function pythonRoutePaths(decorated: SyntaxNode): string[] {
  const paths: string[] = [];
  for (const decorator of decorated.namedChildren) {
    if (decorator.type !== 'decorator') continue;
    const call = decorator.namedChild(0);
    if (call?.type !== 'call') continue;
    const method = lastSegment(calleeName(call));
    if (!method || !ROUTE_METHODS.has(method)) continue;
    const path = stringValue(call.childForFieldName('arguments')?.namedChildren[0]);
    if (path !== undefined) paths.push(path);
  }
  return paths;
}

function isPythonRouteDecorated(decorated: SyntaxNode): boolean {
  return pythonRoutePaths(decorated).some((p) => p.startsWith('/') || p === '');
}

/** Memoised per parsed file: see memo.ts. */
export const isHandlerModuleTs = perTree(isHandlerModuleTsUncached);

/** Memoised per parsed file: see memo.ts. */
export const isServerlessModuleTs = perTree(isServerlessModuleTsUncached);

/** Memoised per parsed file: see memo.ts. */
export const isServerlessModulePy = perTree(isServerlessModulePyUncached);

/** Memoised per parsed file: see memo.ts. */
export const isHandlerModulePy = perTree(isHandlerModulePyUncached);

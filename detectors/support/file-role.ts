import type { FileView, SyntaxNode } from '../../src/engine/types.js';
import { perTree } from './memo.js';
import { stringValue } from './syntax.js';

/**
 * What kind of file this is, for rules whose advice only holds in one kind of code: a
 * `console.log` is noise in a request handler and the whole point of a CLI; a `setInterval`
 * without `.unref()` keeps a server from shutting down and is harmless in a React effect; an
 * HTTP call without a timeout hangs a worker but not a build script.
 *
 * The verdict comes from three kinds of evidence, read in this order, the first that speaks
 * deciding:
 *
 * 1. Where the code does NOT run as a long-lived server: tests (`test/`, `testing/`, `*.spec.*`,
 *    `test_*.py`, `conftest.py`); a `#!` shebang; `bin/`, `cli/`, `cli.ts`, `__main__.py`,
 *    `manage.py`, Django `management/`; `scripts/`, `tools/`, `examples/`, `bench/`, `docs/`,
 *    `seeds/`, `migrations/`, notebooks; build and config files (`*.config.*`, webpack/vite/…,
 *    `setup.py`, `noxfile.py`, Django `settings.py`/`settings/`, `wsgi.py`/`asgi.py`); browser
 *    code (`.tsx`/`.jsx`, a `'use client'` directive, `components/`, `public/`, `static/`,
 *    `client/`, `hooks/`, non-API `pages/`, imports of react/vue/svelte/angular, use of
 *    `window`/`document`/`localStorage`); files importing a CLI toolkit (commander, yargs, oclif,
 *    click, typer, argparse, docopt, fire). These win: a seed script importing Prisma is a script.
 * 2. Imports only an application server has: HTTP frameworks (express, fastify, koa, NestJS,
 *    `next/server`, hono, hapi, tRPC server, Apollo, Probot; Django, Flask, FastAPI, Starlette,
 *    DRF, aiohttp.web, Sanic…), job workers (BullMQ, Bull, Agenda; Celery, RQ, Dramatiq), the
 *    Prisma client. Database drivers, Redis clients, `ws`, werkzeug, kombu, SQLAlchemy are left
 *    out on purpose: libraries built on them import them too. A package importing itself (Django's
 *    own modules importing `django.http`) is not an application using it.
 * 3. Where the file sits in an application layout: `api/`, `routes/`, `routers/`, `handlers/`,
 *    `controllers/`, `services/`, `workers/`, `src/server/`, `src/server.ts`, NestJS
 *    `*.controller.ts`/`*.service.ts`/`*.processor.ts`…, Next.js `app/**\/route.ts`,
 *    `pages/api/**` and the root `middleware.ts`; Python `views/`, `api/`, `routers/`,
 *    `services/`, `views.py`, `tasks.py`, `signals.py`, `serializers.py`.
 *
 * Anything else is `unknown`, and rules that want precision treat it as "not server". The
 * reason comes back as a verb phrase ("imports express", "sits where server code lives") that
 * rules put in their messages, so a developer can see why a file was judged server code.
 *
 * Used by console-logging, print-logging, empty-catch and floating-promise (browser check);
 * interval-no-unref, http-no-timeout and eager-client-init can ask the same question with
 * `isServerCode(file, root)`. Measured in docs/precision.md (library packages must stay silent:
 * that is what shaped the lists above).
 */
export type FileRole = 'test' | 'cli' | 'script' | 'build' | 'browser' | 'server' | 'unknown';

export interface FileRoleVerdict {
  readonly role: FileRole;
  /** The evidence as a verb phrase, for messages: "this file imports express". */
  readonly reason: string;
}

// ---------------------------------------------------------------------------------------------
// Paths

const TEST_PATH = /(^|\/)(test|tests|testing|__tests__|__mocks__|spec|fixtures?|__fixtures__|testdata|e2e|cypress|playwright)\/|\.(test|spec|e2e|stories)\.[cm]?[jt]sx?$|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;
const CLI_PATH = /(^|\/)(bin|cli)\//;
/** Django's `management/` package (commands and the migrate hooks they run) prints for the operator. */
const CLI_PATH_PY = /(^|\/)management\//;
const CLI_FILE = /(^|\/)(cli|__main__|manage)\.[cm]?[jt]s$|(^|\/)(__main__|manage|cli)\.py$/;
const SCRIPT_PATH = /(^|\/)(scripts?|tools|examples?|benchmarks?|bench|docs|seeds?|migrations|alembic\/versions|notebooks?)\//;
const SCRIPT_FILE = /(^|\/)seed\.[cm]?[jt]s$|\.ipynb$/;
const BUILD_FILE =
  /\.config\.[cm]?[jt]s$|(^|\/)(webpack|rollup|vite|vitest|jest|babel|eslint|prettier|gulpfile|Gruntfile|tsup|esbuild|postcss|tailwind|next|nuxt|astro|svelte|playwright)(\.[a-z]+)?\.[cm]?[jt]s$|(^|\/)(setup|noxfile|fabfile|conf|settings|local_settings|\w+_settings|wsgi|asgi|gunicorn\.conf)\.py$|(^|\/)settings\/[^/]+\.py$|(^|\/)\.[a-z-]+rc\.[cm]?js$/;
const BROWSER_PATH = /(^|\/)(components|public|static|assets|client|frontend|hooks|www|browser|extension|popup|content-scripts)\//;

/**
 * Segments that name server code in application layouts. Deliberately the app-level names only:
 * a library's `middleware/` or `adapters/` folder is not an application server.
 */
const SERVER_PATH = /(^|\/)(api|routes|routers|handlers|controllers|services|workers)\/|(^|\/)src\/server\/|^server\//;
/** `src/server.ts`, `server.js` at the root, NestJS `*.controller.ts`/`*.service.ts`/`*.processor.ts`. */
const SERVER_FILE_TS =
  /^(src\/)?(server|worker)\.[cm]?[jt]s$|\.(controller|service|resolver|gateway|processor|guard|interceptor)\.[cm]?[jt]s$/;
/** Next.js route handlers, API routes and the root middleware run on the server whatever their extension. */
const NEXT_SERVER_FILE = /(^|\/)app\/(.*\/)?route\.[cm]?[jt]sx?$|(^|\/)pages\/api\/|^(src\/)?middleware\.[cm]?[jt]s$/;
const SERVER_PATH_PY =
  /(^|\/)(api|apis|routers?|endpoints|views|handlers|services|workers|webhooks)\/|(^|\/)(views|tasks|signals|serializers|api|routes|endpoints|consumers|receivers|webhooks)\.py$/;

// ---------------------------------------------------------------------------------------------
// Imports

const CLI_MODULES_TS = new Set(['commander', 'yargs', 'yargs/yargs', 'meow', 'cac', '@oclif/core', 'inquirer', '@inquirer/prompts', 'prompts', 'minimist', 'clipanion', 'citty', 'ora', 'enquirer', 'vorpal', 'caporal', 'sade']);
const BROWSER_MODULES_TS = /^(react|react-dom|react-dom\/client|vue|svelte|@angular\/core|preact|solid-js|next\/(link|navigation|router|image|head|dynamic)|@remix-run\/react|@tanstack\/react-query)$/;
/**
 * Imports that only an application server has: HTTP frameworks, queue workers, the Prisma client.
 * Database drivers, `ws`, `ioredis` and the like are left out on purpose: libraries built on them
 * import them too, and a library's `console.warn` is its only way to speak.
 */
const SERVER_MODULES_TS =
  /^(express|fastify|koa|@koa\/router|koa-router|@nestjs\/[a-z-]+|next\/server|hono|@hono\/node-server|@hapi\/hapi|restify|@trpc\/server|@apollo\/server|apollo-server[a-z-]*|graphql-yoga|probot|@octokit\/webhooks|bullmq|bull|bee-queue|agenda|@prisma\/client|aws-lambda|@vercel\/node)$/;

const CLI_MODULES_PY = new Set(['click', 'typer', 'argparse', 'docopt', 'fire', 'optparse', 'getopt', 'cleo', 'plac']);
/**
 * Python application frameworks. Libraries underneath them (werkzeug, kombu, SQLAlchemy, psycopg,
 * redis, boto3) are left out: other libraries import them too.
 */
const SERVER_MODULES_PY =
  /^(django|flask|fastapi|starlette|rest_framework|celery|aiohttp\.web|sanic|tornado\.web|litestar|falcon|pyramid|bottle|quart|ninja|channels|dramatiq|rq|huey|flask_[a-z_]+|django_[a-z_]+)(\.|$)/;

/** The modules a file imports, TS (`import … from`, `export … from`, `require()`) or Python. */
function importedModulesUncached(root: SyntaxNode, python: boolean): string[] {
  const out: string[] = [];
  if (python) {
    for (const node of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
      if (node.type === 'import_from_statement') {
        const name = node.childForFieldName('module_name');
        if (name) out.push(name.text);
      } else {
        for (const child of node.namedChildren) {
          const dotted = child.type === 'aliased_import' ? child.childForFieldName('name') : child;
          if (dotted?.type === 'dotted_name') out.push(dotted.text);
        }
      }
    }
    return out;
  }
  for (const node of root.namedChildren) {
    if (node.type === 'import_statement' || node.type === 'export_statement') {
      const source = stringValue(node.childForFieldName('source'));
      if (source !== undefined) out.push(source);
    }
  }
  // `require(…)` calls, from the word's occurrences in the source rather than a list of every
  // call of the file: the node spanning an occurrence is the callee when its parent is a call
  // whose function it is. Occurrences come in document order, and so do the calls they start.
  // (`root` may be a sub-node: its text starts at its own offset.)
  const source = root.text;
  for (let i = source.indexOf('require'); i >= 0; i = source.indexOf('require', i + 1)) {
    const at = root.startIndex + i;
    const fn = root.descendantForIndex(at, at + 'require'.length);
    if (fn.type !== 'identifier' || fn.startIndex !== at || fn.endIndex !== at + 'require'.length) continue;
    const call = fn.parent;
    if (call?.type !== 'call_expression' || call.childForFieldName('function') !== fn) continue;
    const first = call.childForFieldName('arguments')?.namedChild(0);
    const module = stringValue(first);
    if (module !== undefined) out.push(module);
  }
  return out.map((m) => m.replace(/^node:/, ''));
}

/** `@nestjs/common` and `@nestjs/common/decorators` are the same package for our purpose. */
function packageOf(specifier: string): string {
  if (specifier.startsWith('.')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

// ---------------------------------------------------------------------------------------------
// Source signals

const SHEBANG = /^#!/;
// Written so that no character can be matched two ways (block comments unrolled as
// `[^*]*\*+(?:[^/*][^*]*\*+)*`): the lazy `[\s\S]*?` form backtracked exponentially on files
// opening with many comments (373 s on one file), which would let a PR stall the worker.
const USE_CLIENT = /^(?:\s|\/\/[^\n]*(?:\n|$)|\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\/)*['"]use client['"]/;
/** Browser globals used as objects: `window.location`, `document.querySelector`, `localStorage.getItem`. */
const BROWSER_GLOBALS = /(^|[^.\w$])(window|document|localStorage|sessionStorage|navigator)\.[a-zA-Z]/;

// ---------------------------------------------------------------------------------------------

const cache = new WeakMap<FileView, FileRoleVerdict>();

/**
 * The role of a file, decided once per file (the verdict is cached on the file's view, which
 * every rule reading the file shares).
 */
export function fileRole(file: FileView, root: SyntaxNode): FileRoleVerdict {
  let verdict = cache.get(file);
  if (!verdict) {
    verdict = decideRole(file, root);
    cache.set(file, verdict);
  }
  return verdict;
}

/** Whether the file is server-side application code (request handlers, workers, services). */
export function isServerCode(file: FileView, root: SyntaxNode): boolean {
  return fileRole(file, root).role === 'server';
}

function decideRole(file: FileView, root: SyntaxNode): FileRoleVerdict {
  const path = file.path.replace(/\\/g, '/');
  const python = file.language === 'python';

  if (file.isTestFile || TEST_PATH.test(path)) return { role: 'test', reason: 'is a test file' };
  if (SHEBANG.test(file.source)) return { role: 'script', reason: 'is an executable script (it starts with #!)' };
  if (CLI_PATH.test(path) || CLI_FILE.test(path) || (python && CLI_PATH_PY.test(path))) return { role: 'cli', reason: 'is a command-line entry point (by its path)' };
  if (BUILD_FILE.test(path)) return { role: 'build', reason: 'is a build or config file' };
  if (SCRIPT_PATH.test(path) || SCRIPT_FILE.test(path)) return { role: 'script', reason: 'is a script (by its path)' };

  // A framework importing itself is not an application using it: `django/views/debug.py`
  // importing `django.http` is Django's own code.
  const ownPackage = path.split('/')[0]!.replace(/^at-/, '@');
  const modules = importedModules(root, python).filter((m) => (python ? m.split('.')[0] : packageOf(m).split('/')[0]) !== ownPackage.split('/')[0]);
  const packages = modules.map(packageOf);

  if (python) {
    const cli = modules.find((m) => CLI_MODULES_PY.has(m.split('.')[0]!));
    if (cli) return { role: 'cli', reason: `imports ${cli}` };
    const server = modules.find((m) => SERVER_MODULES_PY.test(m));
    if (server) return { role: 'server', reason: `imports ${server}` };
    if (SERVER_PATH_PY.test(path)) return { role: 'server', reason: 'sits where server code lives' };
    return { role: 'unknown', reason: 'no server import or server path' };
  }

  const nextServer = NEXT_SERVER_FILE.test(path);
  if (!nextServer && (/\.[jt]sx$/.test(path) || BROWSER_PATH.test(path) || /(^|\/)pages\//.test(path))) {
    return { role: 'browser', reason: 'is browser code (by its path)' };
  }
  if (USE_CLIENT.test(file.source)) return { role: 'browser', reason: "is a client component ('use client')" };
  const cli = packages.find((p) => CLI_MODULES_TS.has(p));
  if (cli) return { role: 'cli', reason: `imports ${cli}` };
  const browser = modules.find((m) => BROWSER_MODULES_TS.test(m));
  if (browser) return { role: 'browser', reason: `imports ${browser}` };
  if (nextServer) return { role: 'server', reason: 'is a Next.js route handler' };
  if (BROWSER_GLOBALS.test(file.source)) return { role: 'browser', reason: 'uses browser globals (window, document)' };
  const server = modules.find((m) => SERVER_MODULES_TS.test(m) || SERVER_MODULES_TS.test(packageOf(m)));
  if (server) return { role: 'server', reason: `imports ${server}` };
  if (SERVER_PATH.test(path) || SERVER_FILE_TS.test(path)) return { role: 'server', reason: 'sits where server code lives' };
  return { role: 'unknown', reason: 'no server import or server path' };
}

/** Memoised per parsed file: see memo.ts. */
export const importedModules = perTree(importedModulesUncached);

import { calleeName, dottedName, lastSegment, replaceNode, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/** Settings meant for a developer machine or the test runner: debug is expected there. */
const NON_PRODUCTION_FILE =
  /(^|[\/_.-])(dev|devel|develop|development|local|locals|test|tests|testing|ci|debug|example|sample)([\/_.-]|$)|(^|\/)(manage|setup|noxfile|fabfile)\.py$|(^|\/)(docs?|examples?|scripts?|tools)\//i;

/** Where production settings live: Django settings modules and config modules. */
const SETTINGS_FILE = /(^|\/)(settings|config|conf|configuration)(\/|[_.-]?[a-z0-9_]*\.py$)|(^|\/)(prod|production|staging|base|common|default)\.py$/i;

/** Django settings that only a settings module defines. */
const DJANGO_SETTINGS_MARKER = /^(INSTALLED_APPS|ALLOWED_HOSTS|ROOT_URLCONF|MIDDLEWARE|DATABASES)\s*=/m;

/** Tools only a developer machine runs. */
const DEV_ONLY_SETTINGS = /["']debug_toolbar["']|DebugToolbarMiddleware|["']django_extensions["']\s*[,)\]]\s*#\s*dev/;

/** Config classes that are the production one: `ProductionConfig`, `StagingSettings`, `LiveConfig`. */
const PRODUCTION_CLASS = /(prod|production|staging|live)/i;

/** Objects that are a web application: `app`, `application`, `server`, `create_app()`. */
const APP_OBJECT = /^(app|application|flask_app|api|server|socketio|sio|web|bp|create_app\(\))$|_app$/;
/** Application classes whose `debug=True` turns on tracebacks (and Werkzeug's console). */
const APP_CONSTRUCTORS = new Set(['FastAPI', 'Starlette', 'Quart', 'Sanic']);

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isProductionFile(path: string): boolean {
  return !NON_PRODUCTION_FILE.test(path);
}

function importsOs(ctx: RuleContext): boolean {
  return /^\s*import os\b|^\s*import [\w, ]*\bos\b|^\s*from os import environ/m.test(ctx.file.source);
}

/** Inside `if __name__ == "__main__":` the code runs only when the file is started by hand. */
function underMainGuard(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'if_statement') {
      const condition = p.childForFieldName('condition');
      if (condition && /__name__\s*==\s*['"]__main__['"]/.test(condition.text)) return true;
    }
  }
  return false;
}

function envSuggestion(ctx: RuleContext, value: SyntaxNode, variable: string) {
  return importsOs(ctx) ? replaceNode(ctx.file, value, `os.environ.get("${variable}") == "1"`) : undefined;
}

/** `DEBUG = True` at module level of a settings module, or in a production config class. */
function checkAssignment(match: RuleMatch, ctx: RuleContext): void {
  const name = match.captures.name!;
  const value = match.captures.value!;
  const statement = match.captures.stmt!;
  if (name.text !== 'DEBUG') return;
  const path = ctx.file.path;
  if (!isProductionFile(path)) return;
  const container = statement.parent;
  if (container?.type === 'module') {
    // Indented under `if`/`try` at module level is not a plain assignment, and its parent is a block.
    if (!SETTINGS_FILE.test(path) && !DJANGO_SETTINGS_MARKER.test(ctx.file.source)) return;
    // Settings that install the debug toolbar are a developer's settings, whatever the file name.
    if (DEV_ONLY_SETTINGS.test(ctx.file.source)) return;
    const suggestion = envSuggestion(ctx, value, 'DEBUG');
    ctx.report({
      node: statement,
      message: `\`DEBUG = True\` is hard-coded in \`${fileName(path)}\`: deployed as is, every error page shows stack traces, settings and SQL to whoever triggers it.`,
      ...(suggestion ? { suggestion } : {}),
    });
    return;
  }
  // `class ProductionConfig(Config): DEBUG = True` (Flask config classes).
  const cls = container?.parent?.type === 'class_definition' ? container.parent : undefined;
  const className = cls?.childForFieldName('name')?.text ?? '';
  if (cls && PRODUCTION_CLASS.test(className)) {
    ctx.report({
      node: statement,
      message: `\`${className}\` turns \`DEBUG\` on: the production app will show stack traces and, with Flask, the interactive debugger.`,
    });
  }
}

/** `app.config["DEBUG"] = True`, `app.debug = True`. */
function checkConfigWrite(match: RuleMatch, ctx: RuleContext): void {
  const target = match.captures.target!;
  const value = match.captures.value!;
  if (!isProductionFile(ctx.file.path)) return;
  let object: string | undefined;
  if (target.type === 'subscript') {
    if (stringValue(target.childForFieldName('subscript')) !== 'DEBUG') return;
    const config = dottedName(target.childForFieldName('value'));
    if (!config?.endsWith('.config')) return;
    object = config.slice(0, -'.config'.length);
  } else {
    if (target.childForFieldName('attribute')?.text !== 'debug') return;
    object = dottedName(target.childForFieldName('object'));
  }
  if (!object || !APP_OBJECT.test(lastSegment(object)!)) return;
  if (underMainGuard(target)) return;
  const suggestion = envSuggestion(ctx, value, 'FLASK_DEBUG');
  ctx.report({
    node: match.captures.assignment!,
    message: `\`${ctx.text(target)} = True\` ships the app in debug mode: error pages expose stack traces and Werkzeug's debugger can run code.`,
    ...(suggestion ? { suggestion } : {}),
  });
}

/** `app.run(debug=True)`, `FastAPI(debug=True)`. */
function checkDebugArgument(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const keyword = match.captures.keyword!;
  const value = match.captures.value!;
  if (keyword.text !== 'debug') return;
  if (!isProductionFile(ctx.file.path)) return;
  const callee = calleeName(call);
  if (!callee) return;
  const method = lastSegment(callee)!;
  if (APP_CONSTRUCTORS.has(method)) {
    const suggestion = envSuggestion(ctx, value, 'DEBUG');
    ctx.report({
      node: value.parent!,
      message: `\`${method}(debug=True)\` returns full tracebacks to any client whose request fails.`,
      ...(suggestion ? { suggestion } : {}),
    });
    return;
  }
  if (method !== 'run' || !callee.includes('.')) return;
  const object = callee.slice(0, callee.lastIndexOf('.'));
  if (!APP_OBJECT.test(lastSegment(object)!)) return;
  const guarded = underMainGuard(call);
  const suggestion = envSuggestion(ctx, value, 'FLASK_DEBUG');
  ctx.report({
    node: value.parent!,
    // Behind `if __name__ == "__main__"` it runs only when started by hand: a weakness, not an open door.
    severity: guarded ? 'P2' : 'P1',
    message: guarded
      ? `\`${callee}(debug=True)\` starts the Werkzeug debugger whenever this file is run directly: if a server is ever started that way, anyone who reaches the port can run code.`
      : `\`${callee}(debug=True)\` starts the Werkzeug debugger: anyone who reaches the port can run code on the server.`,
    ...(suggestion ? { suggestion } : {}),
  });
}

const rule: Rule = {
  meta: {
    id: 'debug-mode-enabled',
    title: 'Debug mode enabled outside development settings',
    severity: 'P1',
    category: 'Security',
    languages: ['py'],
    docs: {
      why: 'Debug mode turns every unhandled error into a page with the stack trace, local variables, settings and SQL; Flask/Werkzeug debug mode also serves an interactive console that runs arbitrary Python.',
      fix: 'Read debug from the environment with a default of off (`DEBUG = os.environ.get("DEBUG") == "1"`), and keep `DEBUG = True` only in settings files for development and tests.',
      example: {
        bad: '# settings/production.py\nDEBUG = True',
        good: '# settings/production.py\nDEBUG = os.environ.get("DEBUG") == "1"',
      },
    },
  },
  // Each finding needs `DEBUG = True`, `config["DEBUG"]`, `.debug = True` or `debug=True`.
  requires: ['debug'],
  py: {
    query: `
      (expression_statement (assignment left: (identifier) @name right: (true) @value)) @stmt
      (assignment left: [(subscript) (attribute)] @target right: (true) @value) @assignment
      (call arguments: (argument_list (keyword_argument name: (identifier) @keyword value: (true) @value))) @call
    `,
    onMatch(match, ctx) {
      if (match.captures.stmt) checkAssignment(match, ctx);
      else if (match.captures.target) checkConfigWrite(match, ctx);
      else checkDebugArgument(match, ctx);
    },
  },
};

export default rule;

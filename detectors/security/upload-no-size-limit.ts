import { callArguments, descendants, dottedName, enclosingFunction, hasArgumentList, hasSpread, isNamedCall, lastSegment, objectProperty, PY_METHOD_CALL, replaceNode, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

const SUGGESTED_BYTES = '10 * 1024 * 1024';

/**
 * Multipart parsers and the option that caps a file's size. Each of them accepts files of any
 * size by default (formidable caps at 200 MB, which is still a memory and disk bomb).
 */
const PARSERS: Record<string, { readonly label: string; readonly option: 'limits.fileSize' | 'maxFileSize' }> = {
  multer: { label: 'multer', option: 'limits.fileSize' },
  busboy: { label: 'busboy', option: 'limits.fileSize' },
  Busboy: { label: 'busboy', option: 'limits.fileSize' },
  formidable: { label: 'formidable', option: 'maxFileSize' },
  IncomingForm: { label: 'formidable', option: 'maxFileSize' },
};

function parserOf(call: SyntaxNode): (typeof PARSERS)[string] | undefined {
  const fn = dottedName(call.childForFieldName(call.type === 'new_expression' ? 'constructor' : 'function'));
  if (!fn) return undefined;
  // `multer(...)`, `busboy(...)`, `new Busboy(...)`, `formidable(...)`, `new formidable.IncomingForm(...)`.
  if (fn.includes('.') && !/^formidable\.(IncomingForm|formidable)$/.test(fn)) return undefined;
  const name = lastSegment(fn) === 'formidable' ? 'formidable' : lastSegment(fn)!;
  // Own keys only: `toString()` or `new constructor()` must not find Object.prototype's members.
  return Object.hasOwn(PARSERS, name) ? PARSERS[name] : undefined;
}

/** Whether the options cap the size, or cannot be read here (a variable, a spread). */
type Verdict = 'limited' | 'unknown' | 'unlimited';

function judgeOptions(options: SyntaxNode | undefined, option: 'limits.fileSize' | 'maxFileSize'): Verdict {
  if (!options) return 'unlimited';
  if (options.type !== 'object') return 'unknown';
  if (hasSpread(options)) return 'unknown';
  if (option === 'maxFileSize') return objectProperty(options, 'maxFileSize') || objectProperty(options, 'maxTotalFileSize') ? 'limited' : 'unlimited';
  const limits = objectProperty(options, 'limits');
  if (!limits) return 'unlimited';
  if (limits.type !== 'object' || hasSpread(limits)) return 'unknown';
  return objectProperty(limits, 'fileSize') ? 'limited' : 'unlimited';
}

/** Adds the cap to a one-line options object, or passes one when there is none. */
function suggestLimit(ctx: RuleContext, call: SyntaxNode, options: SyntaxNode | undefined, option: 'limits.fileSize' | 'maxFileSize'): Suggestion | undefined {
  // A suggestion replaces the lines the comment sits on: only a one-line call can carry one.
  if (call.startPosition.row !== call.endPosition.row) return undefined;
  const entry = option === 'maxFileSize' ? `maxFileSize: ${SUGGESTED_BYTES}` : `limits: { fileSize: ${SUGGESTED_BYTES} }`;
  if (!options) {
    const args = call.childForFieldName('arguments');
    if (!args || args.text !== '()') return undefined;
    return replaceNode(ctx.file, args, `({ ${entry} })`);
  }
  if (option === 'limits.fileSize' && objectProperty(options, 'limits')) {
    const limits = objectProperty(options, 'limits')!;
    const inner = limits.text.replace(/\s*\}$/, '').trim();
    return replaceNode(ctx.file, limits, inner === '{' ? `{ fileSize: ${SUGGESTED_BYTES} }` : `${inner.replace(/,$/, '')}, fileSize: ${SUGGESTED_BYTES} }`);
  }
  const inner = options.text.replace(/\s*\}$/, '').trim().replace(/,$/, '');
  return replaceNode(ctx.file, options, inner === '{' ? `{ ${entry} }` : `${inner}, ${entry} }`);
}

/** Code that never faces a client: benchmarks, examples, docs, scripts. */
const NOT_SERVED = /(^|\/)(bench|benchmarks?|examples?|docs?|scripts?|tools|demo|demos)\//;

function checkParser(match: RuleMatch, ctx: RuleContext): void {
  if (NOT_SERVED.test(ctx.file.path)) return;
  const call = match.captures.parser!;
  const parser = parserOf(call);
  if (!parser) return;
  const args = callArguments(call);
  if (args.length > 1) return;
  const options = args[0];
  if (judgeOptions(options, parser.option) !== 'unlimited') return;
  const suggestion = suggestLimit(ctx, call, options, parser.option);
  ctx.report({
    node: call,
    message: `\`${parser.label}\` is set up without \`${parser.option}\`: one request can upload a file of any size and fill the server's memory or disk.`,
    ...(suggestion ? { suggestion } : {}),
  });
}

/* ---------------------------------- Python ---------------------------------- */

/** Evidence that the handler bounds the size before or instead of reading it all. */
const SIZE_CHECK = /\.size\b|content[_-]length|CONTENT_LENGTH|max_?\w*_?(size|bytes|length)\b|MAX_\w*(SIZE|BYTES|LENGTH)\b|\w*size_limit\w*|\blimit_bytes\b|\bfile_size\b/i;
const UPLOAD_TYPE = /\bUploadFile\b/;
/** `request.FILES` (Django, DRF) and `request.files` (Flask, Starlette form data). */
const REQUEST_FILES = /^(self\.)?request\.(FILES|files)$/;

const FLASK_LIMIT_FACT = 'upload-no-size-limit:max-content-length';

function parameterAnnotations(fn: SyntaxNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') continue;
    const name = p.type === 'typed_parameter' ? p.namedChild(0)?.text : p.childForFieldName('name')?.text;
    const type = p.childForFieldName('type')?.text;
    if (name && type) out.set(name, type);
  }
  return out;
}

/** Where a local name got its value: assignments and `for` targets in the function. */
function originsOf(fn: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const node of descendants(fn)) {
    if (node.type === 'assignment' && node.childForFieldName('left')?.text === name) {
      const right = node.childForFieldName('right');
      if (right) out.push(right);
    } else if (node.type === 'for_statement' && node.childForFieldName('left')?.text === name) {
      const right = node.childForFieldName('right');
      if (right) out.push(right);
    }
  }
  return out;
}

function mentionsRequestFiles(node: SyntaxNode): boolean {
  for (const n of descendants(node)) if (n.type === 'attribute' && REQUEST_FILES.test(dottedName(n) ?? '')) return true;
  return false;
}

/** What kind of upload `.read()` is called on, or undefined when it is not an upload. */
function uploadSource(object: SyntaxNode, fn: SyntaxNode): 'fastapi' | 'django' | 'flask' | undefined {
  // `request.FILES["f"].read()`, `request.files.get("f").read()`
  if (mentionsRequestFiles(object)) return /\.files\b/.test(object.text) ? 'flask' : 'django';
  // `file.file.read()` on an UploadFile reads the spooled file the same way.
  const base = object.type === 'attribute' && object.childForFieldName('attribute')?.text === 'file' ? object.childForFieldName('object')! : object;
  if (base.type !== 'identifier') return undefined;
  const annotations = parameterAnnotations(fn);
  const type = annotations.get(base.text);
  if (type && UPLOAD_TYPE.test(type)) return 'fastapi';
  for (const origin of originsOf(fn, base.text)) {
    if (mentionsRequestFiles(origin)) return /\.files\b/.test(origin.text) ? 'flask' : 'django';
    // `for f in files:` where `files: list[UploadFile]`.
    if (origin.type === 'identifier' && UPLOAD_TYPE.test(annotations.get(origin.text) ?? '')) return 'fastapi';
  }
  return undefined;
}

function checkRead(match: RuleMatch, ctx: RuleContext): void {
  if (NOT_SERVED.test(ctx.file.path)) return;
  const call = match.captures.read!;
  const object = match.captures.object!;
  if (match.captures.method?.text !== 'read') return;
  if (callArguments(call).length > 0) return;
  const fn = enclosingFunction(call);
  if (!fn) return;
  const source = uploadSource(object, fn);
  if (!source) return;
  if (SIZE_CHECK.test(fn.text)) return;
  if (source === 'flask' && /MAX_CONTENT_LENGTH/.test(ctx.file.source)) return;
  const reported = call.parent?.type === 'await' ? call.parent : call;
  const message = `\`${ctx.text(reported)}\` reads the whole upload into memory with no size check: one large file can exhaust the worker's memory.`;
  ctx.report({
    node: reported,
    message,
    // Flask caps every request body with `MAX_CONTENT_LENGTH`, often set in the app's config module.
    ...(source === 'flask' ? { when: (facts) => !facts.has(FLASK_LIMIT_FACT, 'set') } : {}),
  });
}

const rule: Rule = {
  meta: {
    id: 'upload-no-size-limit',
    title: 'File upload without a size limit',
    severity: 'P2',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: 'Without a cap, one client can send a multi-gigabyte file that the server buffers in memory or writes to disk, taking the instance down for everyone else.',
      fix: 'Set a maximum size where the upload is parsed (multer/busboy `limits.fileSize`, formidable `maxFileSize`, Flask `MAX_CONTENT_LENGTH`), or check the size and read in bounded chunks (`await file.read(MAX_BYTES + 1)`).',
      example: {
        bad: "const upload = multer({ dest: 'uploads/' });",
        good: "const upload = multer({ dest: 'uploads/', limits: { fileSize: 10 * 1024 * 1024 } });",
      },
    },
  },
  // TS findings are calls of a PARSERS name (multer, busboy/Busboy, formidable, IncomingForm).
  // Python findings read `request.FILES`/`request.files` or an `UploadFile` parameter. The fact
  // checkFile records needs MAX_CONTENT_LENGTH in the file.
  requires: ['multer', 'busboy', 'formidable', 'incomingform', 'files', 'uploadfile', 'max_content_length'],
  ts: {
    query: `
      ${TS_CALL} @parser
      (new_expression constructor: [(identifier) (member_expression)] arguments: (arguments)) @parser
    `,
    onMatch: (match, ctx) => {
      // New expressions have no @function; of the every-call shape, `f(…)` and `a.b(…)`.
      if (!match.captures.function || isNamedCall(match.captures)) checkParser(match, ctx);
    },
  },
  py: {
    // Every method call, in the shape other rules write (the engine matches it once for all of
    // them); calls whose argument is a bare generator (`f(x for x in y)`) are dropped here.
    query: `${PY_METHOD_CALL} @read`,
    onMatch: (match, ctx) => {
      if (hasArgumentList(match.captures)) checkRead(match, ctx);
    },
  },
  checkFile(ctx) {
    if (ctx.file.language === 'python' && /\bMAX_CONTENT_LENGTH\b\s*[=:"']|["']MAX_CONTENT_LENGTH["']/.test(ctx.file.source)) {
      ctx.facts.add(FLASK_LIMIT_FACT, 'set');
    }
  },
};

export default rule;

/**
 * A small Dockerfile reader for text rules: stages, instructions with their line spans,
 * continuation lines, comments, parser directives, heredocs and exec-form (JSON array) arguments.
 *
 * It follows what BuildKit does with the text, not what a shell would do with it: a trailing
 * escape character (`\`, or `` ` `` with `# escape=``) joins the next line; comment and blank
 * lines inside a continuation are dropped; `RUN <<EOF … EOF` heredoc bodies belong to their
 * instruction. It never throws: a line it cannot read as an instruction is skipped, so a broken
 * Dockerfile still gives the rules everything that can be read.
 *
 * ```ts
 * const file = parseDockerfile(source);
 * const last = finalStage(file);            // the stage `docker build .` produces
 * const { cmd, entrypoint } = effectiveCommand(file, last!);
 * const users = last!.instructions.filter((i) => i.keyword === 'USER');
 * ```
 */

export interface DockerInstruction {
  /** Upper-case keyword: `FROM`, `RUN`, `CMD`, `ENTRYPOINT`, `USER`, … */
  readonly keyword: string;
  /**
   * The arguments after the keyword, continuation lines joined (escape character and line break
   * removed, as BuildKit does), comment lines inside the continuation dropped, trimmed.
   */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly startLine: number;
  /** 1-based last line of the instruction: its last continuation line or heredoc terminator. */
  readonly endLine: number;
  /** Leading `--name=value` / `--name` flags (`FROM --platform=…`, `COPY --from=… --chown=…`). */
  readonly flags: ReadonlyMap<string, string>;
  /** The arguments without their leading flags. */
  readonly body: string;
  /** Exec form: the JSON array of `CMD ["node", "dist/server.js"]`, when the body is one. */
  readonly exec?: readonly string[];
  /** Heredoc bodies (`RUN <<EOF … EOF`), in order. */
  readonly heredocs: readonly string[];
}

export interface DockerStage {
  /** 0-based position: `COPY --from=0` refers to stages by index too. */
  readonly index: number;
  /** The `AS name`, lower-cased (stage names are case-insensitive), when given. */
  readonly name?: string;
  /** The base image reference as written (`node:20-slim`, `${BASE}`, or an earlier stage's name). */
  readonly image: string;
  readonly from: DockerInstruction;
  /** Every instruction after the `FROM`, up to the next `FROM`. */
  readonly instructions: readonly DockerInstruction[];
  readonly startLine: number;
  readonly endLine: number;
}

export interface Dockerfile {
  /** Parser directives at the top of the file (`syntax`, `escape`, `check`), lower-cased names. */
  readonly directives: ReadonlyMap<string, string>;
  /** `ARG`s before the first `FROM`, usable in `FROM` lines. */
  readonly globalArgs: readonly DockerInstruction[];
  readonly stages: readonly DockerStage[];
  /** Every instruction in file order, `FROM`s included. */
  readonly instructions: readonly DockerInstruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z]+)\s*=\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const INSTRUCTION = /^\s*([A-Za-z]+)(?:\s+(.*))?$/;
const COMMENT = /^\s*#/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
/** Instructions whose arguments may open heredocs. */
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

export function parseDockerfile(source: string): Dockerfile {
  const lines = source.split('\n').map((l) => l.replace(/\r$/, ''));
  const directives = readDirectives(lines);
  const escape = directives.get('escape') === '`' ? '`' : '\\';
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);

  const instructions: DockerInstruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    if (!first.trim() || COMMENT.test(first)) {
      i++;
      continue;
    }
    const start = i;
    let text = first;
    // Join continuation lines; comment and blank lines inside a continuation are dropped.
    while (continuation.test(text)) {
      text = text.replace(continuation, '');
      let next = i + 1;
      while (next < lines.length && (COMMENT.test(lines[next]!) || !lines[next]!.trim())) next++;
      if (next >= lines.length) break;
      i = next;
      text += lines[i]!;
    }
    const m = INSTRUCTION.exec(text);
    if (!m) {
      i++;
      continue;
    }
    const keyword = m[1]!.toUpperCase();
    const args = (m[2] ?? '').trim();
    const heredocs: string[] = [];
    if (HEREDOC_INSTRUCTIONS.has(keyword)) i = readHeredocs(lines, i, args, heredocs);
    instructions.push(instruction(keyword, args, start + 1, i + 1, heredocs));
    i++;
  }
  return { directives, ...groupStages(instructions), instructions };
}

/** Parser directives are only read before the first comment, blank line or instruction. */
function readDirectives(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = DIRECTIVE.exec(line.trim());
    if (!m || !KNOWN_DIRECTIVES.has(m[1]!.toLowerCase())) break;
    out.set(m[1]!.toLowerCase(), m[2]!);
  }
  return out;
}

/** Consumes the heredoc bodies opened on an instruction; returns the index of its last line. */
function readHeredocs(lines: readonly string[], at: number, args: string, out: string[]): number {
  let last = at;
  for (const m of args.matchAll(HEREDOC)) {
    const stripTabs = m[1] === '-';
    const delimiter = m[3]!;
    const body: string[] = [];
    let j = last + 1;
    for (; j < lines.length; j++) {
      const line = stripTabs ? lines[j]!.replace(/^\t+/, '') : lines[j]!;
      if (line === delimiter) break;
      body.push(line);
    }
    out.push(body.join('\n'));
    last = Math.min(j, lines.length - 1);
  }
  return last;
}

function instruction(keyword: string, args: string, startLine: number, endLine: number, heredocs: string[]): DockerInstruction {
  const { flags, body } = splitFlags(args);
  const exec = execForm(body);
  return { keyword, args, startLine, endLine, flags, body, heredocs, ...(exec ? { exec } : {}) };
}

/** `--platform=$BUILDPLATFORM node:20 AS build` → flags {platform}, body `node:20 AS build`. */
function splitFlags(args: string): { flags: Map<string, string>; body: string } {
  const flags = new Map<string, string>();
  let rest = args;
  for (;;) {
    const m = /^--([A-Za-z][\w-]*)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags.set(m[1]!.toLowerCase(), m[2] ?? '');
    rest = rest.slice(m[0].length);
  }
  return { flags, body: rest.trim() };
}

/** The JSON array of an exec-form instruction, or undefined for the shell form. */
export function execForm(body: string): string[] | undefined {
  const trimmed = body.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  } catch {
    // Not valid JSON: Docker runs it through the shell, brackets and all.
    return undefined;
  }
}

function groupStages(instructions: readonly DockerInstruction[]): { globalArgs: DockerInstruction[]; stages: DockerStage[] } {
  const globalArgs: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  let current: { from: DockerInstruction; instructions: DockerInstruction[] } | undefined;
  const close = (): void => {
    if (!current) return;
    const { from, instructions: body } = current;
    const m = /^(\S+)(?:\s+as\s+(\S+))?/i.exec(from.body);
    const lastLine = body.length ? body[body.length - 1]!.endLine : from.endLine;
    stages.push({
      index: stages.length,
      image: m?.[1] ?? '',
      ...(m?.[2] ? { name: m[2].toLowerCase() } : {}),
      from,
      instructions: body,
      startLine: from.startLine,
      endLine: lastLine,
    });
  };
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      close();
      current = { from: ins, instructions: [] };
    } else if (current) {
      current.instructions.push(ins);
    } else if (ins.keyword === 'ARG') {
      globalArgs.push(ins);
    }
  }
  close();
  return { globalArgs, stages };
}

/** The stage `docker build` produces without `--target`: the last one. */
export function finalStage(file: Dockerfile): DockerStage | undefined {
  return file.stages[file.stages.length - 1];
}

/** The earlier stage a stage is built `FROM`, when its base is a stage of this file. */
export function parentStage(file: Dockerfile, stage: DockerStage): DockerStage | undefined {
  return stageByRef(file, stage.image, stage.index);
}

/** A stage by name or index (`COPY --from=build`, `--from=0`), among the stages before `before`. */
export function stageByRef(file: Dockerfile, ref: string, before = file.stages.length): DockerStage | undefined {
  const wanted = ref.toLowerCase();
  const earlier = file.stages.slice(0, before);
  if (/^\d+$/.test(wanted)) return earlier[Number(wanted)];
  for (let i = earlier.length - 1; i >= 0; i--) if (earlier[i]!.name === wanted) return earlier[i];
  return undefined;
}

/** The last instruction of a keyword in a stage. */
export function lastInstruction(stage: DockerStage, keyword: string): DockerInstruction | undefined {
  for (let i = stage.instructions.length - 1; i >= 0; i--) {
    if (stage.instructions[i]!.keyword === keyword) return stage.instructions[i];
  }
  return undefined;
}

export interface EffectiveCommand {
  readonly entrypoint?: DockerInstruction;
  readonly cmd?: DockerInstruction;
}

/**
 * What a stage's container runs: its last `ENTRYPOINT` and `CMD`, inherited from the stage it is
 * built from when it sets neither. Setting `ENTRYPOINT` resets an inherited `CMD`, as Docker does.
 * Commands inherited from an outside base image are unknown (undefined).
 */
export function effectiveCommand(file: Dockerfile, stage: DockerStage): EffectiveCommand {
  let entrypoint: DockerInstruction | undefined;
  let cmd: DockerInstruction | undefined;
  let cmdKnown = false;
  const seen = new Set<number>();
  for (let s: DockerStage | undefined = stage; s && !seen.has(s.index); s = parentStage(file, s)) {
    seen.add(s.index);
    const ownEntrypoint = lastInstruction(s, 'ENTRYPOINT');
    const ownCmd = lastInstruction(s, 'CMD');
    if (!cmdKnown && (ownCmd || ownEntrypoint)) {
      // A stage's own CMD wins; a stage that sets only ENTRYPOINT clears the inherited CMD.
      cmd = ownCmd;
      cmdKnown = true;
    }
    entrypoint ??= ownEntrypoint;
    if (cmdKnown && entrypoint) break;
  }
  return { ...(entrypoint ? { entrypoint } : {}), ...(cmd ? { cmd } : {}) };
}

/** The command an instruction runs as one line of text: exec arrays joined with spaces. */
export function commandText(ins: DockerInstruction): string {
  return ins.exec ? ins.exec.join(' ') : ins.body.replace(/\s+/g, ' ').trim();
}

/**
 * `ENV`/`ARG`/`LABEL` pairs: `KEY=value KEY2="two words"`, or the legacy `ENV KEY value` form.
 * Quotes are removed from values; an `ARG NAME` without a default has value undefined.
 */
export function keyValuePairs(ins: DockerInstruction): { key: string; value: string | undefined }[] {
  const body = ins.body;
  const legacy = /^([^\s=]+)\s+(.*)$/s.exec(body);
  if (ins.keyword === 'ENV' && legacy && !legacy[1]!.includes('=')) {
    return [{ key: legacy[1]!, value: unquote(legacy[2]!.trim()) }];
  }
  const out: { key: string; value: string | undefined }[] = [];
  const pair = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of body.matchAll(pair)) {
    out.push({ key: m[1]!, value: m[2] === undefined ? undefined : unquote(m[2]) });
  }
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
    return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return value;
}

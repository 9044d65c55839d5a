import {
  commandText,
  effectiveCommand,
  finalStage,
  keyValuePairs,
  parentStage,
  parseDockerfile,
  type DockerInstruction,
  type Dockerfile,
  type DockerStage,
} from '../support/dockerfile.js';
import type { FactsView, Rule, RuleContext } from '../../src/engine/types.js';

/** A development server, recognised in the command text of a `CMD`/`ENTRYPOINT`. */
interface DevServer {
  readonly pattern: RegExp;
  /** What it is, for the message. */
  readonly what: string;
}

// Command words are matched between whitespace/slashes so that `vite.config.ts` or
// `next-dev-tools` are not commands.
const W = String.raw`(?:^|[\s/"'=;&|(])`;
const E = String.raw`(?=$|[\s"';&|)])`;

/** `npm run dev`, `yarn dev`, `pnpm run start:dev`: the script name is in group 1. */
const PACKAGE_SCRIPT = new RegExp(`${W}(?:npm|pnpm|yarn|bun)\\s+(?:run(?:-script)?\\s+)?(dev|develop|start:dev|serve:dev|dev:[\\w:-]+)${E}`);

const DEV_SERVERS: readonly DevServer[] = [
  { pattern: new RegExp(`${W}(?:manage\\.py|django-admin(?:\\.py)?)\\s+runserver(?:_plus)?${E}`), what: "Django's development server (`runserver`)" },
  { pattern: new RegExp(`${W}flask(?:\\s+--?[\\w-]+(?:[= ](?!run${E})\\S+)?)*\\s+run${E}`), what: "Flask's development server (`flask run`)" },
  { pattern: new RegExp(`${W}uvicorn${E}[^;&|]*\\s--reload${E}`), what: 'uvicorn with `--reload`' },
  { pattern: new RegExp(`${W}gunicorn${E}[^;&|]*\\s--reload${E}`), what: 'gunicorn with `--reload`' },
  { pattern: new RegExp(`${W}fastapi\\s+dev${E}`), what: "FastAPI's development mode (`fastapi dev`)" },
  { pattern: new RegExp(`${W}next\\s+dev${E}`), what: "Next.js's development server (`next dev`)" },
  { pattern: PACKAGE_SCRIPT, what: 'the `dev` script' },
  { pattern: new RegExp(`${W}nodemon${E}`), what: 'nodemon' },
  { pattern: new RegExp(`${W}ts-node(?:-dev)?(?:${E}|/register|/esm)`), what: 'ts-node' },
  { pattern: new RegExp(`${W}tsx\\s+watch${E}`), what: '`tsx watch`' },
  { pattern: new RegExp(`${W}node${E}[^;&|]*\\s--watch(?:-path)?${E}`), what: '`node --watch`' },
  { pattern: new RegExp(`${W}nest\\s+start${E}[^;&|]*\\s(?:--watch|-w)${E}`), what: '`nest start --watch`' },
  // `vite` alone (or `vite dev`/`vite serve`) is the dev server; `vite build`/`vite preview` are not.
  { pattern: new RegExp(`${W}vite(?:\\s+(?:dev|serve))?(?:\\s+--?[\\w-]+(?:[= ][^\\s-]\\S*)?)*\\s*(?:$|[;&|)"'])`), what: "Vite's development server" },
];

/** The qualifier of `Dockerfile.dev` / `dev.Dockerfile`, or the folder of `docker/dev/Dockerfile`. */
const DEV_QUALIFIER = /(^|[._-])(dev|develop|development|local|debug|test|tests|testing|ci|e2e)([._-]|$)/i;
const DEV_FOLDER = /(^|\/)(\.devcontainer|dev|development|local|debug)\//i;

/** Dockerfiles that say by their name or folder that they are for development. */
function isDevDockerfile(path: string): boolean {
  if (DEV_FOLDER.test(path)) return true;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const qualifier = name.replace(/^(dockerfile|containerfile)\.?/, '').replace(/\.?dockerfile$/, '');
  return qualifier !== '' && DEV_QUALIFIER.test(qualifier);
}

/** Stage names of a development target in a file also holding a production target. */
const DEV_STAGE = /^(dev|develop|development|local|debug|test|testing)$|[-_](dev|development|local|debug)$/;

export function devServerIn(command: string): DevServer | undefined {
  // A container command is a line or two; a longer one is not read further.
  const head = command.slice(0, 4_000);
  return DEV_SERVERS.find((d) => d.pattern.test(head));
}

/**
 * A final stage named `dev` in a file whose earlier stages run a production command is a
 * `--target` layout (`docker build --target production`), not a dev server shipped by accident.
 */
function isDevTargetLayout(file: Dockerfile, last: DockerStage): boolean {
  if (!last.name || !DEV_STAGE.test(last.name)) return false;
  return file.stages.slice(0, -1).some((stage) => {
    const { entrypoint, cmd } = effectiveCommand(file, stage);
    const run = [entrypoint, cmd].filter((i): i is DockerInstruction => !!i).map(commandText).join(' ');
    return run.trim() !== '' && !devServerIn(run);
  });
}

/** Facts: the scripts of the `package.json` files of the change, as `name=command`. */
const SCRIPTS = 'dev-server-in-container:script';

/**
 * A `dev` script whose `package.json` is in the change and runs no dev server (`"start:dev":
 * "tsc && node lib/index.js"`) is named after the environment, not the tool.
 */
function scriptRunsDevServer(facts: FactsView, script: string): boolean {
  const commands = [...facts.values(SCRIPTS)].filter((s) => s.startsWith(`${script}=`)).map((s) => s.slice(script.length + 1));
  return commands.length === 0 || commands.some((command) => devServerIn(command) !== undefined || /--watch|\bwatch\b|--reload/.test(command));
}

function recordScripts(ctx: RuleContext): void {
  if (!/(^|\/)package\.json$/.test(ctx.file.path)) return;
  let scripts: unknown;
  try {
    scripts = (JSON.parse(ctx.file.source) as { scripts?: unknown }).scripts;
  } catch {
    return;
  }
  if (!scripts || typeof scripts !== 'object') return;
  for (const [name, command] of Object.entries(scripts)) {
    if (typeof command === 'string') ctx.facts.add(SCRIPTS, `${name}=${command}`);
  }
}

function check(ctx: RuleContext): void {
  if (ctx.file.language === 'json') {
    recordScripts(ctx);
    return;
  }
  if (ctx.file.language !== 'dockerfile') return;
  if (isDevDockerfile(ctx.file.path.replace(/\\/g, '/'))) return;
  const file = parseDockerfile(ctx.file.source);
  const last = finalStage(file);
  if (!last || isDevTargetLayout(file, last)) return;
  const { entrypoint, cmd } = effectiveCommand(file, last);
  const env = environmentOf(file, last);
  const text = (ins: DockerInstruction): string => expand(commandText(ins), env);
  const candidates: { at: DockerInstruction; command: string }[] = [];
  if (entrypoint) candidates.push({ at: entrypoint, command: text(entrypoint) });
  if (cmd) candidates.push({ at: cmd, command: text(cmd) });
  // `ENTRYPOINT ["npm", "run"]` + `CMD ["dev"]`: the container runs both, joined.
  if (entrypoint && cmd) candidates.push({ at: cmd, command: `${text(entrypoint)} ${text(cmd)}` });
  for (const { at, command } of candidates) {
    const dev = devServerIn(command);
    if (!dev) continue;
    const inherited = at.startLine < last.startLine ? ` (inherited from the \`${stageNameAt(file, at)}\` stage)` : '';
    const script = dev.pattern === PACKAGE_SCRIPT ? PACKAGE_SCRIPT.exec(command)?.[1] : undefined;
    ctx.report({
      lines: { start: at.startLine, end: at.endLine },
      key: `${at.keyword} ${command}`,
      ...(script ? { when: (facts: FactsView) => scriptRunsDevServer(facts, script) } : {}),
      message: `The image's final stage starts ${script ? `the \`${script}\` script` : dev.what}${inherited}: development servers reload, run one process and are not hardened for production traffic.`,
    });
    return;
  }
}

/** `ENV`/`ARG` values visible in a stage, its parents' first: `ENV START="uvicorn app:app --reload"`. */
function environmentOf(file: Dockerfile, stage: DockerStage): Map<string, string> {
  const chain: DockerStage[] = [];
  for (let s: DockerStage | undefined = stage; s && !chain.includes(s); s = parentStage(file, s)) chain.unshift(s);
  const env = new Map<string, string>();
  for (const s of chain) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
      for (const { key, value } of keyValuePairs(ins)) if (value !== undefined) env.set(key, value);
    }
  }
  return env;
}

/** `sh -c "$START_CMD"` with the variable's value in place, as the shell would run it. */
function expand(command: string, env: ReadonlyMap<string, string>): string {
  return command.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => env.get(name) ?? whole);
}

function stageNameAt(file: Dockerfile, ins: DockerInstruction): string {
  const stage = file.stages.find((s) => s.startLine <= ins.startLine && ins.endLine <= s.endLine);
  return stage?.name ?? String(stage?.index ?? '?');
}

const rule: Rule = {
  meta: {
    id: 'dev-server-in-container',
    title: 'Development server in the container image',
    severity: 'P0',
    category: 'Security',
    // package.json only to learn what its scripts run, when it is part of the change.
    languages: ['dockerfile', 'json'],
    docs: {
      why: 'Development servers (`runserver`, `flask run`, `next dev`, `nodemon`, `--reload`) are built for one developer: one process, file watching, verbose error pages, no production build. Under real traffic they fall over, and some expose debug tooling to the internet.',
      fix: 'Start the production server in the final stage: gunicorn or uvicorn workers without `--reload`, `next start` after `next build`, `node dist/server.js` after compiling. Keep a separate `dev` stage or Dockerfile for local work.',
      example: {
        bad: 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]',
        good: 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]',
      },
    },
  },
  checkText: check,
};

export default rule;

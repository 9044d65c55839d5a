import { finalStage, parentStage, parseDockerfile, type DockerInstruction, type DockerStage, type Dockerfile } from '../support/dockerfile.js';
import type { Rule, RuleContext } from '../../src/engine/types.js';

/**
 * Base images that already run as a non-root user, so a stage built on them without `USER` is
 * fine: distroless `:nonroot` tags, Chainguard images (non-root by default), Bitnami images
 * (uid 1001), nginx-unprivileged, Red Hat UBI language images (uid 1001).
 */
const NON_ROOT_BASE = [
  /^gcr\.io\/distroless\/[^:@\s]+:(?:[\w.-]*-)?nonroot(?:-[\w.-]+)?(?:@|$)/i,
  /^(cgr\.dev\/chainguard|chainguard)\//i,
  /^(docker\.io\/)?bitnami\//i,
  /(^|\/)nginx-unprivileged(:|@|$)/i,
  /^(registry\.access\.redhat\.com|registry\.redhat\.io)\/ubi\d+\/(nodejs|python|ruby|php|go-toolset|openjdk)[\w.-]*/i,
];

/** `USER root`, `USER 0`, `USER 0:0`, `USER root:wheel`: still uid 0. */
const ROOT_USER = /^(root|0)(:\S*)?$/i;

type Effective =
  | { readonly kind: 'explicit-root'; readonly user: DockerInstruction }
  | { readonly kind: 'non-root' }
  | { readonly kind: 'default-root'; readonly image: string };

function lastUser(stage: DockerStage): DockerInstruction | undefined {
  for (let i = stage.instructions.length - 1; i >= 0; i--) if (stage.instructions[i]!.keyword === 'USER') return stage.instructions[i];
  return undefined;
}

/**
 * The user the final stage's container starts as: its last `USER`, else the one it inherits from
 * the stage it is built `FROM`, else the base image's default (root unless a known non-root image).
 */
function effectiveUser(file: Dockerfile, stage: DockerStage): Effective {
  const seen = new Set<number>();
  for (let s: DockerStage | undefined = stage; s && !seen.has(s.index); s = parentStage(file, s)) {
    seen.add(s.index);
    const user = lastUser(s);
    if (user) {
      // `USER ${APP_UID}` cannot be read here; assume it names the intended non-root user.
      return ROOT_USER.test(user.body.trim()) ? { kind: 'explicit-root', user } : { kind: 'non-root' };
    }
    if (!parentStage(file, s)) {
      const image = s.image;
      if (NON_ROOT_BASE.some((re) => re.test(image))) return { kind: 'non-root' };
      // `FROM ${BASE_IMAGE}`: the base is chosen at build time and may well be non-root.
      if (image.includes('$')) return { kind: 'non-root' };
      return { kind: 'default-root', image };
    }
  }
  return { kind: 'non-root' };
}

/**
 * Containers whose job needs root: a Docker daemon inside the container (Docker-in-Docker). Asking
 * for a non-root user there is advice nobody can take.
 */
const NEEDS_ROOT_IMAGE = /^(docker\.io\/)?(library\/)?docker:[^\s]*dind/i;
const INSTALLS_DOCKER_DAEMON = /\b(docker\.io|docker-ce|dockerd|moby-engine)\b/;

function needsRoot(stage: DockerStage): boolean {
  if (NEEDS_ROOT_IMAGE.test(stage.image)) return true;
  return stage.instructions.some((i) => i.keyword === 'RUN' && INSTALLS_DOCKER_DAEMON.test(i.body) && /\b(apt-get|apt|apk|yum|dnf)\b/.test(i.body));
}

function check(ctx: RuleContext): void {
  const file = parseDockerfile(ctx.file.source);
  const stage = finalStage(file);
  if (!stage) return;
  if (needsRoot(stage)) return;
  const effective = effectiveUser(file, stage);
  if (effective.kind === 'non-root') return;
  if (effective.kind === 'explicit-root') {
    const user = effective.user;
    // An explicit `USER root` in an earlier stage is reported on the final `FROM` instead.
    const inFinal = stage.instructions.includes(user);
    ctx.report({
      lines: inFinal ? { start: user.startLine, end: user.endLine } : { start: stage.from.startLine, end: stage.from.endLine },
      key: inFinal ? `USER ${user.body}` : `FROM ${stage.from.body}`,
      message: inFinal
        ? `The final stage switches to \`USER ${user.body}\` and never back: the application runs as root in the container.`
        : `The final stage inherits \`USER ${user.body}\` from the stage it is built on: the application runs as root in the container.`,
    });
    return;
  }
  ctx.report({
    lines: { start: stage.from.startLine, end: stage.from.endLine },
    key: `FROM ${stage.from.body}`,
    message: `The final stage (\`FROM ${effective.image}\`) sets no \`USER\`, so the application runs as root in the container.`,
  });
}

const rule: Rule = {
  meta: {
    id: 'container-runs-as-root',
    title: 'Container runs as root',
    severity: 'P2',
    category: 'Security',
    languages: ['dockerfile'],
    docs: {
      why: 'A process running as root inside the container turns any code-execution bug into root on the container filesystem, and one kernel or runtime escape away from root on the host.',
      fix: 'Add a non-root `USER` to the final stage after the files are copied (`USER node` on Node images, or create one: `RUN useradd --uid 10001 app` then `USER 10001`), or build on a non-root base such as `gcr.io/distroless/nodejs20-debian12:nonroot`.',
      example: {
        bad: 'FROM node:20-slim\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\nCMD ["node", "dist/server.js"]',
        good: 'FROM node:20-slim\nWORKDIR /app\nCOPY --from=build --chown=node:node /app/dist ./dist\nUSER node\nCMD ["node", "dist/server.js"]',
      },
    },
  },
  checkText: check,
};

export default rule;

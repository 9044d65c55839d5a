import { createHash, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unifiedPatch } from './unified-diff.js';

/**
 * A local GitHub for end-to-end tests and the benchmark: just the REST endpoints Shipgate uses,
 * served under `/api/v3` on 127.0.0.1 (Probot's GHE_HOST / GHE_PROTOCOL point it here), backed by
 * an in-memory model of repositories, commits and pull requests. It checks what GitHub checks
 * where a mistake would be invisible otherwise: the App JWT, installation tokens, review comments
 * only on lines inside the diff, at most 50 annotations per request, summary size. Every request
 * is recorded for assertions.
 */

export interface RecordedRequest {
  readonly method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly status: number;
  readonly at: number;
}

export interface CheckRunRecord {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  annotations: Record<string, unknown>[];
  /** `status` after creation and after each update, in order. */
  readonly statuses: string[];
  completedAt?: number;
}

export interface ReviewCommentRecord {
  readonly id: number;
  /** `owner/name` of the repository. */
  readonly repository: string;
  readonly pull_request_review_id: number | null;
  readonly pullNumber: number;
  readonly path: string;
  readonly line: number;
  readonly start_line: number | null;
  readonly side: 'RIGHT' | 'LEFT';
  readonly commit_id: string;
  readonly body: string;
  readonly in_reply_to_id?: number;
  readonly user: { login: string; type: 'Bot' | 'User' };
}

export interface ReviewRecord {
  readonly id: number;
  /** `owner/name` of the repository. */
  readonly repository: string;
  readonly pullNumber: number;
  readonly commit_id: string;
  readonly event: string;
  readonly body: string;
  readonly commentIds: readonly number[];
}

/** A file at a commit: text, bytes, or absent. */
export type FileTree = Readonly<Record<string, string | Buffer>>;

interface Commit {
  readonly sha: string;
  readonly files: ReadonlyMap<string, Buffer>;
}

export interface PullRequestModel {
  readonly number: number;
  readonly owner: string;
  readonly repo: string;
  state: 'open' | 'closed';
  draft: boolean;
  baseRef: string;
  baseSha: string;
  headRef: string;
  headSha: string;
  /** Paths whose patch GitHub would not show ("diff too large"). */
  readonly withoutPatch: Set<string>;
  /** head path → base path, for renamed files. */
  readonly renames: Map<string, string>;
}

export interface PullFileEntry {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  sha: string | null;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
  /** Not sent: lines a RIGHT-side comment may go on. */
  rightLines: ReadonlySet<number>;
}

const BOT = { login: 'shipgate[bot]', type: 'Bot' as const };
const CONTENTS_INLINE_LIMIT = 1024 * 1024;
const MAX_LISTED_FILES = 3000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function blobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/** Base64 wrapped at 60 columns, like GitHub's contents API. */
function wrappedBase64(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + (bytes.length ? '\n' : '');
}

export class RepoModel {
  readonly commits = new Map<string, Commit>();
  readonly branches = new Map<string, string>();
  readonly pulls = new Map<number, PullRequestModel>();
  /** At most this many entries in a trees listing, then `truncated: true` (GitHub's limit is 100,000 entries / 7 MB). */
  treeLimit: number | undefined;
  private counter = 0;

  constructor(
    readonly owner: string,
    readonly name: string,
  ) {}

  /** A commit whose files are `parent`'s with `changes` applied (`null` deletes a path). */
  commit(changes: Readonly<Record<string, string | Buffer | null>>, parent?: string): string {
    const files = new Map(parent ? this.mustCommit(parent).files : []);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
    }
    const hash = createHash('sha1').update(`${this.owner}/${this.name}#${++this.counter}`);
    for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}\0${blobSha(bytes)}\n`);
    const sha = hash.digest('hex');
    this.commits.set(sha, { sha, files });
    return sha;
  }

  mustCommit(sha: string): Commit {
    const commit = this.commits.get(sha) ?? this.commits.get(this.branches.get(sha) ?? '');
    if (!commit) throw new HttpError(404, `No commit found for ${sha}`);
    return commit;
  }

  openPullRequest(options: { number?: number; base: string; head: string; baseRef?: string; headRef?: string; draft?: boolean }): PullRequestModel {
    const number = options.number ?? this.pulls.size + 1;
    const pr: PullRequestModel = {
      number,
      owner: this.owner,
      repo: this.name,
      state: 'open',
      draft: options.draft ?? false,
      baseRef: options.baseRef ?? 'main',
      baseSha: options.base,
      headRef: options.headRef ?? `feature-${number}`,
      headSha: options.head,
      withoutPatch: new Set(),
      renames: new Map(),
    };
    this.branches.set(pr.baseRef, pr.baseSha);
    this.pulls.set(number, pr);
    return pr;
  }

  private readonly fileCache = new Map<string, PullFileEntry[]>();

  /** What `GET /pulls/{n}/files` lists, computed from base and head like GitHub's three-dot diff. */
  pullFiles(pr: PullRequestModel): PullFileEntry[] {
    const key = `${pr.baseSha}:${pr.headSha}:${[...pr.withoutPatch].join(',')}:${[...pr.renames].join(',')}`;
    let files = this.fileCache.get(key);
    if (!files) {
      files = this.computePullFiles(pr);
      this.fileCache.set(key, files);
    }
    return files;
  }

  private computePullFiles(pr: PullRequestModel): PullFileEntry[] {
    const base = this.mustCommit(pr.baseSha).files;
    const head = this.mustCommit(pr.headSha).files;
    const renamedFrom = new Set(pr.renames.values());
    const paths = [...new Set([...base.keys(), ...head.keys()])].sort();
    const out: PullFileEntry[] = [];
    for (const path of paths) {
      if (renamedFrom.has(path) && !head.has(path)) continue;
      const previous = pr.renames.get(path);
      const before = base.get(previous ?? path);
      const after = head.get(path);
      if (before && after && before.equals(after) && !previous) continue;
      const status = !after ? 'removed' : previous ? 'renamed' : !before ? 'added' : 'modified';
      const entry: PullFileEntry = {
        filename: path,
        status,
        sha: after ? blobSha(after) : null,
        additions: 0,
        deletions: 0,
        changes: 0,
        rightLines: new Set(),
        ...(previous ? { previous_filename: previous } : {}),
      };
      if (!isBinary(before ?? Buffer.alloc(0)) && !isBinary(after ?? Buffer.alloc(0))) {
        const diff = unifiedPatch(before?.toString('utf8') ?? '', after?.toString('utf8') ?? '');
        entry.additions = diff.additions;
        entry.deletions = diff.deletions;
        entry.changes = diff.additions + diff.deletions;
        if (!pr.withoutPatch.has(path) && diff.patch !== '') {
          entry.patch = diff.patch;
          entry.rightLines = diff.rightLines;
        }
      }
      out.push(entry);
    }
    return out;
  }
}

export interface StandInOptions {
  readonly appId: string;
  /** The App's public key: JWTs signed with anything else are refused. */
  readonly publicKey: KeyObject;
  readonly installationId?: number;
  /** Answers a request before the model does (fault injection): return a status to fail it with. */
  readonly intercept?: (method: string, path: string) => number | undefined;
  /** Holds a request before it is answered, until the returned promise settles (a slow or hung GitHub). */
  readonly hold?: (method: string, path: string) => Promise<void> | undefined;
}

export class GitHubStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly reviews: ReviewRecord[] = [];
  readonly comments: ReviewCommentRecord[] = [];
  private readonly repos = new Map<string, RepoModel>();
  private readonly tokens = new Set<string>();
  private nextId = 1000;
  private server: Server | undefined;
  private port = 0;
  private listeners: (() => void)[] = [];

  private constructor(private readonly options: StandInOptions) {}

  static async start(options: StandInOptions): Promise<GitHubStandIn> {
    const standIn = new GitHubStandIn(options);
    await standIn.listen();
    return standIn;
  }

  /** `127.0.0.1:<port>`, the value for GHE_HOST. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get baseUrl(): string {
    return `http://${this.host}/api/v3`;
  }

  get installationId(): number {
    return this.options.installationId ?? 1;
  }

  repo(owner: string, name: string): RepoModel {
    const key = `${owner}/${name}`;
    let repo = this.repos.get(key);
    if (!repo) {
      repo = new RepoModel(owner, name);
      this.repos.set(key, repo);
    }
    return repo;
  }

  checkRunsFor(headSha: string): CheckRunRecord[] {
    return [...this.checkRuns.values()].filter((c) => c.head_sha === headSha);
  }

  commentsOn(pr: PullRequestModel): ReviewCommentRecord[] {
    return this.comments.filter((c) => c.pullNumber === pr.number && c.repository === `${pr.owner}/${pr.repo}`);
  }

  reviewsOn(pr: PullRequestModel): ReviewRecord[] {
    return this.reviews.filter((r) => r.pullNumber === pr.number && r.repository === `${pr.owner}/${pr.repo}`);
  }

  /** Requests that created content on GitHub (reviews, comments, replies), for rate-limit checks. */
  contentCreatingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/(reviews|replies|comments)$/.test(r.path));
  }

  /** Resolves when `predicate` holds, re-checked after every request the stand-in serves. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = predicate();
        if (value) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== listener);
          resolve(value);
          return true;
        }
        return false;
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      if (!check()) this.listeners.push(listener);
    });
  }

  /** Waits for the check run on `headSha` to complete and returns it. */
  waitForCompletedCheck(headSha: string, timeoutMs = 20_000): Promise<CheckRunRecord> {
    return this.waitFor(
      () => this.checkRunsFor(headSha).find((c) => c.status === 'completed'),
      timeoutMs,
      `a completed check run on ${headSha.slice(0, 7)}`,
    );
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = undefined;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith('/api/v3') ? url.pathname.slice('/api/v3'.length) : url.pathname;
    let status = 200;
    let payload: unknown;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    try {
      if (!url.pathname.startsWith('/api/v3/')) throw new HttpError(404, 'Not Found (GitHub Enterprise API lives under /api/v3)');
      await this.options.hold?.(method, path);
      const injected = this.options.intercept?.(method, path);
      if (injected) throw new HttpError(injected, `injected failure ${injected}`);
      const answer = this.route(method, path, query, body, req.headers.authorization ?? '', url);
      status = answer.status ?? 200;
      payload = answer.body;
      if (answer.link) headers.link = answer.link;
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      payload = { message: (error as Error).message, documentation_url: 'https://docs.github.com/rest' };
    }
    this.requests.push({ method, path, query, body, status, at: Date.now() });
    res.writeHead(status, headers);
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
    for (const listener of [...this.listeners]) listener();
  }

  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    authorization: string,
    url: URL,
  ): { status?: number; body?: unknown; link?: string } {
    let m: RegExpExecArray | null;
    if ((m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path)) && method === 'POST') {
      this.verifyAppJwt(authorization);
      if (Number(m[1]) !== this.installationId) throw new HttpError(404, 'Not Found');
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      this.tokens.add(token);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { checks: 'write', pull_requests: 'write', contents: 'read', metadata: 'read' },
          repository_selection: 'all',
        },
      };
    }

    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) throw new HttpError(404, 'Not Found');
    this.verifyInstallationToken(authorization);
    const repo = this.repos.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`);
    if (!repo) throw new HttpError(404, 'Not Found');
    const rest = m[3] ?? '';

    if ((m = /^\/pulls\/(\d+)$/.exec(rest)) && method === 'GET') return { body: this.pullJson(repo, this.pull(repo, m[1]!)) };
    if (rest === '/pulls' && method === 'GET') {
      const state = query.state ?? 'open';
      const pulls = [...repo.pulls.values()].filter((p) => state === 'all' || p.state === state).map((p) => this.pullJson(repo, p));
      return this.paginated(pulls, query, url);
    }
    if ((m = /^\/pulls\/(\d+)\/files$/.exec(rest)) && method === 'GET') {
      const files = repo.pullFiles(this.pull(repo, m[1]!)).slice(0, MAX_LISTED_FILES).map(({ rightLines: _, ...f }) => f);
      return this.paginated(files, query, url);
    }
    if ((m = /^\/pulls\/(\d+)\/comments$/.exec(rest)) && method === 'GET') {
      const pr = this.pull(repo, m[1]!);
      return this.paginated(this.commentsOn(pr).map((c) => this.commentJson(c)), query, url);
    }
    if ((m = /^\/pulls\/(\d+)\/comments\/(\d+)\/replies$/.exec(rest)) && method === 'POST') {
      const pr = this.pull(repo, m[1]!);
      const parent = this.commentsOn(pr).find((c) => c.id === Number(m![2]));
      if (!parent) throw new HttpError(404, 'Not Found');
      const text = (body as { body?: unknown })?.body;
      if (typeof text !== 'string' || !text) throw new HttpError(422, 'body is missing');
      const reply: ReviewCommentRecord = {
        id: this.nextId++,
        repository: `${repo.owner}/${repo.name}`,
        pull_request_review_id: null,
        pullNumber: pr.number,
        path: parent.path,
        line: parent.line,
        start_line: null,
        side: parent.side,
        commit_id: pr.headSha,
        body: text,
        in_reply_to_id: parent.id,
        user: BOT,
      };
      this.comments.push(reply);
      return { status: 201, body: this.commentJson(reply) };
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest)) && method === 'POST') return this.createReview(repo, this.pull(repo, m[1]!), body);

    if ((m = /^\/contents\/(.+)$/.exec(rest)) && method === 'GET') {
      const filePath = m[1]!.split('/').map(decodeURIComponent).join('/');
      const commit = repo.mustCommit(query.ref ?? 'main');
      const bytes = commit.files.get(filePath);
      if (!bytes) throw new HttpError(404, 'Not Found');
      const large = bytes.length > CONTENTS_INLINE_LIMIT;
      return {
        body: {
          type: 'file',
          name: filePath.slice(filePath.lastIndexOf('/') + 1),
          path: filePath,
          sha: blobSha(bytes),
          size: bytes.length,
          encoding: large ? 'none' : 'base64',
          content: large ? '' : wrappedBase64(bytes),
        },
      };
    }
    if ((m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest)) && method === 'GET') {
      for (const commit of repo.commits.values()) {
        for (const bytes of commit.files.values()) {
          if (blobSha(bytes) === m[1]) return { body: { sha: m[1], size: bytes.length, encoding: 'base64', content: wrappedBase64(bytes) } };
        }
      }
      throw new HttpError(404, 'Not Found');
    }
    if ((m = /^\/git\/trees\/([^/]+)$/.exec(rest)) && method === 'GET') {
      return { body: this.treeJson(repo, decodeURIComponent(m[1]!), query.recursive !== undefined) };
    }
    if ((m = /^\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(rest)) && method === 'GET') {
      repo.mustCommit(m[1]!);
      repo.mustCommit(m[2]!);
      return { body: { status: 'ahead', merge_base_commit: { sha: m[1] }, base_commit: { sha: m[1] }, files: [], commits: [] } };
    }

    if (rest === '/check-runs' && method === 'POST') {
      const input = body as { name?: string; head_sha?: string; status?: string; output?: CheckRunRecord['output'] };
      if (!input?.name || !input.head_sha) throw new HttpError(422, 'name and head_sha are required');
      repo.mustCommit(input.head_sha);
      const run: CheckRunRecord = {
        id: this.nextId++,
        owner: repo.owner,
        repo: repo.name,
        name: input.name,
        head_sha: input.head_sha,
        status: input.status ?? 'queued',
        conclusion: null,
        output: { ...input.output },
        annotations: [],
        statuses: [input.status ?? 'queued'],
      };
      this.checkRuns.set(run.id, run);
      return { status: 201, body: this.checkRunJson(run) };
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const run = this.checkRuns.get(Number(m[1]));
      if (!run || run.owner !== repo.owner || run.repo !== repo.name) throw new HttpError(404, 'Not Found');
      this.updateCheckRun(run, body as Record<string, unknown>);
      return { body: this.checkRunJson(run) };
    }
    throw new HttpError(404, `Not Found: ${method} ${rest}`);
  }

  /**
   * `GET /git/trees/{sha}` of a commit: blobs with their sizes, directories as `tree` entries
   * (all levels with `recursive`, the top level without). `repo.treeLimit` truncates the listing
   * as GitHub does for very large repositories.
   */
  private treeJson(repo: RepoModel, sha: string, recursive: boolean): Record<string, unknown> {
    const commit = repo.mustCommit(sha);
    const entries: Record<string, unknown>[] = [];
    const dirs = new Set<string>();
    for (const [path, bytes] of [...commit.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (dirs.has(dir) || (!recursive && i > 1)) continue;
        dirs.add(dir);
        entries.push({ path: dir, mode: '040000', type: 'tree', sha: createHash('sha1').update(`tree ${commit.sha} ${dir}`).digest('hex') });
      }
      if (!recursive && parts.length > 1) continue;
      entries.push({ path, mode: '100644', type: 'blob', sha: blobSha(bytes), size: bytes.length });
    }
    const limit = repo.treeLimit ?? Infinity;
    return { sha: commit.sha, truncated: entries.length > limit, tree: entries.slice(0, limit) };
  }

  private pull(repo: RepoModel, number: string): PullRequestModel {
    const pr = repo.pulls.get(Number(number));
    if (!pr) throw new HttpError(404, 'Not Found');
    return pr;
  }

  private pullJson(repo: RepoModel, pr: PullRequestModel): Record<string, unknown> {
    return {
      number: pr.number,
      state: pr.state,
      draft: pr.draft,
      title: `PR ${pr.number}`,
      user: { login: 'octocat', type: 'User' },
      head: { sha: pr.headSha, ref: pr.headRef, repo: { name: repo.name, owner: { login: repo.owner } } },
      base: { sha: pr.baseSha, ref: pr.baseRef, repo: { name: repo.name, owner: { login: repo.owner } } },
      changed_files: repo.pullFiles(pr).length,
    };
  }

  private commentJson(c: ReviewCommentRecord): Record<string, unknown> {
    return {
      id: c.id,
      pull_request_review_id: c.pull_request_review_id,
      path: c.path,
      line: c.line,
      original_line: c.line,
      start_line: c.start_line,
      side: c.side,
      commit_id: c.commit_id,
      body: c.body,
      user: c.user,
      ...(c.in_reply_to_id ? { in_reply_to_id: c.in_reply_to_id } : {}),
    };
  }

  private checkRunJson(run: CheckRunRecord): Record<string, unknown> {
    return {
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      output: { title: run.output.title ?? null, summary: run.output.summary ?? null, annotations_count: run.annotations.length },
    };
  }

  private updateCheckRun(run: CheckRunRecord, input: Record<string, unknown>): void {
    const output = input.output as { title?: string; summary?: string; annotations?: Record<string, unknown>[] } | undefined;
    if (output?.annotations && output.annotations.length > 50) throw new HttpError(422, 'Only 50 annotations are allowed per request');
    if (output?.summary && output.summary.length > 65_535) throw new HttpError(422, 'output.summary is too long (maximum is 65535 characters)');
    if (output && (!output.title || output.summary === undefined)) throw new HttpError(422, 'output needs a title and a summary');
    for (const a of output?.annotations ?? []) {
      if (typeof a.path !== 'string' || typeof a.start_line !== 'number' || typeof a.end_line !== 'number' || !a.annotation_level || !a.message) {
        throw new HttpError(422, 'Invalid annotation');
      }
    }
    if (input.conclusion !== undefined && input.status !== 'completed' && input.status !== undefined) {
      throw new HttpError(422, 'conclusion requires status completed');
    }
    if (output) {
      run.output = { title: output.title, summary: output.summary };
      run.annotations.push(...(output.annotations ?? []));
    }
    if (typeof input.status === 'string') run.status = input.status;
    if (typeof input.conclusion === 'string') {
      run.status = 'completed';
      run.conclusion = input.conclusion;
    }
    if (run.status === 'completed') run.completedAt ??= Date.now();
    run.statuses.push(run.status);
  }

  private createReview(repo: RepoModel, pr: PullRequestModel, body: unknown): { status: number; body: unknown } {
    const input = body as {
      commit_id?: string;
      event?: string;
      body?: string;
      comments?: { path: string; line?: number; side?: string; start_line?: number; start_side?: string; body: string; position?: number }[];
    };
    if (input.event !== 'COMMENT' && input.event !== 'APPROVE' && input.event !== 'REQUEST_CHANGES') {
      throw new HttpError(422, 'event must be COMMENT, APPROVE or REQUEST_CHANGES');
    }
    const files = new Map(repo.pullFiles(pr).map((f) => [f.filename, f]));
    const comments = input.comments ?? [];
    // GitHub rejects the whole review when one comment is outside the diff.
    for (const c of comments) {
      const file = files.get(c.path);
      if (!file) throw new HttpError(422, `Unprocessable Entity: path ${c.path} is not part of the pull request`);
      if (c.position !== undefined) throw new HttpError(422, 'the stand-in only supports line/side comments');
      if (c.side !== 'RIGHT' || typeof c.line !== 'number') throw new HttpError(422, 'comments need line and side RIGHT');
      const lines = c.start_line !== undefined ? range(c.start_line, c.line) : [c.line];
      if (c.start_line !== undefined && (c.start_side ?? 'RIGHT') !== 'RIGHT') throw new HttpError(422, 'start_side must be RIGHT');
      for (const line of lines) {
        if (!file.rightLines.has(line)) {
          throw new HttpError(422, `Unprocessable Entity: pull_request_review_thread.line ${line} of ${c.path} must be part of the diff`);
        }
      }
    }
    const review: ReviewRecord = {
      id: this.nextId++,
      repository: `${repo.owner}/${repo.name}`,
      pullNumber: pr.number,
      commit_id: input.commit_id ?? pr.headSha,
      event: input.event,
      body: input.body ?? '',
      commentIds: [],
    };
    const ids: number[] = [];
    for (const c of comments) {
      const record: ReviewCommentRecord = {
        id: this.nextId++,
        repository: review.repository,
        pull_request_review_id: review.id,
        pullNumber: pr.number,
        path: c.path,
        line: c.line!,
        start_line: c.start_line ?? null,
        side: 'RIGHT',
        commit_id: review.commit_id,
        body: c.body,
        user: BOT,
      };
      this.comments.push(record);
      ids.push(record.id);
    }
    this.reviews.push({ ...review, commentIds: ids });
    return { status: 200, body: { id: review.id, state: 'COMMENTED', commit_id: review.commit_id, body: review.body } };
  }

  private paginated(items: readonly unknown[], query: Record<string, string>, url: URL): { body: unknown; link?: string } {
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30)));
    const page = Math.max(1, Number(query.page ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const at = (p: number): string => {
      const next = new URL(url);
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(p));
      return next.toString();
    };
    const links: string[] = [];
    if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    if (page > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`);
    return { body: slice, ...(links.length ? { link: links.join(', ') } : {}) };
  }

  private verifyAppJwt(authorization: string): void {
    const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
    if (!token) throw new HttpError(401, 'A JSON web token could not be decoded');
    const [header, claims, signature] = token.split('.');
    if (!header || !claims || !signature) throw new HttpError(401, 'A JSON web token could not be decoded');
    const valid = verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), this.options.publicKey, Buffer.from(signature, 'base64url'));
    if (!valid) throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer / signature does not match");
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number };
    if (String(payload.iss) !== this.options.appId) throw new HttpError(401, 'Integration not found');
    if (typeof payload.exp !== 'number' || payload.exp * 1000 < Date.now()) throw new HttpError(401, 'Expiration time claim (exp) is too far in the past');
  }

  private verifyInstallationToken(authorization: string): void {
    const token = /^(?:token|bearer) (.+)$/i.exec(authorization)?.[1];
    if (!token || !this.tokens.has(token)) throw new HttpError(401, 'Bad credentials');
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

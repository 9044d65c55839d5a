import type { SyntaxNode } from '../../src/engine/types.js';
import { perTree } from './memo.js';
import { stringValue } from './syntax.js';

/**
 * Recognising calls that leave the process for another service: HTTP, LLM APIs, Stripe, email,
 * S3 and other AWS services, queues and message brokers. Decided from the callee's names and
 * from what the file binds those names to (`const api = axios.create(…)`, `client = OpenAI()`).
 */

export type OutsideServiceKind = 'HTTP' | 'LLM' | 'Stripe' | 'email' | 'S3' | 'AWS' | 'queue';

/** What a file binds names to: `api` → HTTP, `openai` → LLM. Keys are the last name segment. */
export type ServiceBindings = ReadonlyMap<string, OutsideServiceKind>;

/** Names along a callee chain, calls and subscripts skipped: `this.stripe.customers.create` → [stripe, customers, create]. */
export function calleeSegments(call: SyntaxNode): string[] {
  const out: string[] = [];
  let n: SyntaxNode | null = call.childForFieldName('function');
  for (let guard = 0; n && guard < 100; guard++) {
    switch (n.type) {
      case 'identifier':
      case 'property_identifier':
        out.push(n.text);
        n = null;
        break;
      case 'this':
      case 'self':
        n = null;
        break;
      case 'member_expression':
      case 'attribute': {
        const name = n.childForFieldName(n.type === 'attribute' ? 'attribute' : 'property');
        if (name) out.push(name.text);
        n = n.childForFieldName('object');
        break;
      }
      case 'call_expression':
      case 'call':
        n = n.childForFieldName('function');
        break;
      case 'subscript_expression':
        n = n.childForFieldName('object');
        break;
      case 'subscript':
        n = n.childForFieldName('value');
        break;
      case 'new_expression':
        n = n.childForFieldName('constructor');
        break;
      case 'non_null_expression':
      case 'parenthesized_expression':
      case 'await_expression':
        n = n.namedChild(0);
        break;
      default:
        n = null;
    }
  }
  // Python's `self.x`: the identifier `self` is pushed like any other name.
  const segments = out.reverse();
  return segments[0] === 'self' || segments[0] === 'cls' ? segments.slice(1) : segments;
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

const TS_HTTP_FUNCTIONS = new Set(['fetch', '$fetch', 'ofetch', 'axios', 'got', 'ky', 'superagent', 'needle']);
const TS_HTTP_OBJECTS = new Set(['axios', 'got', 'ky', 'superagent', 'undici', 'needle', 'httpService', 'httpClient']);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'fetch', 'stream']);
const TS_LLM_FUNCTIONS = new Set(['generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany']);
const LLM_OBJECT = /^(openai|anthropic|llm|gemini|genai|cohere|mistral|groq|bedrock|claude|gpt|ai)(client|api|service|sdk)?$/i;
const STRIPE_OBJECT = /^(stripe|getStripe)(client|api|sdk|service)?$/i;
const EMAIL_OBJECT =
  /^(sgMail|sendgrid|sendGrid|mailer|transporter|nodemailer|resend|postmark|postmarkClient|mailgun|mg|mailService|emailService|emailClient|mailClient|brevo|mailchimp|mandrill|loops)$/i;
const EMAIL_FUNCTION = /^send\w*(Email|Emails|Mail|Mails)$|^sendMail$/;
const S3_OBJECT = /s3/i;
const S3_METHODS = new Set(['putObject', 'getObject', 'upload', 'deleteObject', 'deleteObjects', 'copyObject', 'headObject', 'listObjects', 'listObjectsV2', 'createMultipartUpload', 'send']);
const QUEUE_OBJECT = /queue$/i;
const BROKER_OBJECT = /(pubsub|publisher|producer|kafka|nats|rabbit|amqp|sns|sqs|eventbridge|inngest|qstash|channel|topic|broker)/i;
const BROKER_METHODS = new Set(['publish', 'publishMessage', 'publishJSON', 'send', 'sendToQueue', 'produce', 'sendMessage', 'sendBatch', 'trigger']);

const TS_CONSTRUCTED: ReadonlyArray<[RegExp, OutsideServiceKind]> = [
  [/^(axios\.create|got\.extend|ky\.create|ky\.extend|wretch|ofetch\.create|\$fetch\.create)$/, 'HTTP'],
  [/^(OpenAI|Anthropic|AzureOpenAI|GoogleGenerativeAI|GoogleGenAI|Groq|Mistral|CohereClient)$/, 'LLM'],
  [/^Stripe$/, 'Stripe'],
  [/^(nodemailer\.createTransport|createTransport|Resend|ServerClient|Mailgun|SESClient|SESv2Client)$/, 'email'],
  [/^(S3Client|S3|AWS\.S3)$/, 'S3'],
  [/^(SQSClient|SNSClient|EventBridgeClient|LambdaClient|DynamoDBClient|DynamoDBDocumentClient\.from|KinesisClient)$/, 'AWS'],
  [/^(Queue|PubSub|Inngest)$/, 'queue'],
];

/** What a TS file binds names to: variables, class fields, `this.x = …` and typed constructor parameters. */
function serviceBindingsTsUncached(root: SyntaxNode): ServiceBindings {
  const out = new Map<string, OutsideServiceKind>();
  const bind = (name: string | undefined, value: SyntaxNode | null | undefined): void => {
    if (!name || !value) return;
    const kind = constructedKindTs(value);
    if (kind) out.set(name, kind);
  };
  for (const node of root.descendantsOfType(['variable_declarator', 'public_field_definition', 'assignment_expression', 'required_parameter', 'optional_parameter'])) {
    switch (node.type) {
      case 'variable_declarator':
        if (node.childForFieldName('name')?.type === 'identifier') bind(node.childForFieldName('name')!.text, node.childForFieldName('value'));
        break;
      case 'public_field_definition':
        bind(node.childForFieldName('name')?.text, node.childForFieldName('value'));
        break;
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const name = left?.type === 'member_expression' ? left.childForFieldName('property')?.text : left?.type === 'identifier' ? left.text : undefined;
        bind(name, node.childForFieldName('right'));
        break;
      }
      case 'required_parameter':
      case 'optional_parameter': {
        const name = node.childForFieldName('pattern')?.text;
        const type = node.childForFieldName('type')?.namedChild(0)?.text;
        const kind = type ? TYPED_PARAMETER.get(type) : undefined;
        if (name && kind) out.set(name, kind);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Types of injected clients (NestJS constructors): `private readonly stripe: Stripe`. */
const TYPED_PARAMETER = new Map<string, OutsideServiceKind>([
  ['HttpService', 'HTTP'],
  ['AxiosInstance', 'HTTP'],
  ['OpenAI', 'LLM'],
  ['Anthropic', 'LLM'],
  ['Stripe', 'Stripe'],
  ['S3Client', 'S3'],
  ['Queue', 'queue'],
  ['Transporter', 'email'],
  ['MailerService', 'email'],
]);

function constructedKindTs(value: SyntaxNode): OutsideServiceKind | undefined {
  let v = value;
  if (v.type === 'await_expression') v = v.namedChild(0) ?? v;
  let name: string | undefined;
  if (v.type === 'new_expression') name = v.childForFieldName('constructor')?.text;
  else if (v.type === 'call_expression') name = v.childForFieldName('function')?.text;
  if (!name) return undefined;
  for (const [pattern, kind] of TS_CONSTRUCTED) {
    if (pattern.test(name)) {
      return kind;
    }
  }
  return undefined;
}

/** Whether a TS call reaches another service, and which kind; undefined for anything else. */
export function outsideServiceKindTs(call: SyntaxNode, bindings: ServiceBindings): OutsideServiceKind | undefined {
  const segments = calleeSegments(call);
  if (segments.length === 0) return undefined;
  const method = segments[segments.length - 1]!;
  const root = segments[0]!;
  const objectLast = segments.length >= 2 ? segments[segments.length - 2]! : undefined;
  if (segments.length === 1) {
    if (call.childForFieldName('function')?.type !== 'identifier') return undefined;
    if (TS_HTTP_FUNCTIONS.has(method)) return 'HTTP';
    if (TS_LLM_FUNCTIONS.has(method)) return 'LLM';
    if (EMAIL_FUNCTION.test(method)) return 'email';
    return undefined;
  }
  const bound = bindings.get(root) ?? (objectLast ? bindings.get(objectLast) : undefined);
  // AWS SDK v3: `client.send(new PutObjectCommand(…))`.
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  if (method === 'send' && first?.type === 'new_expression') {
    const command = first.childForFieldName('constructor')?.text ?? '';
    if (/Command$/.test(command)) return /Object|Bucket|Multipart/.test(command) ? 'S3' : /Email/.test(command) ? 'email' : 'AWS';
  }
  // `new Upload({ client: s3, … }).done()` from @aws-sdk/lib-storage.
  if (method === 'done' && /^new Upload\b/.test(call.childForFieldName('function')?.childForFieldName('object')?.text ?? '')) return 'S3';
  if (bound === 'HTTP' && HTTP_METHODS.has(method)) return 'HTTP';
  if (TS_HTTP_OBJECTS.has(root) && HTTP_METHODS.has(method)) return 'HTTP';
  if (bound === 'LLM' || LLM_OBJECT.test(root) || (segments.includes('completions') && method === 'create')) return 'LLM';
  if (bound === 'Stripe' || STRIPE_OBJECT.test(root)) {
    // Webhook signature checks and helpers are local computation.
    if (segments.includes('webhooks') || /^construct/.test(method)) return undefined;
    return 'Stripe';
  }
  if (bound === 'email' || EMAIL_OBJECT.test(root)) {
    if (/^send|^create$/.test(method)) return 'email';
  }
  if (EMAIL_FUNCTION.test(method)) return 'email';
  if ((bound === 'S3' || S3_OBJECT.test(root)) && S3_METHODS.has(method)) return 'S3';
  if (bound === 'AWS' && method === 'send') return 'AWS';
  if ((method === 'add' || method === 'addBulk') && objectLast && (QUEUE_OBJECT.test(objectLast) || bindings.get(objectLast) === 'queue')) return 'queue';
  if (BROKER_METHODS.has(method) && segments.slice(0, -1).some((s) => BROKER_OBJECT.test(s))) return 'queue';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python

const PY_HTTP_MODULES = new Set(['requests', 'httpx', 'urllib3']);
const PY_HTTP_FUNCTIONS = new Set(['urlopen']);
const PY_LLM_OBJECT = /^(openai|anthropic|llm|genai|gemini|cohere|mistral|groq|openai_client|anthropic_client|llm_client|ai_client|claude)$/;
const PY_STRIPE_OBJECT = /^(stripe|stripe_client)$/;
const PY_EMAIL_FUNCTION = /^(send_mail|send_mass_mail|mail_admins|mail_managers|send_email|send_\w+_(email|mail)s?)$/;
const PY_EMAIL_OBJECT = /^(sg|sendgrid|sendgrid_client|mail|mailer|postmark|mailgun|ses|ses_client|email_client|mail_client)$/;
const PY_AWS_OBJECT = /^(s3|s3_client|s3_resource|sqs|sqs_client|sns|sns_client|ses|ses_client|dynamodb|lambda_client|kinesis|boto_client|bucket)$/;
const PY_AWS_LOCAL_METHODS = new Set(['generate_presigned_url', 'generate_presigned_post', 'get_paginator', 'get_waiter', 'can_paginate', 'Bucket', 'Object', 'Table']);
const PY_BROKER_OBJECT = /(publisher|producer|channel|pubsub|topic|sns|kafka|nats|broker|rabbit|amqp)/;

const PY_CONSTRUCTED: ReadonlyArray<[RegExp, OutsideServiceKind]> = [
  [/^(httpx\.(Async)?Client|requests\.[Ss]ession|aiohttp\.ClientSession|ClientSession|AsyncClient|urllib3\.PoolManager)$/, 'HTTP'],
  [/^((openai\.)?(Async)?OpenAI|(anthropic\.)?(Async)?Anthropic|(openai\.)?AzureOpenAI|genai\.Client)$/, 'LLM'],
  [/^stripe\.StripeClient$/, 'Stripe'],
  [/^(EmailMessage|EmailMultiAlternatives|SendGridAPIClient|(sendgrid\.)?SendGridAPIClient)$/, 'email'],
  [/^(boto3\.client|boto3\.resource|session\.client|session\.resource|boto3\.session\.Session\(\)\.client)$/, 'AWS'],
];

/** What a Python file binds names to: `client = httpx.Client()`, `self.s3 = boto3.client("s3")`, `with httpx.Client() as c`. */
function serviceBindingsPyUncached(root: SyntaxNode): ServiceBindings {
  const out = new Map<string, OutsideServiceKind>();
  const bind = (target: SyntaxNode | null | undefined, value: SyntaxNode | null | undefined): void => {
    if (!target || !value) return;
    const name = target.type === 'identifier' ? target.text : target.type === 'attribute' ? target.childForFieldName('attribute')?.text : undefined;
    let v = value;
    if (v.type === 'await') v = v.namedChild(0) ?? v;
    if (!name || v.type !== 'call') return;
    const callee = v.childForFieldName('function')?.text ?? '';
    for (const [pattern, kind] of PY_CONSTRUCTED) {
      if (pattern.test(callee)) {
        const service = stringValue(v.childForFieldName('arguments')?.namedChildren[0]);
        out.set(name, kind === 'AWS' && service === 's3' ? 'S3' : kind === 'AWS' && service === 'ses' ? 'email' : kind);
        return;
      }
    }
  };
  for (const node of root.descendantsOfType(['assignment', 'as_pattern'])) {
    if (node.type === 'assignment') bind(node.childForFieldName('left'), node.childForFieldName('right'));
    else if (node.type === 'as_pattern') bind(node.childForFieldName('alias')?.namedChild(0), node.namedChild(0));
  }
  return out;
}

/** Whether a Python call reaches another service, and which kind; undefined for anything else. */
export function outsideServiceKindPy(call: SyntaxNode, bindings: ServiceBindings): OutsideServiceKind | undefined {
  const segments = calleeSegments(call);
  if (segments.length === 0) return undefined;
  const method = segments[segments.length - 1]!;
  const root = segments[0]!;
  if (segments.length === 1) {
    if (PY_HTTP_FUNCTIONS.has(method)) return 'HTTP';
    if (PY_EMAIL_FUNCTION.test(method)) return 'email';
    return undefined;
  }
  const objectLast = segments[segments.length - 2]!;
  const bound = bindings.get(root) ?? bindings.get(objectLast);
  if (root === 'urllib' && method === 'urlopen') return 'HTTP';
  if ((PY_HTTP_MODULES.has(root) || bound === 'HTTP') && HTTP_METHODS.has(method)) return 'HTTP';
  if (bound === 'LLM' || PY_LLM_OBJECT.test(root) || (segments.includes('completions') && method === 'create')) return 'LLM';
  if (bound === 'Stripe' || PY_STRIPE_OBJECT.test(root)) {
    if (segments.includes('Webhook') || segments.includes('util') || /^construct/.test(method)) return undefined;
    return segments.length >= 3 || bound === 'Stripe' ? 'Stripe' : undefined;
  }
  if (bound === 'email' && /^send/.test(method)) return 'email';
  if (PY_EMAIL_OBJECT.test(root) && /^send/.test(method)) return 'email';
  if (PY_EMAIL_FUNCTION.test(method)) return 'email';
  // `EmailMessage(...).send()` written in one expression.
  if (method === 'send' && /^(EmailMessage|EmailMultiAlternatives)\(/.test(call.childForFieldName('function')?.text ?? '')) return 'email';
  if (root === 'boto3' && segments.length >= 3 && !PY_AWS_LOCAL_METHODS.has(method)) return 'AWS';
  if ((bound === 'S3' || bound === 'AWS' || PY_AWS_OBJECT.test(root) || PY_AWS_OBJECT.test(objectLast)) && /^[a-z_]+$/.test(method) && !PY_AWS_LOCAL_METHODS.has(method)) {
    return bound === 'S3' || /s3|bucket/.test(root + objectLast) ? 'S3' : 'AWS';
  }
  // Celery: `task.delay(…)`, `task.apply_async(…)`, `app.send_task(…)`; RQ: `queue.enqueue(…)`.
  if (method === 'delay' || method === 'apply_async' || method === 'send_task' || method === 'enqueue' || method === 'enqueue_call') return 'queue';
  if ((method === 'publish' || method === 'basic_publish' || method === 'send' || method === 'send_message') && segments.slice(0, -1).some((s) => PY_BROKER_OBJECT.test(s))) return 'queue';
  return undefined;
}

/** A short readable label for a message: "an HTTP call", "a Stripe call". */
export function describeKind(kind: OutsideServiceKind): string {
  switch (kind) {
    case 'HTTP':
      return 'an HTTP request';
    case 'LLM':
      return 'an LLM API call';
    case 'Stripe':
      return 'a Stripe API call';
    case 'email':
      return 'an email send';
    case 'S3':
      return 'an S3 call';
    case 'AWS':
      return 'an AWS API call';
    case 'queue':
      return 'a job/message publish';
  }
}

/** Memoised per parsed file: see memo.ts. */
export const serviceBindingsTs = perTree(serviceBindingsTsUncached);

/** Memoised per parsed file: see memo.ts. */
export const serviceBindingsPy = perTree(serviceBindingsPyUncached);

import { ruleTable } from '../support/rule-tester.js';

ruleTable('mock-in-production', {
  language: 'ts',
  invalid: [
    {
      name: 'isValidHmac that returns true',
      path: 'src/webhooks/hmac.ts',
      code: 'export function isValidHmac(body: string, header: string): boolean {\n  return true;\n}\n',
      lines: [2],
    },
    {
      name: 'verifySignature that returns true',
      path: 'src/webhooks/verify.ts',
      code: `export function verifySignature(payload: string, signature: string): boolean {
  return true;
}
`,
      lines: [2],
      message: /`verifySignature\(\)` accepts everything/,
    },
    {
      name: 'mock implementation comment inside encrypt',
      path: 'src/lib/crypto.ts',
      code: `export async function encrypt(plaintext: string): Promise<string> {
  // Mock implementation: base64 until KMS is wired
  return Buffer.from(plaintext).toString('base64');
}
`,
      lines: [2],
    },
    {
      name: 'stubbed encryption comment above the function',
      path: 'src/lib/fields.ts',
      code: `// stubbed encryption until the KMS key is provisioned
export function encryptField(value: string): string {
  return Buffer.from(value).toString('base64');
}
`,
      lines: [1],
    },
    {
      name: 'a KMS client documented as a mock',
      path: 'src/services/kms.service.ts',
      code: `// Mock KMS client for now
@Injectable()
export class KmsService {
  async encrypt(data: Buffer) { return data; }
  async decrypt(data: Buffer) { return data; }
}
`,
      lines: [1],
    },
    {
      name: 'HMAC keyed with the key id',
      path: 'src/signing/signer.ts',
      code: `export class RequestSigner {
  constructor(private readonly keyId: string) {}
  sign(body: string) {
    return createHmac('sha256', this.keyId).update(body).digest('hex');
  }
}
`,
      lines: [4],
    },
    {
      name: 'NestJS strategy authenticate returning true',
      path: 'src/auth/api-key.strategy.ts',
      code: `@Injectable()
export class ApiKeyStrategy {
  async authenticate(req: Request) {
    return true;
  }
}
`,
      lines: [4],
    },
    {
      name: 'arrow verifier in an object',
      path: 'src/auth/webhook-auth.ts',
      code: "export const webhookAuth = {\n  verifyWebhook: () => true,\n  secretHeader: 'x-signature',\n};\n",
      lines: [2],
    },
    {
      name: 'TODO real signing inside sign()',
      path: 'src/lib/tokens.ts',
      code: "export function signPayload(payload: object) {\n  // TODO: use the real KMS key, this is a placeholder signature\n  return `${JSON.stringify(payload)}.unsigned`;\n}\n",
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'a mock under __mocks__',
      path: 'src/lib/__mocks__/crypto.ts',
      code: 'export function verifySignature() {\n  return true;\n}\n',
    },
    {
      name: 'a fake class in test support',
      path: 'src/testing/fake-kms.ts',
      code: '// fake KMS for local runs\nexport class FakeKms {\n  async decrypt(b: Buffer) { return b; }\n}\n',
    },
    {
      name: 'MockVerifier class in a regular file',
      path: 'src/webhooks/verifiers.ts',
      code: 'export class MockVerifier implements Verifier {\n  verify(): boolean {\n    return true;\n  }\n}\n',
    },
    {
      name: 'a verify that checks and then returns true',
      path: 'src/webhooks/verify.ts',
      code: "export function verifySignature(body: string, sig: string) {\n  const expected = createHmac('sha256', process.env.WEBHOOK_SECRET!).update(body).digest('hex');\n  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(sig))) return false;\n  return true;\n}\n",
    },
    {
      name: 'comment about mocking in tests',
      path: 'src/lib/crypto.ts',
      code: "// Injected so it can be mocked in tests\nexport function encrypt(data: string, kms: KmsClient) {\n  return kms.encrypt({ KeyId: KEY_ID, Plaintext: Buffer.from(data) });\n}\n",
    },
    {
      name: 'HMAC keyed with the secret, key id only as a header',
      path: 'src/signing/signer.ts',
      code: "export function sign(body: string, keyId: string, secret: string) {\n  return { keyId, signature: createHmac('sha256', secret).update(body).digest('hex') };\n}\n",
    },
    {
      name: 'a type check answering true on its class',
      path: 'src/models/member.ts',
      code: 'export class Member {\n  isUser() {\n    return true;\n  }\n  hasCode() {\n    return true;\n  }\n}\n',
    },
    {
      name: 'a feature flag check that returns true',
      path: 'src/flags.ts',
      code: 'export function isBetaEnabled() {\n  return true;\n}\n',
    },
    {
      name: 'a React component mentioning a placeholder',
      path: 'src/components/SignForm.tsx',
      code: "export function SignForm() {\n  // placeholder text for the input\n  return <input placeholder=\"Sign here\" />;\n}\n",
    },
  ],
});

ruleTable('mock-in-production', {
  language: 'py',
  invalid: [
    {
      name: 'has_valid_token stub',
      path: 'app/auth/tokens.py',
      code: 'def has_valid_token(request):\n    return True\n',
      lines: [2],
    },
    {
      name: 'verify_signature returning True',
      path: 'app/webhooks/security.py',
      code: 'def verify_signature(payload: bytes, signature: str) -> bool:\n    return True\n',
      lines: [2],
    },
    {
      name: 'authenticate with a docstring and a constant True',
      path: 'app/auth/backends.py',
      code: 'class ApiKeyAuth:\n    def authenticate(self, request):\n        """Check the API key."""\n        return True\n',
      lines: [4],
    },
    {
      name: 'mock comment in decrypt',
      path: 'app/crypto/kms.py',
      code: 'def decrypt(ciphertext: bytes) -> bytes:\n    # fake decryption until the KMS client is wired\n    return ciphertext\n',
      lines: [2],
    },
    {
      name: 'mock implementation docstring',
      path: 'app/crypto/signing.py',
      code: 'def sign(data: bytes) -> str:\n    """Mock implementation of KMS signing."""\n    return hashlib.sha256(data).hexdigest()\n',
      lines: [2],
    },
    {
      name: 'hmac.new keyed with the key id',
      path: 'app/crypto/signing.py',
      code: 'def sign(data: bytes, key_id: str) -> str:\n    return hmac.new(key_id.encode(), data, hashlib.sha256).hexdigest()\n',
      lines: [2],
    },
    {
      name: 'check_password always true',
      path: 'app/users/models.py',
      code: 'class User(Base):\n    def check_password(self, raw: str) -> bool:\n        # TODO: real hashing\n        return True\n',
      lines: [4],
    },
  ],
  valid: [
    {
      name: 'Fake class',
      path: 'app/crypto/kms.py',
      code: 'class FakeKms:\n    def decrypt(self, blob):\n        return blob\n',
    },
    {
      name: 'mock module under mocks/',
      path: 'app/mocks/kms.py',
      code: 'def verify(sig):\n    return True\n',
    },
    {
      name: 'real HMAC compare',
      path: 'app/webhooks/security.py',
      code: 'def verify_signature(payload, signature):\n    expected = hmac.new(settings.WEBHOOK_SECRET.encode(), payload, hashlib.sha256).hexdigest()\n    return hmac.compare_digest(expected, signature)\n',
    },
    {
      name: 'DRF permission that allows all',
      path: 'app/api/permissions.py',
      code: 'class IsPublic(BasePermission):\n    def has_permission(self, request, view):\n        return True\n',
    },
    {
      name: 'docstring mentions tests can pass a fake',
      path: 'app/crypto/signing.py',
      code: 'def sign(data, clock=None):\n    """Sign data. Tests may pass a fake clock."""\n    return signer.sign(data, at=(clock or time)())\n',
    },
    {
      name: 'a Python model answering has_code',
      path: 'app/billing/models.py',
      code: 'class Coupon(Model):\n    def has_code(self):\n        return True\n',
    },
    {
      name: 'is_verified property returning True for staff',
      path: 'app/users/models.py',
      code: 'class Staff(User):\n    def is_active(self):\n        return True\n',
    },
    {
      name: 'comment mentions mock in a test sense',
      path: 'app/crypto/kms.py',
      code: 'def encrypt(data, client=None):\n    # client is injectable so tests can mock it; for mocking see conftest\n    return (client or kms_client()).encrypt(KeyId=KEY_ID, Plaintext=data)\n',
    },
  ],
});

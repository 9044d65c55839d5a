import { ruleTable } from '../support/rule-tester.js';

ruleTable('secret-in-log', {
  language: 'ts',
  invalid: [
    { code: "console.log('login', password);", lines: [1] },
    { code: "logger.info({ userId, accessToken }, 'login ok');", message: /accessToken/ },
    "req.log.debug(`auth header ${req.headers.authorization}`);",
    "logger.warn({ cookie: req.headers['cookie'] }, 'no session');",
    "this.logger.error('refresh failed', { refreshToken: session.refreshToken });",
    "fastify.log.info({ apiKey: process.env.STRIPE_API_KEY });",
    "log.info('card', payment.cardNumber);",
    "console.error(`db url ${dbPassword}`);",
    "logSink.warn('auth', { apiKey });",
    "log_service.error('auth failed', refreshToken);",
  ],
  valid: [
    "logger.info({ tokenCount: usage.tokenCount });",
    "console.log('policy', passwordPolicy);",
    "logger.debug('valid?', isTokenValid);",
    "logger.info({ tokenType: 'bearer' });",
    "logger.info({ token: '***' });",
    "logger.info('token length', token.length);",
    "logger.info({ fp: hash(apiKey) });",
    "logger.info('has token', !!token);",
    "logger.info({ expiresAt: token.expiresAt });",
    "metrics.increment('password_reset');",
    "res.json({ token });",
    "logger.info({ secretName: config.secretName });",
    // `login` is not a logger: a form reporting a failed sign-in.
    "login.error('Wrong password for this account', password);",
    "logout.warn('session ended', refreshToken);",
  ],
});

ruleTable('secret-in-log', {
  language: 'py',
  invalid: [
    { code: 'logger.info("login for %s with %s", user.email, password)', lines: [1] },
    'logging.debug(f"token={access_token}")',
    'print("api key:", settings.STRIPE_API_KEY)',
    'log.warning("headers %s", request.headers["Authorization"])',
    'self.logger.error("refresh failed", extra={"refresh_token": refresh_token})',
    'logger.exception("bad session %s", session_id)',
  ],
  valid: [
    'logger.info("tokens used: %d", token_count)',
    'logging.info("token type %s", token_type)',
    'logger.info("secret %s", secret_name)',
    'logger.info("token length %d", len(token))',
    'logger.info("masked %s", mask(card_number))',
    'logger.debug("has password: %s", password is not None)',
    'print(f"processed {count} rows")',
  ],
});

import { pino, type Logger } from 'pino';

export type { Logger };

// Paths that may carry secrets anywhere we log request or object data. pino replaces them
// before serialization, so a secret never reaches the log stream.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["stripe-signature"]',
  '*.secret',
  '*.apiKey',
  '*.api_key',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.password',
  '*.signingSecret',
  '*.webhookSecret',
  'secret',
  'apiKey',
  'refreshToken',
  'accessToken',
];

export function createLogger(options: { level: string; name: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: options.name },
  });
}

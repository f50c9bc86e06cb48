import { describe, expect, it } from 'vitest';
import { createRedactor, redact, redactObject, secretNameKind } from '../../src/core/rules/redact.js';

// Fake credentials of the right shape, built here so no real key (or scanner-bait literal) is in the repo.
const alnum = (n: number, seed = 'aB3dE6gH9k') => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
const FAKE = {
  openaiLegacy: `sk-${alnum(48)}`,
  openaiProject: `sk-proj-${alnum(74)}_${alnum(20, 'Qz8-Xw1')}`,
  anthropic: `sk-ant-api03-${alnum(93, 'Zx7_Yw2-Vu')}AA`,
  anthropicOauth: `sk-ant-oat01-${alnum(90)}`,
  githubClassic: `ghp_${alnum(36)}`,
  githubOauth: `gho_${alnum(36)}`,
  githubUser: `ghu_${alnum(36)}`,
  githubServer: `ghs_${alnum(36)}`,
  githubRefresh: `ghr_${alnum(36)}`,
  githubFineGrained: `github_pat_11${alnum(20, 'ABCD2345EF')}_${alnum(59)}`,
  awsKeyId: `AKIA${'Q7RZ2M4X'.repeat(2)}`,
  awsTempKeyId: `ASIA${'N3PK8W6Y'.repeat(2)}`,
  awsSecret: alnum(38, 'wJa/r+XUt9') + 'Kq',
  slackBot: `xoxb-${'1234567890'}-${'2345678901'}-${alnum(24)}`,
  slackUser: `xoxp-${'1234567890'}-${alnum(24)}`,
  googleApi: `AIza${alnum(35, 'Sy-Ab_9cD')}`,
  jwt: [
    Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
    Buffer.from('{"sub":"1234567890","name":"Jo"}').toString('base64url'),
    alnum(43, 'dQw4w9WgXc'),
  ].join('.'),
};

describe('redact: known token shapes keep a short prefix', () => {
  it.each([
    ['OpenAI legacy', FAKE.openaiLegacy, 'sk-…[redacted]'],
    ['OpenAI project', FAKE.openaiProject, 'sk-proj-…[redacted]'],
    ['Anthropic API', FAKE.anthropic, 'sk-ant-…[redacted]'],
    ['Anthropic OAuth', FAKE.anthropicOauth, 'sk-ant-…[redacted]'],
    ['GitHub classic', FAKE.githubClassic, 'ghp_…[redacted]'],
    ['GitHub OAuth', FAKE.githubOauth, 'gho_…[redacted]'],
    ['GitHub user-to-server', FAKE.githubUser, 'ghu_…[redacted]'],
    ['GitHub server-to-server', FAKE.githubServer, 'ghs_…[redacted]'],
    ['GitHub refresh', FAKE.githubRefresh, 'ghr_…[redacted]'],
    ['GitHub fine-grained', FAKE.githubFineGrained, 'github_pat_…[redacted]'],
    ['AWS access key id', FAKE.awsKeyId, 'AKIA…[redacted]'],
    ['AWS temporary key id', FAKE.awsTempKeyId, 'ASIA…[redacted]'],
    ['Slack bot', FAKE.slackBot, 'xoxb-…[redacted]'],
    ['Slack user', FAKE.slackUser, 'xoxp-…[redacted]'],
    ['Google API', FAKE.googleApi, 'AIza…[redacted]'],
    ['JWT', FAKE.jwt, 'eyJ…[redacted]'],
  ])('%s, in prose, quotes and a URL', (_kind, secret, mask) => {
    expect(redact(`using ${secret} now`)).toBe(`using ${mask} now`);
    expect(redact(`{"value":"${secret}"}`)).toBe(`{"value":"${mask}"}`);
    expect(redact(`https://api.example.com/v1?q=${secret}&x=1`)).toBe(`https://api.example.com/v1?q=${mask}&x=1`);
    expect(redact(secret)).not.toContain(secret.slice(-12));
  });

  it('masks several secrets on one line and leaves the rest intact', () => {
    const line = `git push https://x:${FAKE.githubClassic}@github.com/o/r.git && echo ${FAKE.awsKeyId}`;
    expect(redact(line)).toBe('git push https://x:ghp_…[redacted]@github.com/o/r.git && echo AKIA…[redacted]');
  });

  it('masks the AWS secret after its name: env, INI, JSON and the aws configure prompt', () => {
    expect(redact(`aws_secret_access_key = ${FAKE.awsSecret}`)).toBe('aws_secret_access_key = [redacted]');
    expect(redact(`"AWS_SECRET_ACCESS_KEY": "${FAKE.awsSecret}"`)).toBe('"AWS_SECRET_ACCESS_KEY": "[redacted]"');
    expect(redact(`AWS Secret Access Key [None]: ${FAKE.awsSecret}`)).toBe('AWS Secret Access Key [None]: [redacted]');
  });
});

describe('redact: Authorization headers', () => {
  it.each([
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [redacted]'],
    ['authorization: basic dXNlcjpwYXNzd29yZA==', 'authorization: basic [redacted]'],
    ['Proxy-Authorization: Basic dXNlcjpwYXNz', 'Proxy-Authorization: Basic [redacted]'],
    [`curl -H 'Authorization: token opaque123' https://x`, `curl -H 'Authorization: token [redacted]' https://x`],
    ['{"Authorization": "Bearer opaque123"}', '{"Authorization": "Bearer [redacted]"}'],
    ['> Authorization: opaque-raw-value', '> Authorization: [redacted]'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('keeps the prefix of a recognized token inside the header', () => {
    expect(redact(`Authorization: Bearer ${FAKE.anthropic}`)).toBe('Authorization: Bearer sk-ant-…[redacted]');
  });

  it('leaves the word Authorization in prose alone', () => {
    const prose = 'The Authorization header is missing, so the request is rejected (authorization failed).';
    expect(redact(prose)).toBe(prose);
  });

  it('leaves a header that names a variable alone', () => {
    expect(redact('curl -H "Authorization: Bearer $TOKEN"')).toBe('curl -H "Authorization: Bearer $TOKEN"');
  });
});

describe('redact: passwords in URLs', () => {
  it.each([
    ['DATABASE_URL=postgres://app:s3cr3t@db:5432/app', 'DATABASE_URL=postgres://app:[redacted]@db:5432/app'],
    ['git clone https://jo:opaque-token@git.example.com/o/r.git', 'git clone https://jo:[redacted]@git.example.com/o/r.git'],
    [`https://x-access-token:${FAKE.githubServer}@github.com/o/r`, 'https://x-access-token:ghs_…[redacted]@github.com/o/r'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    'https://github.com/o/r/pull/12',
    'git@github.com:o/r.git',
    'http://localhost:8080/api/v1',
    'http://host:8080/users/@me',
    'redis://${REDIS_USER}:$REDIS_PASSWORD@cache:6379',
  ])('leaves %s alone', (url) => {
    expect(redact(url)).toBe(url);
  });
});

describe('redact: values of secret-looking names', () => {
  it.each([
    ['API_KEY=abc123def', 'API_KEY=[redacted]'],
    ['export OPENAI_API_KEY=opaque-value', 'export OPENAI_API_KEY=[redacted]'],
    ['export GITHUB_TOKEN="quoted value here"', 'export GITHUB_TOKEN="[redacted]"'],
    ["DB_PASSWORD='p@ss w0rd'", "DB_PASSWORD='[redacted]'"],
    ['SECRET_KEY: django-insecure-xyz', 'SECRET_KEY: [redacted]'],
    ['client_secret = abc', 'client_secret = [redacted]'],
    ['"apiKey": "abc123"', '"apiKey": "[redacted]"'],
    ["{'password': 'hunter2'}", "{'password': '[redacted]'}"],
    ['MYSQL_PASSWD=hunter2', 'MYSQL_PASSWD=[redacted]'],
    ['GOOGLE_CREDENTIALS=blob', 'GOOGLE_CREDENTIALS=[redacted]'],
    ['key: opaque', 'key: [redacted]'],
    ['x-api-key: 0123abcd', 'x-api-key: [redacted]'],
    ['//registry.npmjs.org/:_authToken=npm_abcdef', '//registry.npmjs.org/:_authToken=[redacted]'],
    ['https://h/cb?access_token=abc&state=1', 'https://h/cb?access_token=[redacted]&state=1'],
    ['SMTP_PASS=hunter2', 'SMTP_PASS=[redacted]'],
    // A password is secret even when it is digits (unlike a token count, below).
    ['PASSWORD=123456', 'PASSWORD=[redacted]'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('ends a bare value at an ANSI escape, so colour codes survive', () => {
    expect(redact('\u001b[32mAPI_KEY=abc123\u001b[0m')).toBe('\u001b[32mAPI_KEY=[redacted]\u001b[0m');
  });

  it('handles JSON inside a JSON string (escaped quotes), as in agent transcripts', () => {
    expect(redact(String.raw`{"input":"{\"password\":\"hunter2\",\"user\":\"jo\"}"}`)).toBe(
      String.raw`{"input":"{\"password\":\"[redacted]\",\"user\":\"jo\"}"}`,
    );
  });

  it('keeps the informative prefix when the value is a known token', () => {
    expect(redact(`export ANTHROPIC_API_KEY=${FAKE.anthropic}`)).toBe('export ANTHROPIC_API_KEY=sk-ant-…[redacted]');
    expect(redact(`"token": "${FAKE.githubClassic}"`)).toBe('"token": "ghp_…[redacted]"');
  });

  it('classifies names by their words, not by substrings', () => {
    expect(secretNameKind('API_KEY')).toBe('last-word');
    expect(secretNameKind('apiKey')).toBe('last-word');
    expect(secretNameKind('APIKey')).toBe('last-word');
    expect(secretNameKind('key')).toBe('last-word');
    expect(secretNameKind('SECRET_KEY')).toBe('strong');
    expect(secretNameKind('db_password')).toBe('strong');
    for (const name of ['monkey', 'keyboard', 'turkey', 'KEY_FILE', 'keyCode', 'TOKEN_COUNT', 'max_tokens', 'tokenizer', 'passwordless', 'PWD']) {
      expect(secretNameKind(name), name).toBeNull();
    }
  });
});

describe('redact: negatives that must not be masked', () => {
  it.each([
    ['a git sha', 'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 (HEAD -> main)'],
    ['a UUID', 'session 123e4567-e89b-12d3-a456-426614174000 started'],
    ['"sk-" inside words', 'a risk-free change to the task-list and desk-lamp-controller-v2-2024'],
    ['sk- with a kebab-case word but no digits', 'see sk-learn-compatible-estimators-are-here'],
    ['token counts', 'MAX_TOKENS=4096 TOKEN_COUNT=5 tokens: 1234 max_tokens=200000'],
    ['usage JSON', '{"usage":{"input_tokens":1234,"output_tokens":56,"cache_read_input_tokens":789}}'],
    ['keyboard, monkey, turkey', 'keyboard=us monkey=banana turkey: roasted donkey = "kong"'],
    ['a key/token name that is not the last word', 'KEY_FILE=/etc/ssl/key.pem token_url=https://x/oauth keyCode: 13'],
    ['a base64 image', 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='],
    ['base64 JSON without dots', 'eyJhbGciOiJIUzI1NiJ9 is just a header'],
    ['file paths', '/home/jo/.ssh/id_ed25519.pub src/core/keymap.ts ~/.config/tokens/README.md'],
    ['Authorization in prose', 'Authorization is handled by the gateway.'],
    ['environment references', 'API_KEY=$OPENAI_API_KEY token: ${{ secrets.GITHUB_TOKEN }} PASSWORD=%DB_PASS%'],
    ['code naming where a key comes from', 'const apiKey = process.env.OPENAI_API_KEY; apiKey: string;'],
    ['literals', 'apiKey: null, token: undefined, password: false'],
    ['a short AKIA-like word', 'AKIAB is not a key id'],
  ])('%s', (_what, text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('redact: properties', () => {
  it('is idempotent', () => {
    const text = [
      `export ANTHROPIC_API_KEY=${FAKE.anthropic}`,
      `Authorization: Bearer ${FAKE.jwt}`,
      'password=hunter2 API_KEY=abc',
      `aws_secret_access_key=${FAKE.awsSecret}`,
    ].join('\n');
    const once = redact(text);
    expect(redact(once)).toBe(once);
    expect(once.split('\n')).toHaveLength(4);
  });

  it('returns the same string object when nothing can match (the fast path)', () => {
    const line = 'INFO compiled 42 modules in 1.3s (src/index.ts, src/app.ts)';
    expect(redact(line)).toBe(line);
  });

  it('stays linear on pathological lines (each ~300 KB; quadratic would take minutes)', () => {
    const pathological = [
      `${'abc-def.'.repeat(50_000)} key`,
      `a://${'x:'.repeat(100_000)}`,
      'eyJabc.'.repeat(50_000),
      'key='.repeat(100_000),
      'key: "'.repeat(50_000),
      'apiKey: $'.repeat(30_000),
      String.raw`\"password\":`.repeat(30_000),
    ];
    for (const long of pathological) {
      const start = performance.now();
      redact(long);
      // Not a speed figure (the bench has those): a guard against catastrophic backtracking, which takes minutes
      // on these lines; a loaded machine takes a second or two for a linear pass.
      expect(performance.now() - start).toBeLessThan(10_000);
    }
  }, 60_000);
});

describe('redactObject', () => {
  it('masks strings under secret keys and redacts every string, without changing the input', () => {
    const input = {
      apiKey: 'opaque',
      max_tokens: 4096,
      nested: { password: 'hunter2', note: `uses ${FAKE.githubClassic}`, token: FAKE.openaiLegacy },
      list: [`Bearer ${FAKE.jwt}`, 3, null],
      keyboard: 'us',
      token_count: '5',
    };
    const copy = structuredClone(input);
    expect(redactObject(input)).toEqual({
      apiKey: '[redacted]',
      max_tokens: 4096,
      nested: { password: '[redacted]', note: 'uses ghp_…[redacted]', token: 'sk-…[redacted]' },
      list: ['Bearer eyJ…[redacted]', 3, null],
      keyboard: 'us',
      token_count: '5',
    });
    expect(input).toEqual(copy);
  });

  it('keeps a numeric string under a KEY/TOKEN name but masks one under a password name', () => {
    expect(redactObject({ key: '42', password: '42' })).toEqual({ key: '42', password: '[redacted]' });
  });

  it('passes primitives through', () => {
    expect(redactObject(5)).toBe(5);
    expect(redactObject(null)).toBeNull();
    expect(redactObject(`x ${FAKE.slackBot}`)).toBe('x xoxb-…[redacted]');
  });
});

describe('createRedactor', () => {
  it('masks when enabled and is the identity for --no-redact', () => {
    const line = `token=${FAKE.githubClassic}`;
    expect(createRedactor({ enabled: true })(line)).toBe('token=ghp_…[redacted]');
    expect(createRedactor({ enabled: false })(line)).toBe(line);
  });
});

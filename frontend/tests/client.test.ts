// The REST client's token rules, driven by a scripted fetch (an expired token is hard to
// arrange for real).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError } from '../src/api/client';

type Answer = [number, unknown];
interface Call { url: string; method?: string; auth: string | null; body: string | null }

let calls: Call[];
let answers: Answer[];

beforeEach(() => {
  calls = [];
  answers = [];
  sessionStorage.clear();
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ url: String(url), method: init.method, auth: headers.Authorization ?? null, body: (init.body as string | undefined) ?? null });
    const [status, body] = answers.shift() ?? [500, { error: { code: 'no_answer', message: 'x' } }];
    return Promise.resolve(new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
  });
});
afterEach(() => vi.unstubAllGlobals());

const expired = (): Answer => [401, { error: { code: 'token_expired', message: 'expired', details: null } }];
const tokens = (n: number): Answer => [200, { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'bearer', expires_in: 900 }];

describe('Api', () => {
  it('refreshes an expired access token once and retries the request', async () => {
    answers = [tokens(1), expired(), tokens(2), [200, { username: 'ann' }]];
    const client = new Api('http://api.test');
    await client.signIn('ann', 'pw');
    const me = await client.call('get', '/api/v1/users/me');
    expect(me).toEqual({ username: 'ann' });
    expect(calls.map((c) => c.url)).toEqual([
      'http://api.test/api/v1/token',
      'http://api.test/api/v1/users/me',
      'http://api.test/api/v1/token/refresh',
      'http://api.test/api/v1/users/me',
    ]);
    expect(calls[1].auth).toBe('Bearer access-1');
    expect(calls[2].body).toBe('{"refresh_token":"refresh-1"}');
    expect(calls[2].auth).toBeNull();
    expect(calls[3].auth).toBe('Bearer access-2');
    expect(sessionStorage.getItem('reserver.refresh_token')).toBe('refresh-2');
  });

  it('shares one refresh between concurrent expired requests (rotation is one-shot)', async () => {
    answers = [tokens(1), expired(), expired(), tokens(2), [200, { n: 1 }], [200, { n: 2 }]];
    const client = new Api('http://api.test');
    await client.signIn('ann', 'pw');
    await Promise.all([client.request('GET', '/a'), client.request('GET', '/b')]);
    expect(calls.filter((c) => c.url === 'http://api.test/api/v1/token/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh is refused, leaving no token behind', async () => {
    answers = [tokens(1), expired(), [401, { error: { code: 'refresh_token_reused', message: 'reused', details: null } }]];
    const client = new Api('http://api.test');
    let ended: string | null = null;
    client.onSignedOut((e) => { ended = e.code; });
    await client.signIn('ann', 'pw');
    await expect(client.call('get', '/api/v1/users/me')).rejects.toMatchObject({ code: 'refresh_token_reused' });
    expect(ended).toBe('refresh_token_reused');
    expect(sessionStorage.getItem('reserver.refresh_token')).toBeNull();
    expect(client.signedIn).toBe(false);
  });

  it('reports a wrong password as an error, not a sign-out', async () => {
    answers = [tokens(1), [401, { error: { code: 'invalid_credentials', message: 'wrong', details: null } }]];
    const client = new Api('http://api.test');
    await client.signIn('ann', 'pw');
    const error = await client.call('post', '/api/v1/users/me/password', { body: { current_password: 'x', new_password: 'y' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).code, (error as ApiError).message]).toEqual([401, 'invalid_credentials', 'wrong']);
    expect(client.signedIn).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('fills path parameters (encoded) and repeats list query values', () => {
    const client = new Api('http://api.test/');
    expect(client.url('/api/v1/resources/{resource_id}', { tags: ['a', 'b'], q: '', limit: 5 }, { resource_id: 'x/y' }))
      .toBe('http://api.test/api/v1/resources/x%2Fy?tags=a&tags=b&limit=5');
  });

  it('turns a non-JSON failure into words', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('gateway down', { status: 502 })));
    const error = await new Api('http://api.test').request('GET', '/x').catch((e: unknown) => e as ApiError);
    expect(error).toMatchObject({ status: 502, code: 'http_error', message: 'The server answered HTTP 502: gateway down' });
  });
});

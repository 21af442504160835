// The REST client: base URL, bearer header, JSON errors, token refresh, typed by the API's own
// OpenAPI document (schema.d.ts, generated; `make web-types`).
//
// Token storage, and why:
// - The ACCESS token (short-lived JWT) lives only in this module's memory: it disappears with
//   the page and is never written to storage another script or tab could read later.
// - The REFRESH token lives in sessionStorage, so a reload (or a new page in the same tab) can
//   resume the session, while closing the tab ends it. It is scoped to this origin and tab.
// - No cookies are used at all, so there is no ambient credential and no CSRF: a forged
//   cross-site request carries no token. The price is that any script running in this page
//   could read sessionStorage (XSS). That is mitigated by never turning data into markup
//   (components/dom.ts: text only; ESLint forbids innerHTML), a strict Content-Security-Policy
//   (scripts only from this origin, no inline script), and short access tokens with rotating,
//   reuse-detected refresh tokens on the server. An HttpOnly cookie would hide the refresh
//   token from scripts but bring CSRF and cross-site cookie problems back (API and site are on
//   different origins); we chose the header model.
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** The paths that have method M. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: [NonNullable<paths[P][M]>] extends [never] ? never : P;
}[keyof paths];
type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : null;
type SuccessOf<O> = O extends { responses: infer R } ? R[Extract<keyof R, 200 | 201 | 202 | 204>] : never;
/** What a successful call answers. */
export type Answer<P extends keyof paths, M extends Method> = JsonOf<SuccessOf<Op<P, M>>>;
export type BodyOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody?: { content: infer C } } ? C[keyof C] : never;
export type QueryOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  /** Values for the {placeholders} of the path. */
  params?: Record<string, string>;
  query?: object;
  body?: unknown;
  /** Send no bearer token (sign in, setup, register). */
  auth?: boolean;
  headers?: Record<string, string>;
  /** The body is this text with this content type (CSV import). */
  contentType?: string;
  retry?: boolean;
}

const REFRESH_KEY = 'reserver.refresh_token';

// 401 codes that mean "this session is over" (as opposed to, say, a wrong password).
const SESSION_OVER = new Set([
  'token_expired', 'token_revoked', 'invalid_token', 'not_authenticated',
  'refresh_token_reused', 'invalid_refresh_token', 'refresh_token_expired', 'account_disabled',
]);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function readRefresh(): string | null {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function writeRefresh(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(REFRESH_KEY, token);
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // Storage disabled: the session simply will not survive a reload.
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text();
  const retryAfter = response.headers.get('Retry-After');
  const body = parseJson(text);
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : null;
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(response.status, typeof e.code === 'string' ? e.code : 'error',
      typeof e.message === 'string' ? e.message : `HTTP ${response.status}`, e.details ?? null, retryAfter);
  }
  return new ApiError(response.status, 'http_error',
    `The server answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, null, retryAfter);
}

type Tokens = Schemas['TokenResponse'];
type SignedOutListener = (error: ApiError) => void;

export class Api {
  readonly baseUrl: string;
  private accessToken: string | null = null;
  private refreshing: Promise<Tokens> | null = null;
  private readonly signedOutListeners = new Set<SignedOutListener>();
  readonly channel = 'web';

  constructor(baseUrl: string) {
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
  }

  get signedIn(): boolean {
    return Boolean(this.accessToken);
  }

  /** Called with the ApiError when the session ends on its own (revoked, expired...). */
  onSignedOut(listener: SignedOutListener): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  /** A typed call: `path` is a path of the OpenAPI document, `params` fill its {names}. */
  call<M extends Method, P extends PathWith<M>>(
    method: M,
    path: P,
    options: Omit<RequestOptions, 'query' | 'body'> & { query?: QueryOf<P, M>; body?: BodyOf<P, M> } = {},
  ): Promise<Answer<P, M>> {
    return this.request(method.toUpperCase(), path, options) as Promise<Answer<P, M>>;
  }

  /** Password login; `otp` is the TOTP or backup code when the server answers mfa_required. */
  async signIn(username: string, password: string, otp?: string): Promise<Tokens> {
    const body: BodyOf<'/api/v1/token', 'post'> = { username, password };
    if (otp) body.otp = otp;
    const tokens = await this.call('post', '/api/v1/token', { body, auth: false });
    this.storeTokens(tokens);
    return tokens;
  }

  /** After a reload: trade the stored refresh token for a new access token, if there is one. */
  async resume(): Promise<boolean> {
    if (!readRefresh()) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  /** Rotate the refresh token; concurrent callers share one request (rotation is one-shot). */
  refresh(): Promise<Tokens> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<Tokens> {
    const refreshToken = readRefresh();
    if (!refreshToken) throw new ApiError(401, 'not_authenticated', 'Your session has ended; please sign in again.');
    try {
      const tokens = await this.call('post', '/api/v1/token/refresh', { body: { refresh_token: refreshToken }, auth: false });
      this.storeTokens(tokens);
      return tokens;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) this.endSession(error);
      throw error;
    }
  }

  async signOut(): Promise<void> {
    const refreshToken = readRefresh();
    try {
      if (this.accessToken) {
        await this.call('post', '/api/v1/logout', { body: refreshToken ? { refresh_token: refreshToken } : {} });
      }
    } finally {
      this.clearTokens();
    }
  }

  storeTokens(tokens: { access_token: string; refresh_token?: string | null }): void {
    this.accessToken = tokens.access_token;
    if (tokens.refresh_token) writeRefresh(tokens.refresh_token);
  }

  clearTokens(): void {
    this.accessToken = null;
    writeRefresh(null);
  }

  private endSession(error: ApiError): void {
    const hadSession = Boolean(this.accessToken || readRefresh());
    this.clearTokens();
    if (hadSession) this.signedOutListeners.forEach((listener) => listener(error));
  }

  /** An access token for the WebSocket's first message (refreshed if we have none). */
  async currentAccessToken(): Promise<string | null> {
    if (!this.accessToken && readRefresh()) await this.refresh();
    return this.accessToken;
  }

  url(path: string, query?: object, params?: Record<string, string>): string {
    const filled = path.replace(/{([^}]+)}/g, (_, name: string) => {
      const value = params?.[name];
      if (value === undefined) throw new Error(`Missing path parameter ${name} for ${path}`);
      return encodeURIComponent(value);
    });
    const url = new URL(this.baseUrl + filled);
    for (const [key, value] of Object.entries((query ?? {}) as Query)) {
      if (value === undefined || value === null || value === '') continue;
      if (Array.isArray(value)) value.forEach((item: string | number) => url.searchParams.append(key, String(item)));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /**
   * One request. `body`: an object (sent as JSON) or a string with `contentType`.
   * `auth: false` sends no bearer token. A 401 `token_expired` refreshes and retries once.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const { body, query, params, auth = true, headers = {}, contentType, retry = true } = options;
    const sent: Record<string, string> = { Accept: 'application/json', 'X-Client-Channel': this.channel, ...headers };
    const init: RequestInit = { method, headers: sent };
    if (body !== undefined) {
      const isText = typeof body === 'string';
      sent['Content-Type'] = contentType ?? (isText ? 'text/plain' : 'application/json');
      init.body = isText ? body : JSON.stringify(body);
    }
    if (auth && this.accessToken) sent.Authorization = `Bearer ${this.accessToken}`;
    let response: Response;
    try {
      response = await fetch(this.url(path, query, params), init);
    } catch {
      // Also what a browser reports for an answer without CORS headers: it hides the rest.
      throw new ApiError(0, 'network_error', `Cannot reach the API at ${this.baseUrl} (network or CORS error). Is it running?`);
    }
    if (response.ok) return parse(response);
    const error = await errorFrom(response);
    if (auth && response.status === 401) {
      if (retry && error.code === 'token_expired' && readRefresh()) {
        await this.refresh();
        return this.request(method, path, { ...options, retry: false });
      }
      if (SESSION_OVER.has(error.code)) this.endSession(error);
    }
    throw error;
  }
}

async function parse(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) return response.json();
  return response.text();
}

export interface Config {
  apiUrl: string;
  wsUrl: string;
  missing?: boolean;
}

/** The URLs of the API and WebSocket, from config.json next to index.html. */
export async function loadConfig(): Promise<Config> {
  const fallback: Config = { apiUrl: 'http://127.0.0.1:8000', wsUrl: 'ws://127.0.0.1:8001' };
  try {
    const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
    if (!response.ok) return { ...fallback, missing: true };
    return { ...fallback, ...(await response.json() as Partial<Config>) };
  } catch {
    return { ...fallback, missing: true };
  }
}

/** A key that makes a retried create return the first result instead of booking twice. */
export function idempotencyKey(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Items of a page answer, whatever the list's name. */
export function itemsOf<T>(response: { items?: T[] } | T[] | null | undefined): T[] {
  if (Array.isArray(response)) return response;
  return response?.items ?? [];
}

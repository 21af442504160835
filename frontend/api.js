// The REST client: base URL, bearer header, JSON errors, token refresh.
//
// Token storage, and why:
// - The ACCESS token (short-lived JWT) lives only in this module's memory: it disappears with
//   the page and is never written to storage another script or tab could read later.
// - The REFRESH token lives in sessionStorage, so a reload (or a new page in the same tab) can
//   resume the session, while closing the tab ends it. It is scoped to this origin and tab.
// - No cookies are used at all, so there is no ambient credential and no CSRF: a forged
//   cross-site request carries no token. The price is that any script running in this page
//   could read sessionStorage (XSS). That is mitigated by never turning data into markup
//   (dom.js: textContent only, no innerHTML), a strict Content-Security-Policy in index.html
//   (scripts only from this origin, no inline script), and short access tokens with rotating,
//   reuse-detected refresh tokens on the server. An HttpOnly cookie would hide the refresh
//   token from scripts but bring CSRF and cross-site cookie problems back (API and site are on
//   different origins); we chose the header model.

const REFRESH_KEY = 'reserver.refresh_token';

// 401 codes that mean "this session is over" (as opposed to, say, a wrong password).
const SESSION_OVER = new Set([
  'token_expired', 'token_revoked', 'invalid_token', 'not_authenticated',
  'refresh_token_reused', 'invalid_refresh_token', 'refresh_token_expired', 'account_disabled',
]);

export class ApiError extends Error {
  constructor(status, code, message, details = null, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

function readRefresh() {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function writeRefresh(token) {
  try {
    if (token) sessionStorage.setItem(REFRESH_KEY, token);
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // Storage disabled: the session simply will not survive a reload.
  }
}

async function errorFrom(response) {
  const text = await response.text();
  const retryAfter = response.headers.get('Retry-After');
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const error = body && typeof body === 'object' ? body.error : null;
  if (error && typeof error === 'object') {
    return new ApiError(response.status, String(error.code || 'error'),
      String(error.message || `HTTP ${response.status}`), error.details ?? null, retryAfter);
  }
  return new ApiError(response.status, 'http_error',
    `The server answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, null, retryAfter);
}

export class Api {
  constructor(baseUrl) {
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.accessToken = null;
    this.refreshing = null;
    this.signedOutListeners = new Set();
    this.channel = 'web';
  }

  get signedIn() {
    return Boolean(this.accessToken);
  }

  /** Called with the ApiError when the session ends on its own (revoked, expired...). */
  onSignedOut(listener) {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  get(path, query, options = {}) { return this.request('GET', path, { ...options, query }); }
  post(path, body, options = {}) { return this.request('POST', path, { ...options, body }); }
  put(path, body, options = {}) { return this.request('PUT', path, { ...options, body }); }
  patch(path, body, options = {}) { return this.request('PATCH', path, { ...options, body }); }
  delete(path, query, options = {}) { return this.request('DELETE', path, { ...options, query }); }

  /** Password login; `otp` is the TOTP or backup code when the server answers mfa_required. */
  async signIn(username, password, otp) {
    const body = { username, password };
    if (otp) body.otp = otp;
    const tokens = await this.request('POST', '/api/v1/token', { body, auth: false });
    this.storeTokens(tokens);
    return tokens;
  }

  /** After a reload: trade the stored refresh token for a new access token, if there is one. */
  async resume() {
    if (!readRefresh()) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  /** Rotate the refresh token; concurrent callers share one request (rotation is one-shot). */
  refresh() {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  async doRefresh() {
    const refreshToken = readRefresh();
    if (!refreshToken) throw new ApiError(401, 'not_authenticated', 'Your session has ended; please sign in again.');
    try {
      const tokens = await this.request('POST', '/api/v1/token/refresh', {
        body: { refresh_token: refreshToken }, auth: false,
      });
      this.storeTokens(tokens);
      return tokens;
    } catch (error) {
      if (error.status === 401 || error.status === 403) this.endSession(error);
      throw error;
    }
  }

  async signOut() {
    const refreshToken = readRefresh();
    try {
      if (this.accessToken) {
        await this.request('POST', '/api/v1/logout', {
          body: refreshToken ? { refresh_token: refreshToken } : {},
        });
      }
    } finally {
      this.clearTokens();
    }
  }

  storeTokens(tokens) {
    this.accessToken = tokens.access_token;
    if (tokens.refresh_token) writeRefresh(tokens.refresh_token);
  }

  clearTokens() {
    this.accessToken = null;
    writeRefresh(null);
  }

  endSession(error) {
    const hadSession = Boolean(this.accessToken || readRefresh());
    this.clearTokens();
    if (hadSession) this.signedOutListeners.forEach((listener) => listener(error));
  }

  /** An access token for the WebSocket's first message (refreshed if we have none). */
  async currentAccessToken() {
    if (!this.accessToken && readRefresh()) await this.refresh();
    return this.accessToken;
  }

  url(path, query) {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query || {})) {
      if (value === undefined || value === null || value === '') continue;
      if (Array.isArray(value)) value.forEach((item) => url.searchParams.append(key, item));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /**
   * One request. `body`: an object (sent as JSON) or a string with `contentType`.
   * `auth: false` sends no bearer token. A 401 `token_expired` refreshes and retries once.
   */
  async request(method, path, options = {}) {
    const { body, query, auth = true, headers = {}, contentType, retry = true } = options;
    const init = { method, headers: { Accept: 'application/json', 'X-Client-Channel': this.channel, ...headers } };
    if (body !== undefined) {
      const isText = typeof body === 'string';
      init.headers['Content-Type'] = contentType || (isText ? 'text/plain' : 'application/json');
      init.body = isText ? body : JSON.stringify(body);
    }
    if (auth && this.accessToken) init.headers.Authorization = `Bearer ${this.accessToken}`;
    let response;
    try {
      response = await fetch(this.url(path, query), init);
    } catch {
      // Also what a browser reports for an answer without CORS headers: it hides the rest.
      throw new ApiError(0, 'network_error', `Cannot reach the API at ${this.baseUrl} (network or CORS error). Is it running?`);
    }
    if (response.ok) return this.parse(response);
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

  async parse(response) {
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    if (type.includes('json')) return response.json();
    return response.text();
  }
}

/** The URLs of the API and WebSocket, from config.json next to index.html. */
export async function loadConfig() {
  const fallback = { apiUrl: 'http://127.0.0.1:8000', wsUrl: 'ws://127.0.0.1:8001' };
  try {
    const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
    if (!response.ok) return { ...fallback, missing: true };
    return { ...fallback, ...(await response.json()) };
  } catch {
    return { ...fallback, missing: true };
  }
}

/** A key that makes a retried create return the first result instead of booking twice. */
export function idempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

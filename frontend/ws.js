// The live connection: a WebSocket that authenticates with its FIRST message (the token never
// goes into the URL, where proxies and logs would keep it), keeps itself alive with pings and
// reconnects with backoff. States: 'connecting' -> 'connected' (authenticated) -> 'disconnected'.

const PING_EVERY_MS = 30000;
const MAX_BACKOFF_MS = 30000;

export class LiveConnection {
  /**
   * @param {string} url            ws:// or wss:// URL of the WebSocket API
   * @param {(fresh: boolean) => Promise<string|null>} tokenProvider  the access token; with
   *   fresh=true the caller must refresh it first (the server said the last one had expired)
   * @param {{onState?: Function, onMessage?: Function}} handlers
   */
  constructor(url, tokenProvider, handlers = {}) {
    this.url = url;
    this.tokenProvider = tokenProvider;
    this.onState = handlers.onState || (() => {});
    this.onMessage = handlers.onMessage || (() => {});
    this.socket = null;
    this.state = 'disconnected';
    this.stopped = true;
    this.backoff = 1000;
    this.pingTimer = null;
    this.retryTimer = null;
    this.awaitingPong = false;
    this.needFreshToken = false;
    this.subscriptions = new Set();
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopPing();
    if (this.socket) this.socket.close(1000, 'signed out');
    this.socket = null;
    this.setState('disconnected');
  }

  /** Ask for live updates about one resource (re-sent after every reconnect). */
  subscribe(resourceId) {
    this.subscriptions.add(resourceId);
    if (this.state === 'connected') this.send({ action: 'subscribe', resource_id: resourceId });
  }

  setState(state, detail = '') {
    if (this.state === state && !detail) return;
    this.state = state;
    this.onState(state, detail);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  open() {
    if (this.stopped) return;
    this.setState('connecting');
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.scheduleReconnect(String(error));
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => this.authenticate(socket));
    socket.addEventListener('message', (event) => this.receive(event));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopPing();
      this.setState('disconnected');
      this.scheduleReconnect();
    });
  }

  async authenticate(socket) {
    let token = null;
    try {
      token = await this.tokenProvider(this.needFreshToken);
      this.needFreshToken = false;
    } catch {
      token = null;
    }
    if (!token) {
      socket.close(4001, 'no token');
      return;
    }
    this.send({ action: 'auth', token });
  }

  receive(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === 'authenticated') {
      this.backoff = 1000;
      this.setState('connected');
      this.subscriptions.forEach((id) => this.send({ action: 'subscribe', resource_id: id }));
      this.startPing();
      return;
    }
    if (message.type === 'pong') {
      this.awaitingPong = false;
      return;
    }
    if (message.type === 'error' && this.state !== 'connected') {
      // Refused before authentication: an expired token is refreshed for the next attempt;
      // anything else (auth unavailable...) is simply retried later with backoff.
      if (message.code === 'token_expired') {
        this.needFreshToken = true;
        this.backoff = 1000;
      }
      this.setState('disconnected', message.code || 'error');
      if (this.socket) this.socket.close(4000, 'auth refused');
      return;
    }
    this.onMessage(message);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong && this.socket) {
        this.socket.close(4002, 'no pong');  // half-open connection: start over
        return;
      }
      this.awaitingPong = true;
      this.send({ action: 'ping' });
    }, PING_EVERY_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.awaitingPong = false;
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const jitter = Math.random() * 500;
    this.retryTimer = setTimeout(() => this.open(), this.backoff + jitter);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }
}

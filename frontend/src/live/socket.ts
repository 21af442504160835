// The live connection: a WebSocket that authenticates with its FIRST message (the token never
// goes into the URL, where proxies and logs would keep it), keeps itself alive with pings and
// reconnects with backoff. States: 'connecting' -> 'connected' (authenticated) -> 'disconnected'.
//
// Extending it: messages are routed by their `type` to the handlers registered with `on(type)`
// (the fallback `on('*')` sees every message); `watchResource(id)` subscribes to a resource's
// messages (re-sent after every reconnect, unsubscribed when its last watcher leaves). New
// kinds of subscription (a user's queue, a building...) add a topic kind in `TOPIC_ACTIONS`.

const PING_EVERY_MS = 30000;
const MAX_BACKOFF_MS = 30000;

export type LiveState = 'connecting' | 'connected' | 'disconnected';
export interface LiveMessage { type?: string; [key: string]: unknown }
export type MessageHandler = (message: LiveMessage) => void;
type TokenProvider = (fresh: boolean) => Promise<string | null>;

/** How a topic kind is subscribed on the wire. */
const TOPIC_ACTIONS = {
  resource: (id: string) => ({ subscribe: { action: 'subscribe', resource_id: id }, unsubscribe: { action: 'unsubscribe', resource_id: id } }),
} as const;
type TopicKind = keyof typeof TOPIC_ACTIONS;

export class LiveConnection {
  private socket: WebSocket | null = null;
  state: LiveState = 'disconnected';
  private stopped = true;
  private backoff = 1000;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private awaitingPong = false;
  private needFreshToken = false;
  /** "resource:<id>" -> number of watchers. */
  private readonly topics = new Map<string, number>();
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly stateListeners = new Set<(state: LiveState, detail: string) => void>();

  constructor(private readonly url: string, private readonly tokenProvider: TokenProvider) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopPing();
    this.socket?.close(1000, 'signed out');
    this.socket = null;
    this.setState('disconnected');
  }

  /** Listen to messages of one `type` ('*' = all). Returns the unsubscribe function. */
  on(type: string, handler: MessageHandler): () => void {
    const set = this.handlers.get(type) ?? new Set<MessageHandler>();
    set.add(handler);
    this.handlers.set(type, set);
    return () => set.delete(handler);
  }

  onState(listener: (state: LiveState, detail: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Ask for live updates about one resource; call the result to stop watching. */
  watchResource(resourceId: string): () => void {
    return this.watch('resource', resourceId);
  }

  private watch(kind: TopicKind, id: string): () => void {
    const key = `${kind}:${id}`;
    const count = this.topics.get(key) ?? 0;
    this.topics.set(key, count + 1);
    if (count === 0 && this.state === 'connected') this.send(TOPIC_ACTIONS[kind](id).subscribe);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.topics.get(key) ?? 1) - 1;
      if (left > 0) {
        this.topics.set(key, left);
        return;
      }
      this.topics.delete(key);
      if (this.state === 'connected') this.send(TOPIC_ACTIONS[kind](id).unsubscribe);
    };
  }

  /** The topics currently watched ("resource:<id>"), for tests and diagnostics. */
  watched(): string[] {
    return [...this.topics.keys()];
  }

  private setState(state: LiveState, detail = ''): void {
    if (this.state === state && !detail) return;
    this.state = state;
    this.stateListeners.forEach((listener) => listener(state, detail));
  }

  private send(message: object): void {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private open(): void {
    if (this.stopped) return;
    this.setState('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => void this.authenticate(socket));
    socket.addEventListener('message', (event: MessageEvent<string>) => this.receive(event.data));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopPing();
      this.setState('disconnected');
      this.scheduleReconnect();
    });
  }

  private async authenticate(socket: WebSocket): Promise<void> {
    const token = await this.tokenProvider(this.needFreshToken).catch(() => null);
    this.needFreshToken = false;
    if (!token) {
      socket.close(4001, 'no token');
      return;
    }
    this.send({ action: 'auth', token });
  }

  /** One frame from the server (public for tests: the routing is the logic worth checking). */
  receive(data: string): void {
    let message: LiveMessage;
    try {
      message = JSON.parse(data) as LiveMessage;
    } catch {
      return;
    }
    if (!message || typeof message !== 'object') return;
    if (message.type === 'authenticated') {
      this.backoff = 1000;
      this.setState('connected');
      for (const key of this.topics.keys()) {
        const [kind, id] = key.split(/:(.*)/s) as [TopicKind, string];
        this.send(TOPIC_ACTIONS[kind](id).subscribe);
      }
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
      this.setState('disconnected', typeof message.code === 'string' ? message.code : 'error');
      this.socket?.close(4000, 'auth refused');
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: LiveMessage): void {
    for (const key of [String(message.type ?? ''), '*']) {
      this.handlers.get(key)?.forEach((handler) => handler(message));
    }
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong && this.socket) {
        this.socket.close(4002, 'no pong'); // half-open connection: start over
        return;
      }
      this.awaitingPong = true;
      this.send({ action: 'ping' });
    }, PING_EVERY_MS);
  }

  private stopPing(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    this.awaitingPong = false;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const jitter = Math.random() * 500;
    this.retryTimer = setTimeout(() => this.open(), this.backoff + jitter);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }
}

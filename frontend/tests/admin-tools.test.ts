// The pure logic of the webhooks, audit log and jobs screens.
import { describe, expect, it } from 'vitest';
import { auditFilters, exportFileName } from '../src/lib/audit';
import { chosenEvents, lastAttemptText, lastExcerpt, pickerState } from '../src/lib/webhooks';
import { clientBody } from '../src/screens/admin/oauth';
import { resultText } from '../src/screens/admin/operations';

const attempt = (number: number, status: number | null, excerpt = '', error = '') =>
  ({ number, status_code: status, ok: status !== null && status < 300, error, response_excerpt: excerpt, latency_ms: 30 + number, at: '2026-11-25T10:00:00Z' });

describe('webhook event picker', () => {
  const catalogue = ['reservation.created', 'reservation.cancelled', 'resource.updated'];
  it('sends every event as the wildcard', () => {
    expect(chosenEvents(catalogue, new Set(['reservation.created']), true)).toEqual(['*']);
  });
  it('sends the picked names in catalogue order, ignoring names the catalogue lacks', () => {
    expect(chosenEvents(catalogue, new Set(['resource.updated', 'reservation.created', 'gone.event']), false))
      .toEqual(['reservation.created', 'resource.updated']);
  });
  it('starts from the stored events', () => {
    expect(pickerState(['*'])).toEqual({ everything: true, picked: new Set() });
    expect(pickerState(['a', 'b'])).toEqual({ everything: false, picked: new Set(['a', 'b']) });
  });
});

describe('delivery outcome', () => {
  it('describes the latest attempt, whatever the order', () => {
    const attempts = [attempt(2, 500, 'boom'), attempt(1, null, '', 'timeout')];
    expect(lastAttemptText(attempts)).toBe('HTTP 500 in 32 ms (attempt 2)');
    expect(lastExcerpt(attempts)).toBe('boom');
  });
  it('says why nothing answered, and when nothing was tried', () => {
    expect(lastAttemptText([attempt(1, null, '', 'connection refused')])).toBe('No answer: connection refused in 31 ms (attempt 1)');
    expect(lastAttemptText([])).toBe('Not attempted yet.');
    expect(lastExcerpt([])).toBe('');
  });
});

describe('audit filters', () => {
  const blank = { actor: '', action: '', entityType: '', entityId: '', since: '', until: '' };
  it('drops blanks and trims', () => {
    expect(auditFilters({ ...blank, actor: ' u1 ', entityType: 'reservation', entityId: ' r1' }))
      .toEqual({ actor_id: 'u1', entity_type: 'reservation', entity_id: 'r1' });
    expect(auditFilters(blank)).toEqual({});
  });
  it('sends local times with the offset in force (Paris in winter)', () => {
    expect(auditFilters({ ...blank, since: '2026-11-25T10:00', until: '2026-11-26T10:00' }))
      .toEqual({ since: '2026-11-25T10:00:00+01:00', until: '2026-11-26T10:00:00+01:00' });
  });
  it('refuses an empty window and an entity id without its type, in words', () => {
    expect(() => auditFilters({ ...blank, since: '2026-11-25T10:00', until: '2026-11-25T09:00' })).toThrow(/after/);
    expect(() => auditFilters({ ...blank, entityId: 'r1' })).toThrow(/entity type/);
  });
  it('names the export file by format and minute', () => {
    expect(exportFileName('csv', new Date('2026-11-25T10:30:59Z'))).toBe('audit-2026-11-25T1030.csv');
  });
});

describe('job results', () => {
  it('reads as words', () => {
    expect(resultText({ expired_reservations: 3, checked: 10 })).toBe('expired reservations 3, checked 10');
    expect(resultText({})).toBe('nothing to do');
  });
});

describe('OAuth client registration body', () => {
  it('registers a machine client with scopes only', () => {
    expect(clientBody('Display', ['resources:read'], 'machine', 'https://ignored.example/cb'))
      .toEqual({ name: 'Display', scopes: ['resources:read'] });
  });
  it('gives a code-flow app its redirect URIs, one per non-empty line, and the code grants', () => {
    expect(clientBody('Sync', ['reservations:read'], 'public-app', ' http://127.0.0.1:8765/cb \n\nhttps://app.example/cb\n'))
      .toEqual({
        name: 'Sync',
        scopes: ['reservations:read'],
        redirect_uris: ['http://127.0.0.1:8765/cb', 'https://app.example/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        public: true,
      });
    expect(clientBody('Sync', ['reservations:read'], 'app', 'https://app.example/cb').public).toBe(false);
  });
});

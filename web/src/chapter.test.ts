import { describe, expect, it } from 'vitest';
import { currentSeason, nextShow } from './chapter';

const event = (id: string, startsAt: string, kind = 'ICE_SHOW', status = 'PUBLISHED') =>
  ({ id, title: id, kind, status, startsAt, seasonId: 's' }) as Parameters<typeof nextShow>[0][number];

describe('the chapter view', () => {
  const now = new Date('2026-12-06T12:00:00Z');

  it('takes the soonest published show that has not begun as the next show', () => {
    const events = [
      event('past', '2026-11-21T06:00:00Z'),
      event('later', '2027-05-01T13:00:00Z'),
      event('draft', '2027-01-10T13:00:00Z', 'ICE_SHOW', 'DRAFT'),
      event('competition', '2027-01-11T13:00:00Z', 'COMPETITION'),
      event('next', '2027-03-27T13:00:00Z'),
    ];
    expect(nextShow(events, now)?.id).toBe('next');
    expect(nextShow([event('past', '2026-11-21T06:00:00Z')], now)).toBeNull();
  });

  it('names the groups of the season in training, else the newest', () => {
    expect(currentSeason([{ id: 'new', phase: 'RECRUITING' }, { id: 'now', phase: 'TRAINING' }])).toBe('now');
    expect(currentSeason([{ id: 'new', phase: 'RECRUITING' }, { id: 'old', phase: 'CLOSED' }])).toBe('new');
    expect(currentSeason([])).toBeNull();
  });
});

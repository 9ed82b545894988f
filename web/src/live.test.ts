import { describe, expect, it } from 'vitest';
import { pause, sessionEnded } from './live';

describe('the live socket', () => {
  it('treats a close with 4401 as the end of the session, nothing else', () => {
    expect(sessionEnded({ code: 4401, reason: 'session revoked' })).toBe(true);
    expect(sessionEnded({ code: 1006 })).toBe(false);
    expect(sessionEnded({ code: 4500 })).toBe(false);
    expect(sessionEnded(new Error('network'))).toBe(false);
    expect(sessionEnded(null)).toBe(false);
  });

  it('waits longer after each failure, at most 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(pause)).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });
});

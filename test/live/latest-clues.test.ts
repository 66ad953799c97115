import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClueView } from '../../server/clues/stored-clue.js';
import { LatestClues } from '../../server/live/latest-clues.js';

const clue = (code: string) => ({ code }) as ClueView;

test('the latest clues remember the newest event per clue and forget the least recently changed first', () => {
  const latest = new LatestClues(2);
  latest.set(1, clue('a1'));
  latest.set(2, clue('b1'));
  latest.set(1, clue('a2'));
  assert.equal(latest.get(1)?.code, 'a2', 'a newer event replaces the older');
  latest.set(3, clue('c1'));
  assert.equal(latest.has(2), false, 'clue 2 changed least recently: forgotten');
  assert.deepEqual([latest.get(1)?.code, latest.get(3)?.code], ['a2', 'c1']);
  latest.set(4, undefined);
  assert.equal(latest.has(4), true, 'an event without a clue is remembered as such');
  assert.equal(latest.get(4), undefined);
  assert.equal(latest.has(1), false);
});

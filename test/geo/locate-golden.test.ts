/**
 * Golden fixtures for the locator's edge cases (shared edges and vertices, gaps, outside,
 * holes, overlapping zones, CRS inputs): GeoJSON in test/geo/fixtures/locate/, reviewed
 * answers beside it. The PostGIS oracle test covers the same rules statistically; these pin
 * the exact output shape a router or an API client sees.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { expectedPath, fixtureNames, runFixture, type GoldenProbe } from './fixtures/locate/fixture.js';

for (const name of fixtureNames()) {
  test(`golden fixture ${name}`, () => {
    const expected = JSON.parse(fs.readFileSync(expectedPath(name), 'utf8')) as GoldenProbe[];
    const actual = runFixture(name);
    assert.equal(actual.length, expected.length);
    actual.forEach((a, i) => assert.deepEqual(a, expected[i], `${name}: ${a.note}`));
  });
}

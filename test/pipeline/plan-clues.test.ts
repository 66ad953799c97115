import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueAt, compileCatalogue } from '../../server/catalogue/catalogue-at.js';
import type { Alert } from '../../server/detection/alert.js';
import { route } from '../../server/routing/route-clue.js';
import { indexUnits } from '../../server/catalogue/units.js';
import { planClues, type RoutedAlert } from '../../server/pipeline/plan-clues.js';
import { miniCatalogue, miniLocator, PLACES } from './helpers/mini-city.js';
import { T0 } from './helpers/events.js';

const data = miniCatalogue();
const history = compileCatalogue(data.versions);
const units = indexUnits(data.units);
const locator = miniLocator();

/** A parking alert for plate 浙B1 in NP-01 at `s` seconds, routed as the pipeline would. */
function parkingAlert(s: number, disposition: Alert['disposition']): RoutedAlert {
  const alert: Alert = {
    type: 'parking.no-parking-pavement',
    severity: 'low',
    disposition,
    deviceKind: 'parking-camera',
    deviceId: 'camera-1',
    ts: T0 + s * 1000,
    position: PLACES.pavement,
    assetKey: '浙B1@NP-01',
    asset: { type: 'no-parking', code: 'NP-01', roadKind: 'pavement' },
    evidence: { eventIds: [`e${s}`] },
    details: { plate: '浙B1' },
    summary: { zh: '违停', en: 'parked' },
  };
  const location = locator.locate(alert.position.lon, alert.position.lat);
  return { alert, location, decision: route(alert, location, catalogueAt(history, alert.ts), units) };
}

test('alerts of one batch join the clue an earlier alert of the same batch opened, in time order', () => {
  const planned = planClues([], [parkingAlert(900, 'clue'), parkingAlert(600, 'clue')], T0 + 3_600_000);
  assert.equal(planned.length, 1);
  assert.equal(planned[0]!.id, undefined);
  assert.equal(planned[0]!.clue.alertCount, 2);
  assert.equal(planned[0]!.clue.firstSeen, T0 + 600_000);
  assert.equal(planned[0]!.clue.lastSeen, T0 + 900_000);
  assert.deepEqual(planned[0]!.alerts.map((a) => a.alert.ts), [T0 + 600_000, T0 + 900_000]);
  assert.equal(planned[0]!.clue.gridCode, '330203001001002');
  assert.deepEqual(planned[0]!.clue.device, { id: 'camera-1', kind: 'parking-camera' });
});

test('review alerts and confident ones never share a clue', () => {
  const planned = planClues([], [parkingAlert(600, 'review'), parkingAlert(660, 'clue'), parkingAlert(700, 'review')], T0 + 3_600_000);
  assert.deepEqual(
    planned.map((p) => [p.clue.review, p.clue.alertCount, p.clue.needsConfirmation]),
    [
      [true, 2, true],
      [false, 1, false],
    ],
  );
  assert.deepEqual(new Set(planned.map((p) => p.clue.code)).size, 2, 'each new clue has its own placeholder code');
});

import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { UnitProgress } from '../../../src/activities/unit-progress';

/** Runs `work` as an activity and returns what it heartbeated, in order. */
async function heartbeatsOf(work: () => void): Promise<unknown[]> {
  const environment = new MockActivityEnvironment();
  const beats: unknown[] = [];
  environment.on('heartbeat', (details: unknown) => beats.push(details));
  await environment.run(async () => work());
  return beats;
}

describe('UnitProgress heartbeats', () => {
  it('sends a newly noted create at once, and figures alone at most once a second from the start', async () => {
    let clock = 10_000;
    const beats = await heartbeatsOf(() => {
      const progress = new UnitProgress(undefined, () => clock);
      progress.beat({ read: 1000 }); // figures only at the start: held (no created keys is what the server holds)
      progress.beat({ read: 1000, written: 0 }); // figures only, same instant: held
      progress.noteCreate('usmf', 'ACC-01000-BVRCPS');
      progress.beat({ written: 0, of: 200 }); // a create noted: sent at once, whatever the pace
      clock += 400;
      progress.beat({ written: 100, of: 200 }); // figures only, 0.4 s later: held
      clock += 600;
      progress.beat({ written: 200, of: 200 }); // figures only, 1 s after the last one sent: sent
      progress.forgetCreate('usmf', 'ACC-01000-BVRCPS');
      progress.beat(); // a create forgotten changes the keys: sent at once
    });
    expect(beats).toEqual([
      { written: 0, of: 200, created: { usmf: ['ACC-01000-BVRCPS'] } },
      { written: 200, of: 200, created: { usmf: ['ACC-01000-BVRCPS'] } },
      { written: 200, of: 200, created: { usmf: [] } },
    ]);
  });

  it("carries an earlier attempt's created keys into its own heartbeats", async () => {
    let clock = 0;
    const beats = await heartbeatsOf(() => {
      const progress = new UnitProgress({ read: 5, created: { usmf: ['ACC-01001-BVRCPS'] } }, () => clock);
      expect(progress.createdEarlier('usmf', 'ACC-01001-BVRCPS')).toBe(true);
      expect(progress.createdEarlier('usmf', 'ACC-01002-BVRCPS')).toBe(false);
      // The earlier attempt's keys are the server's details already: figures alone wait for the pace.
      progress.beat({ read: 1000 });
      clock += 1_000;
      progress.beat({ read: 1000 });
      progress.noteCreate('usmf', 'ACC-01002-BVRCPS');
      progress.beat();
    });
    expect(beats).toEqual([
      { read: 1000, created: { usmf: ['ACC-01001-BVRCPS'] } },
      { read: 1000, created: { usmf: ['ACC-01001-BVRCPS', 'ACC-01002-BVRCPS'] } },
    ]);
  });

  it("heartbeats the sum of the companies' figures, each company's replacing its own last ones", async () => {
    const beats = await heartbeatsOf(() => {
      const progress = new UnitProgress(undefined, () => 0);
      progress.beat({ read: 1000 });
      progress.noteCreate('usmf', 'ACC-01000-BVRCPS');
      progress.beat({ existing: 300 }, 'usmf'); // a create noted: sent at once
      progress.noteCreate('demf', 'ACC-01000-BVRCPS');
      progress.beat({ existing: 250 }, 'demf');
      progress.noteCreate('usmf', 'ACC-01001-BVRCPS');
      progress.beat({ written: 0, of: 700 }, 'usmf');
      progress.noteCreate('demf', 'ACC-01001-BVRCPS');
      progress.beat({ written: 200, of: 750 }, 'demf');
    });
    expect(beats).toEqual([
      { read: 1000, existing: 300, created: { usmf: ['ACC-01000-BVRCPS'] } },
      { read: 1000, existing: 550, created: { usmf: ['ACC-01000-BVRCPS'], demf: ['ACC-01000-BVRCPS'] } },
      { read: 1000, existing: 250, written: 0, of: 700, created: { usmf: ['ACC-01000-BVRCPS', 'ACC-01001-BVRCPS'], demf: ['ACC-01000-BVRCPS'] } },
      { read: 1000, written: 200, of: 1450, created: { usmf: ['ACC-01000-BVRCPS', 'ACC-01001-BVRCPS'], demf: ['ACC-01000-BVRCPS', 'ACC-01001-BVRCPS'] } },
    ]);
  });
});

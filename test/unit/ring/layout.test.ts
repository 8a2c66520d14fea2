import { loadEngineAddon } from '../../../src/engine/native/addon';
import { RING_LAYOUT, ringLayoutMismatch } from '../../../src/ring/layout';

/** The ring's layout has one source, native/src/ring.h: the addon exports it and is checked at load. */
describe('write ring layout', () => {
  test('the built engine addon lays the ring out as the TypeScript reader reads it', () => {
    const raw = { exports: {} as { ringLayout?: unknown } };
    process.dlopen(raw, require.resolve('../../../native/build/Release/logshadow_engine.node'));
    expect(raw.exports.ringLayout).toEqual(RING_LAYOUT);
    expect(ringLayoutMismatch(raw.exports.ringLayout)).toBeNull();
    expect(loadEngineAddon().ok).toBe(true);
  });

  test('a layout that differs is named field by field, and an addon without one is refused', () => {
    const moved = { ...RING_LAYOUT, slotBytes: 40, slot: { ...RING_LAYOUT.slot, pid: 32 } };
    expect(ringLayoutMismatch(moved)).toBe("its write ring layout differs from this version's: slotBytes is 40, not 32, slot.pid is 32, not 28");
    expect(ringLayoutMismatch(undefined)).toMatch(/exports no ring layout/);
  });
});

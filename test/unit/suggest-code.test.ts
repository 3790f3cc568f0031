import { describe, expect, it } from 'vitest';
import { suggestCode } from '../../src/codes/suggest.ts';

describe('suggestCode: the catalogued code nearest to what was typed', () => {
  it('ignores case, spacing and zero padding', () => {
    expect(suggestCode('wsrc3')).toBe('WSRC0003');
    expect(suggestCode('WSRC 0003')).toBe('WSRC0003');
    expect(suggestCode('rc6')).toBe('RC006');
    expect(suggestCode('wsvrc1')).toBe('WSVRC001');
    expect(suggestCode('vrf01')).toBe('VRF1');
    expect(suggestCode('wcec999')).toBe('WCEC0999');
  });
  it('corrects a slip of a character, preferring the same kind of code', () => {
    expect(suggestCode('WSRC00033')).toBe('WSRC0003');
    expect(suggestCode('WSEC0207')).toBe('WSEC0206');
    expect(suggestCode('LRS_MAINTENENCE')).toBe('LRS_MAINTENANCE');
  });
  it('suggests nothing when nothing is close', () => {
    expect(suggestCode('WSRC9999')).toBeUndefined();
    expect(suggestCode('hello')).toBeUndefined();
    expect(suggestCode('')).toBeUndefined();
    expect(suggestCode('x'.repeat(1000))).toBeUndefined();
  });
});

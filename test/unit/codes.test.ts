import { describe, expect, it } from 'vitest';
import { ALL_CODES, explainCode, PIPELINE_CODES } from '../../src/codes/explain.ts';
import { RELAY_CODES } from '../../src/lrs/errors.ts';

describe('code catalogue', () => {
  it('explains every code of ours, with a resolution note for support staff', () => {
    for (const code of [...Object.values(PIPELINE_CODES), ...Object.values(RELAY_CODES)]) {
      const entry = explainCode(code);
      expect(entry.source, code).toBe('relay');
      expect(entry.meaning, code).not.toBe(explainCode('NO_SUCH_CODE').meaning);
      expect(entry.resolution.length, code).toBeGreaterThan(10);
    }
  });

  it('lists each code once', () => {
    const codes = ALL_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps an unknown LRS code verbatim and classes it unknown', () => {
    expect(explainCode('WSRC0099')).toMatchObject({ code: 'WSRC0099', class: 'unknown', source: 'lrs' });
  });
});

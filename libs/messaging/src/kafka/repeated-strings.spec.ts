import { RepeatedStrings } from './repeated-strings';

describe('RepeatedStrings', () => {
  it('decodes every value of a slot, repeated or changed', () => {
    const strings = new RepeatedStrings();
    const values = ['2026-12-02T08:00:00.000Z', '2026-12-02T08:00:00.000Z', '2026-12-02T08:00:00.001Z', 'ünïcødé', 'ünïcødé', ''];
    expect(values.map((v) => strings.decode('ce_time', Buffer.from(v)))).toEqual(values);
  });

  it('keeps slots apart', () => {
    const strings = new RepeatedStrings();
    expect([
      strings.decode('ce_actor', Buffer.from('alice')),
      strings.decode('ce_subject', Buffer.from('default/web')),
      strings.decode('ce_actor', Buffer.from('alice')),
      strings.decode('ce_subject', Buffer.from('default/api')),
    ]).toEqual(['alice', 'default/web', 'alice', 'default/api']);
  });

  it('remembers a copy of the bytes, not the record buffer it was given', () => {
    const strings = new RepeatedStrings();
    const record = Buffer.from('abc');
    expect(strings.decode('ce_id', record)).toBe('abc');
    record.write('xyz');
    expect(strings.decode('ce_id', Buffer.from('xyz'))).toBe('xyz');
    expect(strings.decode('ce_id', Buffer.from('abc'))).toBe('abc');
  });

  it('decodes slots beyond those it remembers', () => {
    const strings = new RepeatedStrings();
    const names = Array.from({ length: 100 }, (_, i) => `x-header-${i}`);
    for (const round of [0, 1, 2]) {
      expect(names.map((name) => strings.decode(name, Buffer.from(`${name}=${round >> 1}`)))).toEqual(names.map((name) => `${name}=${round >> 1}`));
    }
  });
});

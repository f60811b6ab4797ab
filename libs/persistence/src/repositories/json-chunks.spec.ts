import { jsonChunks, MAX_CHUNK_CHARS } from './json-chunks';

describe('jsonChunks', () => {
  it('keeps small inputs in one JSON array', () => {
    expect([...jsonChunks([{ a: 1 }, 'b'])]).toEqual(['[{"a":1},"b"]']);
    expect([...jsonChunks([])]).toEqual([]);
  });

  it('splits large inputs into arrays below the bound that concatenate to the original items', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ i, pad: 'x'.repeat(MAX_CHUNK_CHARS / 100) }));

    const chunks = [...jsonChunks(items)];

    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
  });

  it('fills each chunk but the last to more than half the bound', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ i, pad: 'x'.repeat(200 + (i % 50)) }));

    const chunks = [...jsonChunks(items)];

    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThan(MAX_CHUNK_CHARS / 2);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
  });

  it('splits inputs whose first item made them look small', () => {
    const items = [{ i: 0 }, ...Array.from({ length: 9 }, (_, i) => ({ i: i + 1, pad: 'x'.repeat(MAX_CHUNK_CHARS / 5) }))];

    const chunks = [...jsonChunks(items)];

    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
  });

  it('gives an item larger than the limit a chunk of its own', () => {
    const big = 'y'.repeat(MAX_CHUNK_CHARS + 1);

    expect([...jsonChunks(['a', big, 'b'])].map((c) => (JSON.parse(c) as string[]).length)).toEqual([1, 1, 1]);
  });
});

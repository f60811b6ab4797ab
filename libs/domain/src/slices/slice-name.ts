/** The API server's generateName alphabet (apiserver pkg/storage/names): no vowels, no 0/1/3. */
export const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const SUFFIX_LENGTH = 5;
const MAX_PREFIX_LENGTH = 58;

// k8s §2.1/§3.10: generateName `<service>-` is cut to 58 characters before the 5-character
// suffix, so a service name of 58+ characters loses its dash.
export const sliceNamePrefix = (serviceName: string): string => `${serviceName}-`.slice(0, MAX_PREFIX_LENGTH);

export interface SliceIdentity {
  /** Next 5-character name suffix; the n-th call returns the same suffix for the same seed. */
  readonly nameSuffix: () => string;
  /** A version-8 (RFC 9562 custom) uuid derived from the seed and the slice name. */
  readonly uidFor: (sliceName: string) => string;
}

// Replaces the server's random suffix and uid: the projection must produce the same names and
// uids when it replays the same log, so both are a pure function of a seed the caller derives
// from the log (e.g. the triggering event id).
export const deterministicSliceIdentity = (seed: string): SliceIdentity => {
  let counter = 0;
  return {
    nameSuffix: () => {
      const [word] = hash128(`${seed}\u0000suffix\u0000${counter}`);
      counter += 1;
      return toSuffix(word);
    },
    uidFor: (sliceName) => toUuid(hash128(`${seed}\u0000uid\u0000${sliceName}`)),
  };
};

const toSuffix = (word: number): string => {
  let rest = word;
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i += 1) {
    suffix += SUFFIX_ALPHABET.charAt(rest % SUFFIX_ALPHABET.length);
    rest = Math.floor(rest / SUFFIX_ALPHABET.length);
  }
  return suffix;
};

const toUuid = (words: readonly [number, number, number, number]): string => {
  const hex = words.map((word) => word.toString(16).padStart(8, '0')).join('');
  const version = '8';
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    version + hex.slice(13, 16),
    variant + hex.slice(17, 20),
    hex.slice(20, 32),
  ].join('-');
};

// libs/domain may not use node:crypto; four FNV-1a style lanes with distinct multipliers,
// cross-mixed and finished with murmur3's fmix32, give well-spread bits. Not cryptographic:
// uniqueness against collisions is handled by the caller skipping names already taken.
const hash128 = (input: string): [number, number, number, number] => {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  let h3 = 0x85ebca6b;
  let h4 = 0xc2b2ae35;
  for (let i = 0; i < input.length; i += 1) {
    const unit = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ unit, 0x01000193);
    h2 = Math.imul(h2 ^ unit, 0x5bd1e995);
    h3 = Math.imul(h3 ^ unit, 0x27d4eb2f);
    h4 = Math.imul(h4 ^ unit, 0x165667b1);
  }
  h1 = fmix32(h1 ^ input.length);
  h2 = fmix32(h2 ^ h1);
  h3 = fmix32(h3 ^ h2);
  h4 = fmix32(h4 ^ h3);
  return [fmix32(h1 ^ h4), h2, h3, h4];
};

const fmix32 = (value: number): number => {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

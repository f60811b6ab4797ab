// Code-unit order, not localeCompare: slice contents must not depend on the host's locale.
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

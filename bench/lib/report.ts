export interface Figure {
  readonly value: number | null;
  readonly unit: string;
}

export interface Goal {
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface ResultRow {
  readonly id: string;
  readonly scenario: string;
  readonly registry: Figure;
  readonly baseline: Figure | null;
  /** registry / baseline, or the registry figure itself when there is no baseline. */
  readonly ratio: number | null;
  readonly goal: Goal | null;
  readonly pass: boolean | null;
  readonly note?: string;
}

const format = (value: number | null, digits = 2): string => {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(digits);
};

export const row = (
  id: string,
  scenario: string,
  registry: Figure,
  baseline: Figure | null,
  goal: Goal | null,
  extra: { note?: string; require?: boolean } = {},
): ResultRow => {
  const ratio = baseline ? (registry.value !== null && baseline.value ? registry.value / baseline.value : null) : registry.value;
  const meets = goal && ratio !== null ? (goal.op === '>=' ? ratio >= goal.value : ratio <= goal.value) : null;
  const pass = meets === null ? null : meets && extra.require !== false;
  return { id, scenario, registry, baseline, ratio, goal, pass, note: extra.note };
};

const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));

export const renderTable = (rows: readonly ResultRow[]): string => {
  const cells = rows.map((r) => [
    r.id,
    r.scenario,
    `${format(r.registry.value)} ${r.registry.unit}`,
    r.baseline ? `${format(r.baseline.value)} ${r.baseline.unit}` : '-',
    format(r.ratio, 3),
    r.goal ? `${r.goal.op} ${r.goal.value}` : 'report',
    r.pass === null ? (r.goal ? 'n/a' : '-') : r.pass ? 'PASS' : 'FAIL',
  ]);
  const header = ['#', 'Scenario', 'Registry', 'Baseline (same run)', 'Ratio', 'Goal', 'Result'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) => `| ${c.map((t, i) => pad(t, widths[i], i >= 2 && i <= 4)).join(' | ')} |`;
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.id}: ${r.note}`);
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line), ...(notes.length ? ['', 'Notes:', ...notes] : [])].join('\n');
};

/** Label values go through here; callers pass bounded values only (never query text or tokens). */
type Labels = Readonly<Record<string, string>>;

const escapeValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels): string => {
  const pairs = Object.entries(labels);
  return pairs.length === 0 ? '' : `{${pairs.map(([name, value]) => `${name}="${escapeValue(value)}"`).join(',')}}`;
};
const header = (name: string, help: string, type: string): string => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;

/** A counter or gauge, one value per label set (Prometheus text exposition format 0.0.4). */
export class Series {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly type: 'counter' | 'gauge',
  ) {}

  add(by: number, labels: Labels = {}): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  inc(labels: Labels = {}): void {
    this.add(1, labels);
  }

  dec(labels: Labels = {}): void {
    this.add(-1, labels);
  }

  render(): string {
    // An unlabelled series is shown at 0 from the start, so a scrape never misses it.
    const values = this.values.size === 0 ? [{ labels: {}, value: 0 }] : [...this.values.values()];
    return header(this.name, this.help, this.type) + values.map(({ labels, value }) => `${this.name}${labelText(labels)} ${value}\n`).join('');
  }
}

/** A cumulative histogram per label set. */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels): void {
    const key = labelText(labels);
    const entry = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    const bucket = this.buckets.findIndex((upper) => value <= upper);
    if (bucket >= 0) entry.counts[bucket] += 1;
    entry.sum += value;
    entry.count += 1;
    this.series.set(key, entry);
  }

  render(): string {
    let text = header(this.name, this.help, 'histogram');
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((upper, i) => {
        cumulative += counts[i];
        text += `${this.name}_bucket${labelText({ ...labels, le: String(upper) })} ${cumulative}\n`;
      });
      text += `${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}\n`;
      text += `${this.name}_sum${labelText(labels)} ${sum}\n${this.name}_count${labelText(labels)} ${count}\n`;
    }
    return text;
  }
}

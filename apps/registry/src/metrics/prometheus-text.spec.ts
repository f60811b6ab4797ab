import { Histogram, Series } from './prometheus-text';

describe('Prometheus text exposition', () => {
  it('renders cumulative buckets, +Inf, sum and count per label set', () => {
    const histogram = new Histogram('h_seconds', 'help', [0.1, 1]);
    histogram.observe(0.05, { code: 'OK' });
    histogram.observe(0.5, { code: 'OK' });
    histogram.observe(3, { code: 'OK' });
    histogram.observe(0.2, { code: 'FORBIDDEN' });

    expect(histogram.render().split('\n')).toEqual([
      '# HELP h_seconds help',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{code="OK",le="0.1"} 1',
      'h_seconds_bucket{code="OK",le="1"} 2',
      'h_seconds_bucket{code="OK",le="+Inf"} 3',
      'h_seconds_sum{code="OK"} 3.55',
      'h_seconds_count{code="OK"} 3',
      'h_seconds_bucket{code="FORBIDDEN",le="0.1"} 0',
      'h_seconds_bucket{code="FORBIDDEN",le="1"} 1',
      'h_seconds_bucket{code="FORBIDDEN",le="+Inf"} 1',
      'h_seconds_sum{code="FORBIDDEN"} 0.2',
      'h_seconds_count{code="FORBIDDEN"} 1',
      '',
    ]);
  });

  it('shows an unlabelled series at 0 before its first change, and escapes label values', () => {
    const gauge = new Series('g', 'help', 'gauge');
    expect(gauge.render()).toBe('# HELP g help\n# TYPE g gauge\ng 0\n');
    gauge.inc();
    gauge.inc();
    gauge.dec();
    expect(gauge.render()).toContain('\ng 1\n');

    const counter = new Series('c_total', 'help', 'counter');
    counter.inc({ route: 'a"b\\c\nd' });
    expect(counter.render()).toContain('c_total{route="a\\"b\\\\c\\nd"} 1\n');
  });
});

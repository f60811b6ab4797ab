import { VersionForecast } from './version-forecast';

describe('VersionForecast', () => {
  it('forecasts nothing until two claims in a row showed that only this projector moves the counter', () => {
    const forecast = new VersionForecast();
    expect(forecast.next(3)).toBeUndefined();
    forecast.settle(3, undefined, 10n);
    expect(forecast.next(2)).toBeUndefined();
    forecast.settle(2, undefined, 12n);
    expect(forecast.next(5)?.latest).toBe(17n);
  });

  it('forecasts the transactions in flight one after the other, in the order they claim', () => {
    const forecast = new VersionForecast();
    forecast.settle(1, undefined, 1n);
    forecast.settle(1, undefined, 2n);
    const first = forecast.next(4);
    const second = forecast.next(3);
    expect([first?.latest, second?.latest]).toEqual([6n, 9n]);
    forecast.settle(4, first, 6n);
    const empty = forecast.next(0);
    expect(empty?.latest).toBe(9n);
    forecast.settle(3, second, 9n);
    forecast.settle(0, empty, 9n);
    expect(forecast.next(1)?.latest).toBe(10n);
  });

  it('stops forecasting when a claim finds the counter moved by another projector, and starts again once it is alone', () => {
    const forecast = new VersionForecast();
    forecast.settle(1, undefined, 1n);
    forecast.settle(1, undefined, 2n);
    const wrong = forecast.next(2);
    const behindWrong = forecast.next(1);
    forecast.settle(2, wrong, 14n);
    expect(forecast.next(1)).toBeUndefined();
    // The forecast made behind the wrong one is wrong too, and no longer counted.
    forecast.settle(1, behindWrong, 15n);
    expect(forecast.next(1)).toBeUndefined();
    forecast.settle(1, undefined, 20n);
    expect(forecast.next(1)).toBeUndefined();
    forecast.settle(1, undefined, 21n);
    expect(forecast.next(1)?.latest).toBe(22n);
  });

  it('gives back the versions of a claim that failed, so the next forecast does not count them', () => {
    const forecast = new VersionForecast();
    forecast.settle(1, undefined, 1n);
    forecast.settle(1, undefined, 2n);
    const failed = forecast.next(5);
    forecast.settle(5, failed, undefined);
    expect(forecast.next(1)?.latest).toBe(3n);
  });
});

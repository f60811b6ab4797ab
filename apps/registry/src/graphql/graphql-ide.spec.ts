import { isIdePageRequest } from './graphql-ide';

const request = (method: string, accept?: string) => ({ method, headers: accept === undefined ? {} : { accept } });

describe('isIdePageRequest', () => {
  it("takes a browser's navigation, with or without the query GraphiQL keeps in the URL", () => {
    expect(isIdePageRequest(request('GET', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'))).toBe(true);
    expect(isIdePageRequest(request('GET', 'TEXT/HTML'))).toBe(true);
  });

  it('leaves every operation to the access check: JSON first, text/html weighted down, no Accept, other methods', () => {
    expect(isIdePageRequest(request('GET', 'application/json, text/html'))).toBe(false);
    expect(isIdePageRequest(request('GET', 'text/html;q=0.5, application/json'))).toBe(false);
    expect(isIdePageRequest(request('GET', '*/*'))).toBe(false);
    expect(isIdePageRequest(request('GET'))).toBe(false);
    expect(isIdePageRequest(request('POST', 'text/html'))).toBe(false);
  });
});

import { useState } from 'preact/hooks';

/** AUTH_MODE=token: the console needs a token; it is kept for this tab only. */
export const SignIn = ({ message, onToken }: { message: string | undefined; onToken: (token: string) => void }) => {
  const [token, setToken] = useState('');
  return (
    <form
      class="sign-in"
      onSubmit={(event) => {
        event.preventDefault();
        if (token.trim()) onToken(token.trim());
      }}
    >
      <h2>Sign in</h2>
      <p>This registry needs an API token (an admin creates one with <code>createApiToken</code>). It is kept for this browser tab only.</p>
      {message ? <p class="error" role="alert">{message}</p> : null}
      <label>
        Token <input type="password" name="token" autocomplete="off" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
      </label>
      <button type="submit">Sign in</button>
    </form>
  );
};

import { CSRF_FIELD } from '@/lib/auth/csrf'
import { passwordSource } from '@/lib/auth/password'
import { csrfTokenForForm } from './csrf-token'

export const dynamic = 'force-dynamic'

const ERRORS: Record<string, (retry: number) => string> = {
  password: () => 'That password is not right.',
  token: () => 'That token is not right.',
  csrf: () => 'The form expired or came from another site; please try again.',
  rate_limited: (retry) => `Too many login attempts. Try again in ${retry} seconds.`,
  busy: (retry) => `Too many logins are being checked right now. Try again in ${retry} second${retry === 1 ? '' : 's'}.`,
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; retry?: string }> }) {
  const { error, retry } = await searchParams
  const csrf = await csrfTokenForForm()
  const hasPassword = passwordSource() !== 'none'
  const retrySeconds = /^\d{1,5}$/.test(retry ?? '') ? Number(retry) : 60
  const message = error ? (ERRORS[error] ?? ERRORS.token!)(retrySeconds) : null
  return (
    <main className="login panel">
      <h1>Stalewatch</h1>
      {hasPassword ? (
        <form method="post" action="/api/auth/login">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required autoFocus />
          <button type="submit">Log in</button>
        </form>
      ) : (
        <section aria-label="First run">
          <p>
            <strong>No dashboard password is set yet.</strong> Set one on the server with <code>npm run set-password</code>{' '}
            (it stores an scrypt hash in the data directory), or start the server with <code>STALEWATCH_ADMIN_PASSWORD</code>.
            Until then, log in with the admin token below.
          </p>
        </section>
      )}
      {message ? (
        <p className="error" role="alert">
          {message}
        </p>
      ) : null}
      <details open={!hasPassword}>
        <summary>Log in with the admin token</summary>
        <p className="muted">
          <code>npm start</code> prints it, and keeps it in <code>data/admin-token</code> (or set <code>STALEWATCH_ADMIN_TOKEN</code>).
        </p>
        <form method="post" action="/api/auth/login">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <label htmlFor="token">Admin token</label>
          <input id="token" name="token" type="password" autoComplete="off" required={!hasPassword} />
          <button type="submit">Log in with token</button>
        </form>
      </details>
    </main>
  )
}

export const dynamic = 'force-dynamic'

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams
  return (
    <main className="login panel">
      <h1>Stalewatch</h1>
      <p className="muted">
        Log in with the admin token. <code>npm start</code> prints it, and keeps it in <code>data/admin-token</code> (or
        set <code>STALEWATCH_ADMIN_TOKEN</code>).
      </p>
      <form method="post" action="/api/auth/login">
        <label htmlFor="token">Admin token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" required autoFocus />
        {error ? <p className="error" role="alert">That token is not right.</p> : null}
        <button type="submit">Log in</button>
      </form>
    </main>
  )
}

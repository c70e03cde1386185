import { CSRF_FIELD } from '@/lib/auth/csrf'
import { csrfTokenForForm } from './csrf-token'

/** The dashboard's log-out buttons, with their CSRF field: this session, or every session of the dashboard. */
export async function LogoutForm() {
  const csrf = await csrfTokenForForm()
  return (
    <form method="post" action="/api/auth/logout" className="logout">
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      <button type="submit">Log out</button>
      <button type="submit" name="scope" value="everywhere" title="Ends every dashboard session, on every browser">
        Log out everywhere
      </button>
    </form>
  )
}

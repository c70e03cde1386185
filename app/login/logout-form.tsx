import { CSRF_FIELD } from '@/lib/auth/csrf'
import { csrfTokenForForm } from './csrf-token'

/** The dashboard's log-out button, with its CSRF field. */
export async function LogoutForm() {
  const csrf = await csrfTokenForForm()
  return (
    <form method="post" action="/api/auth/logout">
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      <button type="submit">Log out</button>
    </form>
  )
}

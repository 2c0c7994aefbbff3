import { api, setLecturerToken } from '../api'

/** Ends the lecturer's session on the server and removes the stored token. */
export async function signOut(token: string): Promise<void> {
  try {
    await api.logout(token)
  } catch (error) {
    // The token is dropped locally either way. A failed logout leaves it
    // valid on the server until it expires.
    console.warn('logout request failed', error)
  }
  setLecturerToken(null)
}

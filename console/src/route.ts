import { useEffect, useState } from 'preact/hooks'

/** The page's place, kept in the URL's hash so every view is a deep link: `#/trace/<id>?span=<id>`. */
export interface Route {
  page: 'traces' | 'trace' | 'cost' | 'audit'
  /** The trace id (or prefix) of `#/trace/<id>`. */
  id: string
  params: URLSearchParams
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?')
  const parts = path.split('/').filter(Boolean)
  const params = new URLSearchParams(query)
  if (parts[0] === 'trace' && parts[1]) return { page: 'trace', id: decodeURIComponent(parts[1]), params }
  if (parts[0] === 'cost' || parts[0] === 'audit') return { page: parts[0], id: '', params }
  return { page: 'traces', id: '', params }
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const onChange = () => setHash(location.hash)
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return parseRoute(hash)
}

/** Replaces the query part of the current hash route (filters), without a history entry per keystroke. */
export function setRouteParams(params: URLSearchParams): void {
  const [path] = location.hash.replace(/^#/, '').split('?')
  const query = params.toString()
  history.replaceState(null, '', `#${path || '/traces'}${query ? `?${query}` : ''}`)
  dispatchEvent(new HashChangeEvent('hashchange'))
}

/** Sets (or, when empty, removes) one query parameter of the current route. */
export function setRouteParam(params: URLSearchParams, name: string, value: string): void {
  const next = new URLSearchParams(params)
  if (value) next.set(name, value)
  else next.delete(name)
  setRouteParams(next)
}

import { setRouteParam } from './route.js'

interface FieldProps {
  params: URLSearchParams
  name: string
  label: string
}

/** A text filter kept in the route's query (applied on change: Enter or leaving the field). */
export function TextFilter({ params, name, label, placeholder }: FieldProps & { placeholder?: string }) {
  return (
    <label>
      {label}
      <input
        name={name}
        placeholder={placeholder}
        value={params.get(name) ?? ''}
        onChange={(e) => setRouteParam(params, name, (e.currentTarget as HTMLInputElement).value)}
      />
    </label>
  )
}

/** A choice kept in the route's query; `options` are [value, label] pairs. */
export function SelectFilter({
  params,
  name,
  label,
  options,
  fallback = '',
}: FieldProps & { options: Array<[string, string]>; fallback?: string }) {
  return (
    <label>
      {label}
      <select
        name={name}
        value={params.get(name) ?? fallback}
        onChange={(e) => setRouteParam(params, name, (e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

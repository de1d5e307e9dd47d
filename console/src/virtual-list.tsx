import type { ComponentChildren } from 'preact'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'

interface Props {
  count: number
  /** Every row is this tall (px): what makes the visible window a division, however many rows. */
  rowHeight: number
  /** Height of the scrolling viewport (px). */
  height: number
  renderRow: (index: number) => ComponentChildren
  /** Scroll so this row is in view when it changes. */
  scrollTo?: number
  testId?: string
}

const OVERSCAN = 10

/**
 * A list that renders only the rows in view (plus a few): the DOM holds ~60 rows whether the list has 50
 * or 50,000, so a 5,000-span waterfall or 10,000 traces scroll and filter without a stall.
 */
export function VirtualList({ count, rowHeight, height, renderRow, scrollTo, testId }: Props) {
  const viewport = useRef<HTMLDivElement>(null)
  const [top, setTop] = useState(0)
  useLayoutEffect(() => {
    const el = viewport.current
    if (!el || scrollTo === undefined || scrollTo < 0) return
    const y = scrollTo * rowHeight
    if (y < el.scrollTop || y + rowHeight > el.scrollTop + height) el.scrollTop = Math.max(0, y - height / 3)
  }, [scrollTo, rowHeight, height])
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN)
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + OVERSCAN)
  const rows: ComponentChildren[] = []
  for (let i = first; i < last; i++)
    rows.push(
      <div key={i} class="vrow" style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>
        {renderRow(i)}
      </div>,
    )
  return (
    <div
      ref={viewport}
      class="viewport"
      data-testid={testId}
      style={{ height: `${height}px` }}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div style={{ height: `${count * rowHeight}px`, position: 'relative' }}>{rows}</div>
    </div>
  )
}

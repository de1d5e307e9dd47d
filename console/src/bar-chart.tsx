import { formatUsd } from './format.js'

export interface Bar {
  label: string
  value: number
}

const WIDTH = 900
const HEIGHT = 220
const PAD = { left: 70, right: 10, top: 10, bottom: 40 }

/**
 * Spend over time as an SVG bar chart, drawn by hand: a bar per bucket on a scale from $0 to the largest
 * bucket, four gridlines, the bucket labels thinned to fit. Each bar carries its figure (title, data-usd).
 */
export function BarChart({ bars, testId }: { bars: Bar[]; testId: string }) {
  const max = Math.max(...bars.map((b) => b.value), 0) || 1
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const step = bars.length > 0 ? plotW / bars.length : plotW
  const labelEvery = Math.max(1, Math.ceil(bars.length / 12))
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="spend over time"
      data-testid={testId}
    >
      {[0, 0.25, 0.5, 0.75, 1].map((f) => {
        const y = PAD.top + plotH * (1 - f)
        return (
          <g key={f}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} class="grid" />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end" class="axis">
              {formatUsd(max * f)}
            </text>
          </g>
        )
      })}
      {bars.map((b, i) => {
        const h = (b.value / max) * plotH
        const x = PAD.left + i * step
        return (
          <g key={b.label}>
            <rect
              x={x + step * 0.1}
              y={PAD.top + plotH - h}
              width={step * 0.8}
              height={h}
              class="bar-fill"
              data-usd={b.value}
              data-label={b.label}
            >
              <title>
                {b.label}: {formatUsd(b.value)}
              </title>
            </rect>
            {i % labelEvery === 0 && (
              <text x={x + step / 2} y={HEIGHT - PAD.bottom + 16} text-anchor="middle" class="axis">
                {b.label.length > 10 ? b.label.slice(5, 13).replace('T', ' ') : b.label.slice(5)}
              </text>
            )}
          </g>
        )
      })}
    </svg>
  )
}

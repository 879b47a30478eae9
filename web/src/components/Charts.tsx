import { type MouseEvent, useId } from "react";
import { centsText, formatMoney, niceCeiling, ratio } from "../format.ts";
import { navigate } from "../router.tsx";

// Small SVG charts. Scales are computed on integer cents (bigint), so a bar never disagrees with
// the figure printed beside it. Each chart has a title for screen readers and a table beside it.

export interface Series {
  key: string;
  label: string;
  /** CSS class suffix: .tone-<tone> sets fill and stroke. */
  tone: string;
}

export interface Bar {
  key: string;
  label: string;
  /** Segment values in the order of the chart's series (integer units: cents or counts). */
  values: bigint[];
  /** Printed at the bar's end. */
  valueText: string;
  /** Colour of a one-segment bar, instead of its series'. */
  tone?: string;
  href?: string;
}

const W = 500;
const LABEL_W = 160;
const VALUE_W = 100;
const ROW = 28;
const BAR_H = 16;

/** Math.max takes no bigint. */
function larger(a: bigint, b: bigint): bigint {
  if (a >= b) return a;
  return b;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function follow(e: MouseEvent<Element>, href: string): void {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(href);
}

/** Horizontal (optionally stacked) bars, one row per item. */
export function BarChart({
  title,
  bars,
  series,
  testId,
}: {
  title: string;
  bars: Bar[];
  series: Series[];
  testId?: string;
}) {
  const titleId = useId();
  const max = bars.reduce(
    (m, b) =>
      larger(
        m,
        b.values.reduce((s, v) => s + (v > 0n ? v : 0n), 0n),
      ),
    0n,
  );
  const area = W - LABEL_W - VALUE_W - 8;
  const height = bars.length * ROW + 4;
  return (
    <figure className="chart" data-testid={testId}>
      {series.length > 1 && <Legend series={series} />}
      <svg
        viewBox={`0 0 ${W} ${height}`}
        width="100%"
        // No role="img": its bars are links, which an image may not hold (axe: nested-interactive).
        aria-labelledby={titleId}
        className="chart-svg"
      >
        <title id={titleId}>{title}</title>
        {bars.map((b, row) => {
          const y = row * ROW + 4;
          let x = LABEL_W;
          const segments = b.values.map((v, i) => {
            const w = ratio(v, max) * area;
            const rect = (
              <rect
                key={series[i]?.key ?? i}
                x={x}
                y={y + (ROW - BAR_H) / 2 - 2}
                width={Math.max(w, v > 0n ? 1 : 0)}
                height={BAR_H}
                className={`bar tone-${b.tone ?? series[i]?.tone ?? "neutral"}`}
              />
            );
            x += w;
            return rect;
          });
          const content = (
            <>
              <title>{`${b.label}: ${b.valueText}`}</title>
              <rect x={0} y={y - 2} width={W} height={ROW} className="bar-row" />
              <text
                x={LABEL_W - 8}
                y={y + ROW / 2 - 2}
                className="chart-label"
                textAnchor="end"
                dominantBaseline="central"
              >
                {shorten(b.label, 22)}
              </text>
              {segments}
              <text
                x={W - 2}
                y={y + ROW / 2 - 2}
                className="chart-value"
                textAnchor="end"
                dominantBaseline="central"
              >
                {b.valueText}
              </text>
            </>
          );
          const href = b.href;
          return href ? (
            <a key={b.key} href={href} onClick={(e) => follow(e, href)} className="chart-link">
              {content}
            </a>
          ) : (
            <g key={b.key}>{content}</g>
          );
        })}
      </svg>
    </figure>
  );
}

export function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.key}>
          <span className={`swatch tone-${s.tone}`} aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

export interface TrendPoint {
  key: string;
  label: string;
  /** Cents, in the order of the chart's series. */
  values: bigint[];
}

const TW = 1000;
const TH = 250;
const PAD = { left: 78, right: 44, top: 12, bottom: 30 };

/** Lines of money over past runs, oldest on the left. */
export function TrendChart({
  title,
  points,
  series,
  testId,
}: {
  title: string;
  points: TrendPoint[];
  series: Series[];
  testId?: string;
}) {
  const titleId = useId();
  const max = niceCeiling(points.reduce((m, p) => p.values.reduce(larger, m), 0n));
  const plotW = TW - PAD.left - PAD.right;
  const plotH = TH - PAD.top - PAD.bottom;
  const xOf = (i: number) =>
    points.length === 1 ? PAD.left + plotW / 2 : PAD.left + (plotW * i) / (points.length - 1);
  const yOf = (v: bigint) => PAD.top + plotH - ratio(v, max) * plotH;
  const ticks = [0n, 1n, 2n, 3n, 4n].map((k) => (max * k) / 4n);
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  return (
    <figure className="chart" data-testid={testId}>
      <Legend series={series} />
      <svg
        viewBox={`0 0 ${TW} ${TH}`}
        width="100%"
        role="img"
        aria-labelledby={titleId}
        className="chart-svg"
      >
        <title id={titleId}>{title}</title>
        {ticks.map((t) => (
          <g key={t.toString()}>
            <line x1={PAD.left} x2={TW - PAD.right} y1={yOf(t)} y2={yOf(t)} className="grid" />
            <text x={PAD.left - 6} y={yOf(t) + 4} textAnchor="end" className="chart-axis">
              {formatMoney(centsText(t))}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          i % labelEvery === 0 || i === points.length - 1 ? (
            <text key={p.key} x={xOf(i)} y={TH - 8} textAnchor="middle" className="chart-axis">
              {p.label}
            </text>
          ) : null,
        )}
        {series.map((s, si) => (
          <g key={s.key} className={`series tone-${s.tone} dash-${si}`}>
            {points.length > 1 && (
              <polyline
                fill="none"
                points={points.map((p, i) => `${xOf(i)},${yOf(p.values[si] ?? 0n)}`).join(" ")}
              />
            )}
            {points.map((p, i) => (
              <circle key={p.key} cx={xOf(i)} cy={yOf(p.values[si] ?? 0n)} r={3.5}>
                <title>{`${p.label} · ${s.label}: ${formatMoney(centsText(p.values[si] ?? 0n))}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
    </figure>
  );
}

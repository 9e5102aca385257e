// A score over time (uPlot: a small, maintained canvas chart library), drawn once per change of
// the data, sized to its box, with a text summary for screen readers.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function HistoryChart({
  points,
  label,
}: {
  points: readonly { readonly at: number; readonly value: number }[];
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || points.length === 0) return;
    const seconds = points.map((p) => p.at / 1000);
    const first = Math.min(...seconds);
    const last = Math.max(...seconds);
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 200,
        // A minute either side, so changes seconds apart still spread over the width.
        scales: {
          x: { time: true, auto: false, range: [first - 60, last + 60] },
          y: { range: [0, 100] },
        },
        legend: { show: false },
        series: [{}, { label, stroke: getComputedStyle(element).color, width: 2 }],
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => String(t)) }],
      },
      [seconds, points.map((p) => p.value)],
      element,
    );
    return () => chart.destroy();
  }, [points, label]);
  const last = points.at(-1);
  return (
    <figure className="chart">
      <div ref={box} className="chart-box" aria-hidden="true" />
      <figcaption>
        {label}: {points.length} {points.length === 1 ? 'change' : 'changes'}
        {last ? `, now ${last.value}` : ''}.
      </figcaption>
    </figure>
  );
}

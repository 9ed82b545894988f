// ECharts, only the parts the dashboard draws (tree-shaken), on canvas. The
// aria component gives each chart a text description; the table beside each
// chart has the same numbers.
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, DatasetComponent, AriaComponent, CanvasRenderer]);

export type Chart = echarts.ECharts;

export interface SeriesPoint {
  label: string;
  /** `null`: withheld or no data, drawn as a gap. */
  value: number | null;
}

// Dark blue on white: 8.6:1 contrast, above WCAG AA for text and graphics.
const COLOR = '#0b4f8a';

const observers = new WeakMap<HTMLElement, ResizeObserver>();

export function mountChart(el: HTMLElement): Chart {
  const existing = echarts.getInstanceByDom(el);
  if (existing) return existing;
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  observers.set(el, observer);
  return chart;
}

/** Frees the charts under `root` before it is re-rendered. */
export function disposeCharts(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('.chart')) {
    observers.get(el)?.disconnect();
    echarts.getInstanceByDom(el)?.dispose();
  }
}

export function drawBars(el: HTMLElement, title: string, points: SeriesPoint[], fmt: (n: number) => string): void {
  mountChart(el).setOption(
    {
      aria: { enabled: true, label: { description: title } },
      animation: false,
      color: [COLOR],
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : '') },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
      // Largest first reads top-down, so the category axis is inverted.
      yAxis: { type: 'category', inverse: true, data: points.map((p) => p.label) },
      series: [
        {
          type: 'bar',
          data: points.map((p) => p.value),
          label: { show: true, position: 'right', formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? fmt(p.value) : '') },
        },
      ],
    },
    true,
  );
}

export function drawLine(el: HTMLElement, title: string, points: SeriesPoint[], fmt: (n: number) => string): void {
  mountChart(el).setOption(
    {
      aria: { enabled: true, label: { description: title } },
      animation: false,
      color: [COLOR],
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : '') },
      xAxis: { type: 'category', data: points.map((p) => p.label) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
      series: [{ type: 'line', connectNulls: false, symbolSize: 7, data: points.map((p) => p.value) }],
    },
    true,
  );
}

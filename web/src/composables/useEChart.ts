import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import type { ECharts } from 'echarts/core';
import * as echarts from 'echarts/core';

/**
 * An ECharts instance on `el` for the component's lifetime: created when
 * mounted, resized with its element, disposed when unmounted. `draw` sets the
 * options; call the returned `redraw` when the data it reads changes.
 * (The caller registers the chart types it uses with echarts.use.)
 */
export function useEChart(el: Ref<HTMLElement | undefined>, draw: (chart: ECharts) => void): { redraw: () => void } {
  let chart: ECharts | null = null;
  let observer: ResizeObserver | undefined;
  onMounted(() => {
    if (!el.value) return;
    chart = echarts.init(el.value);
    draw(chart);
    observer = new ResizeObserver(() => chart?.resize());
    observer.observe(el.value);
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart?.dispose();
    chart = null;
  });
  return { redraw: () => { if (chart) draw(chart); } };
}

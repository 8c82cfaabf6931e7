// A small inline-SVG line chart: several series over time, y from 0, with axes and a legend.
import { h } from './util.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A y maximum whose quarters are round numbers (ticks at 0, ¼, ½, ¾, 1). */
function niceMax(v) {
  const step = Math.max(1, v / 4);
  const mag = 10 ** Math.floor(Math.log10(step));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= step) return m * mag * 4;
  return 40 * mag;
}

/**
 * series: [{name, points: [[timeMs, value], ...]}]; options: {title, width, height, span (ms)}.
 * Returns a figure with the SVG (role img, with a text summary) and a legend.
 */
export function lineChart(series, { title = 'Chart', width = 640, height = 200, span = 5 * 60 * 1000, now = Date.now(), unit = '' } = {}) {
  const pad = { l: 36, r: 10, t: 10, b: 22 };
  const w = width - pad.l - pad.r; const hgt = height - pad.t - pad.b;
  const t0 = now - span;
  let max = 0;
  for (const ser of series) for (const [, v] of ser.points) max = Math.max(max, v);
  const yMax = niceMax(max);
  const x = (t) => pad.l + ((t - t0) / span) * w;
  const y = (v) => pad.t + hgt - (v / yMax) * hgt;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, preserveAspectRatio: 'none' });
  const latest = series.map((ser) => `${ser.name}: ${ser.points.length ? ser.points[ser.points.length - 1][1] : 'no data'}`).join(', ');
  svg.append(s('title', {}, `${title}. Latest: ${latest || 'no series'}`));
  for (let i = 0; i <= 4; i += 1) {
    const v = (yMax / 4) * i;
    svg.append(s('line', { class: 'axis', x1: pad.l, x2: pad.l + w, y1: y(v), y2: y(v), 'stroke-dasharray': i ? '2 3' : null }));
    svg.append(s('text', { class: 'tick', x: pad.l - 4, y: y(v) + 3, 'text-anchor': 'end' }, `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`));
  }
  const minutes = Math.round(span / 60000);
  for (let i = 0; i <= minutes; i += Math.max(1, Math.round(minutes / 5))) {
    const t = now - i * 60000;
    svg.append(s('text', { class: 'tick', x: x(t), y: height - 6, 'text-anchor': i === 0 ? 'end' : 'middle' }, i === 0 ? 'now' : `−${i} min`));
  }
  series.forEach((ser, idx) => {
    const pts = ser.points.filter(([t]) => t >= t0);
    if (!pts.length) return;
    const d = pts.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    svg.append(s('path', { class: `line s${(idx % 6) + 1}`, d, 'vector-effect': 'non-scaling-stroke' }));
    if (pts.length === 1) svg.append(s('circle', { class: `s${(idx % 6) + 1}`, cx: x(pts[0][0]), cy: y(pts[0][1]), r: 2.5, fill: 'currentColor' }));
  });
  const legend = h('ul', { class: 'legend' }, series.map((ser, idx) => h('li', null,
    h('span', { class: `sw s${(idx % 6) + 1}`, 'aria-hidden': 'true' }), ser.name,
    ser.points.length ? h('span', { class: 'muted' }, ` (${ser.points[ser.points.length - 1][1]})`) : null)));
  return h('figure', { class: 'chart', style: { margin: 0 } }, svg, legend);
}

/** A tiny sparkline of numbers (oldest first). */
export function sparkline(values, { width = 120, height = 28, label = 'trend' } = {}) {
  const nums = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  if (nums.length < 2) return svg;
  const min = Math.min(...nums); const max = Math.max(...nums);
  const span = max - min || 1;
  const d = nums.map((v, i) => `${i ? 'L' : 'M'}${((i / (nums.length - 1)) * (width - 4) + 2).toFixed(1)},${(height - 3 - ((v - min) / span) * (height - 6)).toFixed(1)}`).join('');
  svg.append(s('path', { d, class: 'line s1', fill: 'none', 'stroke-width': 1.5 }));
  return svg;
}

// A tiny SVG line chart for the live rates: no library, fixed size, scales
// to its maximum.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 420, H = 90;

export function sparkline(title, unit) {
  const points = [];
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  const base = document.createElementNS(NS, 'line');
  base.setAttribute('x1', 0); base.setAttribute('x2', W);
  base.setAttribute('y1', H - 3); base.setAttribute('y2', H - 3);
  base.setAttribute('class', 'spark-base');
  svg.append(base);
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('class', 'spark-line');
  svg.append(line);
  const value = h('span', { class: 'spark-value' }, '–');
  const peak = h('span', { class: 'spark-peak muted small' });
  const el = h('figure', { class: 'chart' }, h('figcaption', {}, title, ' ', value, ' ', peak), svg);
  return {
    el,
    push(v, max = 60) {
      points.push(v);
      while (points.length > max) points.shift();
      const top = Math.max(1, ...points);
      // Until the window is full the line spans the whole width.
      const step = W / Math.max(1, points.length - 1);
      line.setAttribute('points', points.map((p, i) => `${(i * step).toFixed(1)},${(H - 4 - (p / top) * (H - 10)).toFixed(1)}`).join(' '));
      const fmt = (x) => (x >= 100 ? Math.round(x) : x.toFixed(1));
      value.textContent = fmt(v) + ' ' + unit;
      peak.textContent = `· peak ${fmt(Math.max(...points))} over ${points.length}s`;
      svg.setAttribute('aria-label', `${title}: ${value.textContent}, peak ${top.toFixed(1)}`);
    },
  };
}

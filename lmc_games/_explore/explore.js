// lmc_games explorer: the page's logic. Model text is only ever shown through textContent
// or canvas fillText, never parsed as HTML. Numbers come from the generated functions
// field, jacobian and rest (printed by sympy from the library's analysis).
const D = JSON.parse(document.getElementById("model-data").textContent);
const N = D.variables.length;
const INK = "#1a1a1a";
// Guard band of the compiled conditions: a comparison within GUARD of the size of its terms
// is not satisfied (the rule of the sweeps' rest-point tables).
const G = {
  gt: (d, s) => d > D.guard * s,
  lt: (d, s) => d < -D.guard * s,
  ge: (d, s) => d >= -D.guard * s,
  le: (d, s) => d <= D.guard * s,
  eq: (d, s) => Math.abs(d) <= D.guard * s,
  ne: (d, s) => Math.abs(d) > D.guard * s,
};
// Relative size below which a real part counts as zero in the live classification.
const ZERO_TOL = 1e-9;

const cur = D.params.map((q) => q.value);
const state = {
  clicked: null, clickedTraj: null, rest: [], lastRedrawMs: NaN, gridTrajs: [],
  // What the table shows: its source and, from a precomputed grid, the grid point.
  source: "", stableSet: null, gridAt: null,
};

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6) return String(Number(v.toPrecision(6)));
  return v.toExponential(4);
}

// ------------------------------------------------------------------ integration
// The field comes as fieldConsts(p), the parameter-only part computed once per parameter
// point, and fieldInto(s, o, q, out), which writes the field at s[o..o+N-1] into out and
// allocates nothing (both generated). fieldAt is for the few hundred calls of the drawing.
const FOUT = new Float64Array(N);
function fieldAt(s, q) { fieldInto(s, 0, q, FOUT); return FOUT; }

// Populations of two or more free shares, renormalised after each step.
const MULTI = D.groups.filter((g) => g.length >= 2).map((g) => Int32Array.from(g));
const KA = new Float64Array(N), KB = new Float64Array(N), KC = new Float64Array(N);
const KD = new Float64Array(N), TMP = new Float64Array(N);

function stepsFor(tEnd, dt) { return Math.max(1, Math.ceil(tEnd / dt - 1e-9)); }

// Fixed-step RK4 with the arithmetic of lmc_games.simulate(dt=D.dt): the same stages in the
// same order on the same expression trees of the field, then each free share clipped to
// [0, 1] and a population's free shares divided by their sum where it exceeds 1, so the
// states are simulate's bit for bit (a browser test checks). The states go into data
// (step k at base + k*N), read back from there for the next step: no allocation per step.
// Returns the number of states written.
function rk4Into(y0, q, nsteps, h, settle, data, base) {
  const hh = 0.5 * h, h6 = h / 6.0;
  for (let c = 0; c < N; c++) data[base + c] = y0[c];
  let o = base, count = 1;
  for (let k = 1; k <= nsteps; k++) {
    fieldInto(data, o, q, KA);
    for (let c = 0; c < N; c++) TMP[c] = data[o + c] + hh * KA[c];
    fieldInto(TMP, 0, q, KB);
    for (let c = 0; c < N; c++) TMP[c] = data[o + c] + hh * KB[c];
    fieldInto(TMP, 0, q, KC);
    for (let c = 0; c < N; c++) TMP[c] = data[o + c] + h * KC[c];
    fieldInto(TMP, 0, q, KD);
    const nx = o + N;
    for (let c = 0; c < N; c++) {
      const v = data[o + c] + h6 * (KA[c] + 2.0 * KB[c] + 2.0 * KC[c] + KD[c]);
      data[nx + c] = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    }
    for (let m = 0; m < MULTI.length; m++) {
      const g = MULTI[m];
      let tot = data[nx + g[0]];
      for (let i = 1; i < g.length; i++) tot = tot + data[nx + g[i]];
      if (tot > 1.0) for (let i = 0; i < g.length; i++) data[nx + g[i]] = data[nx + g[i]] / tot;
    }
    count++;
    // For drawing only (settle): a trajectory that no longer moves on any scale a screen
    // shows is cut short; the trajectories reported in numbers never are.
    if (settle) {
      let moved = 0;
      for (let c = 0; c < N; c++) moved = Math.max(moved, Math.abs(data[nx + c] - data[o + c]));
      if (moved < 1e-10) break;
    }
    o = nx;
  }
  return count;
}

function rk4flat(y0, q, tEnd, dt, settle) {
  const nsteps = stepsFor(tEnd, dt);
  const data = new Float64Array((nsteps + 1) * N);
  const count = rk4Into(y0, q, nsteps, tEnd / nsteps, settle, data, 0);
  return { data, count };
}

// The trajectories from the grid of starts, in one buffer kept from redraw to redraw.
let gridBuffer = null;
function integrateStarts(q) {
  const nsteps = stepsFor(D.tEnd, D.dt), stride = (nsteps + 1) * N;
  if (gridBuffer === null || gridBuffer.length !== STARTS.length * stride) {
    gridBuffer = new Float64Array(STARTS.length * stride);
  }
  return STARTS.map((s, i) => {
    const count = rk4Into(s, q, nsteps, D.tEnd / nsteps, true, gridBuffer, i * stride);
    return { data: gridBuffer.subarray(i * stride, i * stride + count * N), count };
  });
}

function rk4(y0, p, tEnd, dt) {
  return toArrays(rk4flat(y0, fieldConsts(p), tEnd, dt, false));
}

function toArrays({ data, count }) {
  const out = [];
  for (let k = 0; k < count; k++) out.push(Array.from(data.subarray(k * N, (k + 1) * N)));
  return out;
}

// ------------------------------------------------------------------ eigenvalues
function eig2(a, b, c, d) {
  const tr = a + d, det = a * d - b * c;
  const m = 0.5 * tr;
  const disc = 0.25 * (a - d) * (a - d) + b * c;
  if (disc >= 0) {
    const r = Math.sqrt(disc);
    const big = m >= 0 ? m + r : m - r;
    const small = big !== 0 ? det / big : 0;
    return [[Math.min(big, small), 0], [Math.max(big, small), 0]];
  }
  const w = Math.sqrt(-disc);
  return [[m, -w], [m, w]];
}

function polish(r, a, b, c) {
  for (let i = 0; i < 3; i++) {
    const f = ((r + a) * r + b) * r + c;
    const df = (3 * r + 2 * a) * r + b;
    if (df === 0) break;
    const nr = r - f / df;
    if (!Number.isFinite(nr)) break;
    if (Math.abs(((nr + a) * nr + b) * nr + c) >= Math.abs(f)) break;
    r = nr;
  }
  return r;
}

function eig3(J) {
  // A row or column with zero off-diagonal entries splits off its diagonal entry exactly
  // (rest points on faces of the cube are often of this form).
  for (let i = 0; i < 3; i++) {
    const o = [0, 1, 2].filter((j) => j !== i);
    const rowZero = J[i][o[0]] === 0 && J[i][o[1]] === 0;
    const colZero = J[o[0]][i] === 0 && J[o[1]][i] === 0;
    if (rowZero || colZero) {
      const rest = eig2(J[o[0]][o[0]], J[o[0]][o[1]], J[o[1]][o[0]], J[o[1]][o[1]]);
      return [[J[i][i], 0], ...rest];
    }
  }
  const tr = J[0][0] + J[1][1] + J[2][2];
  const minors = J[0][0] * J[1][1] - J[0][1] * J[1][0] + J[0][0] * J[2][2] - J[0][2] * J[2][0] +
    J[1][1] * J[2][2] - J[1][2] * J[2][1];
  const det = J[0][0] * (J[1][1] * J[2][2] - J[1][2] * J[2][1]) -
    J[0][1] * (J[1][0] * J[2][2] - J[1][2] * J[2][0]) +
    J[0][2] * (J[1][0] * J[2][1] - J[1][1] * J[2][0]);
  const a = -tr, b = minors, c = -det;
  const p = b - a * a / 3, q = 2 * a * a * a / 27 - a * b / 3 + c;
  const disc = q * q / 4 + p * p * p / 27;
  let r;
  if (disc > 0) {
    const s = Math.sqrt(disc);
    r = Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s) - a / 3;
  } else {
    const rho = Math.sqrt(-p / 3);
    const arg = rho > 0 ? Math.max(-1, Math.min(1, (3 * q) / (2 * p * rho))) : 0;
    r = 2 * rho * Math.cos(Math.acos(arg) / 3) - a / 3;
  }
  r = polish(r, a, b, c);
  // Deflate: x^3 + a x^2 + b x + c = (x - r)(x^2 + B x + C).
  const B = a + r, C = b + r * B;
  const two = eig2(0, 1, -C, -B);
  const res = [[r, 0], ...two.map(([re, im]) => (im === 0 ? [polish(re, a, b, c), 0] : [re, im]))];
  return res.sort((u, v) => u[0] - v[0] || u[1] - v[1]);
}

// More than three dimensions: the matrix is split into the diagonal blocks of its block
// triangular form (the strongly connected components of its pattern of nonzero entries;
// rest points on faces often give many blocks of size one, whose eigenvalues are exact),
// and each block of four or more rows goes through the shifted QR iteration below.
function components(A) {
  // Tarjan's algorithm on the graph i -> j for A[i][j] != 0 (i != j).
  const n = A.length, index = new Array(n).fill(-1), low = new Array(n).fill(0);
  const onStack = new Array(n).fill(false), stack = [], out = [];
  let counter = 0;
  const visit = (v) => {
    index[v] = low[v] = counter++;
    stack.push(v); onStack[v] = true;
    for (let w = 0; w < n; w++) {
      if (w === v || A[v][w] === 0) continue;
      if (index[w] < 0) { visit(w); low[v] = Math.min(low[v], low[w]); }
      else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
    }
    if (low[v] === index[v]) {
      const comp = [];
      let w;
      do { w = stack.pop(); onStack[w] = false; comp.push(w); } while (w !== v);
      out.push(comp.sort((a, b) => a - b));
    }
  };
  for (let v = 0; v < n; v++) if (index[v] < 0) visit(v);
  return out;
}

function hessenberg(A) {
  // Householder reflections from both sides: same eigenvalues, zeros below the subdiagonal.
  const n = A.length;
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm = Math.hypot(norm, A[i][k]);
    if (norm === 0) continue;
    const alpha = A[k + 1][k] > 0 ? -norm : norm;
    const v = new Array(n).fill(0);
    v[k + 1] = A[k + 1][k] - alpha;
    for (let i = k + 2; i < n; i++) v[i] = A[i][k];
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let i = k + 1; i < n; i++) d += v[i] * A[i][j];
      const f = (2 * d) / vv;
      for (let i = k + 1; i < n; i++) A[i][j] -= f * v[i];
    }
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = k + 1; j < n; j++) d += A[i][j] * v[j];
      const f = (2 * d) / vv;
      for (let j = k + 1; j < n; j++) A[i][j] -= f * v[j];
    }
    for (let i = k + 2; i < n; i++) A[i][k] = 0;
  }
  return A;
}

function eigQR(M) {
  // Shifted QR in complex arithmetic on the Hessenberg form: Givens rotations, the
  // eigenvalue of the trailing 2x2 block nearest its last entry as shift (an exceptional
  // shift after 10 and 20 steps without deflation), deflation where a subdiagonal entry is
  // negligible next to its diagonal neighbours. Null if it does not converge.
  const n = M.length;
  const H = hessenberg(M.map((row) => row.slice()));
  const re = H.map((row) => row.slice()), im = H.map((row) => row.map(() => 0));
  let scale = 0;
  for (const row of H) for (const v of row) scale = Math.max(scale, Math.abs(v));
  const EPS = Number.EPSILON;
  const out = [];
  let hi = n - 1, its = 0;
  while (hi >= 0) {
    if (hi === 0) { out.push([re[0][0], im[0][0]]); break; }
    let l = hi;
    while (l > 0) {
      const s = Math.hypot(re[l][l], im[l][l]) + Math.hypot(re[l - 1][l - 1], im[l - 1][l - 1]);
      if (Math.hypot(re[l][l - 1], im[l][l - 1]) <= EPS * (s > 0 ? s : scale)) { re[l][l - 1] = 0; im[l][l - 1] = 0; break; }
      l--;
    }
    if (l === hi) { out.push([re[hi][hi], im[hi][hi]]); hi--; its = 0; continue; }
    if (++its > 60) return null;
    // Shift: eigenvalue of [[a, b], [c, d]] (the trailing block) nearest d.
    const ar = re[hi - 1][hi - 1], ai = im[hi - 1][hi - 1], br = re[hi - 1][hi], bi = im[hi - 1][hi];
    const cr = re[hi][hi - 1], ci = im[hi][hi - 1], dr = re[hi][hi], di = im[hi][hi];
    let mr, mi;
    if (its % 10 === 0) {
      mr = dr + 1.5 * Math.abs(cr); mi = di + 0.75 * Math.abs(ci) + 0.5 * Math.abs(cr);
    } else {
      const hr = 0.5 * (ar - dr), hi2 = 0.5 * (ai - di);
      // disc = h^2 + b c
      const qr = hr * hr - hi2 * hi2 + (br * cr - bi * ci), qi = 2 * hr * hi2 + (br * ci + bi * cr);
      const mod = Math.hypot(qr, qi);
      let sr = Math.sqrt(0.5 * (mod + qr)), si = Math.sqrt(Math.max(0, 0.5 * (mod - qr)));
      if (qi < 0) si = -si;
      // d + h - sqrt(disc) or d + h + sqrt(disc): the one nearer d.
      const p1r = hr + sr, p1i = hi2 + si, p2r = hr - sr, p2i = hi2 - si;
      if (Math.hypot(p1r, p1i) < Math.hypot(p2r, p2i)) { mr = dr + p1r; mi = di + p1i; } else { mr = dr + p2r; mi = di + p2i; }
    }
    for (let k = l; k <= hi; k++) { re[k][k] -= mr; im[k][k] -= mi; }
    const rot = [];
    for (let k = l; k < hi; k++) {
      const xr = re[k][k], xi = im[k][k], yr = re[k + 1][k], yi = im[k + 1][k];
      const ax = Math.hypot(xr, xi), norm = Math.hypot(ax, Math.hypot(yr, yi));
      let c, sr2, si2;
      if (norm === 0) { c = 1; sr2 = 0; si2 = 0; }
      else if (ax === 0) { c = 0; sr2 = yr / norm; si2 = -yi / norm; }
      else {
        // s = (x / |x|) conj(y) / norm
        c = ax / norm;
        const ur = xr / ax, ui = xi / ax;
        sr2 = (ur * yr + ui * yi) / norm; si2 = (ui * yr - ur * yi) / norm;
      }
      rot.push([c, sr2, si2]);
      for (let j = k; j <= hi; j++) {
        const pr = re[k][j], pi = im[k][j], qr2 = re[k + 1][j], qi2 = im[k + 1][j];
        // row k <- c p + s q; row k+1 <- -conj(s) p + c q
        re[k][j] = c * pr + sr2 * qr2 - si2 * qi2; im[k][j] = c * pi + sr2 * qi2 + si2 * qr2;
        re[k + 1][j] = -(sr2 * pr + si2 * pi) + c * qr2; im[k + 1][j] = -(sr2 * pi - si2 * pr) + c * qi2;
      }
    }
    for (let k = l; k < hi; k++) {
      const [c, sr2, si2] = rot[k - l];
      for (let i = l; i <= Math.min(k + 2, hi); i++) {
        const pr = re[i][k], pi = im[i][k], qr2 = re[i][k + 1], qi2 = im[i][k + 1];
        // column k <- c p + conj(s) q; column k+1 <- -s p + c q
        re[i][k] = c * pr + sr2 * qr2 + si2 * qi2; im[i][k] = c * pi + sr2 * qi2 - si2 * qr2;
        re[i][k + 1] = -(sr2 * pr - si2 * pi) + c * qr2; im[i][k + 1] = -(sr2 * pi + si2 * pr) + c * qi2;
      }
    }
    for (let k = l; k <= hi; k++) { re[k][k] += mr; im[k][k] += mi; }
  }
  // A real matrix: imaginary parts at rounding level are those of real eigenvalues.
  return out.map(([a, b]) => [a, Math.abs(b) <= 64 * EPS * scale ? 0 : b]);
}

function eigN(A) {
  const res = [];
  for (const comp of components(A)) {
    const B = comp.map((i) => comp.map((j) => A[i][j]));
    let part;
    if (B.length === 1) part = [[B[0][0], 0]];
    else if (B.length === 2) part = eig2(B[0][0], B[0][1], B[1][0], B[1][1]);
    else if (B.length === 3) part = eig3(B);
    else part = eigQR(B);
    if (part === null) return null;
    res.push(...part);
  }
  return res.sort((u, v) => u[0] - v[0] || u[1] - v[1]);
}

function eigenvalues(flat) {
  if (N === 1) return [[flat[0], 0]];
  if (N === 2) return eig2(flat[0], flat[1], flat[2], flat[3]);
  if (N === 3) return eig3([[flat[0], flat[1], flat[2]], [flat[3], flat[4], flat[5]], [flat[6], flat[7], flat[8]]]);
  if (!flat.every(Number.isFinite)) return null;
  const A = [];
  for (let i = 0; i < N; i++) A.push(Array.from(flat.slice(i * N, (i + 1) * N)));
  return eigN(A);
}

// ------------------------------------------------------------------ rest points
function exactEntry() {
  for (const e of D.exact) {
    if (D.params.every((q, i) => e.values[q.name] === cur[i])) return e;
  }
  return null;
}

function classify(base, stable, eig, flat, p) {
  if (stable) return ["stable", "stability condition holds (compiled, guard band)"];
  if (eig === null) return [null, "no eigenvalues: the Jacobian is not finite there or the QR iteration did not converge"];
  let scale = 0;
  for (const v of flat) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const tol = ZERO_TOL * scale;
  const pos = eig.some(([re]) => re > tol), neg = eig.some(([re]) => re < -tol);
  const zero = eig.filter(([re]) => Math.abs(re) <= tol);
  if (pos && neg) return ["saddle", "real parts of both signs"];
  if (pos) return ["unstable", "a positive real part and none negative"];
  if (!zero.length)
    return ["non-hyperbolic", "at a stability boundary: the condition fails within the guard band"];
  if (!neg && D.centreFaces.includes(base) && centre(null, p) && zero.every(([, im]) => Math.abs(im) > tol))
    return ["centre", "purely imaginary eigenvalues at the interior of a game with a constant of motion"];
  return ["non-hyperbolic", "a real part zero to rounding; linearisation does not decide"];
}

function liveRestPoints(p) {
  const r = rest(null, p);
  const pts = D.points.map((pt, i) => {
    const coords = r.c[i];
    const ok = r.e[i] && coords.every(Number.isFinite);
    return { label: pt.label, base: pt.base, orderVar: pt.orderVar, coords, exists: ok, stable: ok && r.st[i] };
  });
  // Several rest points on one face: the one with the smallest share of the face's first
  // support strategy keeps the bare label, the others get #2, #3 (docs/cli.md), per point.
  const byBase = new Map();
  pts.forEach((pt, i) => { if (!byBase.has(pt.base)) byBase.set(pt.base, []); byBase.get(pt.base).push(i); });
  for (const idx of byBase.values()) {
    if (idx.length < 2) continue;
    const [pop, j] = pts[idx[0]].orderVar;
    const grp = D.groups[pop];
    const key = (pt) => {
      if (!pt.exists) return Infinity;
      if (j < grp.length) return pt.coords[grp[j]];
      let s = 0; for (const g of grp) s += pt.coords[g];
      return 1 - s;
    };
    const sorted = idx.map((i) => ({ ...pts[i] })).map((q, t) => ({ q, t, k: key(q) }))
      .sort((u, v) => (u.k < v.k ? -1 : u.k > v.k ? 1 : u.t - v.t));
    idx.forEach((dst, t) => {
      const src = sorted[t].q;
      pts[dst] = { ...pts[dst], coords: src.coords, exists: src.exists, stable: src.stable };
    });
  }
  const out = [];
  for (const pt of pts) {
    if (!pt.exists) continue;
    const flat = jacobian(pt.coords, p);
    const eig = eigenvalues(flat);
    const [verdict, why] = classify(pt.base, pt.stable, eig, flat, p);
    out.push({ label: pt.label, coords: pt.coords, eigenvalues: eig, verdict, stable: pt.stable, reason: why, exact: null });
  }
  return out;
}

function restPoints(p) {
  const ex = exactEntry();
  if (ex) {
    return {
      source: "exact",
      points: ex.points.map((r) => ({ label: r.label, coords: r.coords, eigenvalues: r.eigenvalues,
        verdict: r.verdict, stable: r.stable, reason: r.reason, exact: r.exactCoords })),
    };
  }
  if (!D.live) return D.grid ? gridEntry() : { source: "none", points: [] };
  return { source: "live", points: liveRestPoints(p) };
}

// ------------------------------------------------------------------ precomputed grid
// Where nothing is live, lmc_games.analyze was run when the page was written at every point
// of a grid over the (one or two) varied parameters; the page shows the grid point nearest
// to the current values, in the sliders' own scale, and says which point that is.
function gridEntry() {
  const G0 = D.grid;
  let index = 0;
  G0.params.forEach((name, a) => {
    const i = D.params.findIndex((q) => q.name === name);
    const q = D.params[i], axis = G0.axes[a];
    const pos = sliderPos(q, cur[i]);
    let best = 0;
    for (let k = 1; k < axis.length; k++) {
      if (Math.abs(sliderPos(q, axis[k]) - pos) < Math.abs(sliderPos(q, axis[best]) - pos)) best = k;
    }
    index = index * axis.length + best;
  });
  const cell = G0.cells[index];
  const at = Object.fromEntries(G0.params.map((name) => [name, cell.values[name]]));
  if (cell.error !== null) return { source: "none", points: [], at, error: cell.error };
  return {
    source: "grid", at, continua: cell.continua,
    points: cell.points.map((r) => ({ label: r.label, coords: r.coords, eigenvalues: r.eigenvalues,
      verdict: r.verdict, stable: r.stable, reason: r.reason, exact: null })),
  };
}

function atText(at) {
  return Object.entries(at).map(([k, v]) => `${k} = ${fmt(v)}`).join(", ");
}

function labelRank(label) {
  const i = D.labelOrder.indexOf(label);
  return i < 0 ? D.labelOrder.length : i;
}

// ------------------------------------------------------------------ drawing
const canvas = document.getElementById("phase");
const view = canvas.getContext("2d");
// What depends on the field only (frame, direction field, nullclines, trajectories) is drawn
// on this layer, redrawn only when the field's parameters or the clicked start change; each
// redraw copies it to the page and draws the rest-point markers over it.
const layer = document.createElement("canvas");
const ctx = layer.getContext("2d");
const seriesCanvas = document.getElementById("series");
const sctx = seriesCanvas.getContext("2d");
const STYLE = {
  traj: "rgba(70, 90, 130, 0.45)", clicked: "#b2182b", field: "#8c8c8c",
  null0: "#1b7837", null1: "#762a83", frame: "#444",
};

function panels() {
  const W = canvas.width, H = canvas.height;
  if (D.geometry === "line") return [{ kind: "line", x0: 50, x1: W - 20, yAxis: H - 70, top: 40, bottom: H - 20 }];
  if (D.geometry === "square") return [{ kind: "square", i: 0, j: 1, L: 70, T: 20, S: Math.min(W - 100, H - 80) }];
  if (D.geometry === "triangle") {
    const side = Math.min(W - 100, (H - 90) / 0.866);
    const cx = W / 2, top = 40;
    return [{ kind: "triangle", v: [[cx, top], [cx - side / 2, top + side * 0.866], [cx + side / 2, top + side * 0.866]] }];
  }
  const pairs = [[0, 1], [0, 2], [1, 2]];
  const S = Math.min((W - 60) / 3 - 56, H - 90);
  return pairs.map(([i, j], k) => ({ kind: "square", i, j, L: 52 + k * (S + 56), T: 20, S }));
}

function toScreen(pn, s) {
  if (pn.kind === "square") return [pn.L + s[pn.i] * pn.S, pn.T + (1 - s[pn.j]) * pn.S];
  if (pn.kind === "triangle") {
    const w = [s[0], s[1], 1 - s[0] - s[1]];
    return [0, 1].map((c) => w[0] * pn.v[0][c] + w[1] * pn.v[1][c] + w[2] * pn.v[2][c]);
  }
  return [pn.x0 + s[0] * (pn.x1 - pn.x0), pn.yAxis];
}

function fromScreen(pn, X, Y) {
  if (pn.kind === "square") {
    const a = (X - pn.L) / pn.S, b = 1 - (Y - pn.T) / pn.S;
    if (a < 0 || a > 1 || b < 0 || b > 1) return null;
    const s = new Array(N).fill(0.5);
    s[pn.i] = a; s[pn.j] = b;
    return s;
  }
  if (pn.kind === "triangle") {
    const [A, B, C] = pn.v;
    const det = (B[1] - C[1]) * (A[0] - C[0]) + (C[0] - B[0]) * (A[1] - C[1]);
    const w0 = ((B[1] - C[1]) * (X - C[0]) + (C[0] - B[0]) * (Y - C[1])) / det;
    const w1 = ((C[1] - A[1]) * (X - C[0]) + (A[0] - C[0]) * (Y - C[1])) / det;
    if (w0 < 0 || w1 < 0 || w0 + w1 > 1) return null;
    return [w0, w1];
  }
  const a = (X - pn.x0) / (pn.x1 - pn.x0);
  return a < 0 || a > 1 ? null : [a];
}

function inDomain(s) {
  for (const g of D.groups) {
    let t = 0;
    for (const i of g) { if (s[i] < 0 || s[i] > 1) return false; t += s[i]; }
    if (t > 1 + 1e-12) return false;
  }
  return true;
}

function varName(i) {
  // The share's population and strategy, for axis labels (drawn as canvas text).
  let k = 0;
  for (const pop of D.populations) {
    for (let j = 0; j < pop.k - 1; j++) {
      if (k === i) return `${D.variables[i]}: ${pop.strategies[j]} (${pop.label})`;
      k++;
    }
  }
  return D.variables[i];
}

function drawFrame(pn) {
  ctx.strokeStyle = STYLE.frame; ctx.lineWidth = 1; ctx.fillStyle = INK; ctx.font = "12px sans-serif";
  if (pn.kind === "square") {
    ctx.strokeRect(pn.L, pn.T, pn.S, pn.S);
    ctx.textAlign = "center";
    // Tick labels clear of the rest-point markers (radius 6) at the corners.
    for (const t of [0, 0.5, 1]) {
      ctx.fillText(String(t), pn.L + t * pn.S, pn.T + pn.S + 19);
      ctx.textAlign = "right"; ctx.fillText(String(t), pn.L - 9, pn.T + (1 - t) * pn.S + 4); ctx.textAlign = "center";
    }
    ctx.fillText(clip(varName(pn.i), pn.S), pn.L + pn.S / 2, pn.T + pn.S + 34);
    ctx.save(); ctx.translate(pn.L - 30, pn.T + pn.S / 2); ctx.rotate(-Math.PI / 2);
    ctx.fillText(clip(varName(pn.j), pn.S), 0, 0); ctx.restore();
  } else if (pn.kind === "triangle") {
    ctx.beginPath(); ctx.moveTo(...pn.v[0]); ctx.lineTo(...pn.v[1]); ctx.lineTo(...pn.v[2]); ctx.closePath(); ctx.stroke();
    const st = D.populations[0].strategies;
    ctx.textAlign = "center"; ctx.fillText(clip(st[0], 200), pn.v[0][0], pn.v[0][1] - 10);
    ctx.textAlign = "right"; ctx.fillText(clip(st[1], 200), pn.v[1][0] + 10, pn.v[1][1] + 18);
    ctx.textAlign = "left"; ctx.fillText(clip(st[2], 200), pn.v[2][0] - 10, pn.v[2][1] + 18);
  } else {
    ctx.beginPath(); ctx.moveTo(pn.x0, pn.yAxis); ctx.lineTo(pn.x1, pn.yAxis); ctx.stroke();
    ctx.textAlign = "center";
    for (const t of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(String(t), pn.x0 + t * (pn.x1 - pn.x0), pn.yAxis + 18);
    ctx.fillText(clip(varName(0), pn.x1 - pn.x0), (pn.x0 + pn.x1) / 2, pn.yAxis + 36);
  }
}

function clip(text, width) {
  let t = String(text);
  if (ctx.measureText(t).width <= width) return t;
  while (t.length > 1 && ctx.measureText(t + "…").width > width) t = t.slice(0, -1);
  return t + "…";
}

function arrow(x, y, dx, dy, len) {
  const n = Math.hypot(dx, dy);
  if (!(n > 0)) return;
  const ux = dx / n, uy = dy / n;
  const x2 = x + ux * len, y2 = y + uy * len;
  ctx.moveTo(x - ux * len * 0.5, y - uy * len * 0.5); ctx.lineTo(x2 - ux * len * 0.5, y2 - uy * len * 0.5);
  const hx = x2 - ux * len * 0.5, hy = y2 - uy * len * 0.5;
  ctx.moveTo(hx, hy); ctx.lineTo(hx - ux * 4 - uy * 2.5, hy - uy * 4 + ux * 2.5);
  ctx.moveTo(hx, hy); ctx.lineTo(hx - ux * 4 + uy * 2.5, hy - uy * 4 - ux * 2.5);
}

function drawField(pn, q) {
  ctx.strokeStyle = STYLE.field; ctx.lineWidth = 0.8; ctx.beginPath();
  const M = pn.kind === "line" ? 20 : 17;
  for (let a = 0; a < M; a++) {
    for (let b = 0; b < (pn.kind === "line" ? 1 : M); b++) {
      let s;
      if (pn.kind === "line") s = [(a + 0.5) / M];
      else if (pn.kind === "triangle") { s = [(a + 0.5) / M, (b + 0.5) / M]; if (s[0] + s[1] > 1) continue; }
      else { s = new Array(N).fill(0.5); s[pn.i] = (a + 0.5) / M; s[pn.j] = (b + 0.5) / M; }
      if (!inDomain(s)) continue;
      const f = fieldAt(s, q);
      const eps = 1e-3;
      const s2 = s.map((v, i) => v + eps * f[i]);
      const [X1, Y1] = toScreen(pn, s), [X2, Y2] = toScreen(pn, s2);
      arrow(X1, Y1, X2 - X1, Y2 - Y1, pn.kind === "line" ? 14 : 11);
    }
  }
  ctx.stroke();
}

function drawLineCurve(pn, q) {
  // ẋ against x above the axis: where it crosses zero are the rest points.
  const M = 200;
  const vals = [];
  let big = 0;
  for (let i = 0; i <= M; i++) { const v = fieldAt([i / M], q)[0]; vals.push(v); if (Number.isFinite(v)) big = Math.max(big, Math.abs(v)); }
  const mid = (pn.top + pn.yAxis - 50) / 2 + 10, half = (pn.yAxis - 50 - pn.top) / 2;
  ctx.strokeStyle = "#bbb"; ctx.beginPath(); ctx.moveTo(pn.x0, mid); ctx.lineTo(pn.x1, mid); ctx.stroke();
  ctx.strokeStyle = STYLE.null0; ctx.lineWidth = 1.5; ctx.beginPath();
  vals.forEach((v, i) => { const X = pn.x0 + (i / M) * (pn.x1 - pn.x0), Y = mid - (big > 0 ? v / big : 0) * half; if (i) ctx.lineTo(X, Y); else ctx.moveTo(X, Y); });
  ctx.stroke();
  ctx.fillStyle = INK; ctx.textAlign = "left"; ctx.font = "12px sans-serif";
  ctx.fillText(`d${D.variables[0]}/dt (scaled; max |value| ${fmt(big)})`, pn.x0, pn.top - 8);
}

// The field on a grid for the nullclines of a two-dimensional state space, both components
// from one pass.
function nullclineGrid(q, pn) {
  const M = 70, val = [new Float64Array((M + 1) * (M + 1)), new Float64Array((M + 1) * (M + 1))];
  const s = [0, 0];
  for (let a = 0; a <= M; a++) {
    for (let b = 0; b <= M; b++) {
      s[0] = (a + 0.5) / (M + 1); s[1] = (b + 0.5) / (M + 1);
      const k = a * (M + 1) + b;
      if (s[0] + s[1] > 1 && pn.kind === "triangle") { val[0][k] = NaN; val[1][k] = NaN; continue; }
      const f = fieldAt(s, q);
      val[0][k] = f[0]; val[1][k] = f[1];
    }
  }
  return { M, val };
}

function marchingSquares(grid, comp, pn, colour) {
  const { M } = grid, val = grid.val[comp], at = (a, b) => val[a * (M + 1) + b];
  ctx.strokeStyle = colour; ctx.lineWidth = 1.3; ctx.setLineDash([5, 3]); ctx.beginPath();
  const pt = (a, b) => toScreen(pn, [(a + 0.5) / (M + 1), (b + 0.5) / (M + 1)]);
  for (let a = 0; a < M; a++) {
    for (let b = 0; b < M; b++) {
      const v = [at(a, b), at(a + 1, b), at(a + 1, b + 1), at(a, b + 1)];
      if (!v.every(Number.isFinite)) continue;
      const corners = [[a, b], [a + 1, b], [a + 1, b + 1], [a, b + 1]];
      const cuts = [];
      for (let e = 0; e < 4; e++) {
        const u = v[e], w = v[(e + 1) % 4];
        if ((u < 0) !== (w < 0) && u !== w) {
          const t = u / (u - w);
          const [a0, b0] = corners[e], [a1, b1] = corners[(e + 1) % 4];
          cuts.push(pt(a0 + t * (a1 - a0), b0 + t * (b1 - b0)));
        }
      }
      for (let r = 0; r + 1 < cuts.length; r += 2) { ctx.moveTo(...cuts[r]); ctx.lineTo(...cuts[r + 1]); }
    }
  }
  ctx.stroke(); ctx.setLineDash([]);
}

function gridStarts() {
  // The lattice of lmc-games --starts (docs/cli.md): shares n_j/(M+k-1), n_j >= 1, per
  // population; the grid is their product.
  const M = { line: 8, square: 8, triangle: 10, cube: 4 }[D.geometry] || 3;
  const per = D.populations.map((pop) => {
    const pts = [];
    const k = pop.k, den = M + k - 1;
    const rec = (prefix, left) => {
      if (prefix.length === k - 1) { if (left >= 1) pts.push(prefix.map((v) => v / den)); return; }
      for (let v = 1; v <= left - (k - 1 - prefix.length); v++) rec([...prefix, v], left - v);
    };
    rec([], M + k - 1);
    return pts;
  });
  let out = [[]];
  for (const pts of per) out = out.flatMap((pre) => pts.map((q) => [...pre, ...q]));
  return out;
}
const STARTS = gridStarts();

// A drawn trajectory passes within TRAJ_TOL canvas pixels of every state of it (within
// 2 * TRAJ_TOL near the ends of a segment): consecutive states that a straight segment
// passes that close to are drawn as that segment. A trajectory near a heteroclinic cycle
// runs along straight edges for most of its thousand steps, and settled ones sit on one
// pixel, so the path has a few percent of the states' points (water_use_lmc at the
// defaults: 2,000 to 26,000 segments per panel for 64,000 states).
const TRAJ_TOL = 0.25;
function drawTraj(pn, trajs, colour, width) {
  ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.beginPath();
  const sq = pn.kind === "square";
  const [v0, v1, v2] = sq ? [null, null, null] : pn.v;
  const tol = TRAJ_TOL;
  for (const { data, count } of trajs) {
    // Anchor (ax, ay): the end of the last segment drawn. Candidate (cx, cy): the last
    // state, where the next segment ends unless a later state can. (lox, loy)-(hix, hiy):
    // the cone of directions from the anchor that pass within tol of every state since.
    let ax = 0, ay = 0, cx = 0, cy = 0, lox = 0, loy = 0, hix = 0, hiy = 0;
    let cone = false, dmax = 0;
    for (let k = 0; k < count; k++) {
      const o = k * N;
      let X, Y;
      if (sq) {
        X = pn.L + data[o + pn.i] * pn.S; Y = pn.T + (1 - data[o + pn.j]) * pn.S;
      } else {
        const w0 = data[o], w1 = data[o + 1], w2 = 1 - w0 - w1;
        X = w0 * v0[0] + w1 * v1[0] + w2 * v2[0]; Y = w0 * v0[1] + w1 * v1[1] + w2 * v2[1];
      }
      if (k === 0) { ctx.moveTo(X, Y); ax = cx = X; ay = cy = Y; continue; }
      // Within a twentieth of a pixel of the candidate (a settling trajectory): nothing to do.
      if (k < count - 1 && Math.abs(X - cx) < 0.05 && Math.abs(Y - cy) < 0.05) continue;
      for (let pass = 0; pass < 2; pass++) {
        const dx = X - ax, dy = Y - ay, d = Math.sqrt(dx * dx + dy * dy);
        const inside = d >= dmax - tol && (!cone || d <= tol ||
          (lox * dy - loy * dx >= 0 && dx * hiy - dy * hix >= 0 && dx * lox + dy * loy > 0));
        if (inside || pass === 1) {
          if (d > tol) {
            // The directions within tol of this state: its own, turned by +-asin(tol/d).
            const sn = tol / d, cs = Math.sqrt(1 - sn * sn);
            const lx = dx * cs + dy * sn, ly = dy * cs - dx * sn;
            const hx = dx * cs - dy * sn, hy = dy * cs + dx * sn;
            if (!cone) { lox = lx; loy = ly; hix = hx; hiy = hy; cone = true; }
            else {
              if (lox * ly - loy * lx > 0) { lox = lx; loy = ly; }
              if (hx * hiy - hy * hix > 0) { hix = hx; hiy = hy; }
            }
          }
          if (d > dmax) dmax = d;
          cx = X; cy = Y;
          break;
        }
        // Outside: the segment to the candidate ends here, and the candidate becomes the
        // anchor; this state, the next one, then always starts the new cone.
        ctx.lineTo(cx, cy); ax = cx; ay = cy; cone = false; dmax = 0;
      }
    }
    if (cx !== ax || cy !== ay) ctx.lineTo(cx, cy);
  }
  ctx.stroke();
}

const ON_TOP = ["unstable", "saddle", "undecided", "non-hyperbolic", "centre", "stable"];
function marker(c, X, Y, key, r) {
  c.lineWidth = 1.1; c.strokeStyle = INK;
  if (key === "non-hyperbolic") {
    const q = r * 0.95;
    c.fillStyle = "#999"; c.beginPath(); c.moveTo(X, Y - q); c.lineTo(X + q, Y); c.lineTo(X, Y + q); c.lineTo(X - q, Y); c.closePath(); c.fill(); c.stroke();
    return;
  }
  if (key === "undecided") {
    const q = r * 0.8;
    c.lineWidth = 3; c.beginPath(); c.moveTo(X - q, Y - q); c.lineTo(X + q, Y + q); c.moveTo(X - q, Y + q); c.lineTo(X + q, Y - q); c.stroke();
    c.strokeStyle = "#fff"; c.lineWidth = 1.2; c.stroke();
    return;
  }
  c.beginPath(); c.arc(X, Y, r, 0, 2 * Math.PI); c.fillStyle = key === "stable" ? INK : "#fff"; c.fill();
  if (key === "saddle") { c.beginPath(); c.arc(X, Y, r, Math.PI / 2, 1.5 * Math.PI); c.closePath(); c.fillStyle = INK; c.fill(); }
  c.beginPath(); c.arc(X, Y, r, 0, 2 * Math.PI); c.stroke();
  if (key === "centre") { c.beginPath(); c.arc(X, Y, r * 0.3, 0, 2 * Math.PI); c.fillStyle = INK; c.fill(); }
}

function drawRest(pn, pts) {
  const sorted = pts.slice().sort((u, v) => ON_TOP.indexOf(u.verdict || "undecided") - ON_TOP.indexOf(v.verdict || "undecided"));
  for (const r of sorted) {
    const [X, Y] = toScreen(pn, r.coords);
    marker(view, X, Y, r.verdict || "undecided", 6);
  }
}

function buildLegend() {
  const box = document.getElementById("legend");
  for (const key of ["stable", "unstable", "saddle", "centre", "non-hyperbolic", "undecided"]) {
    const c = el("canvas"); c.width = 16; c.height = 16; c.style.border = "0";
    marker(c.getContext("2d"), 8, 8, key, 5.5);
    const s = el("span"); s.append(c, el("span", key)); box.append(s);
  }
  const line = (colour, text, dash) => {
    const c = el("canvas"); c.width = 22; c.height = 10; c.style.border = "0";
    const g = c.getContext("2d"); g.strokeStyle = colour; g.lineWidth = 1.6; if (dash) g.setLineDash([5, 3]);
    g.beginPath(); g.moveTo(0, 5); g.lineTo(22, 5); g.stroke();
    const s = el("span"); s.append(c, el("span", text)); box.append(s);
  };
  line(STYLE.traj, "trajectories from a grid of starts");
  line(STYLE.clicked, "trajectory from your click");
  if (N === 2) { line(STYLE.null0, `${D.variables[0]}-nullcline`, true); line(STYLE.null1, `${D.variables[1]}-nullcline`, true); }
}

function drawSeries() {
  const c = sctx, W = seriesCanvas.width, H = seriesCanvas.height;
  c.clearRect(0, 0, W, H);
  const L = 46, R = W - 120, T = 10, B = H - 28;
  c.strokeStyle = STYLE.frame; c.lineWidth = 1; c.strokeRect(L, T, R - L, B - T);
  c.fillStyle = INK; c.font = "11px sans-serif"; c.textAlign = "right";
  for (const v of [0, 0.5, 1]) c.fillText(String(v), L - 4, B - v * (B - T) + 4);
  c.textAlign = "center";
  for (const t of [0, 0.25, 0.5, 0.75, 1]) c.fillText(fmt(t * D.tEnd), L + t * (R - L), B + 14);
  c.fillText("time", (L + R) / 2, B + 26);
  const colours = ["#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#444"];
  const draw = (traj, ci, width, alpha) => {
    c.globalAlpha = alpha; c.strokeStyle = colours[ci % colours.length]; c.lineWidth = width; c.beginPath();
    const steps = Math.max(1, Math.ceil(D.tEnd / D.dt - 1e-9));
    traj.forEach((s, k) => { const X = L + (k / steps) * (R - L), Y = B - s[ci] * (B - T); if (k) c.lineTo(X, Y); else c.moveTo(X, Y); });
    c.lineTo(R, B - traj[traj.length - 1][ci] * (B - T));
    c.stroke(); c.globalAlpha = 1;
  };
  if (D.geometry === "line") {
    for (const { data, count } of state.gridTrajs) draw(Array.from(data.subarray(0, count), (v) => [v]), 0, 0.8, 0.25);
  }
  if (state.clickedTraj) for (let i = 0; i < N; i++) draw(state.clickedTraj, i, 1.6, 1);
  c.textAlign = "left"; c.font = "12px sans-serif";
  for (let i = 0; i < N; i++) { c.fillStyle = colours[i % colours.length]; c.fillText(D.variables[i], R + 8, T + 14 + 16 * i); }
}

// ------------------------------------------------------------------ page state
let lastShown = null, lastError = null;
function setOutputs(res) {
  const pts = res.points.slice().sort((u, v) => labelRank(u.label) - labelRank(v.label));
  state.source = res.source;
  state.stableSet = res.source === "none" ? null : pts.filter((r) => r.stable).map((r) => r.label);
  state.gridAt = res.at || null;
  document.getElementById("stable-set").textContent = state.stableSet === null ? "not available at these values"
    : state.stableSet.join("; ");
  // The grid point is said next to the stable set itself: those values are not a guess at
  // the current ones.
  document.getElementById("grid-note").textContent = !res.at ? ""
    : res.error ? `(the analysis failed at the nearest grid point ${atText(res.at)}: ${res.error})`
      : `(precomputed at ${atText(res.at)}, the grid point nearest to the current values)`;
  const shown = JSON.stringify({ source: res.source, at: res.at || null, points: pts });
  // The same rest points as last time (a parameter the field does not use moved): the table
  // and the notes stay as they are.
  if (shown === lastShown && (res.error || null) === lastError) return;
  lastShown = shown; lastError = res.error || null;
  document.getElementById("rest-points").textContent = shown;
  const tb = document.querySelector("#stability tbody");
  tb.textContent = "";
  for (const r of pts) {
    const tr = el("tr"); if (r.stable) tr.className = "stable";
    tr.append(el("td", r.label));
    const st = r.exact ? r.coords.map((v, i) => `${D.variables[i]} = ${r.exact[i]}`) : r.coords.map((v, i) => `${D.variables[i]} = ${fmt(v)}`);
    tr.append(el("td", st.join(", "), "num"));
    const ev = r.eigenvalues ? r.eigenvalues.map(([re, im]) => (im ? `${fmt(re)} ${im < 0 ? "−" : "+"} ${fmt(Math.abs(im))}i` : fmt(re))).join(", ") : "—";
    tr.append(el("td", ev, "num"));
    const v = el("td", r.verdict || "undecided"); v.title = r.reason || ""; tr.append(v);
    tb.append(tr);
  }
  const src = document.getElementById("table-source");
  src.textContent = res.source === "exact" ? "Exact analysis (lmc_games.analyze) at these values."
    : res.source === "live" ? "Live: compiled closed forms at these values; verdicts from the compiled stability conditions (guard band " + D.guard + ") and the eigenvalues of the Jacobian."
      : res.source === "grid" ? `Precomputed: lmc_games.analyze at ${atText(res.at)}, the nearest point of a grid of ${D.grid.axes.map((a) => a.length).join(" × ")} values over ${D.grid.params.join(", ")} written with the page; not at the current values. Rest points are marked at their places there; the field and trajectories are at the current values.` +
        (res.continua ? ` ${res.continua === 1 ? "A continuum" : res.continua + " continua"} of rest points there ${res.continua === 1 ? "is" : "are"} not shown.` : "")
        : "The rest points cannot be computed live for this model (see the note above); they are shown at the defaults and the named scenarios" + (D.grid ? " and at the points of the precomputed grid." : ".");
}

// The field's parameter-only values, the clicked start and the canvas size the layer was
// drawn for.
let layerKey = null;
function layerIsCurrent(q) {
  const k = layerKey;
  if (k === null || k.clicked !== state.clicked || k.w !== canvas.width || k.h !== canvas.height) return false;
  if (k.q.length !== q.length) return false;
  // NaN is never equal to itself: a field that is not finite is always redrawn.
  for (let i = 0; i < q.length; i++) if (k.q[i] !== q[i]) return false;
  return true;
}

function drawLayer(q, pns) {
  if (layer.width !== canvas.width || layer.height !== canvas.height) {
    layer.width = canvas.width; layer.height = canvas.height;
  } else ctx.clearRect(0, 0, layer.width, layer.height);
  state.gridTrajs = integrateStarts(q);
  for (const pn of pns) {
    drawFrame(pn);
    if (pn.kind === "line") drawLineCurve(pn, q);
    drawField(pn, q);
    if (N === 2) {
      const grid = nullclineGrid(q, pn);
      marchingSquares(grid, 0, pn, STYLE.null0); marchingSquares(grid, 1, pn, STYLE.null1);
    }
    if (pn.kind !== "line") drawTraj(pn, state.gridTrajs, STYLE.traj, 0.8);
  }
  if (state.clicked) {
    const flat = rk4flat(state.clicked, q, D.tEnd, D.dt, false);
    state.clickedTraj = toArrays(flat);
    for (const pn of pns) if (pn.kind !== "line") drawTraj(pn, [flat], STYLE.clicked, 1.8);
    document.getElementById("trajectory").textContent = JSON.stringify({ start: state.clicked, dt: D.dt, tEnd: D.tEnd, states: state.clickedTraj });
  }
  drawSeries();
  layerKey = { q, clicked: state.clicked, w: canvas.width, h: canvas.height };
}

function redraw() {
  const t0 = performance.now();
  const p = cur.slice();
  const q = fieldConsts(p);
  const res = restPoints(p);
  state.rest = res.points;
  const pns = panels();
  if (!layerIsCurrent(q)) drawLayer(q, pns);
  view.clearRect(0, 0, canvas.width, canvas.height);
  view.drawImage(layer, 0, 0);
  for (const pn of pns) drawRest(pn, res.points);
  setOutputs(res);
  state.lastRedrawMs = performance.now() - t0;
  postState();
}

let pending = false;
function schedule() {
  // Coalesce bursts of slider events into one redraw per frame; tests call redraw directly.
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; redraw(); });
}

const inputs = [];
function sliderPos(q, v) { return q.log ? Math.log10(v) : v; }
function fromPos(q, pos) { return q.log ? 10 ** pos : pos; }

function setValue(i, v, from) {
  const q = D.params[i];
  const errBox = document.getElementById("param-error");
  if (!Number.isFinite(v) || (q.min !== null && v < q.min) || (q.max !== null && v > q.max)) {
    inputs[i].num.classList.add("invalid");
    errBox.textContent = `${q.name} must be a number in [${q.min === null ? "−∞" : q.min}, ${q.max === null ? "∞" : q.max}]`;
    return false;
  }
  inputs[i].num.classList.remove("invalid");
  errBox.textContent = "";
  cur[i] = v;
  if (from !== "slider") inputs[i].range.value = String(Math.min(Math.max(sliderPos(q, v), Number(inputs[i].range.min)), Number(inputs[i].range.max)));
  if (from !== "number") inputs[i].num.value = String(v);
  return true;
}

function buildControls() {
  const box = document.getElementById("params");
  D.params.forEach((q, i) => {
    const div = el("div", null, "param");
    const lab = el("label", q.name); lab.htmlFor = `param-${q.name}`;
    div.append(lab);
    if (q.description) div.append(el("span", q.description, "meaning"));
    const row = el("div", null, "row");
    const range = el("input"); range.type = "range"; range.id = `param-${q.name}`;
    range.min = String(sliderPos(q, q.sliderMin)); range.max = String(sliderPos(q, q.sliderMax)); range.step = "any";
    range.setAttribute("aria-label", q.name);
    const num = el("input"); num.type = "number"; num.id = `param-${q.name}-value`; num.step = "any";
    if (q.min !== null) num.min = String(q.min);
    if (q.max !== null) num.max = String(q.max);
    num.setAttribute("aria-label", `${q.name} value`);
    row.append(range, num); div.append(row);
    const bounds = `${q.min === null ? "(−∞" : "[" + q.min}, ${q.max === null ? "∞)" : q.max + "]"}`;
    div.append(el("span", `${q.log ? "log scale" : "linear"}; bounds ${bounds}; default ${q.exact}`, "scale"));
    inputs.push({ range, num });
    range.addEventListener("input", () => { if (setValue(i, fromPos(q, Number(range.value)), "slider")) schedule(); });
    num.addEventListener("change", () => { if (setValue(i, Number(num.value), "number")) schedule(); });
    box.append(div);
  });
  D.params.forEach((q, i) => setValue(i, q.value));
  if (D.fixed.length) {
    document.getElementById("fixed-params").append(el("p", "Fixed: " + D.fixed.map((f) => `${f.name} = ${f.exact}`).join(", ")));
  }
  const sc = document.getElementById("scenarios");
  if (!D.scenarios.length) sc.append(el("span", "none"));
  D.exact.slice(1).forEach((e, k) => {
    const b = el("button", e.name); b.type = "button"; b.dataset.index = String(k + 1);
    b.addEventListener("click", () => { D.params.forEach((q, i) => setValue(i, e.values[q.name])); redraw(); });
    sc.append(b);
  });
  document.getElementById("reset").addEventListener("click", () => {
    D.params.forEach((q, i) => setValue(i, D.exact[0].values[q.name]));
    state.clicked = null; state.clickedTraj = null;
    document.getElementById("trajectory").textContent = "";
    redraw();
  });
  canvas.addEventListener("click", (ev) => {
    const rect = canvas.getBoundingClientRect();
    const X = (ev.clientX - rect.left) * (canvas.width / rect.width), Y = (ev.clientY - rect.top) * (canvas.height / rect.height);
    for (const pn of panels()) {
      const s = fromScreen(pn, X, Y);
      if (s && inDomain(s)) { state.clicked = s; redraw(); return; }
    }
  });
}

function buildText() {
  document.getElementById("title").textContent = D.title;
  document.getElementById("description").textContent = D.description;
  const refs = document.getElementById("references");
  if (!D.references.length) refs.append(el("li", "none given"));
  for (const r of D.references) refs.append(el("li", r));
  document.getElementById("provenance").textContent =
    `Model ${D.model}; lmc_games ${D.version}. Trajectories: RK4, step ${D.dt}, to t = ${D.tEnd} (lmc_games.simulate(..., dt=${D.dt}) gives the same numbers).`;
  const notes = document.getElementById("notes");
  if (!D.live) {
    notes.append(el("p", `Rest points, eigenvalues and verdicts cannot be computed live for this model: ${D.reason}. ` +
      "The direction field, nullclines and trajectories are computed live at any values."));
    notes.append(el("p", D.grid
      ? `Rest points are shown from the exact analysis at the defaults and the named scenarios, and elsewhere from lmc_games.analyze at the nearest point of a grid of ${D.grid.axes.map((a) => a.length).join(" × ")} values over ${D.grid.params.join(", ")}; the values of that grid point are said beside the stable set.`
      : "Rest points are shown from the exact analysis at the defaults and the named scenarios only. " +
        "For a precomputed grid, write the page with one or two varied parameters (lmc-games explore MODEL --vary P,Q; explore(game, vary=(\"P\", \"Q\")))."));
  }
  const cap = { line: "Phase line: the field along the line of shares (arrows), its value above.",
    square: "Phase diagram: direction field (arrows), nullclines (dashed), trajectories from a grid of starts.",
    triangle: "Phase diagram on the simplex: direction field, nullclines (dashed), trajectories from a grid of starts.",
    cube: "Three projections of the cube. Arrows: the field in the plane where the third share is 0.5; trajectories and rest points projected.",
    projections: "Projections onto pairs of free shares; arrows where the other shares are 0.5." }[D.geometry];
  document.getElementById("phase-caption").textContent = cap + " Click to start a trajectory.";
  if (D.geometry === "line") canvas.height = 360;
  if (D.geometry !== "line" && D.geometry !== "square" && D.geometry !== "triangle") { canvas.width = 900; canvas.height = 340; }
}

// ------------------------------------------------------------------ Jupyter bridge
// In the Jupyter widget (lmc_games._explore.widget.js) this page runs in a sandboxed iframe.
// Its parent says "connect" (with the widget's values); from then on the page posts its
// values and stable set after every redraw and takes new values from the parent. A page
// opened on its own is never connected and posts nothing.
let bridge = null;
function postState() {
  if (bridge === null) return;
  bridge.postMessage({
    lmcExplore: "state",
    values: Object.fromEntries(D.params.map((q, i) => [q.name, cur[i]])),
    stableSet: state.stableSet, source: state.source, gridPoint: state.gridAt,
  }, "*");
}

function applyValues(obj) {
  if (!obj || typeof obj !== "object") return;
  D.params.forEach((q, i) => {
    const v = obj[q.name];
    if (typeof v === "number" && v !== cur[i]) setValue(i, v);
  });
}

window.addEventListener("message", (ev) => {
  if (window.parent === window || ev.source !== window.parent) return;
  const m = ev.data;
  if (!m || typeof m !== "object") return;
  if (m.lmcExplore === "connect") { bridge = window.parent; applyValues(m.values); redraw(); }
  else if (m.lmcExplore === "set" && bridge !== null) { applyValues(m.values); redraw(); }
});

// For tests and for readers who copy numbers.
window.lmcExplore = {
  setValues(obj) { D.params.forEach((q, i) => { if (q.name in obj) setValue(i, obj[q.name]); }); redraw(); },
  start(s) { state.clicked = s.slice(); redraw(); return state.clickedTraj; },
  trajectory(s, tEnd, dt) { return rk4(s, cur.slice(), tEnd ?? D.tEnd, dt ?? D.dt); },
  restPoints() { return JSON.parse(document.getElementById("rest-points").textContent); },
  redraw() { redraw(); return state.lastRedrawMs; },
  get lastRedrawMs() { return state.lastRedrawMs; },
};

buildText();
buildControls();
buildLegend();
redraw();

// The formulas the page shows, as TeX. Rendered to HTML at build time by build.mjs,
// so the browser needs KaTeX's CSS and fonts but none of its JavaScript.
// The same names are used by {{tex:NAME}} / {{texd:NAME}} in the HTML templates and by js/explain.js.
export const FORMULAS = {
  ar: String.raw`x_{t+1} = W x_t,\quad W = \operatorname{diag}(e^{i\theta_1},\dots,e^{i\theta_d})`,
  embed: String.raw`e_t = (x_t;\ x_{t-1}) \in \mathrm{C}^{2d},\quad E_t = [e_1,\dots,e_t]`,
  model: String.raw`\hat y_t = \frac{W_{PV}\, E_t E_t^{H}\, W_{KQ}\, e_t}{\rho_t},\quad \rho_t = t-1`,
  loss: String.raw`L = \frac{1}{2m}\sum_{\text{seq}}\sum_{t=2}^{T-1}\lVert \hat y_t - x_{t+1}\rVert^2`,
  mesa: String.raw`\hat W_t = \frac{ab}{t-1}\textstyle\sum_{i=2}^{t} x_i\, x_{i-1}^{H},\qquad \hat y_t = \hat W_t\, x_t`,
  gdstep: String.raw`\min_W \tfrac12 \sum_{i=2}^{t}\lVert x_i - W x_{i-1}\rVert^2`,
  ab: String.raw`ab = \tfrac1d \sum_j \operatorname{Re} W_{KQ}[d{+}j,j]\,\operatorname{Re} W_{PV}[j,j]`,
  cstarT: String.raw`c^*(T) = \frac{(T-2)\,M_4}{(T-2)\,M_6 + H_{T-2}\,M_{24}}`,
  cstarInf: String.raw`c^*(\infty) = \frac{M_4}{M_6}`,
  moments: String.raw`M_k = \sum_j \operatorname{E}\lvert x_{1j}\rvert^k,\quad M_{24} = \sum_{j\ne k}\operatorname{E}\lvert x_{1j}\rvert^2\lvert x_{1k}\rvert^4`,
  gaussLimit: String.raw`ab \to \frac{1}{5\sigma^2}`,
  sparseLimit: String.raw`ab \to \frac{1}{c^2}`,
  ratioLimit: String.raw`\hat y / x \to c^*(\infty)\,\sigma^2 = 0.2`,
  recovery: String.raw`M_4^2 = M_2\, M_6`,
  recoveryRatio: String.raw`M_4^2 / (M_2 M_6)`,
  cs: String.raw`M_4^2 \le M_2\, M_6`,
  ode: String.raw`\frac{dc}{d\tau} = -\frac{\sqrt{(a_0^2-b_0^2)^2+4c^2}}{d}\,(A c - B),\quad \tau = \eta\cdot\text{epoch}`,
  redKQ: String.raw`W_{KQ}[d{+}1{:}2d,\ 1{:}d] = a I`,
  redPV: String.raw`W_{PV}[1{:}d,\ 1{:}d] = b I`,
};

// Any thread, no DOM. The colours of the runs and of the lines of the views.

// Okabe-Ito, a palette that stays distinguishable under the common colour-vision deficiencies.
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#777777',
};
export const RUN_COLOURS = [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.green];
// Compare mode across depths: one colour per number of layers (1..4), the same in every chart (not
// green, least squares' in the mesa card; black is otherwise only c*(∞), dotted and thin).
export const DEPTH_COLOURS = [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.black, OKABE_ITO.purple];

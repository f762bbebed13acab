/**
 * trust: the questions a first course ends on. Adversarial examples (FGSM, PGD) and robust accuracy; gradient
 * explanations (saliency, gradient × input, SmoothGrad, Integrated Gradients, Grad-CAM) with PNG heat maps;
 * MC-dropout uncertainty; calibration (ECE, MCE, reliability diagrams, temperature scaling); distribution shift.
 */
export { type Classifier, labelsOf } from './util.js';
export {
  fgsm, pgd, fgsmAttack, pgdAttack, robustAccuracy, lossGradient,
  type Attack, type AttackOptions, type PGDOptions, type RobustPoint, type RobustAccuracyOptions,
} from './attacks.js';
export {
  saliency, gradientXInput, smoothGrad, integratedGradients, completenessGap, gradCam, resizeBilinear, targetScores,
  type AttributionOptions, type SmoothGradOptions, type IntegratedGradientsOptions, type GradCamOptions, type HookableLayer,
} from './attributions.js';
export { heatmapRGBA, heatmapPNG, encodePNG, type RGBAImage, type HeatmapOptions } from './heatmap.js';
export { mcDropout, dropoutLayers, type MCDropoutOptions, type MCDropoutResult } from './uncertainty.js';
export {
  reliabilityDiagram, expectedCalibrationError, maxCalibrationError, temperatureNll, fitTemperature, temperatureScale,
  TemperatureScaled, predictProba,
  type Scores, type ReliabilityBin, type ReliabilityDiagram, type CalibrationOptions, type FitTemperatureOptions, type TemperatureScaleResult,
} from './calibration.js';
export {
  corrupt, evaluateShift, CORRUPTIONS, SEVERITY_LEVELS,
  type Corruption, type CorruptOptions, type ShiftOptions, type ShiftRow, type ShiftReport,
} from './shift.js';

/** Metrics: classification (hard labels), ranking (scores: ROC, AUC, AP) and regression, as scikit-learn defines them. */
export type { Vector, Matrix } from './util.js';
export {
  accuracy, precision, recall, f1Score, precisionRecallFscoreSupport, confusionMatrix, classificationReport, logLoss,
  type Average, type ClassificationOptions, type PerClassScores, type ReportOptions, type LogLossOptions,
} from './classification.js';
export {
  rocCurve, rocAuc, precisionRecallCurve, averagePrecision,
  type BinaryOptions, type RocCurve, type PrecisionRecallCurve,
} from './ranking.js';
export { meanSquaredError, meanAbsoluteError, r2Score } from './regression.js';

/** Reports: a classifier's evaluation (metrics, learning curves, ROC, confusion matrices) as one self-contained HTML file. */
export {
  renderEvaluationReport, reportData, alignCurves, confusionTable,
  type ClassifierEvaluation, type EvaluationReportSpec, type ChartData, type ChartSeries, type ReportData, type UplotAssets,
} from './evaluation.js';
export { loadUplotAssets, writeEvaluationReport } from './write.js';

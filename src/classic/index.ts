/** The course's classical baselines: closed-form least squares and ridge, logistic regression, a CART tree. */
export { leastSquares, ridge, LinearModel, type LinearFitOptions } from './linear.js';
export { NotPositiveDefiniteError } from './cholesky.js';
export { LogisticRegression, type LogisticRegressionOptions } from './logistic.js';
export {
  DecisionTreeClassifier, type DecisionTreeOptions, type ExportTextOptions, type Criterion, type TreeNode,
} from './tree.js';

/** Data: datasets, batching, splits, scaling, feature maps, CSV tables and the course's synthetic sets. */
export { type Dataset, TensorDataset, Subset } from './dataset.js';
export { DataLoader, defaultCollate, type DataLoaderOptions, type Collated } from './dataloader.js';
export { randomSplit, trainTestSplit, type TrainTestSplitOptions, type TrainTestSplit } from './split.js';
export { StandardScaler, MinMaxScaler, type StandardScalerJSON, type MinMaxScalerJSON } from './scalers.js';
export { oneHot, PolynomialFeatures, featureMap, squares, type PolynomialFeaturesOptions, type FeatureMap } from './features.js';
export {
  parseCSV, readCSV, CSVTable, DEFAULT_MISSING_VALUES,
  type CSVOptions, type ColumnType, type ToTensorsOptions, type TableTensors,
} from './csv.js';
export {
  makeCircle, makeXor, makeGaussians, makeSpiral, makeMoons,
  type SyntheticOptions, type SyntheticSet, type GaussiansOptions, type SpiralOptions,
} from './synthetic.js';

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
export { datasets } from './datasets.js';
export { type MnistOptions, type MnistSplit } from './mnist.js';
export { parseEmail, type EmailRecord, type SpamGroup, type SpamAssassinOptions, type SpamAssassinSplit } from './spam.js';
export {
  tokenize, Vocabulary, URL_TOKEN, EMAIL_TOKEN, NUMBER_TOKEN, type VocabularyOptions, type VocabularyJSON,
} from './text.js';
export { type CSRMatrix, CSRDataset, toDense, denseRows } from './sparse.js';
export {
  CountVectorizer, TfidfVectorizer,
  type TextDocument, type CountVectorizerOptions, type CountVectorizerJSON, type TfidfVectorizerOptions, type TfidfVectorizerJSON,
} from './vectorizers.js';
export {
  normalize, translate, randomShift, randomCrop, rotate, randomRotation, gaussianNoise, compose,
  type ImageTransform, type RandomTransformOptions, type GaussianNoiseOptions,
} from './transforms.js';

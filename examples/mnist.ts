// MNIST to the field's figures with the public API: an MLP 784-256-128-10 (≥ 97% test accuracy) and Caffe's LeNet
// (≥ 98.5%), on the 8,000 training / 2,000 test images that datasets.mnist() draws from the mnist package.
// With 8,000 images instead of 60,000 both need augmentation and a cosine schedule. `backprop demo mnist` is the
// same recipe with more options. Run: npx tsx examples/mnist.ts [mlp|lenet]  (minutes; BACKPROP_BACKEND=native is fastest)
import { backend, callbacks, data, evaluate, fit, manualSeed, nn, optim } from '../src/index.js';

const { xTrain, yTrain, xTest, yTest } = await data.datasets.mnist({ train: 8000, test: 2000, seed: 0 });

const models = {
  mlp: () => new nn.Sequential(
    new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10),
  ),
  lenet: () => new nn.Sequential(
    new nn.Conv2d(1, 20, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(20, 50, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(800, 500), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(500, 10),
  ),
};
const epochs = { mlp: 40, lenet: 20 };
const which = (process.argv[2] ? [process.argv[2]] : ['mlp', 'lenet']) as (keyof typeof models)[];

for (const name of which) {
  manualSeed(0);
  const model = models[name]();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  // Every epoch sees each digit shifted by up to 2 pixels and rotated by up to 10°, drawn from the seeded generator.
  const augment = data.compose(data.randomShift(2), data.randomRotation(10));
  const loader = new data.DataLoader(new data.TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true, transform: augment });
  const history = await fit(model, {
    data: loader as Iterable<[typeof xTrain, typeof yTrain]>, loss: 'crossEntropy', optimizer, epochs: epochs[name],
    metrics: ['accuracy'], callbacks: [new callbacks.LRScheduler(new optim.CosineAnnealingLR(optimizer, epochs[name]))],
  });
  const { accuracy } = evaluate(model, [xTest, yTest], { metrics: ['accuracy'] });
  console.log(`${name}: test accuracy ${(100 * accuracy).toFixed(2)}% (${history.summary()}, backend ${backend().name})`);
}

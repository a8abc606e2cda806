// The package root: the producer SDK (the broker itself runs from the `sluice` CLI).
export * from './producer/index.js';

// This SDK through its kafkajs-like call: send() with an array of messages, as kafkajs is driven.
import { sluiceClient } from './sluice.js';

export const open = sluiceClient('batch', 'bench-sluice-send');

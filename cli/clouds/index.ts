/**
 * Entry of the `dist/clouds.js` bundle: the CLI's real-cloud seat. Loaded only for `--target clouds`, so the
 * simulator commands never load a cloud SDK.
 */
import type { CloudsModule } from '../seat';
import { discoverClouds } from './discover-clouds';
import { runDoctor } from './doctor';
import { openSeat } from './seat';

export const clouds: CloudsModule = { openSeat, discoverClouds, runDoctor };
export { openSeat, discoverClouds, runDoctor };

export { Controller, type ControllerOptions } from './controller.js';
export {
  buildControllerConfig,
  loadControllerConfig,
  CONTROLLER_DEFAULTS,
  DEFAULT_CONTROLLER_PATHS,
  type ControllerConfig,
  type NodeConfig,
} from './config.js';
